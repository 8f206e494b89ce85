// StateLog: the one ordered, replicated record of every change to earshot's state in a cluster
// (a JetStream stream, <PREFIX>_STATE). Two kinds of message:
//   - commit: one escalator step's EscalatorCommit, whole (incidents, outbox, cursors and all),
//     so a step lands entirely or not at all, as in one SQLite transaction. Only the leader
//     appends them, and each append names the sequence of the last commit it applied: a
//     leader that was replaced while paused finds another commit there and is refused
//     (kAborted) before anything it decided reaches a sink.
//   - op: an operator's or a sink runner's change (state_ops.h), from any node.
// Every node applies the whole log, in order, to its own SQLite file (StateReplica), so any
// node can lead, poll or deliver next.
//
// Threads: thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/cluster/cluster_names.h"
#include "daemon/nats/jetstream.h"
#include "daemon/nats/nats_connection.h"
#include "daemon/nats/ordered_reader.h"

namespace earshot::cluster {

class StateLog {
 public:
  StateLog(const nats::Connection& connection, ClusterNames names, int replicas);

  // Creates the stream when no node has yet.
  Status Ensure();
  // Appends an encoded EscalatorCommit. It lands only while the last commit in the log is still
  // `after` (0: none yet); otherwise kAborted, as another leader has committed since. `msg_id`
  // makes a retry after a lost acknowledgement land once (the server answers with the first
  // one's sequence).
  Result<uint64_t> AppendCommit(std::string_view encoded, uint64_t after, std::string_view msg_id);
  // Appends an encoded StateOp.
  Result<uint64_t> AppendOp(std::string_view encoded, std::string_view msg_id);
  // The log's last sequence now (0 when empty): what a node must have applied to be current.
  Result<uint64_t> LastSeq();
  // Reads the log from `seq` on.
  Result<std::unique_ptr<nats::OrderedReader>> ReadFrom(uint64_t seq);

  const ClusterNames& names() const { return names_; }

 private:
  const nats::Connection& connection_;
  const ClusterNames names_;
  const int replicas_;
};

}  // namespace earshot::cluster
