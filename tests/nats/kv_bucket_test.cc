// KvBucket against a real nats-server: the compare-and-set the cluster's leases rest on
// (Create only on an empty key, Update only from the current revision), deletes, listing, and
// keys that expire on the server's clock.
#include "daemon/nats/kv_bucket.h"

#include <catch2/catch.hpp>

#include "tests/fakes/nats_server.h"
#include "tests/nats/connect_for_test.h"

namespace earshot::nats {
namespace {

using earshot::testing::NatsServer;
using earshot::testing::WaitUntil;

std::unique_ptr<KvBucket> OpenForTest(const Connection& connection, KvSpec spec) {
  auto bucket = KvBucket::Open(connection, spec);
  INFO(bucket.status().ToString());
  REQUIRE(bucket.ok());
  return std::move(bucket).value();
}

KvSpec Leases() {
  KvSpec spec;
  spec.bucket = "earshot_leases";
  spec.description = "test leases";
  return spec;
}

TEST_CASE("KvBucket::Open creates a missing bucket, then binds to the existing one", "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  std::unique_ptr<KvBucket> first = OpenForTest(*connection, Leases());
  CHECK(first->name() == "earshot_leases");
  REQUIRE(first->Put("source.a", "node-1").ok());

  // A second Open, with other settings, binds to the same bucket and sees its keys.
  KvSpec other = Leases();
  other.history = 5;
  std::unique_ptr<KvBucket> second = OpenForTest(*connection, other);
  auto entry = second->Get("source.a");
  REQUIRE(entry.ok());
  REQUIRE(entry->has_value());
  CHECK((*entry)->value == "node-1");
}

TEST_CASE("KvBucket::Create succeeds once, a second Create is kAborted", "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  std::unique_ptr<KvBucket> bucket = OpenForTest(*connection, Leases());
  auto first = bucket->Create("source.a", "node-1");
  INFO(first.status().ToString());
  REQUIRE(first.ok());
  CHECK(*first > 0);

  auto second = bucket->Create("source.a", "node-2");
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Status::Code::kAborted);
  auto entry = bucket->Get("source.a");
  REQUIRE(entry.ok());
  REQUIRE(entry->has_value());
  CHECK((*entry)->value == "node-1");  // the loser wrote nothing
  CHECK((*entry)->revision == *first);
}

TEST_CASE("KvBucket::Update lands from the current revision and is kAborted from a stale one",
          "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  std::unique_ptr<KvBucket> bucket = OpenForTest(*connection, Leases());
  auto created = bucket->Create("source.a", "node-1");
  REQUIRE(created.ok());

  auto renewed = bucket->Update("source.a", "node-1 renewed", *created);
  INFO(renewed.status().ToString());
  REQUIRE(renewed.ok());
  CHECK(*renewed > *created);

  // A holder that was paused still thinks `created` is current: it must lose.
  auto stale = bucket->Update("source.a", "node-1 stale", *created);
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.status().code() == Status::Code::kAborted);

  auto entry = bucket->Get("source.a");
  REQUIRE(entry.ok());
  REQUIRE(entry->has_value());
  CHECK((*entry)->value == "node-1 renewed");
  CHECK((*entry)->revision == *renewed);
  CHECK((*entry)->written.time_since_epoch().count() > 0);
}

TEST_CASE("KvBucket::Update of a key that has no value is kAborted", "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  std::unique_ptr<KvBucket> bucket = OpenForTest(*connection, Leases());
  REQUIRE(bucket->Put("other", "x").ok());  // the stream is not empty, the key is
  auto update = bucket->Update("source.a", "node-1", 1);
  REQUIRE_FALSE(update.ok());
  CHECK(update.status().code() == Status::Code::kAborted);
}

TEST_CASE("KvBucket::Get of a key never written is nullopt", "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  std::unique_ptr<KvBucket> bucket = OpenForTest(*connection, Leases());
  auto entry = bucket->Get("never.written");
  INFO(entry.status().ToString());
  REQUIRE(entry.ok());
  CHECK_FALSE(entry->has_value());
}

TEST_CASE("KvBucket::Delete leaves no value, and Create works on the key again", "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  std::unique_ptr<KvBucket> bucket = OpenForTest(*connection, Leases());
  REQUIRE(bucket->Create("source.a", "node-1").ok());
  REQUIRE(bucket->Delete("source.a").ok());

  auto gone = bucket->Get("source.a");
  REQUIRE(gone.ok());
  CHECK_FALSE(gone->has_value());

  auto again = bucket->Create("source.a", "node-2");
  INFO(again.status().ToString());
  REQUIRE(again.ok());
  auto entry = bucket->Get("source.a");
  REQUIRE(entry.ok());
  REQUIRE(entry->has_value());
  CHECK((*entry)->value == "node-2");
}

TEST_CASE("KvBucket::Put writes whatever the key holds and returns increasing revisions",
          "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  std::unique_ptr<KvBucket> bucket = OpenForTest(*connection, Leases());
  auto first = bucket->Put("k", "1");
  auto second = bucket->Put("k", "2");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(*second > *first);
}

TEST_CASE("In a bucket with a ttl a key expires, and Create works on it again", "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  KvSpec spec = Leases();
  spec.ttl = std::chrono::seconds(1);
  std::unique_ptr<KvBucket> bucket = OpenForTest(*connection, spec);
  REQUIRE(bucket->Create("source.a", "node-1").ok());

  // The holder stopped renewing: the server forgets the key on its own clock.
  REQUIRE(WaitUntil(
      [&] {
        auto entry = bucket->Get("source.a");
        return entry.ok() && !entry->has_value();
      },
      std::chrono::seconds(15)));
  auto taken = bucket->Create("source.a", "node-2");
  INFO(taken.status().ToString());
  REQUIRE(taken.ok());
  auto entry = bucket->Get("source.a");
  REQUIRE(entry.ok());
  REQUIRE(entry->has_value());
  CHECK((*entry)->value == "node-2");
}

TEST_CASE("KvBucket::All lists the keys with a value, in key order", "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  std::unique_ptr<KvBucket> bucket = OpenForTest(*connection, Leases());

  auto empty = bucket->All();
  INFO(empty.status().ToString());
  REQUIRE(empty.ok());
  CHECK(empty->empty());

  REQUIRE(bucket->Put("node.c", "3").ok());
  REQUIRE(bucket->Put("node.a", "1").ok());
  REQUIRE(bucket->Put("node.b", "2").ok());
  REQUIRE(bucket->Put("node.a", "1 again").ok());
  REQUIRE(bucket->Put("node.d", "4").ok());
  REQUIRE(bucket->Delete("node.d").ok());

  auto all = bucket->All();
  INFO(all.status().ToString());
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].key == "node.a");
  CHECK((*all)[0].value == "1 again");
  CHECK((*all)[1].key == "node.b");
  CHECK((*all)[2].key == "node.c");
  CHECK((*all)[2].value == "3");
}

TEST_CASE("KvBucket::Open that the server refuses says the server's reason", "[nats]") {
  NatsServer server;  // not clustered: three replicas cannot be placed
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  KvSpec spec = Leases();
  spec.replicas = 3;
  auto bucket = KvBucket::Open(*connection, spec);
  REQUIRE_FALSE(bucket.ok());
  INFO(bucket.status().ToString());
  CHECK_THAT(bucket.status().message(), Catch::Contains("create KV bucket earshot_leases"));
  CHECK_THAT(bucket.status().message(), Catch::Contains("replicas"));
}

}  // namespace
}  // namespace earshot::nats
