// What `earshot cluster status` shows: the nodes alive with their versions, rules and config
// hashes, how far each is behind the state log, the leases and who holds them, and whether the
// rules agree. Read from NATS alone, so any host that reaches it can ask.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/cluster/cluster_names.h"
#include "daemon/cluster/cluster_records.h"
#include "daemon/cluster/lease_table.h"
#include "daemon/cluster/rules_agreement.h"
#include "daemon/nats/kv_bucket.h"
#include "daemon/nats/nats_connection.h"

namespace earshot::cluster {

struct ClusterStatus {
  std::string prefix;
  std::vector<NodeRecord> nodes;  // by name
  std::vector<LeaseView> leases;  // by name
  Agreement agreement;
  uint64_t log_last = 0;      // the state log's last message
  uint64_t batches_last = 0;  // the batch stream's last batch
};

// kUnavailable when NATS or the cluster's buckets cannot be read; a cluster no node has
// started yet reads as empty.
Result<ClusterStatus> ReadClusterStatus(const nats::Connection& connection,
                                        const ClusterNames& names);

// The status as aligned text, times relative to `now`.
std::string RenderClusterStatus(const ClusterStatus& status, SystemTime now);
// The status as one JSON object (nodes, leases, agreement, positions).
std::string ClusterStatusJson(const ClusterStatus& status);

}  // namespace earshot::cluster
