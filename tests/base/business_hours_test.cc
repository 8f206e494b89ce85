#include "daemon/base/business_hours.h"

#include <catch2/catch.hpp>
#include <random>

using namespace std::chrono_literals;

namespace earshot {
namespace {

TimeZone Berlin() {
  Result<TimeZone> tz = TimeZone::Load("Europe/Berlin", "/usr/share/zoneinfo");
  REQUIRE(tz.ok());
  return *tz;
}

// A Berlin wall-clock reading as an instant.
SystemTime B(int64_t y, int m, int d, int h, int min = 0, int s = 0) {
  return Berlin().FromLocal({y, m, d, h, min, s});
}
SystemTime U(int64_t y, int m, int d, int h, int min = 0) {
  return SystemTime(Seconds(CivilToSeconds({y, m, d, h, min, 0})));
}

BusinessHours Calendar(const char* hours, std::vector<LocalDate> holidays = {}) {
  Result<WeeklyHours> h = ParseWeeklyHours(hours);
  REQUIRE(h.ok());
  Result<BusinessHours> b = BusinessHours::Create(Berlin(), *h, std::move(holidays));
  REQUIRE(b.ok());
  return *b;
}

std::string Local(SystemTime t) {
  return t == BusinessHours::kNever ? "never" : FormatCivil(Berlin().ToLocal(t));
}

// 2026-12-04 is a Friday; 2026-12-07 the Monday after.
TEST_CASE("BusinessHours: open, closed and the next opening over a weekend", "[base][calendar]") {
  BusinessHours office = Calendar("mon-fri 09:00-17:00; sat 10:00-14:00");
  CHECK(office.IsOpen(B(2026, 12, 4, 16, 59, 59)));
  CHECK_FALSE(office.IsOpen(B(2026, 12, 4, 17)));
  CHECK(office.IsOpen(B(2026, 12, 5, 10)));
  CHECK_FALSE(office.IsOpen(B(2026, 12, 5, 14)));
  CHECK_FALSE(office.IsOpen(B(2026, 12, 6, 12)));
  CHECK_FALSE(office.IsOpen(B(2026, 12, 7, 8, 59, 59)));
  CHECK(office.IsOpen(B(2026, 12, 7, 9)));
  CHECK(office.NextOpen(B(2026, 12, 4, 12)) == B(2026, 12, 4, 12));
  CHECK(Local(office.NextOpen(B(2026, 12, 4, 17))) == "2026-12-05 10:00:00");
  CHECK(Local(office.NextOpen(B(2026, 12, 5, 15))) == "2026-12-07 09:00:00");
  CHECK(Local(office.NextOpen(B(2026, 12, 7, 0))) == "2026-12-07 09:00:00");
}

TEST_CASE("BusinessHours: adding business time over a weekend and a lunch break",
          "[base][calendar]") {
  BusinessHours office = Calendar("mon-fri 09:00-17:00");
  // 15 minutes from Friday 16:50: ten on Friday, five on Monday.
  CHECK(Local(office.AddBusinessTime(B(2026, 12, 4, 16, 50), 15min)) == "2026-12-07 09:05:00");
  // Running out exactly at the closing ends there.
  CHECK(Local(office.AddBusinessTime(B(2026, 12, 4, 16, 50), 10min)) == "2026-12-04 17:00:00");
  // From a closed time the clock starts at the opening.
  CHECK(Local(office.AddBusinessTime(B(2026, 12, 5, 12), 1h)) == "2026-12-07 10:00:00");
  CHECK(Local(office.AddBusinessTime(B(2026, 12, 4, 10), 4h)) == "2026-12-04 14:00:00");
  // A week of business time is a calendar week.
  CHECK(Local(office.AddBusinessTime(B(2026, 12, 4, 10), 40h)) == "2026-12-11 10:00:00");
  CHECK(office.AddBusinessTime(B(2026, 12, 5, 12), 0s) == B(2026, 12, 5, 12));
  BusinessHours lunch = Calendar("mon-fri 09:00-12:00,13:00-17:00");
  CHECK(Local(lunch.AddBusinessTime(B(2026, 12, 7, 11, 50), 20min)) == "2026-12-07 13:10:00");
  CHECK(lunch.BusinessTimeBetween(B(2026, 12, 7, 11, 50), B(2026, 12, 7, 13, 10)) == 20min);
}

TEST_CASE("BusinessHours: business time between two instants", "[base][calendar]") {
  BusinessHours office = Calendar("mon-fri 09:00-17:00");
  CHECK(office.BusinessTimeBetween(B(2026, 12, 4, 16, 50), B(2026, 12, 7, 9, 25)) == 35min);
  CHECK(office.BusinessTimeBetween(B(2026, 12, 5, 0), B(2026, 12, 6, 23)) == 0s);
  CHECK(office.BusinessTimeBetween(B(2026, 12, 7, 10), B(2026, 12, 7, 10)) == 0s);
  CHECK(office.BusinessTimeBetween(B(2026, 12, 7, 10), B(2026, 12, 7, 9)) == 0s);
  CHECK(office.BusinessTimeBetween(B(2026, 12, 7, 0), B(2026, 12, 14, 0)) == 40h);
  CHECK(office.BusinessTimeBetween(B(2026, 12, 7, 10, 0, 0), B(2026, 12, 7, 10, 0, 1)) == 1s);
}

TEST_CASE("BusinessHours: holidays are closed all day", "[base][calendar]") {
  // 2026-12-25 is a Friday, 2027-01-01 too.
  BusinessHours office = Calendar("mon-fri 09:00-17:00",
                                  {{2026, 12, 25}, {2026, 12, 26}, {2027, 1, 1}, {2026, 12, 25}});
  CHECK_FALSE(office.IsOpen(B(2026, 12, 25, 12)));
  CHECK(office.IsOpen(B(2026, 12, 24, 12)));
  CHECK(Local(office.AddBusinessTime(B(2026, 12, 24, 16, 30), 1h)) == "2026-12-28 09:30:00");
  CHECK(office.BusinessTimeBetween(B(2026, 12, 21, 0), B(2027, 1, 4, 0)) == 8 * 8h);
  CHECK(Local(office.NextOpen(B(2026, 12, 31, 17))) == "2027-01-04 09:00:00");
}

TEST_CASE("BusinessHours: the end of the next business day", "[base][calendar]") {
  BusinessHours office = Calendar("mon-fri 09:00-17:00; sat 10:00-14:00", {{2026, 12, 25}});
  CHECK(Local(office.EndOfNextBusinessDay(B(2026, 12, 7, 10))) == "2026-12-08 17:00:00");
  CHECK(Local(office.EndOfNextBusinessDay(B(2026, 12, 7, 23, 59))) == "2026-12-08 17:00:00");
  CHECK(Local(office.EndOfNextBusinessDay(B(2026, 12, 4, 16))) == "2026-12-05 14:00:00");
  CHECK(Local(office.EndOfNextBusinessDay(B(2026, 12, 5, 12))) == "2026-12-07 17:00:00");
  // Thursday before the Friday holiday: Saturday's closing.
  CHECK(Local(office.EndOfNextBusinessDay(B(2026, 12, 24, 9))) == "2026-12-26 14:00:00");
  BusinessHours weekdays = Calendar("mon-fri 09:00-17:00", {{2026, 12, 25}});
  CHECK(Local(weekdays.EndOfNextBusinessDay(B(2026, 12, 24, 9))) == "2026-12-28 17:00:00");
  CHECK(Local(weekdays.EndOfNextBusinessDay(B(2026, 12, 4, 9))) == "2026-12-07 17:00:00");
}

TEST_CASE("BusinessHours: DST nights keep local hours", "[base][calendar]") {
  // 2026-03-29 and 2026-10-25 are Sundays, the changes in Berlin.
  BusinessHours office = Calendar("mon-fri 09:00-17:00");
  CHECK(office.NextOpen(B(2026, 3, 28, 12)) == U(2026, 3, 30, 7));    // 09:00 CEST
  CHECK(office.NextOpen(B(2026, 10, 24, 12)) == U(2026, 10, 26, 8));  // 09:00 CET
  CHECK(office.AddBusinessTime(U(2026, 3, 27, 15), 2h) == U(2026, 3, 30, 8));
  CHECK(office.BusinessTimeBetween(B(2026, 3, 23, 0), B(2026, 4, 6, 0)) == 80h);

  // Open around the clock on Sundays: the short day has 23 hours, the long one 25.
  BusinessHours sundays = Calendar("sun 00:00-24:00");
  CHECK(sundays.BusinessTimeBetween(B(2026, 3, 28, 0), B(2026, 3, 31, 0)) == 23h);
  CHECK(sundays.BusinessTimeBetween(B(2026, 10, 24, 0), B(2026, 10, 27, 0)) == 25h);
  CHECK(Local(sundays.AddBusinessTime(B(2026, 3, 29, 0), 23h)) == "2026-03-30 00:00:00");

  // A night shift across the change: Sat 22:00 CET to Sun 06:00 CEST is seven hours.
  BusinessHours night = Calendar("sat 22:00-24:00; sun 00:00-06:00");
  CHECK(night.BusinessTimeBetween(B(2026, 3, 28, 21), B(2026, 3, 29, 7)) == 7h);
  CHECK(Local(night.AddBusinessTime(B(2026, 3, 28, 22), 7h)) == "2026-03-29 06:00:00");
  CHECK(night.BusinessTimeBetween(B(2026, 10, 24, 21), B(2026, 10, 25, 7)) == 9h);
  // Opening inside the gap (02:30 does not exist): moved forward to 03:30 CEST.
  BusinessHours gap = Calendar("sun 02:30-04:00");
  CHECK(gap.NextOpen(B(2026, 3, 28, 12)) == U(2026, 3, 29, 1, 30));
  CHECK(gap.BusinessTimeBetween(B(2026, 3, 28, 12), B(2026, 3, 30, 0)) == 30min);
}

TEST_CASE("BusinessHours: always open by default, plain arithmetic", "[base][calendar]") {
  BusinessHours always;
  CHECK(always.always_open());
  CHECK(always.IsOpen(U(2026, 12, 5, 3)));
  CHECK(always.NextOpen(U(2026, 12, 5, 3)) == U(2026, 12, 5, 3));
  CHECK(always.AddBusinessTime(U(2026, 12, 5, 3), 15min) == U(2026, 12, 5, 3, 15));
  CHECK(always.BusinessTimeBetween(U(2026, 12, 5, 3), U(2026, 12, 5, 3, 35)) == 35min);
  CHECK(always.EndOfNextBusinessDay(U(2026, 12, 4, 10)) == U(2026, 12, 6, 0));
  // "always" with a holiday is walked like any calendar.
  BusinessHours holiday = Calendar("always", {{2026, 12, 25}});
  CHECK_FALSE(holiday.always_open());
  CHECK(Local(holiday.AddBusinessTime(B(2026, 12, 24, 23, 30), 1h)) == "2026-12-26 00:30:00");
}

TEST_CASE("BusinessHours: never-open calendars stop instead of looping", "[base][calendar]") {
  Result<BusinessHours> never = BusinessHours::Create(Berlin(), WeeklyHours{}, {});
  REQUIRE_FALSE(never.ok());
  CHECK_THAT(never.status().message(), Catch::Contains("no open time on any day"));
  // Open on Mondays only, and every Monday for eleven years a holiday: nothing in the horizon.
  std::vector<LocalDate> mondays;
  for (int64_t day = DaysFromCivil(2026, 12, 7); day < DaysFromCivil(2038, 1, 1); day += 7) {
    LocalDate d;
    CivilFromDays(day, &d.year, &d.month, &d.day);
    mondays.push_back(d);
  }
  BusinessHours closed = Calendar("mon 09:00-10:00", mondays);
  CHECK(closed.NextOpen(B(2026, 12, 5, 12)) == BusinessHours::kNever);
  CHECK(closed.AddBusinessTime(B(2026, 12, 5, 12), 1min) == BusinessHours::kNever);
  CHECK(closed.EndOfNextBusinessDay(B(2026, 12, 5, 12)) == BusinessHours::kNever);
  CHECK_FALSE(closed.IsOpen(B(2026, 12, 7, 9, 30)));
  CHECK(closed.BusinessTimeBetween(B(2026, 12, 5, 12), B(2040, 1, 1, 0)) == 0s);
  // More business time than ten years hold.
  BusinessHours office = Calendar("mon-fri 09:00-17:00");
  CHECK(office.AddBusinessTime(B(2026, 12, 5, 12), 100000h) == BusinessHours::kNever);
}

TEST_CASE("BusinessHours: adding then measuring gives the amount back", "[base][calendar]") {
  BusinessHours office = Calendar("mon-fri 09:00-12:00,13:00-17:00; sat 10:00-14:00",
                                  {{2026, 12, 25}, {2027, 1, 1}, {2027, 4, 5}});
  std::mt19937_64 rng(1720);
  std::uniform_int_distribution<int64_t> when(CivilToSeconds({2026, 1, 1}),
                                              CivilToSeconds({2028, 1, 1}));
  std::uniform_int_distribution<int64_t> amount(1, 200 * 60);  // minutes
  for (int i = 0; i < 300; ++i) {
    const SystemTime start(Seconds(when(rng)));
    const Duration d = std::chrono::minutes(amount(rng));
    const SystemTime end = office.AddBusinessTime(start, d);
    INFO(Local(start) << " + " << FormatDuration(d) << " = " << Local(end));
    REQUIRE(office.BusinessTimeBetween(start, end) == d);
    const SystemTime open = office.NextOpen(start);
    REQUIRE(office.IsOpen(open));
    REQUIRE(office.BusinessTimeBetween(start, open) == 0s);
    REQUIRE(end > open);
  }
}

}  // namespace
}  // namespace earshot
