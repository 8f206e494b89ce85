// The names of earshot's streams, subjects and buckets on NATS, all under one prefix
// (cluster.prefix, "earshot" by default), so that two deployments can share an account.
#pragma once

#include <string>

namespace earshot::cluster {

struct ClusterNames {
  explicit ClusterNames(std::string prefix);

  std::string prefix;
  // The state log: escalator commits and state ops, in one order (state_log.h).
  std::string state_stream;    // "EARSHOT_STATE"
  std::string commit_subject;  // "earshot.state.commit"
  std::string op_subject;      // "earshot.state.op"
  // Batches of detected posts, from every source's poller to the escalator's leader.
  std::string batch_stream;    // "EARSHOT_BATCHES"
  std::string batch_subject;   // "earshot.batches"
  std::string leases_bucket;   // "earshot_leases"
  std::string nodes_bucket;    // "earshot_nodes"
};

}  // namespace earshot::cluster
