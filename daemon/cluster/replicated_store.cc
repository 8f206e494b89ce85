#include "daemon/cluster/replicated_store.h"

#include <fmt/format.h>

#include <random>

#include "daemon/base/log.h"
#include "daemon/cluster/commit_codec.h"
#include "daemon/cluster/op_codec.h"

namespace earshot::cluster {

ReplicatedStore::ReplicatedStore(StateStore& local, StateLog& log, StateReplica& replica,
                                 std::string node, std::chrono::milliseconds apply_wait)
    : local_(local),
      log_(log),
      replica_(replica),
      node_(std::move(node)),
      apply_wait_(apply_wait),
      incarnation_(std::random_device{}()) {}

Result<uint64_t> ReplicatedStore::LogOp(const StateOp& op) {
  // One id per op of this process: a publish retried after a lost acknowledgement lands once.
  const std::string msg_id =
      fmt::format("op:{}:{:x}:{}", node_, incarnation_, ops_logged_.fetch_add(1) + 1);
  EARSHOT_ASSIGN_OR_RETURN(uint64_t seq, log_.AppendOp(EncodeOp(op), msg_id));
  EARSHOT_RETURN_IF_ERROR(replica_.WaitApplied(seq, apply_wait_));
  EARSHOT_RETURN_IF_ERROR(replica_.OutcomeOf(seq));
  return seq;
}

// ---- CursorStore ----------------------------------------------------------------------------

Result<std::optional<std::string>> ReplicatedStore::LoadCursor(std::string_view source) {
  return local_.LoadCursor(source);
}
Result<std::vector<std::string>> ReplicatedStore::PostsToRecheck(std::string_view source,
                                                                 size_t limit) {
  return local_.PostsToRecheck(source, limit);
}

// ---- OutboxStore ----------------------------------------------------------------------------

Result<std::vector<OutboxRecord>> ReplicatedStore::ReadOutbox(uint64_t after_seq, size_t limit) {
  return local_.ReadOutbox(after_seq, limit);
}
Result<uint64_t> ReplicatedStore::MaxOutboxSeq() { return local_.MaxOutboxSeq(); }
Result<std::optional<uint64_t>> ReplicatedStore::LoadSinkCursor(std::string_view sink) {
  return local_.LoadSinkCursor(sink);
}
Status ReplicatedStore::SaveSinkCursor(std::string_view sink, uint64_t seq) {
  return LogOp(SinkCursorOp{std::string(sink), seq}).status();
}
Status ReplicatedStore::AddDeadLetter(const DeadLetter& letter) {
  return LogOp(DeadLetterOp{letter, false}).status();
}
Result<std::vector<DeadLetter>> ReplicatedStore::ListDeadLetters(std::string_view sink) {
  return local_.ListDeadLetters(sink);
}
Status ReplicatedStore::RequeueDeadLetters(std::string_view sink,
                                           const std::vector<uint64_t>& seqs) {
  return LogOp(RequeueOp{std::string(sink), seqs}).status();
}
Result<std::vector<uint64_t>> ReplicatedStore::LoadRedeliveries(std::string_view sink) {
  return local_.LoadRedeliveries(sink);
}
Status ReplicatedStore::ClearDeadLetter(std::string_view sink, uint64_t seq) {
  return LogOp(ClearDeadLetterOp{std::string(sink), seq}).status();
}
Status ReplicatedStore::UpdateDeadLetter(const DeadLetter& letter) {
  return LogOp(DeadLetterOp{letter, true}).status();
}

// ---- IncidentStore --------------------------------------------------------------------------

Result<bool> ReplicatedStore::IsPostSeen(std::string_view source, std::string_view post_id) {
  return local_.IsPostSeen(source, post_id);
}
Result<std::vector<bool>> ReplicatedStore::ArePostsSeen(
    std::string_view source, const std::vector<std::string_view>& post_ids) {
  return local_.ArePostsSeen(source, post_ids);
}
Result<std::optional<IncidentRecord>> ReplicatedStore::LoadIncident(std::string_view id) {
  return local_.LoadIncident(id);
}
Result<std::vector<IncidentRecord>> ReplicatedStore::LoadIncidents(
    const std::vector<std::string>& ids) {
  return local_.LoadIncidents(ids);
}
Result<std::vector<IncidentRecord>> ReplicatedStore::LoadActiveIncidents() {
  return local_.LoadActiveIncidents();
}
Result<std::vector<PostRef>> ReplicatedStore::LoadIncidentPosts(std::string_view incident_id,
                                                                size_t limit) {
  return local_.LoadIncidentPosts(incident_id, limit);
}
Result<std::optional<Engagement>> ReplicatedStore::LoadPostEngagement(
    std::string_view incident_id, std::string_view network, std::string_view post_id) {
  return local_.LoadPostEngagement(incident_id, network, post_id);
}
Result<bool> ReplicatedStore::IncidentHasAuthor(std::string_view incident_id,
                                                std::string_view author) {
  return local_.IncidentHasAuthor(incident_id, author);
}
Result<std::vector<std::string>> ReplicatedStore::IncidentsWithPosts(
    const std::vector<std::string>& post_ids) {
  return local_.IncidentsWithPosts(post_ids);
}
Result<std::vector<std::string>> ReplicatedStore::AcknowledgedIncidentIds() {
  return local_.AcknowledgedIncidentIds();
}
Result<std::vector<PendingAck>> ReplicatedStore::LoadPendingAcks() {
  return local_.LoadPendingAcks();
}
Result<std::vector<PendingResolve>> ReplicatedStore::LoadPendingResolves() {
  return local_.LoadPendingResolves();
}
Result<std::vector<SurgeKeyRecord>> ReplicatedStore::LoadSurgeKeys() {
  return local_.LoadSurgeKeys();
}
Result<std::vector<BrandHashtagRecord>> ReplicatedStore::LoadBrandHashtags() {
  return local_.LoadBrandHashtags();
}
Result<std::vector<SilenceRecord>> ReplicatedStore::ListSilences(SystemTime now,
                                                                 bool active_only) {
  return local_.ListSilences(now, active_only);
}

void ReplicatedStore::SetLeaderEpoch(uint64_t epoch) {
  MutexLock lock(term_mu_);
  leader_epoch_ = epoch;
  term_base_ = replica_.last_commit();
  term_broken_ = false;
}

bool ReplicatedStore::term_broken() const {
  MutexLock lock(term_mu_);
  return term_broken_;
}

Status ReplicatedStore::Commit(const EscalatorCommit& commit) {
  MutexLock lock(term_mu_);
  // Fenced on what the term's state was built from, not on the replica's last commit now: a
  // paused leader's replica may apply its successor's commit before the old leader's escalator
  // appends, and naming that commit would let the stale step land after it.
  if (term_broken_) {
    return Status::Aborted("this node's term as leader ended with a commit whose outcome is "
                           "unknown; it starts a new term from the state log");
  }
  const uint64_t after = term_base_.value_or(replica_.last_commit());
  const std::string msg_id = fmt::format("commit:{}:{}:{}", node_, leader_epoch_, after);
  Result<uint64_t> seq = log_.AppendCommit(EncodeCommit(commit), after, msg_id);
  if (!seq.ok()) {
    // kAborted: another node leads. Anything else (a timeout, NATS away) leaves the outcome
    // unknown: the step may have landed. Running it again could page twice, and the escalator's
    // memory may no longer match the log, so the term ends; the app starts a new one, whose
    // escalator reads the state from the log (App::OnLeaseRound).
    // kAborted ends the term too: the log moved past what the term was built from (a deposed
    // leader's last commit landed after this term began), and every retry of this step names
    // the same position and is refused again, forever, while this node keeps the lease. A new
    // term starts from the log when this node still holds it (App::RestartBrokenTerm).
    term_broken_ = true;
    return seq.status();
  }
  if (term_base_) term_base_ = *seq;
  // In the log: the step happened, and the escalator must not run it again. Wait for this
  // node's copy however long it takes (a slow disk), so that the next step reads it.
  while (true) {
    Status applied = replica_.WaitApplied(*seq, apply_wait_);
    if (applied.ok()) return applied;
    if (applied.code() == Status::Code::kCancelled) {
      term_broken_ = true;
      return applied;
    }
    log::Warn("cluster", "commit {} is in the state log but not applied here yet: {}; waiting",
              *seq, applied.message());
  }
}

Result<int64_t> ReplicatedStore::PruneSeenPosts(SystemTime before) {
  // Every node prunes its own copy when it applies the op; the count is this node's.
  EARSHOT_ASSIGN_OR_RETURN(uint64_t seq, LogOp(PruneSeenOp{before}));
  (void)seq;
  return int64_t{0};
}

// ---- OperatorStore --------------------------------------------------------------------------

Result<std::vector<IncidentRecord>> ReplicatedStore::ListIncidents(std::string_view status,
                                                                   size_t limit) {
  return local_.ListIncidents(status, limit);
}
Result<std::vector<IncidentEvent>> ReplicatedStore::LoadIncidentEvents(
    std::string_view incident_id) {
  return local_.LoadIncidentEvents(incident_id);
}
Result<std::vector<IncidentRecord>> ReplicatedStore::ListIncidentsOpenedBetween(SystemTime since,
                                                                                SystemTime until) {
  return local_.ListIncidentsOpenedBetween(since, until);
}
Status ReplicatedStore::AcknowledgeIncident(std::string_view id, std::string_view by,
                                            SystemTime now) {
  return LogOp(AckOp{std::string(id), std::string(by), now}).status();
}
Status ReplicatedStore::ResolveIncident(std::string_view id, std::string_view by,
                                        SystemTime now) {
  return LogOp(ResolveOp{std::string(id), std::string(by), now}).status();
}
Result<std::string> ReplicatedStore::AddSilence(const SilenceRecord& silence) {
  SilenceRecord logged = silence;
  logged.id.clear();  // named by its place in the log (StateReplica)
  EARSHOT_ASSIGN_OR_RETURN(uint64_t seq, LogOp(AddSilenceOp{logged}));
  return fmt::format("sil-{}", seq);
}
Status ReplicatedStore::ExpireSilence(std::string_view id, SystemTime now) {
  return LogOp(ExpireSilenceOp{std::string(id), now}).status();
}

}  // namespace earshot::cluster
