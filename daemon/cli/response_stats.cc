#include "daemon/cli/response_stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include "daemon/base/json_escape.h"

namespace earshot {
namespace {

// Highest first, as the table lists them.
constexpr Severity kSeverityOrder[] = {Severity::kCritical, Severity::kHigh, Severity::kMedium,
                                       Severity::kLow, Severity::kInfo};

// An incident's facts as the report sees them at `until`.
struct Seen {
  const IncidentFacts* facts = nullptr;
  std::optional<Duration> response;  // first response time, when answered before `until`
  bool breached = false;
};

Seen SeeAt(const IncidentFacts& f, SystemTime until) {
  Seen s;
  s.facts = &f;
  if (f.first_response_at && *f.first_response_at < until) {
    // A clock skew between the network's stamps can put the answer before the complaint.
    s.response = std::max(Duration(0),
                          std::chrono::duration_cast<Duration>(*f.first_response_at - f.opened_at));
    s.breached = f.due_at && *f.first_response_at > *f.due_at;
  } else {
    s.breached = f.due_at && until > *f.due_at;
  }
  return s;
}

ResponseSummary Summarize(const std::vector<const Seen*>& seen) {
  ResponseSummary out;
  std::vector<Duration> times;
  for (const Seen* s : seen) {
    ++out.incidents;
    if (s->response) {
      ++out.answered;
      times.push_back(*s->response);
    }
    if (s->breached) ++out.breaches;
  }
  out.p50 = NearestRankPercentile(times, 50);
  out.p90 = NearestRankPercentile(times, 90);
  out.max = NearestRankPercentile(std::move(times), 100);
  return out;
}

int64_t LocalDayNumber(const TimeZone& zone, SystemTime t) {
  const CivilTime c = zone.ToLocal(t);
  return DaysFromCivil(c.year, c.month, c.day);
}

std::vector<DayPoint> DaySeries(const std::vector<Seen>& seen, SystemTime since, SystemTime until,
                                const TimeZone& zone) {
  std::vector<DayPoint> days;
  if (until <= since) return days;
  // The last instant in the window is just before `until`; a window ending at local midnight
  // does not touch the day that midnight starts.
  const int64_t first = LocalDayNumber(zone, since);
  const int64_t last = LocalDayNumber(zone, until - std::chrono::seconds(1));
  std::vector<std::vector<Duration>> times(static_cast<size_t>(last - first + 1));
  for (int64_t d = first; d <= last; ++d) {
    DayPoint p;
    CivilFromDays(d, &p.date.year, &p.date.month, &p.date.day);
    p.date.weekday = WeekdayFromDays(d);
    p.starts_at = zone.FromLocal(p.date);
    days.push_back(p);
  }
  for (const Seen& s : seen) {
    const int64_t d = LocalDayNumber(zone, s.facts->opened_at);
    if (d < first || d > last) continue;
    ++days[static_cast<size_t>(d - first)].opened;
    if (s.response) times[static_cast<size_t>(d - first)].push_back(*s.response);
  }
  for (size_t i = 0; i < days.size(); ++i) {
    days[i].median_response = NearestRankPercentile(std::move(times[i]), 50);
  }
  return days;
}

}  // namespace

std::optional<Duration> NearestRankPercentile(std::vector<Duration> values, int percent) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const int64_t n = static_cast<int64_t>(values.size());
  // ceil(percent * n / 100) in integers, at least rank 1.
  const int64_t rank = std::clamp<int64_t>((percent * n + 99) / 100, 1, n);
  return values[static_cast<size_t>(rank - 1)];
}

ResponseReport BuildResponseReport(const std::vector<IncidentFacts>& incidents, SystemTime since,
                                   SystemTime until, const TimeZone& zone) {
  ResponseReport report;
  report.since = since;
  report.until = until;
  report.time_zone = zone.name();

  std::vector<Seen> seen;
  for (const IncidentFacts& f : incidents) {
    if (f.opened_at < since || f.opened_at >= until) continue;
    seen.push_back(SeeAt(f, until));
  }

  std::vector<const Seen*> all;
  std::map<std::string, std::map<Severity, std::vector<const Seen*>>> by_brand;
  for (const Seen& s : seen) {
    all.push_back(&s);
    by_brand[s.facts->brand][s.facts->severity].push_back(&s);
  }
  report.total = Summarize(all);

  for (const auto& [brand, by_severity] : by_brand) {
    BrandReport b;
    b.brand = brand;
    std::vector<const Seen*> brand_all;
    for (Severity sev : kSeverityOrder) {
      auto it = by_severity.find(sev);
      if (it == by_severity.end()) continue;
      b.severities.push_back({sev, Summarize(it->second)});
      for (const Seen* s : it->second) {
        brand_all.push_back(s);
        if (s->response) continue;
        const IncidentFacts& f = *s->facts;
        b.unanswered.push_back({f.id, f.severity, f.opened_at,
                                std::chrono::duration_cast<Duration>(until - f.opened_at),
                                s->breached, f.resolved});
      }
    }
    b.all = Summarize(brand_all);
    std::sort(b.unanswered.begin(), b.unanswered.end(),
              [](const UnansweredIncident& x, const UnansweredIncident& y) {
                return std::tie(x.opened_at, x.id) < std::tie(y.opened_at, y.id);
              });
    report.brands.push_back(std::move(b));
  }

  report.days = DaySeries(seen, since, until, zone);
  return report;
}

}  // namespace earshot
