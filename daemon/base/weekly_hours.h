// Opening hours per weekday and holiday dates as people write them in earshot.yaml, parsed
// here independently of the YAML reader so any front end (config, CLI) shares one grammar:
//
//   weekly-hours := "always" | clause { ";" clause }
//   clause       := days spans
//   days         := day [ "-" day ] { "," day [ "-" day ] }    mon-fri   sat,sun   fri-mon
//   day          := mon | tue | wed | thu | fri | sat | sun    (or the full name; any case)
//   spans        := span { "," span }                          09:00-12:00, 13:00-17:00
//   span         := HH:MM "-" HH:MM                            00:00 <= open < close <= 24:00
//
// e.g. "mon-fri 09:00-17:00; sat 10:00-14:00". A day range runs forward through the week, so
// "fri-mon" is Friday to Monday. Days not named are closed. A span ends on the day it starts
// (hours past midnight are written on both days: "fri 22:00-24:00; sat 00:00-02:00"); spans
// of one day may touch (they join) but not overlap. Holidays are ISO dates, "2026-12-25".
// Pure functions.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/result.h"

namespace earshot {

// Open from `open` to `close`, in minutes after local midnight: 0 <= open < close <= 1440.
struct OpenSpan {
  int open = 0;
  int close = 0;
  bool operator==(const OpenSpan&) const = default;
};

struct WeeklyHours {
  // Index 0 = Sunday ... 6 = Saturday, as CivilTime::weekday. Each day's spans are sorted and
  // neither touch nor overlap.
  std::array<std::vector<OpenSpan>, 7> days;

  // 00:00-24:00 every day, earshot's default.
  static WeeklyHours Always();
  bool always() const;
  // No open time on any day.
  bool empty() const;
  bool operator==(const WeeklyHours&) const = default;
};

// Parses the grammar above. Errors quote the part that is wrong and show how to write it:
//   "'09:00-25:00': hour 25 is out of range; write HH:MM-HH:MM with 00:00-24:00"
Result<WeeklyHours> ParseWeeklyHours(std::string_view text);
// The list form, one clause per item (a YAML sequence); errors start "hours #2: ".
Result<WeeklyHours> ParseWeeklyHours(const std::vector<std::string>& clauses);

// "mon-fri 09:00-17:00; sat 10:00-14:00", days Monday first, equal days grouped; "always";
// "never" for empty hours. ParseWeeklyHours reads it back.
std::string FormatWeeklyHours(const WeeklyHours& hours);

// A calendar date in a business calendar's own zone.
struct LocalDate {
  int64_t year = 1970;
  int month = 1;
  int day = 1;
  auto operator<=>(const LocalDate&) const = default;
};

// "2026-12-25". Errors say what is wrong ("2026-02-30: February 2026 has 28 days").
Result<LocalDate> ParseLocalDate(std::string_view text);

}  // namespace earshot
