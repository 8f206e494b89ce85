// LeaseKeeper against a real nats-server, its rounds driven by the test (no thread) so that each
// step is deterministic: the leases are shared evenly, sticky ones stay put, a stopping node's
// work moves to the others, work that cannot start gives its lease back, and a node whose rules
// differ stands by. One test runs the keepers' own threads, and a dead node's lease lapses.
#include <algorithm>
#include <map>

#include "tests/cluster/cluster_fixture.h"
#include "tests/cluster/keeper_node.h"
#include "tests/sources/manual_clock.h"

namespace earshot::cluster {
namespace {

using earshot::testing::KeeperNode;
using earshot::testing::kPatience;
using earshot::testing::kTtl;
using earshot::testing::NatsServer;
using earshot::testing::OpenBucket;
using earshot::testing::WaitUntil;

// Long enough that nothing lapses while a test drives the rounds by hand.
constexpr std::chrono::milliseconds kLongTtl = std::chrono::seconds(60);
const SystemTime kStart = FromUnixMillis(1'795'000'000'000);

std::vector<std::string> Names(std::initializer_list<const char*> names) {
  return std::vector<std::string>(names.begin(), names.end());
}

struct Cluster {
  explicit Cluster(std::chrono::milliseconds ttl = kLongTtl)
      : connection(nats::ConnectForTest({server.url()})),
        leases(OpenBucket(*connection, "earshot_leases", ttl)),
        nodes(OpenBucket(*connection, "earshot_nodes", ttl)),
        ttl(ttl) {}

  KeeperNode& Add(KeeperNode::Options options) {
    if (options.started == SystemTime{}) {
      options.started = kStart + std::chrono::seconds(static_cast<int>(members.size()));
    }
    members.push_back(std::make_unique<KeeperNode>(*leases, *nodes, std::move(options), ttl));
    return *members.back();
  }
  // `n` rounds of every running member, in order.
  void Rounds(int n, const std::vector<KeeperNode*>& who) {
    for (int i = 0; i < n; ++i) {
      for (KeeperNode* k : who) k->keeper().Round();
    }
  }
  // Who holds each lease, by the keepers' own view; fails on a lease held twice.
  std::map<std::string, std::string> Holders(const std::vector<KeeperNode*>& who) {
    std::map<std::string, std::string> out;
    for (KeeperNode* k : who) {
      for (const std::string& l : k->keeper().Held()) {
        INFO(l << " held by " << k->name() << " and " << out[l]);
        CHECK(out[l].empty());
        out[l] = k->name();
      }
    }
    return out;
  }

