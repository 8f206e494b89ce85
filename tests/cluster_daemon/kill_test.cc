// kill -9 in a storm: the node holding the most leases dies while complaints stream in. Its
// leases lapse after lease_ttl and the survivors take them; every complaint still pages once.
#include <catch2/catch.hpp>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "tests/cluster_daemon/storm.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;

TEST_CASE("Cluster daemon: kill -9 of the busiest node mid-storm loses no page and repeats none",
          "[cluster_daemon][nats]") {
  ClusterRig rig;
  for (const char* n : {"a", "b", "c"}) rig.AddNode(n);
  REQUIRE(rig.Start({0, 1, 2}));
  const bool balanced = rig.WaitBalanced({"a", "b", "c"}, 30s);
  if (!balanced) std::cerr << rig.AllLogs();
  REQUIRE(balanced);

  Storm storm(rig, "k00", 30, 8s);
  std::this_thread::sleep_for(2500ms);
  const int victim = rig.Busiest();
  REQUIRE(victim >= 0);
  const std::vector<std::string> leases = rig.LeasesOf(rig.name(victim));
  REQUIRE(!leases.empty());
  const auto killed_at = std::chrono::steady_clock::now();
  rig.Kill(victim);
  const auto failover = rig.WaitTakenOver(rig.name(victim), leases, killed_at, 30s);
  storm.Join();
  const bool arrived = WaitAllPaged(rig, storm.authors(), 60s);
  const PageTally t = CountPages(rig.Escalations(), storm.authors());

  std::string names;
  for (const std::string& l : leases) names += " " + l;
  std::cout << fmt::format("cluster kill: node {} held{}; failover (kill -> last re-held) {}\n",
                           rig.name(victim), names,
                           failover ? fmt::format("{} ms", failover->count()) : "never");
  std::cout << fmt::format("cluster kill: {} complaints, {} lines, lost {}, duplicated by line "
                           "{}, by key {}\n",
                           storm.authors().size(), t.lines, t.lost, t.duplicated_lines,
                           t.duplicated_keys);
  for (const std::string& p : t.problems) std::cout << "  " << p << "\n";
  if (!arrived || !t.clean() || !failover) std::cerr << rig.AllLogs();
  CHECK(failover.has_value());
  CHECK(arrived);
  CHECK(t.clean());
  // The survivors hold everything between them, three each at most.
  std::vector<std::string> survivors;
  for (int i : rig.Running()) survivors.push_back(rig.name(i));
  CHECK(rig.WaitBalanced(survivors, 15s));
  for (int i : rig.Running()) CHECK(rig.Stop(i) == 0);
}

}  // namespace
}  // namespace earshot::testing
