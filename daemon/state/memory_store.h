// MemoryStore: the escalator's and the operators' state in memory, for a process whose state
// ends with it: `earshot replay --escalate` replays history through the real escalator and
// throws the incidents away after its report. Nothing is written to disk, so no commit waits on
// SQLite's pager or journal, and a replay runs at the detector's pace rather than the store's.
//
// It answers every IncidentStore and OperatorStore question exactly as StateStore does for the
// same commits (tests/state/store_contract_test.cc runs one suite against both): times are kept
// to the millisecond, scores that are not finite read back as 0, a post's truncation mark is not
// kept, an edited post keeps its first counts and its url, an escalator's "open" never undoes an
// acknowledgement, and reads come back in the same order. It keeps no outbox text (MaxOutboxSeq
// only: no sink reads a replay's outbox) and no source cursors.
//
// Threads: every method is thread-safe (one mutex), as the interfaces require.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/base/mutex.h"
#include "daemon/state/incident_store.h"
#include "daemon/state/operator_store.h"

namespace earshot {

class MemoryStore final : public IncidentStore, public OperatorStore {
 public:
  MemoryStore() = default;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

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
  Result<uint64_t> MaxOutboxSeq() override;
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
  struct StoredPost {
    PostRef post;
    Engagement engagement;
  };
  struct Incident {
    IncidentRecord record;
    std::vector<StoredPost> posts;      // in the order first attached
    std::vector<IncidentEvent> events;  // oldest first
  };
  struct TransparentHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using StringSet = std::set<std::string, std::less<>>;

  Incident* Find(std::string_view id) REQUIRES(mu_);
  bool ResolvePending(std::string_view id) const REQUIRES(mu_);
  void Apply(const EscalatorCommit& c) REQUIRES(mu_);
  void AttachPost(const IncidentPost& ip) REQUIRES(mu_);

  Mutex mu_;
  std::map<std::string, Incident, std::less<>> incidents_ GUARDED_BY(mu_);
  // Post id -> the incidents carrying it (IncidentsWithPosts: a deleted post resolves them).
  std::unordered_map<std::string, StringSet, TransparentHash, std::equal_to<>> incidents_by_post_
      GUARDED_BY(mu_);
  // "source\npost_id" -> when first seen.
  std::unordered_map<std::string, SystemTime, TransparentHash, std::equal_to<>> seen_
      GUARDED_BY(mu_);
  std::map<std::string, SurgeKeyRecord, std::less<>> surge_keys_ GUARDED_BY(mu_);
  std::map<std::string, BrandHashtagRecord, std::less<>> hashtags_ GUARDED_BY(mu_);
  std::map<int64_t, PendingAck> pending_acks_ GUARDED_BY(mu_);
  int64_t next_ack_id_ GUARDED_BY(mu_) = 1;
  std::map<int64_t, PendingResolve> pending_resolves_ GUARDED_BY(mu_);
  int64_t next_resolve_id_ GUARDED_BY(mu_) = 1;
  std::map<int64_t, SilenceRecord> silences_ GUARDED_BY(mu_);  // by the number in "sil-N"
  int64_t next_silence_ GUARDED_BY(mu_) = 1;
  uint64_t max_seq_ GUARDED_BY(mu_) = 0;
};

}  // namespace earshot
