#include "daemon/base/clock.h"

#include <catch2/catch.hpp>

namespace earshot {
namespace {

TEST_CASE("ParseIso8601: the forms networks send", "[base]") {
  struct Case {
    const char* text;
    int64_t millis;  // -1: must be rejected
  } cases[] = {
      {"2019-12-08T03:48:33.901Z", 1575776913901},
      {"2019-12-08T03:50:00.000000Z", 1575777000000},
      {"2019-12-08T03:50:00Z", 1575777000000},
      {"2019-12-08T05:50:00+02:00", 1575777000000},
      {"2019-12-08T03:50:00.5Z", 1575777000500},
      {"2019-12-08 03:50:00Z", 1575777000000},
      {"2019-13-08T03:50:00Z", -1},
      {"2019-02-30T03:50:00Z", -1},
      {"2019-12-08T03:50:00", -1},
      {"2019-12-08T03:50:00Zjunk", -1},
      {"", -1},
      {"tomorrow", -1},
      // Past what a SystemTime holds (1677-2262): rejected, never wrapped around.
      {"4052-11-22T08:00:00Z", -1},
      {"0001-01-01T00:00:00Z", -1},
      {"2262-04-12T00:00:00Z", -1},
      {"2261-12-31T23:59:59Z", 9214646399000},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto t = ParseIso8601(c.text);
    if (c.millis < 0) {
      CHECK_FALSE(t.has_value());
    } else {
      REQUIRE(t.has_value());
      CHECK(ToUnixMillis(*t) == c.millis);
    }
  }
}

TEST_CASE("FormatIso8601 round-trips through ParseIso8601", "[base]") {
  for (int64_t ms : {int64_t{0}, int64_t{1575776913901}, int64_t{1795000000123}}) {
    const std::string s = FormatIso8601(FromUnixMillis(ms));
    INFO(s);
    auto t = ParseIso8601(s);
    REQUIRE(t.has_value());
    CHECK(ToUnixMillis(*t) == ms);
  }
  CHECK(FormatIso8601(FromUnixMillis(1575776913901)) == "2019-12-08T03:48:33.901Z");
}

}  // namespace
}  // namespace earshot