  NatsServer server;
  std::unique_ptr<nats::Connection> connection;
  std::unique_ptr<nats::KvBucket> leases, nodes;
  std::chrono::milliseconds ttl;
  std::vector<std::unique_ptr<KeeperNode>> members;
};

const std::vector<std::string> kFour = Names({"source:a", "source:b", "source:c", "source:d"});

TEST_CASE("LeaseKeeper: two nodes wanting four leases end with two each", "[cluster][nats]") {
  Cluster c;
  KeeperNode& a = c.Add(KeeperNode::Options::Of("node-a", kFour));
  KeeperNode& b = c.Add(KeeperNode::Options::Of("node-b", kFour));
  c.Rounds(1, {&a});
  CHECK(a.keeper().Held().size() == 4);  // alone, it takes everything
  CHECK(a.keeper().live_nodes() == 1);
  c.Rounds(6, {&b, &a});
  CHECK(a.keeper().Held().size() == 2);
  CHECK(b.keeper().Held().size() == 2);
  CHECK(c.Holders({&a, &b}).size() == 4);
  CHECK(a.keeper().live_nodes() == 2);
  CHECK(b.keeper().live_nodes() == 2);
  // The handovers told node-a's work to stop, and node-b's to start, once per lease.
  CHECK(a.lost().size() == 2);
  for (const auto& [name, code] : a.lost()) CHECK(code == Status::Code::kCancelled);
  CHECK(b.gained().size() == 2);
  for (const std::string& l : b.keeper().Held()) {
    CHECK(b.keeper().Holds(l));
    CHECK(b.keeper().EpochOf(l).has_value());
    CHECK_FALSE(a.keeper().Holds(l));
    CHECK_FALSE(a.keeper().EpochOf(l).has_value());
  }
  // Balanced: more rounds move nothing.
  c.Rounds(3, {&a, &b});
  CHECK(a.lost().size() == 2);
  CHECK(b.gained().size() == 2);
}

TEST_CASE("LeaseKeeper: a third node takes a share, and the sticky lease never moves for it",
          "[cluster][nats]") {
  Cluster c;
  const auto wanted = Names({"escalator", "source:a", "source:b", "source:c", "source:d"});
  const auto sticky = Names({"escalator"});
  KeeperNode& a = c.Add(KeeperNode::Options::Of("node-a", wanted).Sticky(sticky));
  KeeperNode& b = c.Add(KeeperNode::Options::Of("node-b", wanted).Sticky(sticky));
  c.Rounds(1, {&a});
  REQUIRE(a.keeper().Holds("escalator"));
  c.Rounds(6, {&b, &a});
  CHECK(a.keeper().Held().size() == 3);  // ceil(5 / 2)
  CHECK(b.keeper().Held().size() == 2);

  KeeperNode& third = c.Add(KeeperNode::Options::Of("node-c", wanted).Sticky(sticky));
  c.Rounds(6, {&third, &a, &b});
  auto holders = c.Holders({&a, &b, &third});
  CHECK(holders.size() == 5);
  for (KeeperNode* k : {&a, &b, &third}) {
    INFO(k->name());
    CHECK(k->keeper().Held().size() <= 2);  // ceil(5 / 3)
    CHECK(k->keeper().live_nodes() == 3);
  }
  CHECK(third.keeper().Held().size() >= 1);
  // node-a went from three to two by handing over a source, never the escalator.
  CHECK(a.keeper().Holds("escalator"));
  CHECK(a.LostCount("escalator") == 0);
  const std::vector<std::string> third_gained = third.gained();
  CHECK(std::count(third_gained.begin(), third_gained.end(), "escalator") == 0);
}

TEST_CASE("LeaseKeeper: a node that stops hands all its leases to the others", "[cluster][nats]") {
  Cluster c;
  KeeperNode& a = c.Add(KeeperNode::Options::Of("node-a", kFour));
  KeeperNode& b = c.Add(KeeperNode::Options::Of("node-b", kFour));
  c.Rounds(1, {&a});
  c.Rounds(6, {&b, &a});
  REQUIRE(b.keeper().Held().size() == 2);
  const std::vector<std::string> b_held = b.keeper().Held();
  const size_t a_gained = a.gained().size();

  b.keeper().Stop();
  // on_lost for each lease it held, as "stopping"; its record left the registry.
  CHECK(b.keeper().Held().empty());
  for (const std::string& l : b_held) {
    INFO(l);
    CHECK(b.LostCount(l) == 1);
  }
  for (const auto& [name, code] : b.lost()) CHECK(code == Status::Code::kCancelled);
  b.keeper().Round();  // a stopped keeper's rounds do nothing
  CHECK(b.keeper().Held().empty());

  c.Rounds(1, {&a});  // at once: released leases need no ttl to pass
  CHECK(a.keeper().Held().size() == 4);
  CHECK(a.keeper().live_nodes() == 1);
  CHECK(a.gained().size() == a_gained + 2);
  for (const std::string& l : b_held) CHECK(a.keeper().Holds(l));
}

TEST_CASE("LeaseKeeper: a lease whose work cannot start is given back", "[cluster][nats]") {
  Cluster c;
  KeeperNode& a = c.Add(KeeperNode::Options::Of("node-a", kFour).Refuse({"source:b"}));
  c.Rounds(1, {&a});
  CHECK(a.keeper().Held() == Names({"source:a", "source:c", "source:d"}));
  const std::vector<std::string> gained = a.gained();
  CHECK(std::count(gained.begin(), gained.end(), "source:b") == 1);
  CHECK(a.LostCount("source:b") == 0);  // its work never started, so there is none to stop
  // Given back, not left to lapse: another node takes it now.
  LeaseTable other(*c.leases, "node-x", kLongTtl);
  auto taken = other.TryAcquire("source:b");
  REQUIRE(taken.ok());
  CHECK(taken->has_value());
}

TEST_CASE("LeaseKeeper: a lease past its deadline on the holder's clock is taken anew, not "
          "renewed, so its stopped work restarts",
          "[cluster][nats]") {
  Cluster c;  // a 60 s ttl: the server still has the key, so a renewal would land
  ManualClock clock(kStart);
  KeeperNode& a =
      c.Add(KeeperNode::Options::Of("node-a", Names({"source:a"})).WithClock(clock));
  c.Rounds(1, {&a});
  REQUIRE(a.keeper().Holds("source:a"));
  const std::optional<uint64_t> epoch = a.keeper().EpochOf("source:a");
  // A round late past the 0.8 x ttl the holder trusts a lease for (a SIGSTOP, a slow round):
  // meanwhile its work was told no, and a sink runner that was told no has ended.
  clock.Advance(kLongTtl - kLongTtl / 10);
  CHECK_FALSE(a.keeper().Holds("source:a"));
  c.Rounds(1, {&a});
  CHECK(a.LostCount("source:a") == 1);
  const std::vector<std::string> gained = a.gained();
  CHECK(std::count(gained.begin(), gained.end(), "source:a") == 2);
  CHECK(a.keeper().Holds("source:a"));
  CHECK(a.keeper().EpochOf("source:a") > epoch);
}

TEST_CASE("LeaseKeeper: a node whose rules differ stands by until they agree again",
          "[cluster][nats]") {
  Cluster c;
  const auto six = Names({"s:1", "s:2", "s:3", "s:4", "s:5", "s:6"});
  KeeperNode& a = c.Add(KeeperNode::Options::Of("node-a", six));
  KeeperNode& b = c.Add(KeeperNode::Options::Of("node-b", six));
  KeeperNode& odd = c.Add(
      KeeperNode::Options::Of("node-c", six).Mismatch(RulesMismatchPolicy::kStandBy));
  const std::vector<KeeperNode*> all = {&a, &b, &odd};
  c.Rounds(8, all);
  for (KeeperNode* k : all) REQUIRE(k->keeper().Held().size() == 2);
  CHECK(a.keeper().agreement().differing.empty());
  CHECK(a.keeper().agreement().agreeing == 3);

  odd.SetRulesHash("rules-2");
  odd.keeper().Round();
  CHECK(odd.keeper().standing_by());
  CHECK(odd.keeper().Held().empty());
  CHECK(odd.lost().size() == 2);
  c.Rounds(4, all);
  CHECK(odd.keeper().Held().empty());  // takes none while it differs
  CHECK(a.keeper().Held().size() == 3);
  CHECK(b.keeper().Held().size() == 3);
  const Agreement seen = a.keeper().agreement();
  CHECK(seen.rules_hash == "rules-1");
  CHECK(seen.agreeing == 2);
  CHECK(seen.differing == Names({"node-c"}));
  CHECK(odd.keeper().agreement().differing == Names({"node-c"}));
  CHECK_FALSE(a.keeper().standing_by());

  odd.SetRulesHash("rules-1");
  c.Rounds(6, all);
  CHECK_FALSE(odd.keeper().standing_by());
  for (KeeperNode* k : all) {
    INFO(k->name());
    CHECK(k->keeper().Held().size() == 2);
  }
  CHECK(c.Holders(all).size() == 6);
  CHECK(a.keeper().agreement().differing.empty());
}

TEST_CASE("LeaseKeeper: with warn, a node whose rules differ keeps working", "[cluster][nats]") {
  Cluster c;
  KeeperNode& a = c.Add(KeeperNode::Options::Of("node-a", kFour));
  KeeperNode& odd = c.Add(KeeperNode::Options::Of("node-b", kFour).Rules("rules-2"));
  c.Rounds(6, {&a, &odd});
  CHECK_FALSE(odd.keeper().standing_by());
  CHECK(odd.keeper().Held().size() == 2);
  // A tie: the node that has run longest (node-a) has the cluster's hashes.
  CHECK(odd.keeper().agreement().differing == Names({"node-b"}));
  CHECK(odd.keeper().agreement().rules_hash == "rules-1");
}

TEST_CASE("LeaseKeeper: on its own thread, shares leases, takes a dead node's after the ttl, "
          "and takes a stopped one's", "[cluster][nats]") {
  Cluster c(kTtl);
  // A node that took a lease and died: it never renews, and never joined the registry.
  LeaseTable dead(*c.leases, "node-dead", kTtl);
  auto dead_lease = dead.TryAcquire("source:c");
  REQUIRE(dead_lease.ok());
  REQUIRE(dead_lease->has_value());

  KeeperNode& a = c.Add(KeeperNode::Options::Of("node-a", kFour));
  a.keeper().Start();
  CHECK(WaitUntil([&] { return a.keeper().Held().size() == 3; }, kPatience));
  CHECK_FALSE(a.keeper().Holds("source:c"));
  // The server forgets the dead node's key, and the next round takes it.
  CHECK(WaitUntil([&] { return a.keeper().Holds("source:c"); }, kPatience));
  CHECK(*a.keeper().EpochOf("source:c") > (*dead_lease)->epoch);

  KeeperNode& b = c.Add(KeeperNode::Options::Of("node-b", kFour));
  b.keeper().Start();
  CHECK(WaitUntil(
      [&] { return a.keeper().Held().size() == 2 && b.keeper().Held().size() == 2; },
      kPatience));
  a.keeper().Stop();
  CHECK(WaitUntil([&] { return b.keeper().Held().size() == 4; }, kPatience));
  // Renewals keep the leases past several ttls.
  std::this_thread::sleep_for(2 * kTtl);
  CHECK(b.keeper().Held().size() == 4);
  for (const std::string& l : kFour) CHECK(b.keeper().Holds(l));
  CHECK(b.lost().empty());
}

}  // namespace
}  // namespace earshot::cluster
