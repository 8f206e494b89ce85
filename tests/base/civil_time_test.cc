#include "daemon/base/civil_time.h"

#include <catch2/catch.hpp>

namespace earshot {
namespace {

TEST_CASE("Civil dates: day counts, weekdays and carrying over", "[base][time]") {
  CHECK(DaysFromCivil(1970, 1, 1) == 0);
  CHECK(DaysFromCivil(2000, 3, 1) == 11017);
  CHECK(DaysFromCivil(1969, 12, 31) == -1);
  CHECK(DaysFromCivil(2026, 1, 32) == DaysFromCivil(2026, 2, 1));
  CHECK(DaysFromCivil(2026, 13, 1) == DaysFromCivil(2027, 1, 1));
  CHECK(DaysFromCivil(2026, 0, 1) == DaysFromCivil(2025, 12, 1));
  CHECK(WeekdayFromDays(0) == 4);                            // Thursday
  CHECK(WeekdayFromDays(DaysFromCivil(2026, 12, 25)) == 5);  // Friday
  CHECK(WeekdayFromDays(DaysFromCivil(1900, 1, 1)) == 1);    // Monday
  CHECK(DaysInMonth(2024, 2) == 29);
  CHECK(DaysInMonth(2100, 2) == 28);
  CHECK(DaysInMonth(2000, 2) == 29);
  // Every day of four centuries round-trips.
  for (int64_t d = DaysFromCivil(1800, 1, 1); d < DaysFromCivil(2200, 1, 1); ++d) {
    int64_t y = 0;
    int m = 0, day = 0;
    CivilFromDays(d, &y, &m, &day);
    REQUIRE(DaysFromCivil(y, m, day) == d);
    REQUIRE(day <= DaysInMonth(y, m));
  }
}

TEST_CASE("Civil times: seconds both ways, before the epoch too", "[base][time]") {
  CivilTime c = CivilFromSeconds(1774746000);
  CHECK(FormatCivil(c) == "2026-03-29 01:00:00");
  CHECK(c.weekday == 0);
  CHECK(CivilToSeconds(c) == 1774746000);
  CHECK(FormatCivil(CivilFromSeconds(-1)) == "1969-12-31 23:59:59");
  CivilTime midnight{2026, 3, 28, 24, 0, 0};
  CHECK(FormatCivil(CivilFromSeconds(CivilToSeconds(midnight))) == "2026-03-29 00:00:00");
}

}  // namespace
}  // namespace earshot
