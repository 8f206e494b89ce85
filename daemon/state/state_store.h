// StateStore: everything earshot must remember across a restart, in one SQLite database (WAL)
// under the state directory: source cursors, recently seen post ids, incidents (with their
// momentum counts), the outbox of promised escalations, each sink's delivery cursor, dead
// letters, the brand hashtags seen, the escalator's surge counts, acknowledgements, resolutions by
// hand and silences.
//
// It implements one interface per role, and each part of earshot sees only its own:
//   IncidentStore  the escalator: its caches, its per-batch reads, the one Commit per batch
//   OutboxStore    the sink runners and `earshot deadletter`: the outbox, cursors, dead letters
//   CursorStore    the pollers: source cursors, the posts to re-check for deletion
//   OperatorStore  `earshot incidents`, `ack`, `silence`, `report` and a console: incidents, acks,
//                  silences
// so another store (a clustered one, say) can take over one role without the rest. Commands
// that open a database by path open this class, and hand their logic only the role it needs.
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
#include "daemon/state/cursor_store.h"
#include "daemon/state/incident_store.h"
#include "daemon/state/operator_store.h"
#include "daemon/state/outbox_store.h"

namespace earshot {

class StateStore final : public IncidentStore,
                         public OutboxStore,
                         public CursorStore,
                         public OperatorStore {
 public:
  // Opens (creating if needed) `path` and migrates its schema. Use ":memory:" only in tests that
  // do not reopen. kUnavailable names the path and the SQLite error (permissions, full disk).
  static Result<std::unique_ptr<StateStore>> Open(const std::filesystem::path& path);

  ~StateStore() override;

  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // ---- CursorStore -----------------------------------------------------------------------------
  Result<std::optional<std::string>> LoadCursor(std::string_view source) override;
  Result<std::vector<std::string>> PostsToRecheck(std::string_view source, size_t limit) override;

  // ---- OutboxStore (MaxOutboxSeq serves IncidentStore too) -------------------------------------
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

  // ---- IncidentStore (LoadActiveIncidents, LoadIncident, LoadIncidentPosts and ListSilences
  // serve OperatorStore too) --------------------------------------------------------------------
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

  // ---- a cluster node's positions (docs/cluster.md) -----------------------------------------
  // The sequence stored under `name` ("state_log", "last_commit", "batch_input"), 0 when none.
  Result<uint64_t> LoadPosition(std::string_view name);
  // Stores `seq` under `name` unless a higher one is stored already.
  Status SavePosition(std::string_view name, uint64_t seq);

  // ---- schema and tests ----------------------------------------------------------------------
  // The schema version this file is at, and the newest this build knows.
  Result<int> SchemaVersion();
  static int LatestSchemaVersion();
  // Caps the database at `max_pages` pages (PRAGMA max_page_count), so tests can make a "full
  // disk" honestly: SQLite then fails writes with SQLITE_FULL, as on a full file system.
  Status LimitPagesForTesting(int64_t max_pages);

 private:
  StateStore() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace earshot
