#include "daemon/base/weekly_hours.h"

#include <catch2/catch.hpp>

namespace earshot {
namespace {

constexpr int kSun = 0, kMon = 1, kTue = 2, kWed = 3, kThu = 4, kFri = 5, kSat = 6;

WeeklyHours MustParse(const std::string& text) {
  Result<WeeklyHours> h = ParseWeeklyHours(text);
  INFO(text << ": " << h.status().ToString());
  REQUIRE(h.ok());
  return *h;
}

TEST_CASE("ParseWeeklyHours: days, ranges and several spans", "[base][calendar]") {
  WeeklyHours h = MustParse("mon-fri 09:00-17:00; sat 10:00-14:00");
  for (int d : {kMon, kTue, kWed, kThu, kFri})
    CHECK(h.days[d] == std::vector<OpenSpan>{{540, 1020}});
  CHECK(h.days[kSat] == std::vector<OpenSpan>{{600, 840}});
  CHECK(h.days[kSun].empty());

  WeeklyHours lunch = MustParse("Monday, WED-thu 09:00-12:00, 13:00-17:30");
  CHECK(lunch.days[kMon] == std::vector<OpenSpan>{{540, 720}, {780, 1050}});
  CHECK(lunch.days[kTue].empty());
  CHECK(lunch.days[kThu] == lunch.days[kMon]);

  // A range runs forward through the week.
  WeeklyHours weekend = MustParse("fri-mon 00:00-24:00");
  for (int d : {kFri, kSat, kSun, kMon}) CHECK(weekend.days[d] == std::vector<OpenSpan>{{0, 1440}});
  CHECK(weekend.days[kTue].empty());

  // Touching spans join, also across clauses; clauses add up.
  WeeklyHours joined = MustParse("mon 09:00-12:00; mon 12:00-17:00; mon 18:00-19:00;");
  CHECK(joined.days[kMon] == std::vector<OpenSpan>{{540, 1020}, {1080, 1140}});

  CHECK(MustParse("always").always());
  CHECK(MustParse(" ALWAYS ").always());
  CHECK(MustParse("mon-sun 00:00-24:00").always());
  CHECK(WeeklyHours().empty());
  CHECK_FALSE(MustParse("sun 23:59-24:00").empty());
}

TEST_CASE("ParseWeeklyHours: the list form", "[base][calendar]") {
  Result<WeeklyHours> h =
      ParseWeeklyHours(std::vector<std::string>{"mon-fri 09:00-17:00", "sat 10:00-14:00"});
  REQUIRE(h.ok());
  CHECK(*h == MustParse("mon-fri 09:00-17:00; sat 10:00-14:00"));
  Result<WeeklyHours> bad =
      ParseWeeklyHours(std::vector<std::string>{"mon-fri 09:00-17:00", "sat 10:00-14:60"});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "hours #2: '10:00-14:60': minute 60 is out of range; write HH:MM-HH:MM with "
        "00:00-24:00");
  CHECK(ParseWeeklyHours(std::vector<std::string>{"always"})->always());
}

TEST_CASE("FormatWeeklyHours: reads back as it was parsed", "[base][calendar]") {
  for (const char* text : {"mon-fri 09:00-17:00; sat 10:00-14:00", "always", "sat,sun 10:00-14:00",
                           "mon 09:00-12:00,13:00-17:00; tue-thu 08:00-16:00; sun 00:00-24:00"}) {
    CHECK(FormatWeeklyHours(MustParse(text)) == text);
  }
  CHECK(FormatWeeklyHours(WeeklyHours()) == "never");
  // Sunday sorts last, as people list a working week.
  CHECK(FormatWeeklyHours(MustParse("sun,mon 10:00-11:00")) == "mon 10:00-11:00; sun 10:00-11:00");
}

TEST_CASE("ParseWeeklyHours: errors say what is wrong and how to write it", "[base][calendar]") {
  auto [text, message] = GENERATE(table<const char*, const char*>({
      {"mon-fri 09:00-25:00",
       "'09:00-25:00': hour 25 is out of range; write HH:MM-HH:MM with 00:00-24:00"},
      {"mon 09:00-24:30",
       "'09:00-24:30': 24:30 is past the end of the day; write HH:MM-HH:MM with 00:00-24:00"},
      {"mon 9-17",
       "'9-17' is not a range of hours; write HH:MM-HH:MM with 00:00-24:00, e.g. 09:00-17:00"},
      {"mon 09:00",
       "'09:00' is not a range of hours; write HH:MM-HH:MM with 00:00-24:00, e.g. 09:00-17:00"},
      {"mon 17:00-09:00",
       "'17:00-09:00' closes before it opens; a span ends on the day it starts, so write hours "
       "past midnight on both days, e.g. 'fri 22:00-24:00; sat 00:00-02:00'"},
      {"mno-fri 09:00-17:00",
       "'mno' is not a day; write mon, tue, wed, thu, fri, sat or sun (did you mean 'mon'?)"},
      {"weekdays 09:00-17:00",
       "'weekdays' is not a day; write mon, tue, wed, thu, fri, sat or sun"},
      {"mon,,tue 09:00-17:00", "'mon,,tue' has an empty day; separate days with commas"},
      {"09:00-17:00",
       "'09:00-17:00' names no days; write 'always' or days and hours, e.g. "
       "'mon-fri 09:00-17:00; sat 10:00-14:00'"},
      {"mon-fri", "'mon-fri' gives no hours; write 'always' or days and hours"},
      {"", "empty opening hours; write 'always' or days and hours"},
      {"mon-fri 09:00-17:00; mon 16:00-18:00",
       "'mon 16:00-18:00': 16:00-18:00 overlaps 09:00-17:00 on mon"},
  }));
  CAPTURE(text);
  Result<WeeklyHours> h = ParseWeeklyHours(std::string_view(text));
  REQUIRE_FALSE(h.ok());
  CHECK(h.status().code() == Status::Code::kInvalidArgument);
  CHECK_THAT(h.status().message(), Catch::StartsWith(message));
}

TEST_CASE("ParseLocalDate: ISO dates for holidays", "[base][calendar]") {
  Result<LocalDate> d = ParseLocalDate("2026-12-25");
  REQUIRE(d.ok());
  CHECK(*d == LocalDate{2026, 12, 25});
  CHECK(ParseLocalDate("2028-02-29").ok());
  auto [text, message] = GENERATE(table<const char*, const char*>({
      {"2026-02-29",
       "'2026-02-29': February 2026 has 28 days; write dates as YYYY-MM-DD, "
       "e.g. 2026-12-25"},
      {"2026-13-01", "'2026-13-01': month 13 is out of range"},
      {"2026-04-00", "'2026-04-00': April 2026 has 30 days"},
      {"25.12.2026", "'25.12.2026' is not a date; write dates as YYYY-MM-DD"},
      {"2026-12-5", "'2026-12-5' is not a date"},
      {"", "'' is not a date"},
  }));
  CAPTURE(text);
  Result<LocalDate> bad = ParseLocalDate(text);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::StartsWith(message));
}

}  // namespace
}  // namespace earshot
