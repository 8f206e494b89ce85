// Three nodes share the work: the six leases spread evenly, and a storm of complaints pages
// each complaint exactly once at the cluster's one file receiver.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "tests/cluster_daemon/storm.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;

TEST_CASE("Cluster daemon: three nodes share the leases and page each complaint once",
          "[cluster_daemon][nats]") {
  ClusterRig rig;
  for (const char* n : {"a", "b", "c"}) rig.AddNode(n);
  REQUIRE(rig.Start({0, 1, 2}));
  const auto t0 = std::chrono::steady_clock::now();
  const bool balanced = rig.WaitBalanced({"a", "b", "c"}, 30s);
  if (!balanced) std::cerr << rig.AllLogs();
  REQUIRE(balanced);
  std::cout << fmt::format("cluster share: balanced {} ms after the nodes were ready\n",
                           std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - t0)
                               .count());

  // What an operator sees: every lease held, by a node, none over its share of two.
  std::string out;
  CHECK(rig.StatusCommand(/*json=*/true, &out) == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(out).get(doc) == simdjson::SUCCESS);
  std::map<std::string, int> per_node;
  size_t leases = 0;
  for (simdjson::dom::element l : doc["leases"].get_array()) {
    const std::string holder(l["holder"].get_string().value());
    CHECK(!holder.empty());
    ++per_node[holder];
    ++leases;
  }
  CHECK(leases == rig.Leases().size());
  CHECK(doc["nodes"].get_array().size() == 3);
  CHECK(doc["agreement"]["differing"].get_array().size() == 0);
  for (const auto& [node, held] : per_node) {
    INFO(node);
    CHECK(held <= 2);
  }
  // And what each node says of itself.
  double held = 0, leaders = 0;
  for (int i = 0; i < 3; ++i) {
    held += rig.Metric(i, "earshot_cluster_leases_held").value_or(-100);
    leaders += rig.Metric(i, "earshot_cluster_leader").value_or(-100);
    // Each node counts the others at its own lease rounds, which may not have run since the
    // last one joined.
    CHECK(WaitUntil([&] { return rig.Metric(i, "earshot_cluster_nodes") == 3; }, 10s));
    CHECK(WaitUntil([&] { return rig.Metric(i, "earshot_cluster_rules_agree") == 1; }, 10s));
  }
  CHECK(held == 6);
  CHECK(leaders == 1);

  Storm storm(rig, "s00", 24, 4s);
  storm.Join();
  const bool arrived = WaitAllPaged(rig, storm.authors(), 60s);
  const PageTally t = CountPages(rig.Escalations(), storm.authors());
  std::cout << fmt::format("cluster share: {} complaints, {} lines, lost {}, duplicated by line "
                           "{}, by key {}\n",
                           storm.authors().size(), t.lines, t.lost, t.duplicated_lines,
                           t.duplicated_keys);
  for (const std::string& p : t.problems) std::cout << "  " << p << "\n";
  if (!arrived || !t.clean()) std::cerr << rig.AllLogs();
  CHECK(arrived);
  CHECK(t.clean());
  CHECK(t.lines == storm.authors().size());
  // Every node did some of the work: each polled or delivered or led.
  for (int i = 0; i < 3; ++i) CHECK(rig.Metric(i, "earshot_cluster_leases_held") > 0);
  for (int i = 0; i < 3; ++i) CHECK(rig.Stop(i) == 0);
}

}  // namespace
}  // namespace earshot::testing
