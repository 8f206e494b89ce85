// LeaseTable against a real nats-server: one holder per lease, renewals that keep it, expiry on
// the server's clock, epochs that grow with each takeover, and a race with exactly one winner.
#include "daemon/cluster/lease_table.h"

#include "daemon/cluster/lease_key.h"

#include <atomic>
#include <thread>

#include "tests/cluster/cluster_fixture.h"

namespace earshot::cluster {
namespace {

using earshot::testing::kPatience;
using earshot::testing::kTtl;
using earshot::testing::NatsServer;
using earshot::testing::OpenBucket;
using earshot::testing::WaitUntil;

HeldLease MustTake(LeaseTable& table, std::string_view name) {
  auto taken = table.TryAcquire(name);
  INFO(taken.status().ToString());
  REQUIRE(taken.ok());
  REQUIRE(taken->has_value());
  return **taken;
}

bool Free(LeaseTable& table, std::string_view name) {
  auto taken = table.TryAcquire(name);
  REQUIRE(taken.ok());
  return !taken->has_value();
}

TEST_CASE("LeaseTable: one holder, renewals keep it, expiry hands it on at a higher epoch",
          "[cluster][nats]") {
  NatsServer server;
  auto connection = nats::ConnectForTest({server.url()});
  auto bucket = OpenBucket(*connection, "earshot_leases", kTtl);
  LeaseTable a(*bucket, "node-a", kTtl), b(*bucket, "node-b", kTtl);

  HeldLease held = MustTake(a, "source:mastodon:acme");
  CHECK(held.name == "source:mastodon:acme");
  CHECK(held.epoch > 0);
  CHECK(held.epoch == held.revision);
  CHECK(held.Valid(std::chrono::steady_clock::now()));
  CHECK(Free(b, "source:mastodon:acme"));  // nullopt: node-a holds it

  const SteadyTime first_valid = held.valid_until;
  const uint64_t first_revision = held.revision;
  std::this_thread::sleep_for(kTtl / 3);
  REQUIRE(a.Renew(&held).ok());
  CHECK(held.revision > first_revision);
  CHECK(held.valid_until > first_valid);
  CHECK(held.epoch == first_revision);  // a renewal keeps the epoch
  CHECK(Free(b, "source:mastodon:acme"));

  // node-a stops renewing: the server forgets the key, and node-b takes it at a higher epoch.
  std::optional<HeldLease> taken;
  REQUIRE(WaitUntil(
      [&] {
        auto t = b.TryAcquire("source:mastodon:acme");
        REQUIRE(t.ok());
        taken = *t;
        return taken.has_value();
      },
      kPatience));
  CHECK(taken->epoch > held.epoch);
  // node-a learns at its next renewal that it lost the lease, and stops trusting it.
  Status renewed = a.Renew(&held);
  INFO(renewed.ToString());
  CHECK(renewed.code() == Status::Code::kAborted);
  CHECK_FALSE(held.Valid(std::chrono::steady_clock::now()));
  CHECK(Free(a, "source:mastodon:acme"));
  // Its stale release writes nothing: node-b still holds the lease.
  REQUIRE(a.Release(held).ok());
  REQUIRE(b.Renew(&*taken).ok());
}

TEST_CASE("LeaseTable: an expired key that nobody took fails the renewal too",
          "[cluster][nats]") {
  NatsServer server;
  auto connection = nats::ConnectForTest({server.url()});
  auto bucket = OpenBucket(*connection, "earshot_leases", kTtl);
  LeaseTable a(*bucket, "node-a", kTtl);
  HeldLease held = MustTake(a, "escalator");
  REQUIRE(WaitUntil(
      [&] {
        auto e = bucket->Get(LeaseKey("escalator"));
        REQUIRE(e.ok());
        return !e->has_value();
      },
      kPatience));
  CHECK(a.Renew(&held).code() == Status::Code::kAborted);
}

TEST_CASE("LeaseTable: Release lets another node take the lease at once", "[cluster][nats]") {
  NatsServer server;
  auto connection = nats::ConnectForTest({server.url()});
  // A long ttl: only the release can free the lease within the test.
  auto bucket = OpenBucket(*connection, "earshot_leases", std::chrono::seconds(60));
  LeaseTable a(*bucket, "node-a", std::chrono::seconds(60));
  LeaseTable b(*bucket, "node-b", std::chrono::seconds(60));
  HeldLease held = MustTake(a, "sink:pager");
  CHECK(Free(b, "sink:pager"));
  REQUIRE(a.Release(held).ok());
  HeldLease next = MustTake(b, "sink:pager");
  CHECK(next.epoch > held.epoch);
  CHECK(a.Renew(&held).code() == Status::Code::kAborted);

  auto list = a.List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].name == "sink:pager");
  CHECK((*list)[0].record.holder == "node-b");
  CHECK((*list)[0].revision == next.revision);
}

