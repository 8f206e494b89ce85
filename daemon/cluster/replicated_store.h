// ReplicatedStore: the state store of a cluster node. It answers every question from the node's
// own copy (StateStore, kept current by StateReplica) and makes every change through the state
// log, so that all nodes make it, in the same order:
//   - the escalator's Commit lands only while this node still leads (StateLog::AppendCommit
//     names the last commit this node applied; a replaced leader is refused, kAborted);
//   - the operators' changes (ack, resolve, silences) and the sink runners' (cursors, dead
//     letters) are logged as ops from whichever node served them.
// A change returns once this node has applied it, so a write is followed by a read that sees
// it, as on a single node; an operator's call returns the outcome every node got (an ack of an
// unknown incident is kNotFound).
//
// Threads: thread-safe, as the interfaces require.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "daemon/base/mutex.h"
#include "daemon/cluster/state_log.h"
#include "daemon/cluster/state_ops.h"
#include "daemon/cluster/state_replica.h"
#include "daemon/state/cursor_store.h"
#include "daemon/state/incident_store.h"
#include "daemon/state/operator_store.h"
#include "daemon/state/outbox_store.h"
#include "daemon/state/state_store.h"

namespace earshot::cluster {

class ReplicatedStore final : public IncidentStore,
                              public OutboxStore,
                              public CursorStore,
                              public OperatorStore {
 public:
  // `apply_wait` bounds how long a change waits to be applied here after the log took it.
  ReplicatedStore(StateStore& local, StateLog& log, StateReplica& replica, std::string node,
                  std::chrono::milliseconds apply_wait = std::chrono::seconds(10));

  // Begins a term as the escalator's leader, under the lease epoch `epoch`; call it once this
  // node has caught up with the log and before the term reads its state. The epoch names the
  // commits this node appends, so that a retry after a lost acknowledgement lands once and a
  // predecessor's never passes for this node's. The term's commits are fenced on the last
  // commit applied now and then on the term's own: a commit by any other node since, even one
  // this node's replica has applied meanwhile, refuses the term's next commit (kAborted), as
  // the term decided from a state that no longer holds.
  void SetLeaderEpoch(uint64_t epoch);
  // True once a commit of this term failed: its outcome unknown (a timeout, NATS away) or
  // refused by the fence (the log moved past the term's base). The term's commits are refused
  // from then on, and the app starts a new term when this node still holds the lease.
  bool term_broken() const;

  // ---- CursorStore -----------------------------------------------------------------------------
  Result<std::optional<std::string>> LoadCursor(std::string_view source) override;
  Result<std::vector<std::string>> PostsToRecheck(std::string_view source, size_t limit) override;

  // ---- OutboxStore -----------------------------------------------------------------------------
  Result<std::vector<OutboxRecord>> ReadOutbox(uint64_t after_seq, size_t limit) override;
  Result<uint64_t> MaxOutboxSeq() override;
  Result<std::optional<uint64_t>> LoadSinkCursor(std::string_view sink) override;
  Status SaveSinkCursor(std::string_view sink, uint64_t seq) override;
  Status AddDeadLetter(const DeadLetter& letter) override;
  Result<std::vector<DeadLetter>> ListDeadLetters(std::string_view sink = {}) override;
  Status RequeueDeadLetters(std::string_view sink, const std::vector<uint64_t>& seqs) override;
  Result<std::vector<uint64_t>> LoadRedeliveries(std::string_view sink) override;
  Status ClearDeadLetter(std::string_view sink, uint64_t seq) override;
  Status UpdateDeadLetter(const DeadLetter& letter) override;

  // ---- IncidentStore ---------------------------------------------------------------------------
  Result<bool> IsPostSeen(std::string_view source, std::string_view post_id) override;
  Result<std::vector<bool>> ArePostsSeen(std::string_view source,
                                         const std::vector<std::string_view>& post_ids) override;
  Result<std::optional<IncidentRecord>> LoadIncident(std::string_view id) override;
  Result<std::vector<IncidentRecord>> LoadIncidents(const std::vector<std::string>& ids) override;
  Result<std::vector<IncidentRecord>> LoadActiveIncidents() override;
  Result<std::vector<PostRef>> LoadIncidentPosts(std::string_view incident_id,
                                                 size_t limit) override;
  Result<std::optional<Engagement>> LoadPostEngagement(std::string_view incident_id,
                                                       std::string_view network,
                                                       std::string_view post_id) override;
  Result<bool> IncidentHasAuthor(std::string_view incident_id, std::string_view author) override;
  Result<std::vector<std::string>> IncidentsWithPosts(
      const std::vector<std::string>& post_ids) override;
  Result<std::vector<std::string>> AcknowledgedIncidentIds() override;
  Result<std::vector<PendingAck>> LoadPendingAcks() override;
  Result<std::vector<PendingResolve>> LoadPendingResolves() override;
  Result<std::vector<SurgeKeyRecord>> LoadSurgeKeys() override;
  Result<std::vector<BrandHashtagRecord>> LoadBrandHashtags() override;
  Result<std::vector<SilenceRecord>> ListSilences(SystemTime now, bool active_only) override;
  // Appends the commit to the state log (fenced: kAborted when another node committed since
  // the term began, see SetLeaderEpoch; without a term, since the last commit applied here) and
  // returns once this node applied it.
  Status Commit(const EscalatorCommit& commit) override;
  Result<int64_t> PruneSeenPosts(SystemTime before) override;

  // ---- OperatorStore ---------------------------------------------------------------------------
  Result<std::vector<IncidentRecord>> ListIncidents(std::string_view status, size_t limit) override;
  Result<std::vector<IncidentEvent>> LoadIncidentEvents(std::string_view incident_id) override;
  Result<std::vector<IncidentRecord>> ListIncidentsOpenedBetween(SystemTime since,
                                                                 SystemTime until) override;
  Status AcknowledgeIncident(std::string_view id, std::string_view by, SystemTime now) override;
  Status ResolveIncident(std::string_view id, std::string_view by, SystemTime now) override;
  Result<std::string> AddSilence(const SilenceRecord& silence) override;
  Status ExpireSilence(std::string_view id, SystemTime now) override;

 private:
  // Logs `op`, waits until this node applied it, and returns its sequence, or the op's outcome
  // when that was an error.
  Result<uint64_t> LogOp(const StateOp& op);

  StateStore& local_;
  StateLog& log_;
  StateReplica& replica_;
  const std::string node_;
  const std::chrono::milliseconds apply_wait_;
  // Held across a commit's append, so that the term's commits chain one after another.
  mutable Mutex term_mu_;
  bool term_broken_ GUARDED_BY(term_mu_) = false;
  uint64_t leader_epoch_ GUARDED_BY(term_mu_) = 0;
  // The last commit the term's state includes: the fence of its next commit. nullopt before the
  // first term.
  std::optional<uint64_t> term_base_ GUARDED_BY(term_mu_);
  std::atomic<uint64_t> ops_logged_{0};
  const uint64_t incarnation_;  // tells this process's op ids from an earlier run's
};

}  // namespace earshot::cluster
