#include <catch2/catch.hpp>

#include "daemon/sources/rate_budget.h"
#include "tests/sources/manual_clock.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

SystemTime At(const char* iso) { return *ParseIso8601(iso); }

TEST_CASE("RateBudget spreads the remaining requests until the reset", "[sources][rate]") {
  struct Case {
    const char* name;
    const char* limit;
    const char* remaining;
    const char* reset;
    milliseconds wait;
  } cases[] = {
      {"300 s left, 300 requests", "300", "300", "2026-01-01T00:05:00.000Z", 1000ms},
      {"300 s left, 150 requests", "300", "150", "2026-01-01T00:05:00.000Z", 2000ms},
      {"rounds up", "300", "7", "2026-01-01T00:00:01.000Z", 143ms},
      {"none left: until the reset", "300", "0", "2026-01-01T00:01:00.000Z", 60000ms},
      {"reset passed", "300", "0", "2025-12-31T23:59:00.000Z", 0ms},
      {"epoch seconds reset", "300", "60", "1767225660", 1000ms},
      {"microsecond ISO reset", "300", "60", "2026-01-01T00:01:00.000000Z", 1000ms},
      {"no headers", nullptr, nullptr, nullptr, 0ms},
      {"garbage", "x", "-3", "soon", 0ms},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    ManualClock clock(At("2026-01-01T00:00:00.000Z"));
    RateBudget budget(clock);
    auto opt = [](const char* s) { return s ? std::optional<std::string_view>(s) : std::nullopt; };
    budget.Observe(opt(c.limit), opt(c.remaining), opt(c.reset));
    CHECK(budget.SpreadWait() == c.wait);
  }
}

TEST_CASE("RateBudget's spread shrinks as the reset nears", "[sources][rate]") {
  ManualClock clock(At("2026-01-01T00:00:00.000Z"));
  RateBudget budget(clock);
  budget.Observe("300", "10", "2026-01-01T00:01:40.000Z");
  CHECK(budget.SpreadWait() == 10000ms);
  clock.Advance(50s);
  CHECK(budget.SpreadWait() == 5000ms);
  clock.Advance(51s);
  CHECK(budget.SpreadWait() == 0ms);
}

TEST_CASE("RateBudget backs off exponentially with full jitter, capped, reset on success",
          "[sources][rate]") {
  ManualClock clock(At("2026-01-01T00:00:00.000Z"));
  RateBudgetOptions options;
  options.backoff_initial = 1000ms;
  options.backoff_max = 60000ms;
  options.backoff_min = 100ms;
  options.seed = 42;
  RateBudget budget(clock, options);
  const milliseconds ceilings[] = {1000ms, 2000ms, 4000ms, 8000ms, 16000ms, 32000ms, 60000ms,
                                   60000ms, 60000ms};
  bool varied = false;
  milliseconds previous{-1};
  for (milliseconds ceiling : ceilings) {
    CHECK(budget.BackoffCeiling() == ceiling);
    const milliseconds wait = budget.Backoff();
    CHECK(wait >= 100ms);
    CHECK(wait <= ceiling);
    varied = varied || (previous.count() >= 0 && wait != previous);
    previous = wait;
  }
  CHECK(varied);  // jitter, not a fixed schedule
  CHECK(budget.failures() == 9);
  budget.ResetBackoff();
  CHECK(budget.BackoffCeiling() == 1000ms);

  // The same seed gives the same schedule: tests can rely on it.
  RateBudget a(clock, options), b(clock, options);
  for (int i = 0; i < 5; ++i) CHECK(a.Backoff() == b.Backoff());
}

TEST_CASE("RateBudget never backs off shorter than the budget allows", "[sources][rate]") {
  ManualClock clock(At("2026-01-01T00:00:00.000Z"));
  RateBudgetOptions options;
  options.seed = 7;
  RateBudget budget(clock, options);
  budget.Observe("300", "0", "2026-01-01T00:02:00.000Z");
  CHECK(budget.Backoff() == 120000ms);
}

TEST_CASE("ParseRetryAfter: seconds and HTTP-dates", "[sources][rate]") {
  const SystemTime now = At("2015-10-21T07:28:00.000Z");
  struct Case {
    const char* value;
    std::optional<milliseconds> wait;
  } cases[] = {
      {"2", 2000ms},
      {" 120 ", 120000ms},
      {"0", 0ms},
      {"Wed, 21 Oct 2015 07:28:30 GMT", 30000ms},
      {"Wed, 21 Oct 2015 07:27:00 GMT", 0ms},  // in the past
      {"Wed, 21 Oct 2015 07:28:30 UTC", std::nullopt},
      {"-5", std::nullopt},
      {"soon", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.value);
    CHECK(ParseRetryAfter(c.value, now) == c.wait);
  }
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

TEST_CASE("RateBudget::After429: Retry-After, then the reset, then backoff", "[sources][rate]") {
  ManualClock clock(At("2026-01-01T00:00:00.000Z"));
  RateBudget budget(clock);
  // The server's own word wins.
  auto told = budget.After429("7");
  CHECK(told.wait == std::chrono::seconds(7));
  CHECK(std::string(told.why) == "Retry-After");
  // No usable Retry-After, but the rate headers said the budget is spent until the reset.
  budget.Observe("300", "0", "2026-01-01T00:02:00.000Z");
  auto reset = budget.After429("soon");
  CHECK(reset.wait == std::chrono::minutes(2));
  CHECK(std::string(reset.why) == "the rate limit's reset");
  // Nothing to go on: the backoff, never below its floor.
  RateBudget blind(clock);
  auto backoff = blind.After429(std::nullopt);
  CHECK(std::string(backoff.why) == "backoff");
  CHECK(backoff.wait >= blind.options().backoff_min);
}

}  // namespace
}  // namespace earshot
