// StateReplica: this node's copy of the cluster's state. A thread reads the state log in order
// and applies each message to the node's own SQLite file (the StateStore a single node uses),
// noting the log position with it; a restart resumes after the last message applied, and a new
// node starts from the log's first message.
//
// Everything on the node reads its state from this file: the escalator when this node leads,
// the pollers' cursors, the sink runners' outbox and cursors, the console. A node about to
// lead, poll or deliver first waits until it has applied all the log holds (CatchUp), so it
// works from where the last holder stopped.
//
// A message that cannot be decoded is logged, counted and passed over: it came from an earshot
// of another version or from a hand on NATS, and a node that stopped there would stop for
// good. A message the file cannot take now (a full disk) is retried until it can: passing it
// over would leave this node's copy different from the others'.
//
// Threads: Start/Stop from the owning thread; the rest from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <stop_token>
#include <thread>
#include <utility>

#include "daemon/base/mutex.h"
#include "daemon/base/status.h"
#include "daemon/cluster/state_log.h"
#include "daemon/cluster/state_ops.h"
#include "daemon/nats/jetstream.h"
#include "daemon/state/incident_store.h"
#include "daemon/state/state_store.h"

namespace earshot::cluster {

class StateReplica {
 public:
  // Told of each commit applied, on the replica's thread (the app wakes its sink runners).
  using OnCommit = std::function<void(const EscalatorCommit&)>;

  StateReplica(StateLog& log, StateStore& store, OnCommit on_commit = nullptr);
  ~StateReplica();  // Stop()s

  StateReplica(const StateReplica&) = delete;
  StateReplica& operator=(const StateReplica&) = delete;

  // Reads the positions stored in the file and starts applying from there.
  Status Start();
  void Stop();

  // The last log sequence applied, and the last escalator commit's (what the leader's next
  // commit names as `after`).
  uint64_t applied() const;
  uint64_t last_commit() const;
  int64_t skipped() const;  // messages passed over, undecodable

  // Waits until the message at `seq` is applied. kDeadlineExceeded after `timeout`, kCancelled
  // when the replica stops.
  Status WaitApplied(uint64_t seq, std::chrono::milliseconds timeout);
  // Waits until every message the log holds now is applied.
  Status CatchUp(std::chrono::milliseconds timeout);
  // What applying the op at `seq` returned, for the node that logged it (an ack of an unknown
  // incident is kNotFound on every node alike). Call after WaitApplied(seq).
  Status OutcomeOf(uint64_t seq) const;

  // Applies one message now, on the caller's thread (the replica's own loop, and tests).
  Status Apply(const nats::StoredMessage& message);

 private:
  void Run(std::stop_token stop);
  Status ApplyOp(uint64_t seq, const StateOp& op);
  void Applied(uint64_t seq, bool commit, Status outcome);

  StateLog& log_;
  StateStore& store_;
  const OnCommit on_commit_;

  mutable Mutex mu_;
  std::condition_variable_any applied_cv_;
  uint64_t applied_ GUARDED_BY(mu_) = 0;
  uint64_t last_commit_ GUARDED_BY(mu_) = 0;
  int64_t skipped_ GUARDED_BY(mu_) = 0;
  bool stopped_ GUARDED_BY(mu_) = false;
  // The outcomes of the last ops applied, oldest first, for OutcomeOf.
  std::deque<std::pair<uint64_t, Status>> outcomes_ GUARDED_BY(mu_);
  std::jthread thread_;
};

}  // namespace earshot::cluster
