// Civil (wall-clock) dates and times with no zone attached, and the proleptic Gregorian
// arithmetic under them. Time zones (time_zone.h) map between these and instants; business
// hours (business_hours.h) walk them day by day. Pure functions on 64-bit counts, so years far
// outside what a SystemTime holds (TZif files carry transitions from -2^59) never overflow.
#pragma once

#include <cstdint>
#include <string>

namespace earshot {

// A reading of a wall clock. `weekday` is 0 = Sunday ... 6 = Saturday, as in struct tm; it is
// an output only (FromLocal and CivilToSeconds ignore it).
struct CivilTime {
  int64_t year = 1970;
  int month = 1;   // 1-12
  int day = 1;     // 1-31
  int hour = 0;    // 0-23
  int minute = 0;  // 0-59
  int second = 0;  // 0-59
  int weekday = 4;

  bool operator==(const CivilTime&) const = default;
};

// Days since 1970-01-01 of a date. The month may be outside 1-12 and the day outside the
// month (2026-01-32 is 2026-02-01): both carry over, as mktime does.
int64_t DaysFromCivil(int64_t year, int month, int day);

// The date of a day count: writes year, month, day.
void CivilFromDays(int64_t days, int64_t* year, int* month, int* day);

// 0 = Sunday ... 6 = Saturday.
int WeekdayFromDays(int64_t days);

bool IsLeapYear(int64_t year);
int DaysInMonth(int64_t year, int month);

// Seconds since 1970-01-01 00:00:00 of the reading (as if it were UTC), carrying over
// out-of-range fields (hour 24 is 00 of the next day).
int64_t CivilToSeconds(const CivilTime& c);

// The reading at that many seconds since 1970-01-01 00:00:00, weekday included.
CivilTime CivilFromSeconds(int64_t seconds);

// "2026-03-29 03:00:00": for messages and test failures.
std::string FormatCivil(const CivilTime& c);

}  // namespace earshot
