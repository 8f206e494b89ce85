// ReadClusterStatus, RenderClusterStatus and ClusterStatusJson over the buckets of keepers
// running against a real nats-server: what `earshot cluster status` shows an operator.
#include "daemon/cluster/cluster_status.h"

#include <simdjson.h>

#include "daemon/nats/jetstream.h"
#include "tests/cluster/cluster_fixture.h"
#include "tests/cluster/keeper_node.h"

namespace earshot::cluster {
namespace {

using earshot::testing::KeeperNode;
using earshot::testing::NatsServer;
using earshot::testing::OpenBucket;

const ClusterNames kNames("earshot");

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("cluster status: before any node started, reads empty and creates nothing",
          "[cluster][nats]") {
  NatsServer server;
  auto connection = nats::ConnectForTest({server.url()});
  auto status = ReadClusterStatus(*connection, kNames);
  INFO(status.status().ToString());
  REQUIRE(status.ok());
  CHECK(status->nodes.empty());
  CHECK(status->leases.empty());
  CHECK(Contains(RenderClusterStatus(*status, std::chrono::system_clock::now()), "no node has a heartbeat"));
  // The nodes create the buckets, with their ttl: reading the status must not have.
  CHECK(nats::GetStreamState(*connection, "KV_" + kNames.leases_bucket).status().code() ==
        Status::Code::kNotFound);
  CHECK(nats::GetStreamState(*connection, "KV_" + kNames.nodes_bucket).status().code() ==
        Status::Code::kNotFound);
}

TEST_CASE("cluster status: nodes, lease holders and differing rules", "[cluster][nats]") {
  NatsServer server;
  auto connection = nats::ConnectForTest({server.url()});
  const auto ttl = std::chrono::seconds(60);
  auto leases = OpenBucket(*connection, kNames.leases_bucket, ttl);
  auto nodes = OpenBucket(*connection, kNames.nodes_bucket, ttl);
  const std::vector<std::string> wanted = {"escalator", "source:mastodon:acme air"};
  const SystemTime t0 = std::chrono::system_clock::now();
  KeeperNode a(*leases, *nodes, KeeperNode::Options::Of("node-a", wanted).Started(t0), ttl);
  KeeperNode b(*leases, *nodes,
               KeeperNode::Options::Of("node-b", wanted).Started(t0 + std::chrono::seconds(1)), ttl);
  a.keeper().Round();
  for (int i = 0; i < 4; ++i) {
    b.keeper().Round();
    a.keeper().Round();
  }
  REQUIRE(a.keeper().Held().size() == 1);
  REQUIRE(b.keeper().Held().size() == 1);

  auto status = ReadClusterStatus(*connection, kNames);
  INFO(status.status().ToString());
  REQUIRE(status.ok());
  REQUIRE(status->nodes.size() == 2);
  CHECK(status->nodes[0].node == "node-a");
  CHECK(status->nodes[1].node == "node-b");
  CHECK(status->nodes[0].leases == a.keeper().Held());
  REQUIRE(status->leases.size() == 2);
  for (const LeaseView& l : status->leases) {
    INFO(l.name);
    const std::string holder = a.keeper().Holds(l.name) ? "node-a" : "node-b";
    CHECK(l.record.holder == holder);
  }
  CHECK(status->agreement.differing.empty());
  std::string text = RenderClusterStatus(*status, std::chrono::system_clock::now());
  INFO(text);
  CHECK(Contains(text, "node-a"));
  CHECK(Contains(text, "node-b"));
  CHECK(Contains(text, "escalator"));
  CHECK(Contains(text, "source:mastodon:acme air"));
  CHECK(Contains(text, "agree on all 2"));
  CHECK_FALSE(Contains(text, "DIFFER"));

  b.SetRulesHash("rules-2");
  b.keeper().Round();
  status = ReadClusterStatus(*connection, kNames);
  REQUIRE(status.ok());
  CHECK(status->agreement.differing == std::vector<std::string>{"node-b"});
  text = RenderClusterStatus(*status, std::chrono::system_clock::now());
  CHECK(Contains(text, "DIFFER"));
  CHECK(Contains(text, "rules-2"));

  const std::string json = ClusterStatusJson(*status);
  INFO(json);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array json_nodes, json_leases, differing;
  REQUIRE(doc["nodes"].get(json_nodes) == simdjson::SUCCESS);
  REQUIRE(doc["leases"].get(json_leases) == simdjson::SUCCESS);
  REQUIRE(doc["agreement"]["differing"].get(differing) == simdjson::SUCCESS);
  CHECK(json_nodes.size() == 2);
  CHECK(json_leases.size() == 2);
  REQUIRE(differing.size() == 1);
  std::string_view odd;
  REQUIRE(differing.at(0).get(odd) == simdjson::SUCCESS);
  CHECK(odd == "node-b");
  std::string_view holder;
  REQUIRE(json_leases.at(0)["holder"].get(holder) == simdjson::SUCCESS);
  CHECK((holder == "node-a" || holder == "node-b"));
}

}  // namespace
}  // namespace earshot::cluster
