// The rig every network's Source test builds: the fake network, a real HTTP client over
// loopback, and the source under test reading the fake; and the calls of Next the tests make
// on it. Tests call Next directly and never sleep on a Pace.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/sources/fake/fake_mastodon.h"
#include "daemon/sources/source.h"

namespace earshot::testing {

// Fills `rig` (any struct with `fake`, `http` and `source` members): starts the fake with
// `fake_options`, a real HTTP client, and a SourceT configured by `config(*rig.fake)`, then
// by `tweak` when there is one.
template <typename SourceT, typename Rig, typename FakeOptions, typename MakeConfig, typename Tweak>
void StartRig(Rig& rig, FakeOptions fake_options, MakeConfig config, const Tweak& tweak,
              Clock& clock) {
  using FakeT = typename decltype(rig.fake)::element_type;
  auto fake = FakeT::Start(std::move(fake_options));
  REQUIRE(fake.ok());
  rig.fake = std::move(fake).value();
  auto http = CurlHttpClient::Create();
  REQUIRE(http.ok());
  rig.http = std::move(http).value();
  auto source_config = config(*rig.fake);
  if (tweak) tweak(source_config);
  auto source = SourceT::Create(std::move(source_config), clock);
  REQUIRE(source.ok());
  rig.source = std::move(source).value();
}

// What one call of Next handed back.
struct NextCall {
  std::vector<Post> posts;
  std::optional<std::string> cursor;
  std::chrono::milliseconds wait;
};

// Calls Next once; the call must succeed.
template <typename Rig>
NextCall NextOk(Rig& rig) {
  SourceBatch batch;
  auto pace = rig.source->Next(std::stop_token(), *rig.http, &batch);
  REQUIRE(pace.ok());
  return NextCall{std::move(batch.posts), std::move(batch.cursor), pace->wait};
}

// Calls Next until a call comes back paced at `poll` or longer (caught up); the ids of the
// posts read on the way, in the order handed out.
template <typename Rig>
std::vector<std::string> DrainUntilPaced(Rig& rig, std::chrono::milliseconds poll, int max_calls) {
  std::vector<std::string> ids;
  for (int i = 0; i < max_calls; ++i) {
    NextCall call = NextOk(rig);
    for (const Post& p : call.posts) ids.push_back(p.id);
    if (call.wait >= poll) return ids;
  }
  FAIL("source never caught up");
  return ids;
}

// The value of the decoded query parameter `key` of a request the fake recorded.
inline std::optional<std::string> QueryParam(const RecordedRequest& r, std::string_view key) {
  for (const auto& [k, v] : r.params) {
    if (k == key) return v;
  }
  return std::nullopt;
}

// A fault injected into one page of a run, how long the source must then wait, and which of
// its counters must count it.
template <typename Stats>
struct FailureCase {
  const char* name;
  FakeFault fault;
  std::chrono::milliseconds min_wait, max_wait;
  std::function<int64_t(const Stats&)> counter;
};

// The faults that spoil a good answer, which every network's source meets alike: a short
// backoff, and the transport or page counter.
template <typename Stats>
std::vector<FailureCase<Stats>> SpoiledAnswerCases() {
  using namespace std::chrono_literals;
  return {
      {"slow past the timeout",
       {FakeFault::Kind::kSlow, 1, 1, 3000ms},
       100ms,
       1000ms,
       [](const Stats& s) { return s.transport_errors.load(); }},
      {"truncated body",
       {FakeFault::Kind::kTruncated},
       100ms,
       1000ms,
       [](const Stats& s) { return s.transport_errors.load(); }},
      {"malformed JSON",
       {FakeFault::Kind::kMalformedJson},
       100ms,
       1000ms,
       [](const Stats& s) { return s.malformed_pages.load(); }},
  };
}

}  // namespace earshot::testing
