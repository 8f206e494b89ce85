#include "daemon/base/duration.h"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;

namespace earshot {
namespace {

TEST_CASE("ParseDuration: accepts numbers with units and sums", "[config]") {
  auto [text, expected] = GENERATE(table<const char*, Duration>({
      {"250ms", 250ms},
      {"30s", 30s},
      {"5m", 5min},
      {"1h", 1h},
      {"2d", 48h},
      {"1h30m", 90min},
      {"0s", 0ms},
  }));
  CAPTURE(text);
  Result<Duration> d = ParseDuration(text);
  REQUIRE(d.ok());
  CHECK(*d == expected);
}

TEST_CASE("ParseDuration: refuses bare numbers, unknown units and junk", "[config]") {
  auto [text, needle] = GENERATE(table<const char*, const char*>({
      {"30", "has no unit"},
      {"", "empty duration"},
      {"5x", "unknown unit 'x'"},
      {"s", "is not a duration"},
      {"-5s", "is not a duration"},
      {"1.5h", "has no unit"},
  }));
  CAPTURE(text);
  Result<Duration> d = ParseDuration(text);
  REQUIRE_FALSE(d.ok());
  CHECK_THAT(d.status().message(), Catch::Contains(needle));
}

TEST_CASE("FormatDuration: shortest exact spelling", "[config]") {
  CHECK(FormatDuration(90s) == "1m30s");
  CHECK(FormatDuration(250ms) == "250ms");
  CHECK(FormatDuration(0ms) == "0s");
  CHECK(FormatDuration(26h) == "1d2h");
}

}  // namespace
}  // namespace earshot
