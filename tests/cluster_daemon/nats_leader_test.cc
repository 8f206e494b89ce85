// NATS loses its leader: on a three-server NATS cluster with three replicas of everything, the
// server leading the state log is killed mid-storm. The servers elect another, publishes are
// retried meanwhile, and every complaint still pages once.
#include <catch2/catch.hpp>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "tests/cluster_daemon/storm.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;

TEST_CASE("Cluster daemon: losing the NATS server that leads the state log loses no page",
          "[cluster_daemon][nats]") {
  ClusterRig rig(/*nats_servers=*/3);
  for (const char* n : {"a", "b", "c"}) rig.AddNode(n);
  REQUIRE(rig.Start({0, 1, 2}));
  const bool balanced = rig.WaitBalanced({"a", "b", "c"}, 30s);
  if (!balanced) std::cerr << rig.AllLogs();
  REQUIRE(balanced);

  NatsCluster& nats = *rig.nats_cluster();
  Storm storm(rig, "n00", 30, 8s);
  std::this_thread::sleep_for(2s);
  const std::optional<int> leader = nats.StreamLeader("EARSHOT_STATE");
  REQUIRE(leader.has_value());
  const auto killed_at = std::chrono::steady_clock::now();
  nats.server(*leader).Kill();
  const bool elected = WaitUntil(
      [&] {
        auto l = nats.StreamLeader("EARSHOT_STATE");
        return l.has_value() && *l != *leader;
      },
      30s);
  const auto election = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - killed_at);
  storm.Join();
  const bool arrived = WaitAllPaged(rig, storm.authors(), 60s, 0ms);
  const auto paged = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - killed_at);
  std::this_thread::sleep_for(1500ms);  // for a late repeat to show
  const PageTally t = CountPages(rig.Escalations(), storm.authors());

  std::cout << fmt::format("cluster nats: server {} led EARSHOT_STATE; a new leader {}\n",
                           nats.server(*leader).name(),
                           elected ? fmt::format("after {} ms", election.count()) : "never");
  std::cout << fmt::format("cluster nats: the last complaint paged {} ms after the kill\n",
                           paged.count());
  std::cout << fmt::format("cluster nats: {} complaints, {} lines, lost {}, duplicated by line "
                           "{}, by key {}\n",
                           storm.authors().size(), t.lines, t.lost, t.duplicated_lines,
                           t.duplicated_keys);
  for (const std::string& p : t.problems) std::cout << "  " << p << "\n";
  if (!arrived || !t.clean()) std::cerr << rig.AllLogs();
  CHECK(elected);
  CHECK(arrived);
  CHECK(t.clean());

  // The server comes back and the cluster goes on: a complaint after it pages once too.
  nats.server(*leader).Restart();
  Storm after(rig, "n01", 4, 1s);
  after.Join();
  const bool after_arrived = WaitAllPaged(rig, after.authors(), 60s);
  const PageTally after_tally = CountPages(rig.Escalations(), after.authors(), /*others_ok=*/true);
  for (const std::string& p : after_tally.problems) std::cout << "  after: " << p << "\n";
  if (!after_arrived || !after_tally.clean()) std::cerr << rig.AllLogs();
  CHECK(after_arrived);
  CHECK(after_tally.clean());
  CHECK(rig.WaitBalanced({"a", "b", "c"}, 30s));
  for (int i : rig.Running()) CHECK(rig.Stop(i) == 0);
}

}  // namespace
}  // namespace earshot::testing
