// NodeRegistry: the nodes alive now, in the <prefix>_nodes KV bucket. Each node writes its
// NodeRecord (version, rules and config hashes, leases held) at every lease round; the bucket's
// ttl forgets a node that stopped writing, so a dead node drops out of the count the leases are
// shared by without anyone declaring it dead.
//
// Threads: thread-safe.
#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/cluster/cluster_records.h"
#include "daemon/nats/kv_bucket.h"

namespace earshot::cluster {

class NodeRegistry {
 public:
  // `read_timeout` bounds Live (0 = the client's default). The lease keeper reads it inside its
  // round, between two renewals: a read that waits out the client's seconds while NATS is
  // degraded (a server lost) delays the next renewal past the lease's deadline, and every lease
  // is lost and taken again round after round.
  explicit NodeRegistry(nats::KvBucket& bucket,
                        std::chrono::milliseconds read_timeout = std::chrono::milliseconds(0))
      : bucket_(bucket), read_timeout_(read_timeout) {}

  // Writes (or refreshes) this node's record.
  Status Beat(const NodeRecord& record);
  // Removes the node's record (a clean stop), so the others rebalance at once.
  Status Leave(std::string_view node);
  // Every node with a record, by name. A record earshot cannot read is skipped.
  Result<std::vector<NodeRecord>> Live();

 private:
  nats::KvBucket& bucket_;
  std::chrono::milliseconds read_timeout_;
};

}  // namespace earshot::cluster
