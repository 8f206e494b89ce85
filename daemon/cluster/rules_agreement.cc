#include "daemon/cluster/rules_agreement.h"

#include <map>
#include <utility>

namespace earshot::cluster {

Agreement JudgeAgreement(const std::vector<NodeRecord>& nodes) {
  struct Tally {
    size_t count = 0;
    SystemTime earliest_start = SystemTime::max();
  };
  std::map<std::pair<std::string, std::string>, Tally> tallies;
  for (const NodeRecord& n : nodes) {
    Tally& t = tallies[{n.rules_hash, n.config_hash}];
    ++t.count;
    if (n.started < t.earliest_start) t.earliest_start = n.started;
  }
  Agreement out;
  const std::pair<const std::pair<std::string, std::string>, Tally>* best = nullptr;
  for (const auto& entry : tallies) {
    if (best == nullptr || entry.second.count > best->second.count ||
        (entry.second.count == best->second.count &&
         entry.second.earliest_start < best->second.earliest_start)) {
      best = &entry;
    }
  }
  if (best == nullptr) return out;
  out.rules_hash = best->first.first;
  out.config_hash = best->first.second;
  out.agreeing = best->second.count;
  for (const NodeRecord& n : nodes) {
    if (!out.Agrees(n)) out.differing.push_back(n.node);
  }
  return out;
}

}  // namespace earshot::cluster
