#include "daemon/cluster/state_replica.h"

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>

#include "daemon/base/log.h"
#include "daemon/base/stop.h"
#include "daemon/cluster/commit_codec.h"
#include "daemon/cluster/op_codec.h"

namespace earshot::cluster {
namespace {

constexpr const char* kComponent = "cluster";
constexpr size_t kOutcomesKept = 4096;

// A store error worth waiting out (the file cannot take the message now) rather than recording
// as the op's outcome.
bool Transient(const Status& s) {
  return s.code() == Status::Code::kUnavailable || s.code() == Status::Code::kResourceExhausted;
}

}  // namespace

StateReplica::StateReplica(StateLog& log, StateStore& store, OnCommit on_commit)
    : log_(log), store_(store), on_commit_(std::move(on_commit)) {}

StateReplica::~StateReplica() { Stop(); }

Status StateReplica::Start() {
  EARSHOT_ASSIGN_OR_RETURN(uint64_t applied, store_.LoadPosition("state_log"));
  EARSHOT_ASSIGN_OR_RETURN(uint64_t last_commit, store_.LoadPosition("last_commit"));
  {
    MutexLock lock(mu_);
    applied_ = applied;
    last_commit_ = last_commit;
  }
  log::Info(kComponent, "state replica resumes after log message {}", applied);
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
  return Status::Ok();
}

void StateReplica::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  MutexLock lock(mu_);
  stopped_ = true;
  applied_cv_.notify_all();
}

void StateReplica::Run(std::stop_token stop) {
  auto backoff = std::chrono::milliseconds(100);
  std::unique_ptr<nats::OrderedReader> reader;
  while (!stop.stop_requested()) {
    if (reader == nullptr) {
      auto opened = log_.ReadFrom(applied() + 1);
      if (!opened.ok()) {
        log::Warn(kComponent, "reading the state log: {}; retrying in {}ms",
                  opened.status().message(), backoff.count());
        if (!SleepFor(stop, backoff)) return;
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
        continue;
      }
      reader = *std::move(opened);
      backoff = std::chrono::milliseconds(100);
    }
    auto next = reader->Next(std::chrono::milliseconds(200));
    if (!next.ok()) {
      log::Warn(kComponent, "reading the state log: {}; reopening", next.status().message());
      reader.reset();
      continue;
    }
    if (!next->has_value()) continue;
    const nats::StoredMessage& message = **next;
    if (message.seq <= applied()) continue;
    // Applied in order or not at all: a message the file cannot take now is retried.
    auto wait = std::chrono::milliseconds(100);
    while (true) {
      Status s = Apply(message);
      if (s.ok()) break;
      log::Error(kComponent, {{"seq", message.seq}},
                 "applying state log message {}: {}; retrying in {}ms", message.seq, s.message(),
                 wait.count());
      if (!SleepFor(stop, wait)) return;
      wait = std::min(wait * 2, std::chrono::milliseconds(5000));
    }
  }
}

Status StateReplica::Apply(const nats::StoredMessage& message) {
  const std::string_view subject = message.subject;
  if (subject == log_.names().commit_subject) {
    auto commit = DecodeCommit(message.data);
    if (!commit.ok()) {
      log::Error(kComponent, {{"seq", message.seq}},
                 "state log message {} is not a commit this earshot can read ({}); passed over",
                 message.seq, commit.status().message());
      {
        MutexLock lock(mu_);
        ++skipped_;
      }
      // Still the last commit the next leader must name.
      EARSHOT_RETURN_IF_ERROR(store_.SavePosition("state_log", message.seq));
      EARSHOT_RETURN_IF_ERROR(store_.SavePosition("last_commit", message.seq));
      Applied(message.seq, true, Status::Ok());
      return Status::Ok();
    }
    commit->log_seq = message.seq;
    EARSHOT_RETURN_IF_ERROR(store_.Commit(*commit));
    Applied(message.seq, true, Status::Ok());
    if (on_commit_) on_commit_(*commit);
    return Status::Ok();
  }
  Status outcome = Status::Ok();
  if (subject == log_.names().op_subject) {
    auto op = DecodeOp(message.data);
    if (!op.ok()) {
      log::Error(kComponent, {{"seq", message.seq}},
                 "state log message {} is not an op this earshot can read ({}); passed over",
                 message.seq, op.status().message());
      MutexLock lock(mu_);
      ++skipped_;
      outcome = op.status();
    } else {
      outcome = ApplyOp(message.seq, *op);
      if (Transient(outcome)) return outcome;
    }
  } else {
    log::Warn(kComponent, "state log message {} on unknown subject {}; passed over", message.seq,
              subject);
  }
  EARSHOT_RETURN_IF_ERROR(store_.SavePosition("state_log", message.seq));
  Applied(message.seq, false, std::move(outcome));
  return Status::Ok();
}

