// Whether the nodes run the same rules and config. Two nodes with different rules would judge
// the same post differently depending on which one holds its source's lease, so a difference
// must show: in /metrics (earshot_cluster_rules_agree), in the log, in `earshot cluster status`,
// and, with on_rules_mismatch: stand_by, by the odd node taking no lease.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "daemon/cluster/cluster_records.h"

namespace earshot::cluster {

struct Agreement {
  // The hashes most live nodes report; on a tie, those of the node that has run longest (a node
  // being upgraded should not win over the ones already serving).
  std::string rules_hash, config_hash;
  size_t agreeing = 0;                 // nodes reporting both
  std::vector<std::string> differing;  // the other nodes, by name
  bool Agrees(const NodeRecord& node) const {
    return node.rules_hash == rules_hash && node.config_hash == config_hash;
  }
};

Agreement JudgeAgreement(const std::vector<NodeRecord>& nodes);

}  // namespace earshot::cluster
