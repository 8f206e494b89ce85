// Rules agreement: a node started with one more rule file than the others says so in its
// /metrics, `earshot cluster status` names it and exits 1, and with on_rules_mismatch:
// stand_by it takes no lease at all.
#include <catch2/catch.hpp>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "tests/cluster_daemon/storm.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A valid rule the other nodes lack.
std::string WriteExtraRule(const ClusterRig& rig) {
  const std::string path = rig.dir() + "/extra.yaml";
  std::ofstream(path) << R"(- rule: extra-praise
  description: "Only some nodes have this rule"
  category: praise
  severity: info
  match:
    any:
      - hashtag: "{{brand}}extra"
)";
  return path;
}

TEST_CASE("Cluster daemon: a node whose rules differ is named, and stands by when told to",
          "[cluster_daemon][nats]") {
  ClusterRig rig;
  const std::string extra = WriteExtraRule(rig);
  const int a = rig.AddNode("a");
  const int b = rig.AddNode("b");
  const int c = rig.AddNode("c", {.on_rules_mismatch = "warn", .extra_rule_file = extra});
  const int d = rig.AddNode("d", {.on_rules_mismatch = "stand_by", .extra_rule_file = extra});
  REQUIRE(rig.Start({a, b}));
  REQUIRE(rig.WaitBalanced({"a", "b"}, 30s));
  REQUIRE(rig.Start(c));

  // warn: c says it differs, the others that they agree, and c keeps working.
  CHECK(WaitUntil([&] { return rig.Metric(c, "earshot_cluster_rules_agree") == 0; }, 15s));
  CHECK(rig.Metric(a, "earshot_cluster_rules_agree") == 1);
  CHECK(rig.Metric(b, "earshot_cluster_rules_agree") == 1);
  CHECK(rig.Metric(c, "earshot_cluster_standing_by") == 0);
  CHECK(rig.WaitBalanced({"a", "b", "c"}, 30s));
  std::string out;
  CHECK(rig.StatusCommand(/*json=*/false, &out) == 1);
  INFO(out);
  CHECK(Contains(out, "DIFFER: c run(s) other rules"));
  CHECK(Contains(rig.Log(c), "this node's rules or config differ"));
  CHECK(rig.Stop(c) == 0);

  // stand_by: d takes nothing, and a and b keep all the work between them.
  REQUIRE(rig.Start(d));
  CHECK(WaitUntil([&] { return rig.Metric(d, "earshot_cluster_standing_by") == 1; }, 15s));
  CHECK(rig.Metric(d, "earshot_cluster_rules_agree") == 0);
  // Several lease rounds (one per second): it never takes one.
  for (int i = 0; i < 8; ++i) {
    CHECK(rig.Metric(d, "earshot_cluster_leases_held") == 0);
    CHECK(rig.LeasesOf("d").empty());
    std::this_thread::sleep_for(500ms);
  }
  CHECK(rig.Balanced({"a", "b"}));
  CHECK(rig.StatusCommand(/*json=*/false, &out) == 1);
  CHECK(Contains(out, "DIFFER: d run(s) other rules"));

  // The cluster's work goes on without it.
  Storm storm(rig, "r00", 8, 2s);
  storm.Join();
  const bool arrived = WaitAllPaged(rig, storm.authors(), 60s);
  const PageTally t = CountPages(rig.Escalations(), storm.authors());
  for (const std::string& p : t.problems) std::cout << "  " << p << "\n";
  if (!arrived || !t.clean()) std::cerr << rig.AllLogs();
  CHECK(arrived);
  CHECK(t.clean());
  CHECK(rig.LeasesOf("d").empty());
  for (int i : rig.Running()) CHECK(rig.Stop(i) == 0);
}

}  // namespace
}  // namespace earshot::testing
