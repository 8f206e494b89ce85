#include "daemon/escalator/response_policy.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

#include "daemon/base/ascii.h"
#include "daemon/base/time_zone.h"
#include "daemon/base/weekly_hours.h"
#include "daemon/config/diagnostics.h"
#include "daemon/config/yaml_reader.h"

namespace earshot {
namespace {

constexpr std::string_view kTargetForms =
    "write a duration (\"15m\"), a duration of business hours (\"4h business\") or \"next "
    "business day\"";

constexpr Severity kSeverities[] = {Severity::kInfo, Severity::kLow, Severity::kMedium,
                                    Severity::kHigh, Severity::kCritical};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

void ReadBusinessHours(MapReader& r, ResponsePolicy* policy) {
  std::string zone_name = "UTC", hours_text;
  std::vector<std::string> holiday_texts;
  r.Optional("time_zone", &zone_name).Required("hours", &hours_text);
  r.Optional("holidays", &holiday_texts);
  bool ok = !hours_text.empty();
  Result<TimeZone> zone = TimeZone::Load(zone_name);
  if (!zone.ok()) {
    r.Get("time_zone")->Error(fmt::format("response.business_hours: {}", zone.status().message()));
    ok = false;
  }
  Result<WeeklyHours> hours = ParseWeeklyHours(hours_text);
  if (!hours_text.empty() && !hours.ok()) {
    r.Get("hours")->Error(fmt::format("response.business_hours: {}", hours.status().message()));
    ok = false;
  }
  std::vector<LocalDate> holidays;
  for (const std::string& text : holiday_texts) {
    Result<LocalDate> day = ParseLocalDate(text);
    if (!day.ok()) {
      r.Get("holidays")->Error(
          fmt::format("response.business_hours.holidays: {}", day.status().message()));
      ok = false;
    } else {
      holidays.push_back(*day);
    }
  }
  if (!ok) return;
  Result<BusinessHours> calendar =
      BusinessHours::Create(std::move(zone).value(), std::move(hours).value(), holidays);
  if (!calendar.ok()) {
    r.Get("hours")->Error(fmt::format("response.business_hours: {}", calendar.status().message()));
    return;
  }
  policy->hours = std::move(calendar).value();
}

}  // namespace

SystemTime ResponseTarget::DueFrom(SystemTime start, const BusinessHours& hours) const {
  switch (kind) {
    case Kind::kWithin: return start + within;
    case Kind::kBusinessTime: return hours.AddBusinessTime(start, within);
    case Kind::kNextBusinessDay: return hours.EndOfNextBusinessDay(start);
  }
  return start + within;
}

std::string ResponseTarget::Text() const {
  switch (kind) {
    case Kind::kWithin: return FormatDuration(within);
    case Kind::kBusinessTime: return FormatDuration(within) + " business";
    case Kind::kNextBusinessDay: return "next business day";
  }
  return FormatDuration(within);
}

Result<ResponseTarget> ParseResponseTarget(std::string_view text) {
  const std::string lowered = AsciiLowered(Trim(text));
  std::string_view t = lowered;
  if (t == "next business day") return ResponseTarget{ResponseTarget::Kind::kNextBusinessDay, {}};
  ResponseTarget target;
  constexpr std::string_view kBusiness = " business";
  if (t.size() > kBusiness.size() && t.ends_with(kBusiness)) {
    target.kind = ResponseTarget::Kind::kBusinessTime;
    t = Trim(t.substr(0, t.size() - kBusiness.size()));
  }
  Result<Duration> d = ParseDuration(t);
  if (!d.ok() || d->count() <= 0) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a response target; {}", text, kTargetForms));
  }
  target.within = *d;
  return target;
}

std::optional<SystemTime> ResponsePolicy::DueAt(Severity s, SystemTime opened_at) const {
  const std::optional<ResponseTarget>& target = TargetFor(s);
  if (!target) return std::nullopt;
  return target->DueFrom(opened_at, hours);
}

bool ResponsePolicy::has_targets() const {
  for (const auto& t : targets) {
    if (t) return true;
  }
  return false;
}

std::optional<ResponsePolicy> ReadResponsePolicy(const YamlValue& response) {
  Diagnostics* diags = response.diagnostics();
  const int errors_before = diags->error_count();
  ResponsePolicy policy;
  MapReader top(response, "response");
  if (!top.ok()) return std::nullopt;
  top.Map("business_hours", [&](MapReader& r) { ReadBusinessHours(r, &policy); });
  top.Map("targets", [&](MapReader& r) {
    for (Severity s : kSeverities) {
      std::string text;
      r.Optional(SeverityName(s), &text);
      if (text.empty()) continue;
      Result<ResponseTarget> target = ParseResponseTarget(text);
      if (!target.ok()) {
        r.Get(SeverityName(s))
            ->Error(fmt::format("response.targets.{}: {}", SeverityName(s),
                                target.status().message()));
        continue;
      }
      policy.targets[static_cast<size_t>(s)] = *target;
    }
  });
  top.Finish();
  if (diags->error_count() > errors_before) return std::nullopt;
  return policy;
}

}  // namespace earshot
