// A support team's business calendar: a time zone, opening hours per weekday and holidays,
// and the arithmetic response-time targets need ("high: 1h of business time", "low: by the
// end of the next business day", "unanswered for 35m of business time").
//
// Hours are read on the zone's wall clock every day, so a 09:00-17:00 day opens at local 09:00
// on the 23-hour and 25-hour days of a DST change too; an hour a change skips or doubles is
// settled as TimeZone::FromLocal does (a skipped reading moves forward by the gap, a doubled
// one takes the earlier instant). Holidays are closed all day, from local midnight to midnight.
//
// Every walk through the calendar is capped at kHorizonDays: an answer further away than that
// is kNever. Immutable; any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/duration.h"
#include "daemon/base/result.h"
#include "daemon/base/time_zone.h"
#include "daemon/base/weekly_hours.h"

namespace earshot {

class BusinessHours {
 public:
  // "No such instant within the horizon".
  static constexpr SystemTime kNever = SystemTime::max();
  // Ten years of days: far past any response target, and a bound on the work of each call.
  static constexpr int64_t kHorizonDays = 3660;

  // Always open (24x7), in UTC: earshot's default, under which business time is plain time.
  BusinessHours();

  // Refuses hours with no open time at all, under which no target could ever be met.
  static Result<BusinessHours> Create(TimeZone zone, WeeklyHours hours,
                                      std::vector<LocalDate> holidays = {});

  const TimeZone& zone() const { return zone_; }
  const WeeklyHours& hours() const { return hours_; }
  bool always_open() const { return always_open_; }

  bool IsOpen(SystemTime t) const;

  // `t` itself when open, else the next opening.
  SystemTime NextOpen(SystemTime t) const;

  // The instant at which `d` of open time has passed since `start`: 15m from Friday 16:50 in a
  // mon-fri 09:00-17:00 week ends Monday 09:05. An amount that runs out exactly at a closing
  // ends at that closing (Friday 17:00, not Monday 09:00). `d` <= 0 gives `start`.
  SystemTime AddBusinessTime(SystemTime start, Duration d) const;

  // Open time between `a` and `b` (0 when b <= a): how long a complaint has waited in business
  // time. Counts at most kHorizonDays of calendar.
  Duration BusinessTimeBetween(SystemTime a, SystemTime b) const;

  // The closing of the first business day after the local date of `t` (a day that is no
  // holiday and has open hours): the "next business day" target. From Friday in a mon-fri
  // week, Monday's closing; from Thursday before a Friday holiday, also Monday's.
  SystemTime EndOfNextBusinessDay(SystemTime t) const;

 private:
  struct Span {
    SystemTime open, close;
  };

  BusinessHours(TimeZone zone, WeeklyHours hours, std::vector<int64_t> holidays);

  bool IsBusinessDay(int64_t day) const;
  // The day's open spans as instants, in order (empty on a holiday).
  std::vector<Span> SpansOfDay(int64_t day) const;
  // The local day (days since 1970-01-01) of `t`.
  int64_t LocalDay(SystemTime t) const;

  // Calls `fn(open, close)` for each open span that ends after `from`, in order and with its
  // opening moved up to `from` when earlier, until `fn` returns false. Returns false when the
  // horizon ran out first.
  template <class Fn>
  bool ForEachSpanFrom(SystemTime from, Fn fn) const;

  TimeZone zone_;
  WeeklyHours hours_;
  std::vector<int64_t> holidays_;  // local days, sorted
  bool always_open_ = true;        // 24x7 with no holidays: every answer is plain arithmetic
};

}  // namespace earshot
