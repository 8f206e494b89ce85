#include "daemon/base/business_hours.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/civil_time.h"

namespace earshot {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
// 2261-12-31: SystemTime counts nanoseconds in 64 bits and ends in April 2262.
constexpr int64_t kLastRepresentableSecond = 9214646399;

int64_t ToSeconds(SystemTime t) {
  return std::chrono::floor<Seconds>(t.time_since_epoch()).count();
}

SystemTime FromSeconds(int64_t s) {
  return s > kLastRepresentableSecond ? BusinessHours::kNever : SystemTime(Seconds(s));
}

int64_t FloorDay(int64_t seconds) {
  return seconds / kSecondsPerDay - (seconds % kSecondsPerDay < 0 ? 1 : 0);
}

}  // namespace

BusinessHours::BusinessHours() : hours_(WeeklyHours::Always()) {}

BusinessHours::BusinessHours(TimeZone zone, WeeklyHours hours, std::vector<int64_t> holidays)
    : zone_(std::move(zone)),
      hours_(std::move(hours)),
      holidays_(std::move(holidays)),
      always_open_(hours_.always() && holidays_.empty()) {}

Result<BusinessHours> BusinessHours::Create(TimeZone zone, WeeklyHours hours,
                                            std::vector<LocalDate> holidays) {
  if (hours.empty()) {
    return Status::InvalidArgument(
        "business hours have no open time on any day, so no target could ever be met; write "
        "'always' or days and hours, e.g. 'mon-fri 09:00-17:00'");
  }
  std::vector<int64_t> days;
  for (const LocalDate& d : holidays) days.push_back(DaysFromCivil(d.year, d.month, d.day));
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  return BusinessHours(std::move(zone), std::move(hours), std::move(days));
}

bool BusinessHours::IsBusinessDay(int64_t day) const {
  return !hours_.days[WeekdayFromDays(day)].empty() &&
         !std::binary_search(holidays_.begin(), holidays_.end(), day);
}

int64_t BusinessHours::LocalDay(SystemTime t) const {
  const int64_t s = ToSeconds(t);
  return FloorDay(s + zone_.OffsetAtSeconds(s));
}

std::vector<BusinessHours::Span> BusinessHours::SpansOfDay(int64_t day) const {
  std::vector<Span> spans;
  if (!IsBusinessDay(day)) return spans;
  const int64_t midnight = day * kSecondsPerDay;
  for (const OpenSpan& s : hours_.days[WeekdayFromDays(day)]) {
    spans.push_back({FromSeconds(zone_.FromLocalSeconds(midnight + int64_t{s.open} * 60)),
                     FromSeconds(zone_.FromLocalSeconds(midnight + int64_t{s.close} * 60))});
  }
  return spans;
}

template <class Fn>
bool BusinessHours::ForEachSpanFrom(SystemTime from, Fn fn) const {
  // Start a day early: the local day of `from` is computed on its own offset, and a span of
  // the day before may still be open.
  const int64_t first = LocalDay(from) - 1;
  SystemTime covered = from;  // spans never reach back before this, so none is counted twice
  for (int64_t day = first; day <= first + kHorizonDays; ++day) {
    for (const Span& s : SpansOfDay(day)) {
      if (s.open == kNever) return false;
      const SystemTime open = std::max(s.open, covered);
      if (s.close <= open) continue;  // already passed, or squeezed out by a DST gap
      covered = s.close;
      if (!fn(open, s.close)) return true;
    }
  }
  return false;
}

bool BusinessHours::IsOpen(SystemTime t) const {
  if (always_open_) return true;
  bool open = false;
  ForEachSpanFrom(t, [&](SystemTime o, SystemTime) {
    open = o == t;
    return false;
  });
  return open;
}

SystemTime BusinessHours::NextOpen(SystemTime t) const {
  if (always_open_) return t;
  SystemTime next = kNever;
  ForEachSpanFrom(t, [&](SystemTime o, SystemTime) {
    next = o;
    return false;
  });
  return next;
}

SystemTime BusinessHours::AddBusinessTime(SystemTime start, Duration d) const {
  if (d <= Duration::zero()) return start;
  if (always_open_) return start + d;
  SystemTime::duration left = d;
  SystemTime end = kNever;
  ForEachSpanFrom(start, [&](SystemTime o, SystemTime c) {
    if (left <= c - o) {
      end = o + left;
      return false;
    }
    left -= c - o;
    return true;
  });
  return end;
}

Duration BusinessHours::BusinessTimeBetween(SystemTime a, SystemTime b) const {
  if (b <= a) return Duration::zero();
  if (always_open_) return std::chrono::duration_cast<Duration>(b - a);
  SystemTime::duration total{0};
  ForEachSpanFrom(a, [&](SystemTime o, SystemTime c) {
    if (o >= b) return false;
    total += std::min(c, b) - o;
    return true;
  });
  return std::chrono::duration_cast<Duration>(total);
}

SystemTime BusinessHours::EndOfNextBusinessDay(SystemTime t) const {
  const int64_t today = LocalDay(t);
  for (int64_t day = today + 1; day <= today + kHorizonDays; ++day) {
    std::vector<Span> spans = SpansOfDay(day);
    if (!spans.empty()) return spans.back().close;
  }
  return kNever;
}

}  // namespace earshot
