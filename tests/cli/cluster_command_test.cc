// The command line of a cluster node: `earshot cluster status` against a real nats-server, and
// the changes that must go through a running node refused with a pointer to where they go.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <simdjson.h>
#include <sstream>

#include "daemon/cli/commands.h"
#include "daemon/cluster/cluster_names.h"
#include "daemon/cluster/cluster_records.h"
#include "daemon/cluster/lease_table.h"
#include "daemon/cluster/node_registry.h"
#include "daemon/nats/kv_bucket.h"
#include "daemon/nats/nats_connection.h"
#include "tests/fakes/nats_server.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

// A config dir with earshot.yaml; `cluster` is the YAML of its cluster section ("" = none).
fs::path WriteConfig(const std::string& cluster) {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("earshot-cluster-cli-" + std::to_string(rd()));
  fs::create_directories(dir);
  std::ofstream(dir / "earshot.yaml")
      << "brands: [AcmeAir]\nstate_dir: state\nrules:\n  files: [" << EARSHOT_SOURCE_DIR
      << "/rules/complaints.yaml]\n  lexicon_dir: " << EARSHOT_SOURCE_DIR
      << "/rules/lexicon\nsinks:\n  - name: c\n    type: console\n"
      << cluster;
  return dir;
}

TEST_CASE("cluster status: without a cluster section it says this is a single node, exit 78",
          "[cli][cluster]") {
  const fs::path dir = WriteConfig("");
  std::ostringstream out, err;
  const int code = RunClusterStatusCommand({"--config", (dir / "earshot.yaml").string()}, out, err);
  fs::remove_all(dir);
  CHECK(code == kExitConfig);
  CHECK_THAT(err.str(), Catch::Contains("has no cluster section"));
}

TEST_CASE("cluster status: NATS unreachable is exit 1 naming the server", "[cli][cluster]") {
  const fs::path dir = WriteConfig("cluster:\n  node: a\n  nats: nats://127.0.0.1:1\n");
  std::ostringstream out, err;
  const int code = RunClusterStatusCommand({"--config", (dir / "earshot.yaml").string()}, out, err);
  fs::remove_all(dir);
  CHECK(code == kExitFailure);
  CHECK_THAT(err.str(), Catch::Contains("nats://127.0.0.1:1"));
}

TEST_CASE("cluster status: shows the nodes and leases NATS holds, and exits 1 when rules differ",
          "[cli][cluster][nats]") {
  testing::NatsServer server;
  nats::ConnectOptions connect;
  connect.servers = {server.url()};
  auto connection = nats::Connection::Connect(connect);
  REQUIRE(connection.ok());
  const cluster::ClusterNames names("earshot");
  nats::KvSpec nodes_spec;
  nodes_spec.bucket = names.nodes_bucket;
  nodes_spec.ttl = std::chrono::seconds(30);
  auto nodes_bucket = nats::KvBucket::Open(**connection, nodes_spec);
  REQUIRE(nodes_bucket.ok());
  nats::KvSpec leases_spec;
  leases_spec.bucket = names.leases_bucket;
  leases_spec.ttl = std::chrono::seconds(30);
  auto leases_bucket = nats::KvBucket::Open(**connection, leases_spec);
  REQUIRE(leases_bucket.ok());
  cluster::NodeRegistry registry(**nodes_bucket);
  cluster::LeaseTable leases(**leases_bucket, "node-a", std::chrono::seconds(30));
  REQUIRE(leases.TryAcquire("source:mastodon:acme").ok());
  for (const char* node : {"node-a", "node-b"}) {
    cluster::NodeRecord r;
    r.node = node;
    r.version = "0.1.0";
    r.rules_hash = "sha256:1111";
    r.config_hash = "sha256:cccc";
    r.started = r.beat = RealClock().Now();
    REQUIRE(registry.Beat(r).ok());
  }

  const fs::path dir =
      WriteConfig("cluster:\n  node: node-a\n  nats: " + server.url() + "\n");
  const std::string config = (dir / "earshot.yaml").string();
  std::ostringstream out, err;
  CHECK(RunClusterStatusCommand({"--config", config}, out, err) == kExitOk);
  INFO(out.str() << err.str());
  CHECK_THAT(out.str(), Catch::Contains("2 node(s)"));
  CHECK_THAT(out.str(), Catch::Contains("node-b"));
  CHECK_THAT(out.str(), Catch::Contains("source:mastodon:acme"));
  CHECK_THAT(out.str(), Catch::Contains("agree on all 2 node(s)"));

  // A third node with other rules: named, and the exit says so.
  cluster::NodeRecord odd;
  odd.node = "node-c";
  odd.version = "0.1.0";
  odd.rules_hash = "sha256:2222";
  odd.config_hash = "sha256:cccc";
  odd.started = odd.beat = RealClock().Now();
  REQUIRE(registry.Beat(odd).ok());
  std::ostringstream out2, err2;
  CHECK(RunClusterStatusCommand({"--config", config, "--json"}, out2, err2) == kExitFailure);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(out2.str()).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array differing;
  REQUIRE(doc["agreement"]["differing"].get(differing) == simdjson::SUCCESS);
  REQUIRE(differing.size() == 1);
  CHECK(std::string_view(differing.at(0)) == "node-c");
  fs::remove_all(dir);
}

TEST_CASE("cluster: changes from the command line are refused, reads are not",
          "[cli][cluster]") {
  const fs::path dir = WriteConfig("cluster:\n  node: a\n  nats: nats://127.0.0.1:1\n");
  const std::string config = (dir / "earshot.yaml").string();
  fs::create_directories(dir / "state");  // this node's copy of the state, for the reads
  struct Case {
    std::vector<std::string> args;
    int (*run)(const std::vector<std::string>&, std::ostream&, std::ostream&);
  };
  const std::vector<Case> refused = {
      {{"--config", config, "inc-0123456789abcdef"}, RunAckCommand},
      {{"--config", config, "inc-0123456789abcdef"}, RunResolveCommand},
      {{"--config", config, "add", "brand=acmeair", "--for", "1h"}, RunSilenceCommand},
      {{"--config", config, "expire", "sil-1"}, RunSilenceCommand},
      {{"--config", config, "retry", "c", "--all"}, RunDeadLetterCommand},
  };
  for (const Case& c : refused) {
    std::ostringstream out, err;
    INFO(c.args[2]);
    CHECK(c.run(c.args, out, err) == kExitFailure);
    CHECK_THAT(err.str(), Catch::Contains("cluster node's config"));
    CHECK_THAT(err.str(), Catch::Contains("console"));
  }
  std::ostringstream out, err;
  CHECK(RunIncidentsCommand({"--config", config}, out, err) == kExitOk);
  std::ostringstream out2, err2;
  CHECK(RunSilenceCommand({"--config", config, "list"}, out2, err2) == kExitOk);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace earshot
