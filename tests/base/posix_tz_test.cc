#include "daemon/base/posix_tz.h"

#include <catch2/catch.hpp>

#include "daemon/base/civil_time.h"

namespace earshot {
namespace {

int64_t Utc(int64_t y, int m, int d, int h, int min = 0) {
  return CivilToSeconds(CivilTime{y, m, d, h, min, 0});
}

PosixTz MustParse(const char* text) {
  Result<PosixTz> tz = PosixTz::Parse(text);
  INFO(text);
  REQUIRE(tz.ok());
  return *tz;
}

TEST_CASE("PosixTz: Mm.w.d rules with a /time, Berlin's footer", "[base][time]") {
  PosixTz tz = MustParse("CET-1CEST,M3.5.0,M10.5.0/3");
  CHECK(tz.standard().utc_offset == 3600);
  CHECK(tz.standard().abbreviation == "CET");
  CHECK(tz.daylight().utc_offset == 7200);
  // 2045: the last Sunday of March is the 26th, of October the 29th; 01:00 UTC both times.
  CHECK_FALSE(tz.TypeAt(Utc(2045, 3, 26, 0, 59) + 59).is_dst);
  CHECK(tz.TypeAt(Utc(2045, 3, 26, 1)).is_dst);
  CHECK(tz.TypeAt(Utc(2045, 10, 29, 0, 59)).is_dst);
  CHECK_FALSE(tz.TypeAt(Utc(2045, 10, 29, 1)).is_dst);
  std::vector<PosixTz::Transition> changes =
      tz.TransitionsBetween(Utc(2045, 1, 1, 0), Utc(2046, 1, 1, 0));
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].at == Utc(2045, 3, 26, 1));
  CHECK(changes[0].is_dst);
  CHECK(changes[1].at == Utc(2045, 10, 29, 1));
}

TEST_CASE("PosixTz: US rules, and the glibc default when no rule is given", "[base][time]") {
  for (const char* text : {"EST5EDT,M3.2.0,M11.1.0", "EST5EDT"}) {
    PosixTz tz = MustParse(text);
    CHECK(tz.standard().utc_offset == -5 * 3600);
    CHECK(tz.daylight().utc_offset == -4 * 3600);
    // 2045-03-12 02:00 EST is 07:00 UTC; 2045-11-05 02:00 EDT is 06:00 UTC.
    CHECK_FALSE(tz.TypeAt(Utc(2045, 3, 12, 6, 59)).is_dst);
    CHECK(tz.TypeAt(Utc(2045, 3, 12, 7)).is_dst);
    CHECK(tz.TypeAt(Utc(2045, 11, 5, 5, 59)).is_dst);
    CHECK_FALSE(tz.TypeAt(Utc(2045, 11, 5, 6)).is_dst);
  }
}

TEST_CASE("PosixTz: quoted names and half-hour offsets", "[base][time]") {
  PosixTz tehran = MustParse("<+0330>-3:30");
  CHECK(tehran.standard().abbreviation == "+0330");
  CHECK(tehran.standard().utc_offset == 12600);
  CHECK_FALSE(tehran.has_dst());
  CHECK(tehran.TransitionsBetween(0, Utc(2100, 1, 1, 0)).empty());
  // Lord Howe: half an hour of DST, southern hemisphere (DST spans the new year).
  PosixTz lord_howe = MustParse("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0");
  CHECK(lord_howe.daylight().utc_offset == 11 * 3600);
  CHECK(lord_howe.TypeAt(Utc(2045, 1, 15, 0)).is_dst);
  CHECK_FALSE(lord_howe.TypeAt(Utc(2045, 6, 15, 0)).is_dst);
  // 2045-04-02 02:00 +11 is 2045-04-01 15:00 UTC.
  CHECK(lord_howe.TypeAt(Utc(2045, 4, 1, 14, 59)).is_dst);
  CHECK_FALSE(lord_howe.TypeAt(Utc(2045, 4, 1, 15)).is_dst);
}

TEST_CASE("PosixTz: negative and over-24h times (RFC 8536 3.3.1)", "[base][time]") {
  // Nuuk: changes at -01:00 on Sunday, i.e. 23:00 on Saturday local, 01:00 UTC.
  PosixTz nuuk = MustParse("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  CHECK(nuuk.standard().utc_offset == -7200);
  CHECK_FALSE(nuuk.TypeAt(Utc(2045, 3, 26, 0, 59)).is_dst);
  CHECK(nuuk.TypeAt(Utc(2045, 3, 26, 1)).is_dst);
  // Israel: the Friday before the last Sunday, written as Thursday 26:00.
  PosixTz israel = MustParse("IST-2IDT,M3.4.4/26,M10.5.0");
  // 2045-03-23 is the fourth Thursday; 26:00 IST on it is 2045-03-24 00:00 UTC.
  CHECK_FALSE(israel.TypeAt(Utc(2045, 3, 23, 23, 59)).is_dst);
  CHECK(israel.TypeAt(Utc(2045, 3, 24, 0)).is_dst);
  // DST all year: ends at 25:00 on Dec 31, which is the instant it restarts.
  PosixTz always = MustParse("EST5EDT4,0/0,J365/25");
  for (int m = 1; m <= 12; ++m) CHECK(always.TypeAt(Utc(2045, m, 1, 5)).is_dst);
  CHECK(always.TypeAt(Utc(2046, 1, 1, 5)).is_dst);
  CHECK(always.TransitionsBetween(Utc(2040, 6, 1, 0), Utc(2046, 6, 1, 0)).empty());
}

TEST_CASE("PosixTz: Jn skips February 29, n counts it", "[base][time]") {
  PosixTz julian = MustParse("AAA0BBB,J60/0,J300/0");  // J60: March 1 in every year
  CHECK_FALSE(julian.TypeAt(Utc(2044, 2, 29, 23)).is_dst);
  CHECK(julian.TypeAt(Utc(2044, 3, 1, 0)).is_dst);
  PosixTz zero = MustParse("AAA0BBB,59/0,300/0");  // 59: Feb 29 in a leap year, else March 1
  CHECK(zero.TypeAt(Utc(2044, 2, 29, 0)).is_dst);
  CHECK_FALSE(zero.TypeAt(Utc(2045, 2, 28, 23)).is_dst);
  CHECK(zero.TypeAt(Utc(2045, 3, 1, 0)).is_dst);
}

TEST_CASE("PosixTz: malformed strings say what is wrong", "[base][time]") {
  auto [text, needle] = GENERATE(table<const char*, const char*>({
      {"", "zone abbreviation"},
      {"CE-1", "zone abbreviation"},
      {"CET", "[+-]hh[:mm[:ss]]"},
      {"CET-25", "hours up to 24"},
      {"<+03", "quoted zone abbreviation"},
      {"CET-1CEST,M13.5.0,M10.5.0", "not a rule date"},
      {"CET-1CEST,M3.6.0,M10.5.0", "not a rule date"},
      {"CET-1CEST,M3.5.7,M10.5.0", "not a rule date"},
      {"CET-1CEST,J0,J100", "not a rule date"},
      {"CET-1CEST,M3.5.0", "expected ','"},
      {"CET-1CEST,M3.5.0/168,M10.5.0", "hours up to 167"},
      {"CET-1CEST,M3.5.0,M10.5.0/3x", "unexpected 'x'"},
  }));
  CAPTURE(text);
  Result<PosixTz> tz = PosixTz::Parse(text);
  REQUIRE_FALSE(tz.ok());
  CHECK_THAT(tz.status().message(), Catch::Contains(needle));
}

}  // namespace
}  // namespace earshot
