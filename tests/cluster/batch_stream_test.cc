// BatchForwarder and BatchReader against a real nats-server: batches sent under a held lease
// reach the leader in order with their place in the stream; a batch whose lease is gone is
// dropped; a leader starts right after the last batch committed; a batch from a node whose
// lease has moved on is fenced.
#include <catch2/catch.hpp>
#include <stop_token>

#include "daemon/cluster/batch_codec.h"
#include "daemon/cluster/batch_forwarder.h"
#include "daemon/cluster/batch_reader.h"
#include "daemon/nats/jetstream.h"
#include "tests/cluster/cluster_fixture.h"

namespace earshot::cluster {
namespace {

using earshot::testing::kPatience;
using earshot::testing::NatsServer;
using earshot::testing::WaitUntil;

const ClusterNames kNames("earshot");

void EnsureBatchStream(const nats::Connection& connection) {
  nats::StreamSpec spec;
  spec.name = kNames.batch_stream;
  spec.subjects = {kNames.batch_subject};
  spec.max_age = std::chrono::hours(24);
  Status s = nats::EnsureStream(connection, spec);
  INFO(s.ToString());
  REQUIRE(s.ok());
}

PostBatch Batch(const std::string& source, const std::string& cursor) {
  PostBatch b;
  b.source = source;
  b.cursor = cursor;
  b.fetch_ok = true;
  DetectedPost d;
  d.post.network = "mastodon";
  d.post.id = cursor;
  d.post.text = "lost my bag";
  b.posts.push_back(d);
  return b;
}

// Everything `queue` holds after `count` batches arrived (fails when they do not).
std::vector<PostBatch> Drain(BoundedQueue<PostBatch>& queue, size_t count) {
  std::vector<PostBatch> out;
  std::stop_source never;
  const bool arrived = WaitUntil(
      [&] {
        while (auto b = queue.TryPop()) out.push_back(*std::move(b));
        return out.size() >= count;
      },
      kPatience);
  INFO("arrived: " << out.size());
  CHECK(arrived);
  return out;
}

uint64_t Publish(const nats::Connection& connection, const BatchEnvelope& envelope) {
  auto ack = nats::Publish(connection, kNames.batch_subject, EncodeBatch(envelope));
  INFO(ack.status().ToString());
  REQUIRE(ack.ok());
  return ack->seq;
}

TEST_CASE("Batches forwarded under a held lease reach the reader in order", "[cluster][nats]") {
  NatsServer server;
  auto connection = nats::ConnectForTest({server.url()});
  EnsureBatchStream(*connection);
  // Before the forwarder and the reader: their threads use the queues until they stop.
  BoundedQueue<PostBatch> in(16), out(16);
  BatchForwarder forwarder(*connection, kNames, "node-a",
                           [](const std::string& source) -> std::optional<uint64_t> {
                             if (source == "mastodon:acme") return 42;
                             return std::nullopt;  // this node does not hold that lease
                           });
  forwarder.Start(in);
  BatchReader reader(*connection, kNames);
  reader.Start(0, out);
  std::stop_source never;
  for (const char* cursor : {"c1", "c2", "c3"}) {
    REQUIRE(in.Push(Batch("mastodon:acme", cursor), never.get_token()));
  }
  REQUIRE(in.Push(Batch("mastodon:lost", "x1"), never.get_token()));
  REQUIRE(in.Push(Batch("mastodon:acme", "c4"), never.get_token()));

  std::vector<PostBatch> read = Drain(out, 4);
  REQUIRE(read.size() == 4);
  const std::vector<std::string> cursors = {"c1", "c2", "c3", "c4"};
  for (size_t i = 0; i < read.size(); ++i) {
    INFO(i);
    CHECK(read[i].source == "mastodon:acme");
    CHECK(read[i].cursor == cursors[i]);
    REQUIRE(read[i].input_seq.has_value());
    if (i > 0) CHECK(*read[i].input_seq > *read[i - 1].input_seq);
    REQUIRE(read[i].posts.size() == 1);
    CHECK(read[i].posts[0].post.id == cursors[i]);
  }
  CHECK(WaitUntil([&] { return forwarder.dropped() == 1 && forwarder.forwarded() == 4; },
                  kPatience));
  CHECK(reader.read() == 4);
  CHECK(reader.fenced() == 0);
  CHECK(reader.last_read_seq() == *read.back().input_seq);
  // The stream holds no batch of the lost lease.
  auto state = nats::GetStreamState(*connection, kNames.batch_stream);
  REQUIRE(state.ok());
  CHECK(state->last_seq == 4);
}

TEST_CASE("A new leader reads from right after the last batch committed", "[cluster][nats]") {
  NatsServer server;
  auto connection = nats::ConnectForTest({server.url()});
  EnsureBatchStream(*connection);
  std::vector<uint64_t> seqs;
  for (const char* cursor : {"c1", "c2", "c3", "c4"}) {
    seqs.push_back(Publish(*connection, {"node-a", 7, Batch("mastodon:acme", cursor)}));
  }
  BoundedQueue<PostBatch> out(16);
  BatchReader reader(*connection, kNames);
  reader.Start(seqs[1], out);  // c1 and c2 were committed by the last leader
  std::vector<PostBatch> read = Drain(out, 2);
  REQUIRE(read.size() == 2);
  CHECK(read[0].cursor == std::optional<std::string>("c3"));
  CHECK(read[0].input_seq == std::optional<uint64_t>(seqs[2]));
  CHECK(read[1].cursor == std::optional<std::string>("c4"));
  // Nothing more arrives: c1 and c2 are not read again.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(out.TryPop().has_value());
  CHECK(reader.read() == 2);
}

TEST_CASE("A batch under an older epoch than one already read is fenced", "[cluster][nats]") {
  NatsServer server;
  auto connection = nats::ConnectForTest({server.url()});
  EnsureBatchStream(*connection);
  BoundedQueue<PostBatch> out(16);
  BatchReader reader(*connection, kNames);
  reader.Start(0, out);
  Publish(*connection, {"node-a", 5, Batch("mastodon:acme", "a1")});
  Publish(*connection, {"node-b", 9, Batch("mastodon:acme", "b1")});  // node-b took it over
  Publish(*connection, {"node-a", 5, Batch("mastodon:acme", "a2")});  // node-a, paused, sends on
  Publish(*connection, {"node-a", 3, Batch("bluesky:acme", "o1")});   // another source's epoch
  Publish(*connection, {"node-b", 9, Batch("mastodon:acme", "b2")});
  Publish(*connection, {"node-b", 9, Batch("mastodon:acme", "b2x")});  // the same epoch reads on
  std::vector<PostBatch> read = Drain(out, 5);
  REQUIRE(read.size() == 5);
  CHECK(read[0].cursor == std::optional<std::string>("a1"));
  CHECK(read[1].cursor == std::optional<std::string>("b1"));
  CHECK(read[2].cursor == std::optional<std::string>("o1"));
  CHECK(read[3].cursor == std::optional<std::string>("b2"));
  CHECK(read[4].cursor == std::optional<std::string>("b2x"));
  CHECK(reader.fenced() == 1);
  CHECK(reader.read() == 5);
}

TEST_CASE("BatchReader passes over a message that is not a batch", "[cluster][nats]") {
  NatsServer server;
  auto connection = nats::ConnectForTest({server.url()});
  EnsureBatchStream(*connection);
  REQUIRE(nats::Publish(*connection, kNames.batch_subject, "not a batch").ok());
  Publish(*connection, {"node-a", 1, Batch("mastodon:acme", "c1")});
  BoundedQueue<PostBatch> out(16);
  BatchReader reader(*connection, kNames);
  reader.Start(0, out);
  std::vector<PostBatch> read = Drain(out, 1);
  REQUIRE(read.size() == 1);
  CHECK(read[0].input_seq == std::optional<uint64_t>(2));
}

}  // namespace
}  // namespace earshot::cluster
