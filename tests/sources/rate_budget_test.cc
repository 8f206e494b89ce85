#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <thread>
#include <vector>

#include "daemon/net/curl_http_client.h"
#include "daemon/sources/fake/fake_x.h"
#include "daemon/sources/rate_budget.h"
#include "daemon/sources/x/x_source.h"
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

namespace earshot {
namespace {

SystemTime Start() { return *ParseIso8601("2026-01-01T00:00:00.000Z"); }

TEST_CASE("Shared RateBudget: two sources of one credential take turns on one spacing",
          "[sources][rate]") {
  ManualClock clock(Start());
  auto shared = std::make_shared<SharedRateBudget>("x:a,x:b");
  RateBudget a(clock, {}, shared), b(clock, {}, shared);
  // 10 requests left for 100 s: one every 10 s for both together, not for each.
  a.Observe("450", "10", "2026-01-01T00:01:40.000Z");
  CHECK(b.remaining() == 10);  // what one source learns, the other knows
  CHECK(a.NextSlot(0ms) == 10000ms);
  CHECK(b.NextSlot(0ms) == 20000ms);  // after a's slot, not beside it
  clock.Advance(10s);                  // a sends at its slot
  a.Observe("450", "9", "2026-01-01T00:01:40.000Z");
  CHECK(a.NextSlot(0ms) == 20000ms);   // b's slot at 20 s is taken: a goes at 30 s
  // A poll interval longer than the spacing: the slot is the interval, kept clear of the others.
  clock.Advance(10s);                  // b sends at 20 s
  b.Observe("450", "8", "2026-01-01T00:01:40.000Z");
  CHECK(b.NextSlot(15000ms) == 20000ms);  // 35 s would sit 5 s from a's 30 s: 40 s
  // A new window starts over.
  a.Observe("450", "450", "2026-01-01T00:16:40.000Z");
  CHECK(b.remaining() == 450);
}

TEST_CASE("Shared RateBudget: one 429 holds back every source, failures stay per source",
          "[sources][rate]") {
  ManualClock clock(Start());
  auto shared = std::make_shared<SharedRateBudget>();
  RateBudgetOptions options;
  options.seed = 3;
  options.backoff_initial = 1000ms;
  RateBudget a(clock, options, shared), b(clock, options, shared);
  // a's 5xx streak never slows b.
  a.Backoff();
  a.Backoff();
  a.Backoff();
  CHECK(a.failures() == 3);
  CHECK(a.BackoffCeiling() == 8000ms);
  CHECK(b.failures() == 0);
  CHECK(b.BackoffCeiling() == 1000ms);
  CHECK(b.NextSlot(0ms) == 0ms);  // nothing known of the quota: no spacing
  // But a 429 with Retry-After is the credential's: b waits it out too.
  auto told = a.After429("30");
  CHECK(told.wait >= 30000ms);
  CHECK(b.SpreadWait() == 30000ms);
  CHECK(b.NextSlot(1000ms) >= 30000ms);
  clock.Advance(31s);
  CHECK(b.SpreadWait() == 0ms);
}

TEST_CASE("Shared RateBudget: concurrent users never share a slot", "[sources][rate]") {
  ManualClock clock(Start());
  auto shared = std::make_shared<SharedRateBudget>();
  {
    RateBudget seed(clock, {}, shared);
    seed.Observe("1000", "1000", "2026-01-01T00:16:40.000Z");  // 1 s spacing
  }
  constexpr int kThreads = 4, kEach = 50;
  std::vector<std::vector<milliseconds>> waits(kThreads);
  std::vector<std::unique_ptr<RateBudget>> users;
  for (int t = 0; t < kThreads; ++t) {
    users.push_back(std::make_unique<RateBudget>(clock, RateBudgetOptions{}, shared));
  }
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          waits[t].push_back(users[t]->NextSlot(0ms));
          users[t]->Observe("1000", "1000", "2026-01-01T00:16:40.000Z");
        }
      });
    }
  }
  // At any moment the users' latest slots are a spacing apart: the last slots of all four
  // are distinct whole seconds.
  std::vector<milliseconds> last;
  for (const auto& w : waits) last.push_back(w.back());
  std::sort(last.begin(), last.end());
  for (size_t i = 1; i < last.size(); ++i) CHECK(last[i] - last[i - 1] >= 1000ms);
}

// Two X queries under one bearer token against a fake that counts the quota per token. Each
// source polls every second (far more than the quota), and the loop runs each source's Next
// when its Pace says, on a manual clock: an hour in well under a second.
struct HourResult {
  int calls_a = 0, calls_b = 0, rate_limited = 0;
};

HourResult SimulateTwoSourcesForAnHour() {
  ManualClock clock(Start());
  FakeXOptions o;
  o.rate_limit = 30;  // per 15 minutes: 120 per hour for both sources together
  o.clock = &clock;
  auto fake = FakeX::Start(o);
  REQUIRE(fake.ok());
  for (int i = 0; i < 3; ++i) {
    FakeTweet t;
    t.text = fmt::format("@AcmeAir lost my bag {}", i);
    (*fake)->AddTweet(t);
  }
  auto shared = std::make_shared<SharedRateBudget>("x:airline,x:brand");
  struct Runner {
    std::unique_ptr<Source> source;
    std::unique_ptr<HttpClient> http;
    SystemTime next;
    int calls = 0;
  };
  std::vector<Runner> runners;
  for (const char* name : {"airline", "brand"}) {
    XSourceConfig c;
    c.name = name;
    c.base_url = (*fake)->base_url();
    c.query = name == std::string("airline") ? "acmeair" : "bag";
    c.bearer_token = "fake-x-bearer";
    c.poll_interval = 1000ms;
    c.request_timeout = 5000ms;
    c.backoff.seed = 5;
    c.rate_budget = shared;
    auto source = XSource::Create(std::move(c), clock);
    REQUIRE(source.ok());
    auto http = CurlHttpClient::Create();
    REQUIRE(http.ok());
    runners.push_back(Runner{*std::move(source), *std::move(http), clock.Now(), 0});
  }
  const SystemTime end = clock.Now() + std::chrono::hours(1);
  for (;;) {
    Runner& r = runners[0].next <= runners[1].next ? runners[0] : runners[1];
    if (r.next >= end) break;
    if (r.next > clock.Now()) clock.Advance(std::chrono::ceil<milliseconds>(r.next - clock.Now()));
    SourceBatch batch;
    auto pace = r.source->Next(std::stop_token(), *r.http, &batch);
    REQUIRE(pace.ok());
    ++r.calls;
    r.next = clock.Now() + std::max(pace->wait, milliseconds(1));
  }
  return HourResult{runners[0].calls, runners[1].calls, (*fake)->rate_limited()};
}

TEST_CASE("Shared RateBudget: two sources of one bearer token poll an hour without a 429",
          "[sources][rate]") {
  const HourResult shared = SimulateTwoSourcesForAnHour();
  CHECK(shared.rate_limited == 0);
  CHECK(shared.calls_a + shared.calls_b <= 4 * 30 + 2);
  CHECK(shared.calls_a + shared.calls_b >= 100);  // and they do use the quota
  CHECK(shared.calls_a >= 40);                    // both of them
  CHECK(shared.calls_b >= 40);
}

}  // namespace
}  // namespace earshot
