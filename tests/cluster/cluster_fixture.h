// What the tests of daemon/cluster start from: a real nats-server (tests/fakes/nats_server.h),
// a connection to it, and the cluster's buckets opened as a node opens them. Nothing is faked,
// since the cluster's promises (one lease holder, a fenced leader) are the server's to keep.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "daemon/cluster/cluster_names.h"
#include "daemon/nats/kv_bucket.h"
#include "tests/fakes/nats_server.h"
#include "tests/nats/connect_for_test.h"

namespace earshot::testing {

using namespace std::chrono_literals;

// Short enough that an expiry test waits a second or two, long enough that a loaded test host
// (sanitizers, -j2) still renews in time.
inline constexpr std::chrono::milliseconds kTtl = 1500ms;
// How long any wait for the server's expiry or a replica's apply may take before the test fails.
inline constexpr std::chrono::milliseconds kPatience = 15s;

inline std::unique_ptr<nats::KvBucket> OpenBucket(const nats::Connection& connection,
                                                  const std::string& name,
                                                  std::chrono::milliseconds ttl) {
  nats::KvSpec spec;
  spec.bucket = name;
  spec.ttl = ttl;
  auto bucket = nats::KvBucket::Open(connection, spec);
  INFO(bucket.status().ToString());
  REQUIRE(bucket.ok());
  return std::move(bucket).value();
}

}  // namespace earshot::testing
