// Kill trials: a random node is SIGKILLed mid-storm and restarted after a random downtime,
// again and again, on one running cluster. Hidden from the default run ([.trials]):
//   EARSHOT_CLUSTER_TRIALS=20 cluster_daemon_tests "[.trials]"
// EARSHOT_CLUSTER_SEED fixes the schedule (complaints, victims, kill moments, downtimes; random
// by default, always printed), not the nodes' own timing.
//
// Figures per trial and in total: the failover time (kill -> every lease the victim held
// written again by a live node, a successor or the victim restarted), the complaints sent, and
// the pages lost and duplicated, by line and by key (storm.h). Lost and duplicated pages fail
// the test; times are figures only.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <iostream>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "tests/cluster_daemon/storm.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v, &end, 0);
  return end != nullptr && *end == '\0' ? n : fallback;
}

TEST_CASE("Cluster daemon: kill trials, a random node SIGKILLed mid-storm and restarted",
          "[cluster_daemon][nats][.trials]") {
  const int trials = static_cast<int>(EnvNumber("EARSHOT_CLUSTER_TRIALS", 20));
  const uint64_t seed = EnvNumber("EARSHOT_CLUSTER_SEED", std::random_device{}());
  std::cout << fmt::format("cluster trials: {} trials, EARSHOT_CLUSTER_SEED={:#x}\n", trials,
                           seed);
  std::mt19937_64 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

  ClusterRig rig;
  const std::vector<std::string> names = {"a", "b", "c"};
  for (const std::string& n : names) rig.AddNode(n);
  REQUIRE(rig.Start({0, 1, 2}));
  REQUIRE(rig.WaitBalanced(names, 30s));

  PageTally total;
  std::set<std::string> all_authors;
  std::vector<milliseconds> failovers;
  int never = 0, unbalanced = 0, restart_failed = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const int complaints = uniform(12, 24);
    const int victim = uniform(0, 2);
    const milliseconds kill_at(uniform(300, 3000));
    const milliseconds downtime(uniform(0, 5000));

    Storm storm(rig, fmt::format("t{:03}", trial), complaints, 5s);
    all_authors.insert(storm.authors().begin(), storm.authors().end());
    std::this_thread::sleep_for(kill_at);
    const std::vector<std::string> leases = rig.LeasesOf(rig.name(victim));
    const auto killed_at = std::chrono::steady_clock::now();
    rig.Kill(victim);
    // Read after the kill: no write of the victim's can land after it.
    std::map<std::string, uint64_t> before;
    const auto revisions = rig.Revisions();
    for (const std::string& l : leases) before[l] = revisions.count(l) ? revisions.at(l) : 0;
    bool restarted = false;
    std::jthread restarter([&] {
      std::this_thread::sleep_until(killed_at + downtime);
      restarted = rig.Start(victim);
    });
    const auto failover = rig.WaitReheld(before, killed_at, 30s);
    restarter.join();
    storm.Join();
    const bool arrived = WaitAllPaged(rig, storm.authors(), 60s);
    const PageTally t = CountPages(rig.Escalations(), storm.authors(), /*others_ok=*/true);
    const bool balanced = rig.WaitBalanced(names, 30s);

    std::cout << fmt::format(
        "cluster trial {:2}: killed {} holding {} lease(s) at {} ms, down {} ms; failover {}; "
        "{} complaints, {} lines, lost {}, duplicated by line {}, by key {}\n",
        trial, rig.name(victim), leases.size(), kill_at.count(), downtime.count(),
        failover ? fmt::format("{} ms", failover->count()) : "never", complaints, t.lines, t.lost,
        t.duplicated_lines, t.duplicated_keys);
    for (const std::string& p : t.problems) std::cout << "  " << p << "\n";
    std::cout << std::flush;
    if (failover) {
      failovers.push_back(*failover);
    } else {
      ++never;
    }
    unbalanced += balanced ? 0 : 1;
    restart_failed += restarted ? 0 : 1;
    total += t;
    if (!arrived || !t.clean() || !restarted) {
      std::cerr << fmt::format("-- trial {} failed; the nodes' logs:\n{}\n", trial,
                               rig.AllLogs());
      if (!restarted) break;
    }
  }
  // Over the whole file: a line of an earlier trial written again later counts here too.
  const PageTally whole = CountPages(rig.Escalations(), all_authors);
  std::sort(failovers.begin(), failovers.end());
  auto at = [&](double q) {
    return failovers.empty() ? 0
                             : failovers[static_cast<size_t>(q * (failovers.size() - 1))].count();
  };
  std::cout << fmt::format(
      "cluster trials: {} trials, {} complaints, {} lines; lost {}, duplicated by line {}, by "
      "key {}; failover ms min {} median {} max {} (never re-held: {}); not rebalanced within "
      "30 s: {}\n",
      trials, all_authors.size(), whole.lines, whole.lost, whole.duplicated_lines,
      whole.duplicated_keys, at(0), at(0.5), at(1), never, unbalanced);
  std::cout << std::flush;
  CHECK(restart_failed == 0);
  CHECK(never == 0);
  CHECK(total.clean());
  CHECK(whole.clean());
  for (int i : rig.Running()) CHECK(rig.Stop(i) == 0);
}

}  // namespace
}  // namespace earshot::testing