Status StateReplica::ApplyOp(uint64_t seq, const StateOp& op) {
  return std::visit(
      [&](const auto& o) -> Status {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, AckOp>) {
          return store_.AcknowledgeIncident(o.incident_id, o.by, o.at);
        } else if constexpr (std::is_same_v<T, ResolveOp>) {
          return store_.ResolveIncident(o.incident_id, o.by, o.at);
        } else if constexpr (std::is_same_v<T, AddSilenceOp>) {
          // Its id is its place in the log: the same on every node, and once however often the
          // log is replayed.
          SilenceRecord silence = o.silence;
          silence.id = fmt::format("sil-{}", seq);
          return store_.AddSilence(silence).status();
        } else if constexpr (std::is_same_v<T, ExpireSilenceOp>) {
          return store_.ExpireSilence(o.id, o.at);
        } else if constexpr (std::is_same_v<T, SinkCursorOp>) {
          // Only forward. A node paused between a delivery and logging its cursor logs it on
          // resuming, after the sink's next holder logged later ones; moving the cursor back
          // would make the holder after that one send those escalations again.
          EARSHOT_ASSIGN_OR_RETURN(std::optional<uint64_t> now, store_.LoadSinkCursor(o.sink));
          if (now && *now >= o.seq) return Status::Ok();
          return store_.SaveSinkCursor(o.sink, o.seq);
        } else if constexpr (std::is_same_v<T, DeadLetterOp>) {
          if (o.update) return store_.UpdateDeadLetter(o.letter);
          // Parked once, however often the log is replayed.
          EARSHOT_ASSIGN_OR_RETURN(std::vector<DeadLetter> parked,
                                   store_.ListDeadLetters(o.letter.sink));
          for (const DeadLetter& d : parked) {
            if (d.seq == o.letter.seq && d.at == o.letter.at) return Status::Ok();
          }
          return store_.AddDeadLetter(o.letter);
        } else if constexpr (std::is_same_v<T, RequeueOp>) {
          return store_.RequeueDeadLetters(o.sink, o.seqs);
        } else if constexpr (std::is_same_v<T, ClearDeadLetterOp>) {
          return store_.ClearDeadLetter(o.sink, o.seq);
        } else {
          static_assert(std::is_same_v<T, PruneSeenOp>);
          return store_.PruneSeenPosts(o.before).status();
        }
      },
      op);
}

void StateReplica::Applied(uint64_t seq, bool commit, Status outcome) {
  MutexLock lock(mu_);
  applied_ = seq;
  if (commit) last_commit_ = seq;
  outcomes_.emplace_back(seq, std::move(outcome));
  if (outcomes_.size() > kOutcomesKept) outcomes_.pop_front();
  applied_cv_.notify_all();
}

uint64_t StateReplica::applied() const {
  MutexLock lock(mu_);
  return applied_;
}

uint64_t StateReplica::last_commit() const {
  MutexLock lock(mu_);
  return last_commit_;
}

int64_t StateReplica::skipped() const {
  MutexLock lock(mu_);
  return skipped_;
}

Status StateReplica::WaitApplied(uint64_t seq, std::chrono::milliseconds timeout) {
  MutexLock lock(mu_);
  const bool done = applied_cv_.wait_for(lock, timeout, [&] {
    mu_.AssertHeld();
    return applied_ >= seq || stopped_;
  });
  if (applied_ >= seq) return Status::Ok();
  if (stopped_) return Status::Cancelled("the state replica stopped");
  (void)done;
  return Status::DeadlineExceeded(fmt::format(
      "the state log's message {} was not applied within {}ms (applied: {})", seq,
      timeout.count(), applied_));
}

Status StateReplica::CatchUp(std::chrono::milliseconds timeout) {
  EARSHOT_ASSIGN_OR_RETURN(uint64_t last, log_.LastSeq());
  return WaitApplied(last, timeout);
}

Status StateReplica::OutcomeOf(uint64_t seq) const {
  MutexLock lock(mu_);
  for (auto it = outcomes_.rbegin(); it != outcomes_.rend(); ++it) {
    if (it->first == seq) return it->second;
  }
  return Status::Ok();
}

}  // namespace earshot::cluster
