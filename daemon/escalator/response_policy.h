// ResponsePolicy: how soon support must answer a complaint in public, per severity, and the
// business calendar those targets count in. Read from the `response:` key of earshot.yaml:
//
//   response:
//     business_hours:                   # optional; without it every hour is a business hour
//       time_zone: Europe/Berlin
//       hours: "mon-fri 09:00-17:00"    # weekly_hours.h grammar; "; sat 10:00-14:00" adds
//       holidays: ["2026-12-25", "2026-12-26"]
//     targets:                          # optional per severity; none = no target
//       critical: 15m                   # plain time: 24x7 on-call answers at 3 a.m. too
//       high: 1h
//       medium: 4h business             # 4h of open business hours
//       low: next business day          # by the close of the next business day
//
// A target is a deadline: an incident opened at t is due at t + 15m, at t plus 4 open hours,
// or at the close of the business day after t's local date. The escalator keeps the deadline
// on the incident (recomputed when its severity rises) and tells a breach once
// (response_watch.h); `earshot report` counts answers after it. Immutable once read; any
// thread.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/base/business_hours.h"
#include "daemon/base/clock.h"
#include "daemon/base/duration.h"
#include "daemon/base/result.h"
#include "daemon/base/severity.h"

namespace earshot {

class YamlValue;

// One deadline rule: "15m", "4h business", "next business day".
struct ResponseTarget {
  enum class Kind {
    kWithin,           // `within` of plain time
    kBusinessTime,     // `within` of open business hours
    kNextBusinessDay,  // the close of the first business day after the start's local date
  };
  Kind kind = Kind::kWithin;
  Duration within{0};

  // The deadline of a wait that started at `start`, in `hours`' calendar; BusinessHours::kNever
  // when the calendar has no such instant within its horizon.
  SystemTime DueFrom(SystemTime start, const BusinessHours& hours) const;
  // As written: "15m", "4h business", "next business day".
  std::string Text() const;
  bool operator==(const ResponseTarget&) const = default;
};

// "15m", "1h30m business", "next business day". Errors say how to write one.
Result<ResponseTarget> ParseResponseTarget(std::string_view text);

struct ResponsePolicy {
  BusinessHours hours;  // always open, in UTC, unless `business_hours:` says otherwise
  std::array<std::optional<ResponseTarget>, 5> targets;  // by Severity's value

  const std::optional<ResponseTarget>& TargetFor(Severity s) const {
    return targets[static_cast<size_t>(s)];
  }
  // When an incident of severity `s` opened at `opened_at` must have its first response;
  // nullopt when `s` has no target.
  std::optional<SystemTime> DueAt(Severity s, SystemTime opened_at) const;
  bool has_targets() const;
};

// Reads the value of `response:`; every problem goes to the value's Diagnostics (file, line,
// column, the fix). nullopt when there was any.
std::optional<ResponsePolicy> ReadResponsePolicy(const YamlValue& response);

}  // namespace earshot
