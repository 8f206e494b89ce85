// XReconnectPolicy on a manual clock: X's documented backoff sequences, the wait counted down on
// the clock, and the counts forgotten only once a stream stayed up.
#include "daemon/sources/x/x_reconnect_policy.h"

#include <catch2/catch.hpp>
#include <vector>

#include "tests/sources/manual_clock.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using Failure = x::XReconnectPolicy::Failure;

ManualClock& Clock() {
  static ManualClock clock(SystemTime(std::chrono::hours(500000)));
  return clock;
}

std::vector<milliseconds> Sequence(x::XReconnectPolicy& policy, Failure kind, int n) {
  std::vector<milliseconds> waits;
  for (int i = 0; i < n; ++i) waits.push_back(policy.Failed(kind));
  return waits;
}

TEST_CASE("XReconnectPolicy: X's documented sequences", "[sources][x][stream]") {
  struct Case {
    const char* name;
    Failure kind;
    std::vector<milliseconds> want;
  };
  std::vector<milliseconds> network;
  for (int i = 1; i <= 64; ++i) network.push_back(milliseconds(250 * i));
  for (int i = 0; i < 6; ++i) network.push_back(16000ms);
  const std::vector<Case> cases = {
      {"network errors: linear from 250 ms, at most 16 s", Failure::kNetwork, network},
      {"HTTP errors: 5 s doubling, at most 320 s",
       Failure::kHttp,
       {5s, 10s, 20s, 40s, 80s, 160s, 320s, 320s, 320s}},
      {"429: 60 s doubling, at most 15 min",
       Failure::kRateLimited,
       {60s, 120s, 240s, 480s, 900s, 900s, 900s}},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      x::XReconnectPolicy policy(Clock());
      std::vector<milliseconds> got = Sequence(policy, c.kind, static_cast<int>(c.want.size()));
      CHECK(got == c.want);
      CHECK(policy.attempts(c.kind) == static_cast<int>(c.want.size()));
    }
  }
}

TEST_CASE("XReconnectPolicy: each kind counts apart, and the wait runs on the clock",
          "[sources][x][stream]") {
  ManualClock clock(SystemTime(std::chrono::hours(500000)));
  x::XReconnectPolicy policy(clock);
  CHECK(policy.Remaining() == 0ms);
  CHECK(policy.Failed(Failure::kNetwork) == 250ms);
  CHECK(policy.Failed(Failure::kHttp) == 5s);  // not 10 s: the network streak is its own
  CHECK(policy.Failed(Failure::kNetwork) == 500ms);
  CHECK(policy.Remaining() == 500ms);
  clock.Advance(300ms);
  CHECK(policy.Remaining() == 200ms);
  clock.Advance(200ms);
  CHECK(policy.Remaining() == 0ms);
  clock.Advance(10s);
  CHECK(policy.Remaining() == 0ms);
}

TEST_CASE("XReconnectPolicy: counts are forgotten once a stream stayed up for stable_after",
          "[sources][x][stream]") {
  ManualClock clock(SystemTime(std::chrono::hours(500000)));
  x::XReconnectPolicy policy(clock, 60s);
  Sequence(policy, Failure::kHttp, 3);
  Sequence(policy, Failure::kNetwork, 2);
  policy.Connected();
  clock.Advance(59s);
  policy.StillUp();
  CHECK(policy.attempts(Failure::kHttp) == 3);  // up, but not for long enough yet
  CHECK(policy.Failed(Failure::kNetwork) == 750ms);
  // A failure ended that stream: the next one starts its own stable period.
  policy.Connected();
  clock.Advance(60s);
  policy.StillUp();
  CHECK(policy.attempts(Failure::kHttp) == 0);
  CHECK(policy.attempts(Failure::kNetwork) == 0);
  CHECK(policy.Failed(Failure::kHttp) == 5s);
  CHECK(policy.Failed(Failure::kNetwork) == 250ms);
}

}  // namespace
}  // namespace earshot
