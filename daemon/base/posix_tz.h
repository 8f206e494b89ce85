// The POSIX TZ string in a TZif footer (RFC 8536 §3.3): the rule a zone follows after the last
// transition its file lists, e.g. "CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0",
// "<+0330>-3:30". Accepts the date forms Jn, n and Mm.w.d, and transition times from -167h to
// +167h (the RFC 8536 §3.3.1 extension of POSIX's 0-24h) such as "M3.5.0/-1" or "J365/25".
// Immutable after Parse; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/base/result.h"

namespace earshot {

class PosixTz {
 public:
  // One of the two local time kinds a TZ string names.
  struct Type {
    int32_t utc_offset = 0;  // seconds east of UTC (the string itself counts west)
    bool is_dst = false;
    std::string abbreviation;  // "CEST", "+0330" (angle brackets removed)
  };
  // A change to DST (is_dst true) or back, at `at` seconds since the epoch.
  struct Transition {
    int64_t at = 0;
    bool is_dst = false;
  };

  // The error says what part of `text` is wrong.
  static Result<PosixTz> Parse(std::string_view text);

  const Type& standard() const { return std_; }
  // Meaningful only when has_dst().
  const Type& daylight() const { return dst_; }
  bool has_dst() const { return has_dst_; }

  // The type in effect at `seconds` since the epoch.
  const Type& TypeAt(int64_t seconds) const;

  // The changes in (from, to], in order, leaving out those that change nothing (a zone on DST
  // all year, "EST5EDT4,0/0,J365/25", ends and restarts DST at the same instant).
  std::vector<Transition> TransitionsBetween(int64_t from, int64_t to) const;

 private:
  struct Rule {
    enum class Kind { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay } kind = Kind::kMonthWeekDay;
    int day = 0;                           // Jn: 1-365; n: 0-365
    int month = 0, week = 0, weekday = 0;  // Mm.w.d
    int32_t time = 7200;                   // seconds after local midnight, -167h..167h
  };

  // Days since the epoch of the rule's date in `year`.
  static int64_t RuleDay(const Rule& rule, int64_t year);
  // The year's two changes, in the order start, end.
  std::pair<Transition, Transition> TransitionsOfYear(int64_t year) const;

  Type std_, dst_;
  bool has_dst_ = false;
  Rule start_, end_;
};

}  // namespace earshot
