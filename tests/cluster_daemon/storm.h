// A storm of complaints for the cluster tests, and how its pages are counted. The counting
// rules are the kill -9 soak's (tests/integration/kill_soak_test.cc) for the file sink, where
// the strict measure applies since the file recognises its own last line after a crash:
// - lost: a complaint whose author no `open` line names;
// - duplicated by line: a key (incident id and seq) written again;
// - duplicated by key: a complaint paged under more than one key (a second incident or a
//   second escalation for it, which no receiver can fold), or a line that is not the `open`
//   of a published complaint.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/cluster_daemon/cluster_rig.h"

namespace earshot::testing {

// Publishes `count` complaints, by distinct authors "<prefix>c<nnn>", evenly over `over`, on
// its own thread, spread over the rig's sources.
class Storm {
 public:
  Storm(ClusterRig& rig, std::string prefix, int count, std::chrono::milliseconds over);
  ~Storm() { Join(); }
  void Join();
  const std::set<std::string>& authors() const { return authors_; }

 private:
  std::set<std::string> authors_;
  std::jthread thread_;
};

struct PageTally {
  size_t lines = 0;
  size_t lost = 0;
  size_t duplicated_lines = 0;
  size_t duplicated_keys = 0;
  std::vector<std::string> problems;  // one line each, for the failure message

  PageTally& operator+=(const PageTally& t);
  bool clean() const { return lost == 0 && duplicated_lines == 0 && duplicated_keys == 0; }
};

// Counts `pages` (the file's lines) against the published `authors`. Lines for authors not in
// `authors` are ignored when `others_ok` (an earlier trial's complaints in the same file).
PageTally CountPages(const std::vector<Escalation>& pages, const std::set<std::string>& authors,
                     bool others_ok = false);
// Waits up to `timeout` until every author has an `open` line, then `settle` more for a late
// duplicate to show; false when some never arrived.
bool WaitAllPaged(const ClusterRig& rig, const std::set<std::string>& authors,
                  std::chrono::milliseconds timeout,
                  std::chrono::milliseconds settle = std::chrono::milliseconds(1500));

}  // namespace earshot::testing
