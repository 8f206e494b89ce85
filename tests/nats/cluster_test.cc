// daemon/nats on a three-server JetStream cluster: replicated streams and buckets keep every
// acknowledged write when the server leading them is killed, and the client carries on once a
// new leader is elected, within a bounded wait.
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <thread>

#include "daemon/nats/jetstream.h"
#include "daemon/nats/kv_bucket.h"
#include "tests/fakes/nats_server.h"
#include "tests/nats/connect_for_test.h"

namespace earshot::nats {
namespace {

using earshot::testing::NatsCluster;
using earshot::testing::WaitUntil;

// How long a write may be retried while the cluster elects a new leader (nats-server's raft
// elects within about ten seconds).
constexpr auto kFailover = std::chrono::seconds(20);

Status StatusOf(const Status& status) { return status; }
template <class T>
Status StatusOf(const Result<T>& result) {
  return result.status();
}

// Retries `attempt` until it returns ok or `deadline`; returns the last result. The retry is
// what a real writer does across a failover; message ids make it land once.
template <class Attempt>
auto RetryUntilOk(Attempt attempt, std::chrono::steady_clock::time_point deadline) {
  auto result = attempt();
  while (!result.ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    result = attempt();
  }
  return result;
}

// Retries `attempt` (a Status or a Result) for up to ten seconds while it is kUnavailable.
template <class Attempt>
auto RetryWhileUnavailable(Attempt attempt) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto result = attempt();
  while (StatusOf(result).code() == Status::Code::kUnavailable &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    result = attempt();
  }
  return result;
}

TEST_CASE("A replicated stream loses no acknowledged message when its leader is killed",
          "[nats][cluster]") {
  NatsCluster cluster;
  std::unique_ptr<Connection> connection = ConnectForTest(cluster.urls());
  StreamSpec spec;
  spec.name = "EARSHOT_STATE";
  spec.subjects = {"earshot.state.>"};
  spec.replicas = 3;
  // Right after the election the leader may not know every peer yet ("no suitable peers",
  // kUnavailable): a node starting up retries, and so does the test.
  Status ensured = RetryWhileUnavailable([&] { return EnsureStream(*connection, spec); });
  INFO(ensured.ToString());
  REQUIRE(ensured.ok());

  std::map<uint64_t, std::string> acked;  // seq -> data, every message the cluster acknowledged
  auto publish = [&](int i, std::chrono::steady_clock::time_point deadline) {
    PublishOptions options;
    options.msg_id = "state-" + std::to_string(i);
    const std::string data = "record " + std::to_string(i);
    auto ack = RetryUntilOk(
        [&] { return Publish(*connection, "earshot.state.log", data, options); }, deadline);
    INFO("message " << i << ": " << ack.status().ToString());
    REQUIRE(ack.ok());
    CHECK(acked.emplace(ack->seq, data).second);  // a retry never stored a second copy
  };
  for (int i = 0; i < 10; ++i) publish(i, std::chrono::steady_clock::now() + kFailover);

  std::optional<int> leader;
  REQUIRE(WaitUntil([&] { return (leader = cluster.StreamLeader("EARSHOT_STATE")).has_value(); },
                    std::chrono::seconds(10)));
  cluster.server(*leader).Kill();

  const auto deadline = std::chrono::steady_clock::now() + kFailover;
  for (int i = 10; i < 30; ++i) publish(i, deadline);
  std::optional<int> successor = cluster.StreamLeader("EARSHOT_STATE");
  REQUIRE(successor.has_value());
  CHECK(*successor != *leader);

  auto state = GetStreamState(*connection, "EARSHOT_STATE");
  INFO(state.status().ToString());
  REQUIRE(state.ok());
  CHECK(state->messages == 30);
  for (const auto& [seq, data] : acked) {
    auto message = GetMessage(*connection, "EARSHOT_STATE", seq);
    REQUIRE(message.ok());
    REQUIRE(message->has_value());
    CHECK((*message)->data == data);
  }

  // The killed server comes back from its own store and catches up with what it missed.
  cluster.server(*leader).Restart();
  CHECK(WaitUntil([&] { return cluster.StreamMessages(*leader, "EARSHOT_STATE") == 30; },
                  std::chrono::seconds(15)));
}

TEST_CASE("A replicated bucket keeps its compare-and-set when the meta leader is killed",
          "[nats][cluster]") {
  NatsCluster cluster;
  std::unique_ptr<Connection> connection = ConnectForTest(cluster.urls());
  KvSpec spec;
  spec.bucket = "earshot_leases";
  spec.replicas = 3;
  auto opened = RetryWhileUnavailable([&] { return KvBucket::Open(*connection, spec); });
  INFO(opened.status().ToString());
  REQUIRE(opened.ok());
  std::unique_ptr<KvBucket> owned = std::move(opened).value();
  KvBucket& bucket = *owned;

  auto created = bucket.Create("source.a", "node-1");
  INFO(created.status().ToString());
  REQUIRE(created.ok());

  std::optional<int> meta = cluster.MetaLeader();
  REQUIRE(meta.has_value());
  cluster.server(*meta).Kill();

  // Renewing the lease works again once the cluster settles. An attempt whose ack was lost may
  // have landed; then the retry is kAborted and the value read back says so.
  const auto deadline = std::chrono::steady_clock::now() + kFailover;
  Result<uint64_t> renewed = Status::Unavailable("not tried");
  bool landed = false;
  while (!landed && std::chrono::steady_clock::now() < deadline) {
    renewed = bucket.Update("source.a", "node-1 renewed", *created);
    if (renewed.ok()) {
      landed = true;
    } else if (renewed.status().code() == Status::Code::kAborted) {
      auto entry = bucket.Get("source.a");
      landed = entry.ok() && entry->has_value() && (*entry)->value == "node-1 renewed";
      REQUIRE(landed);  // aborted by someone else's write: there is nobody else
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  INFO(renewed.status().ToString());
  REQUIRE(landed);

  auto entry = RetryUntilOk([&] { return bucket.Get("source.a"); }, deadline);
  REQUIRE(entry.ok());
  REQUIRE(entry->has_value());
  CHECK((*entry)->value == "node-1 renewed");
  // The check still holds on the new leader: a stale renewal and a second Create both lose.
  auto stale = bucket.Update("source.a", "node-2", *created);
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.status().code() == Status::Code::kAborted);
  auto second = bucket.Create("source.a", "node-2");
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Status::Code::kAborted);

  cluster.server(*meta).Restart();
  cluster.WaitReady();
}

}  // namespace
}  // namespace earshot::nats
