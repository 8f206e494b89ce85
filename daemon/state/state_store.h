// StateStore: everything earshot must remember across a restart, in one SQLite database (WAL)
// under the state directory: source cursors, recently seen post ids, incidents, the outbox of
// promised escalations, each sink's delivery cursor, and dead letters.
//
// The escalator is the only writer of incidents, the outbox and source cursors, and it writes
// them in one transaction per batch (Commit), so a crash either keeps all of a batch's effects
// or none: a cursor never moves past a post whose escalation is not in the outbox.
//
// Threads: one StateStore is shared by the escalator, every sink runner and the main thread. Every
// method is thread-safe (one connection behind a mutex: SQLite commits are the cost, not the lock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/base/status.h"

namespace earshot {

// One promised escalation: its sequence number and its wire JSON (sinks/escalation_json.h).
struct OutboxRecord {
  uint64_t seq = 0;
  std::string json;
  SystemTime created_at{};
};

// An escalation a sink gave up on, with the reason (never a secret).
struct DeadLetter {
  std::string sink;
  uint64_t seq = 0;
  std::string reason;
  SystemTime at{};
};

class StateStore {
 public:
  // Opens (creating if needed) `path` and migrates its schema. Use ":memory:" only in tests that
  // do not reopen. kUnavailable names the path and the SQLite error (permissions, full disk).
  static Result<std::unique_ptr<StateStore>> Open(const std::filesystem::path& path);
  ~StateStore();

  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // ---- sources --------------------------------------------------------------------------------
  // The cursor last committed for `source`, nullopt when there is none yet.
  Result<std::optional<std::string>> LoadCursor(std::string_view source);

  // ---- outbox (read side; the escalator writes it through its commit) --------------------------
  // Records with seq > after_seq, ascending, at most `limit`.
  Result<std::vector<OutboxRecord>> ReadOutbox(uint64_t after_seq, size_t limit);
  // The highest seq ever written, 0 for an empty outbox.
  Result<uint64_t> MaxOutboxSeq();

  // ---- sink delivery ---------------------------------------------------------------------------
  // The last seq this sink delivered (or dead-lettered); 0 when the sink is new. A new sink
  // starts at the current MaxOutboxSeq, not at 0, unless the caller chooses otherwise.
  Result<std::optional<uint64_t>> LoadSinkCursor(std::string_view sink);
  Status SaveSinkCursor(std::string_view sink, uint64_t seq);
  // Parks `seq` for `sink` and moves the sink's cursor past it, in one transaction.
  Status AddDeadLetter(const DeadLetter& letter);
  Result<std::vector<DeadLetter>> ListDeadLetters(std::string_view sink = {});

  // The escalator's part of the store (incidents, seen posts, the batch commit) is declared
  // below by the escalator room.

 private:
  StateStore() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace earshot
