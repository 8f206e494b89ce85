// SIGSTOP past the lease: the node delivering to the file is paused for more than two
// lease_ttl while complaints stream in, then resumed. Another node takes the sink meanwhile;
// the resumed node finds its leases expired on its own clock and sends nothing, so no line is
// written twice and none is lost.
#include <catch2/catch.hpp>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "tests/cluster_daemon/storm.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_CASE("Cluster daemon: a sink holder paused past its lease sends nothing twice on resuming",
          "[cluster_daemon][nats]") {
  ClusterRig rig;
  for (const char* n : {"a", "b", "c"}) rig.AddNode(n);
  REQUIRE(rig.Start({0, 1, 2}));
  const bool balanced = rig.WaitBalanced({"a", "b", "c"}, 30s);
  if (!balanced) std::cerr << rig.AllLogs();
  REQUIRE(balanced);

  Storm storm(rig, "p00", 30, 10s);
  std::this_thread::sleep_for(2s);
  const int paused = rig.HolderOf(std::string("sink:") + ClusterRig::kFileSink);
  REQUIRE(paused >= 0);
  const std::vector<std::string> leases = rig.LeasesOf(rig.name(paused));
  const size_t log_before = rig.Log(paused).size();
  const auto paused_at = std::chrono::steady_clock::now();
  rig.Pause(paused);
  // lease_ttl is 3 s: seven is past two of them.
  const auto taken = rig.WaitTakenOver(rig.name(paused), leases, paused_at, 7s);
  std::this_thread::sleep_until(paused_at + 7s);
  rig.Resume(paused);
  storm.Join();
  const bool arrived = WaitAllPaged(rig, storm.authors(), 60s, 3s);
  const PageTally t = CountPages(rig.Escalations(), storm.authors());
  const std::string resumed_log = rig.Log(paused).substr(log_before);

  std::cout << fmt::format("cluster pause: node {} paused 7 s; its {} lease(s) re-held after {}\n",
                           rig.name(paused), leases.size(),
                           taken ? fmt::format("{} ms", taken->count()) : "never");
  std::cout << fmt::format("cluster pause: {} complaints, {} lines, lost {}, duplicated by line "
                           "{}, by key {}\n",
                           storm.authors().size(), t.lines, t.lost, t.duplicated_lines,
                           t.duplicated_keys);
  for (const std::string& p : t.problems) std::cout << "  " << p << "\n";
  if (!arrived || !t.clean() || !taken) std::cerr << rig.AllLogs();
  CHECK(taken.has_value());
  CHECK(arrived);
  CHECK(t.clean());
  // What the resumed node said about it, for the record.
  std::istringstream lines(resumed_log);
  for (std::string line; std::getline(lines, line);) {
    if (Contains(line, "level=warn")) std::cout << "  " << rig.name(paused) << ": " << line << "\n";
  }
  // The resumed node learnt it no longer held its leases, and stopped their work.
  INFO(resumed_log);
  CHECK(Contains(resumed_log, "stopping its work"));
  for (int i : rig.Running()) CHECK(rig.Stop(i) == 0);
}

}  // namespace
}  // namespace earshot::testing
