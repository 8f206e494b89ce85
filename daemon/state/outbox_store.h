// OutboxStore: the sinks' side of the state store. Each sink runner reads the outbox the
// escalator wrote, keeps its own delivery cursor and parks what it gave up on as dead letters;
// `earshot deadletter` lists and requeues those.
//
// Threads: one OutboxStore is shared by every sink runner and the main thread; every method is
// thread-safe. A runner of another process (the daemon, while `earshot deadletter retry` runs)
// may use the same database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/state/outbox_record.h"

namespace earshot {

// An escalation a sink gave up on, with the reason (never a secret).
struct DeadLetter {
  std::string sink;
  uint64_t seq = 0;
  std::string reason;
  SystemTime at{};
  // Flagged by RequeueDeadLetters: the sink's runner sends it again soon.
  bool redeliver = false;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // ---- outbox (read side; the escalator writes it through IncidentStore::Commit) ----------------
  // Records with seq > after_seq, ascending, at most `limit`.
  virtual Result<std::vector<OutboxRecord>> ReadOutbox(uint64_t after_seq, size_t limit) = 0;
  // The highest seq ever written, 0 for an empty outbox.
  virtual Result<uint64_t> MaxOutboxSeq() = 0;

  // ---- sink delivery ---------------------------------------------------------------------------
  // The last seq this sink delivered (or dead-lettered); 0 when the sink is new. A new sink
  // starts at the current MaxOutboxSeq, not at 0, unless the caller chooses otherwise.
  virtual Result<std::optional<uint64_t>> LoadSinkCursor(std::string_view sink) = 0;
  virtual Status SaveSinkCursor(std::string_view sink, uint64_t seq) = 0;
  // Parks `seq` for `sink` and moves the sink's cursor past it, in one transaction.
  virtual Status AddDeadLetter(const DeadLetter& letter) = 0;
  virtual Result<std::vector<DeadLetter>> ListDeadLetters(std::string_view sink = {}) = 0;
  // Flags dead letters of `sink` for redelivery (`earshot deadletter retry`): the given seqs, or
  // every one of the sink's when `seqs` is empty. The sink's runner (possibly in the daemon,
  // another process) finds them at its next outbox check and sends each again with its original
  // seq, so the receiver's idempotency key stays the same; its cursor does not move. kNotFound,
  // with nothing flagged, when a seq is not a dead letter of `sink` or the sink has none.
  virtual Status RequeueDeadLetters(std::string_view sink, const std::vector<uint64_t>& seqs) = 0;
  // The seqs of `sink` flagged for redelivery, ascending.
  virtual Result<std::vector<uint64_t>> LoadRedeliveries(std::string_view sink) = 0;
  // A redelivered seq was acknowledged: forgets its dead letters.
  virtual Status ClearDeadLetter(std::string_view sink, uint64_t seq) = 0;
  // A redelivery failed for good: keeps the dead letter with the new reason and time, unflagged.
  virtual Status UpdateDeadLetter(const DeadLetter& letter) = 0;
};

}  // namespace earshot