TEST_CASE("LeaseTable: a node restarted under the same name takes its own lease back",
          "[cluster][nats]") {
  NatsServer server;
  auto connection = nats::ConnectForTest({server.url()});
  auto bucket = OpenBucket(*connection, "earshot_leases", std::chrono::seconds(60));
  LeaseTable before(*bucket, "node-a", std::chrono::seconds(60));
  HeldLease held = MustTake(before, "escalator");
  LeaseTable after(*bucket, "node-a", std::chrono::seconds(60));
  HeldLease again = MustTake(after, "escalator");
  CHECK(again.epoch > held.epoch);
  CHECK(before.Renew(&held).code() == Status::Code::kAborted);
}

TEST_CASE("LeaseTable: List shows every lease's holder, names decoded", "[cluster][nats]") {
  NatsServer server;
  auto connection = nats::ConnectForTest({server.url()});
  auto bucket = OpenBucket(*connection, "earshot_leases", std::chrono::seconds(60));
  LeaseTable a(*bucket, "node-a", std::chrono::seconds(60));
  LeaseTable b(*bucket, "node-b", std::chrono::seconds(60));
  HeldLease one = MustTake(a, "source:mastodon:acme air");
  HeldLease two = MustTake(b, "escalator");
  REQUIRE(a.Renew(&one).ok());
  REQUIRE(bucket->Put("stray", "not json").ok());
  auto list = b.List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 2);  // the stray key is not a lease
  CHECK((*list)[0].name == "escalator");
  CHECK((*list)[0].record.holder == "node-b");
  CHECK((*list)[1].name == "source:mastodon:acme air");
  CHECK((*list)[1].record.holder == "node-a");
  CHECK((*list)[1].record.epoch == one.epoch);  // recorded from the first renewal on
  CHECK((*list)[1].renewed.time_since_epoch().count() > 0);
  (void)two;
}

TEST_CASE("LeaseTable: of two nodes racing for one lease, exactly one wins", "[cluster][nats]") {
  NatsServer server;
  auto connection_a = nats::ConnectForTest({server.url()});
  auto connection_b = nats::ConnectForTest({server.url()});
  auto bucket_a = OpenBucket(*connection_a, "earshot_leases", std::chrono::seconds(60));
  auto bucket_b = OpenBucket(*connection_b, "earshot_leases", std::chrono::seconds(60));
  LeaseTable a(*bucket_a, "node-a", std::chrono::seconds(60));
  LeaseTable b(*bucket_b, "node-b", std::chrono::seconds(60));
  for (int round = 0; round < 20; ++round) {
    const std::string name = "source:race:" + std::to_string(round);
    std::atomic<bool> go{false};
    Result<std::optional<HeldLease>> won_a = Status::Internal("not run");
    Result<std::optional<HeldLease>> won_b = Status::Internal("not run");
    std::thread ta([&] {
      while (!go.load()) {
      }
      won_a = a.TryAcquire(name);
    });
    std::thread tb([&] {
      while (!go.load()) {
      }
      won_b = b.TryAcquire(name);
    });
    go = true;
    ta.join();
    tb.join();
    INFO("round " << round << ": " << won_a.status().ToString() << " / "
                  << won_b.status().ToString());
    REQUIRE(won_a.ok());
    REQUIRE(won_b.ok());
    CHECK(won_a->has_value() + won_b->has_value() == 1);
    auto list = a.List();
    REQUIRE(list.ok());
    for (const LeaseView& v : *list) {
      if (v.name == name) CHECK(v.record.holder == (won_a->has_value() ? "node-a" : "node-b"));
    }
  }
}

}  // namespace
}  // namespace earshot::cluster
