// Checks every network's Source passes alike, written once.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <stop_token>

#include "daemon/net/http_client.h"
#include "daemon/sources/source.h"
#include "tests/sources/manual_clock.h"

namespace earshot::testing {

// Calls Next for an hour of `clock`, moving the clock on by each answer's wait, as the poller
// would sleep; returns how many calls (requests) the hour took.
inline int PollForAnHour(Source& source, HttpClient& http, ManualClock& clock) {
  const SystemTime end = clock.Now() + std::chrono::hours(1);
  int calls = 0;
  while (clock.Now() < end) {
    SourceBatch batch;
    auto pace = source.Next(std::stop_token(), http, &batch);
    REQUIRE(pace.ok());
    ++calls;
    clock.Advance(std::max(pace->wait, std::chrono::milliseconds(1)));
  }
  return calls;
}

// A failed answer vouches for nothing; an empty page is an answer (SourceBatch::fetched).
// `fail_next` makes the fake answer the next request with a 5xx.
inline void CheckFetchedFlag(Source& source, HttpClient& http,
                             const std::function<void()>& fail_next) {
  fail_next();
  SourceBatch failed;
  REQUIRE(source.Next(std::stop_token(), http, &failed).ok());
  CHECK_FALSE(failed.fetched);
  SourceBatch empty;
  REQUIRE(source.Next(std::stop_token(), http, &empty).ok());
  CHECK(empty.fetched);  // an empty page is an answer too
  CHECK(empty.posts.empty());
}

}  // namespace earshot::testing
