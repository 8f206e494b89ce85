// IncidentStore: the escalator's side of the state store. The escalator is the only writer of
// incidents, seen posts, the outbox, source cursors, surge counts and brand hashtags, and it
// writes them in one transaction per batch (Commit), so a crash either keeps all of a batch's
// effects or none: a cursor never moves past a post whose escalation is not in the outbox.
// The reads are the escalator's caches at start and its per-batch questions.
//
// Threads: every method is thread-safe; the escalator's thread calls them while the sink
// runners and the main thread use the same store through their own interfaces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/state/incident_records.h"
#include "daemon/state/outbox_record.h"
#include "daemon/state/silence_record.h"

namespace earshot {

struct SeenPost {
  std::string source, post_id;
  SystemTime seen_at{};
};

// A hashtag containing a configured brand's name, as first seen on a complaint. `incident_id`
// is the "new-hashtag" incident it opened ("" until it reached min_posts).
struct BrandHashtagRecord {
  std::string hashtag;  // lowercase, without '#': "boycottacmeair"
  std::string brand;    // the brand it contains, normalized: "acmeair"
  SystemTime first_seen{};
  std::string first_network, first_post_id, first_post_url;
  int64_t count = 0;  // complaints seen carrying it
  std::string incident_id;
  bool operator==(const BrandHashtagRecord&) const = default;
};

// One surge key of the escalator's SurgeDetector (daemon/escalator/surge.h), as stored.
struct SurgeEventRecord {
  SystemTime at{};
  std::string author;
  bool operator==(const SurgeEventRecord&) const = default;
};
struct SurgeKeyRecord {
  std::string key;  // "rule:lost-baggage|brand:acmeair", "hashtag:acmeairsucks"
  int64_t bucket = -1, bucket_count = 0;  // the current tumbling window and its count
  double mean = 0, var = 0;               // the EWMA baseline
  bool active = false;
  std::string incident_id;
  int64_t started_count = 0;
  int64_t frozen_windows = 0;
  SystemTime hold_until{};
  // Loaded: the sliding window, oldest first. In a commit: only the posts the step added.
  std::vector<SurgeEventRecord> events;
  // In a commit: the window's posts at or before this time slid out; delete them first.
  std::optional<SystemTime> drop_through;
  bool operator==(const SurgeKeyRecord&) const = default;
};
// What one step changed in the surge counts.
struct SurgeChanges {
  std::vector<SurgeKeyRecord> keys;    // upserted, their events appended
  std::vector<std::string> forgotten;  // deleted with their events
  bool empty() const { return keys.empty() && forgotten.empty(); }
};

// An acknowledgement (`earshot ack`) the receivers have not been told of yet.
struct PendingAck {
  int64_t id = 0;  // its row: the commit that tells it deletes it by this
  std::string incident_id;
  std::string by;
  SystemTime at{};
  bool operator==(const PendingAck&) const = default;
};

// A resolution by hand (`earshot resolve`) the escalator has not carried out yet. The store
// leaves the incident's status alone: the escalator resolves it in its book and its commit, as
// it resolves any incident, so that a batch working from its cache cannot undo it.
struct PendingResolve {
  int64_t id = 0;  // its row: the commit that carries it out deletes it by this
  std::string incident_id;
  std::string by;
  SystemTime at{};
  bool operator==(const PendingResolve&) const = default;
};

// Everything one escalator step writes, committed atomically by IncidentStore::Commit.
struct EscalatorCommit {
  std::string source;                 // "" for timer-driven work (no cursor to move)
  std::optional<std::string> cursor;  // the source's new cursor; nullopt leaves it unchanged
  std::vector<SeenPost> seen;
  std::vector<IncidentRecord> incidents;  // upserted by id
  std::vector<IncidentPost> posts;
  // Posts already attached whose counts grew when read again: their engagement is raised to
  // these (by incident_id, network and id; the rest of the PostRef is not written).
  std::vector<IncidentPost> engagement;
  std::vector<IncidentEvent> events;
  std::vector<OutboxRecord> outbox;          // seq continues the outbox without a gap
  std::vector<BrandHashtagRecord> hashtags;  // upserted by hashtag
  SurgeChanges surge;
  // PendingAck ids told (or found moot) by this step: deleted with the outbox records, so an
  // acknowledgement reaches the outbox once.
  std::vector<int64_t> acks_done;
  // PendingResolve ids carried out (or found moot) by this step, deleted in the same way: the
  // incident's resolution and its `resolve` escalation land with the deletion, or none of them.
  std::vector<int64_t> resolves_done;
  // In a cluster (docs/cluster.md): the batch stream's sequence of the batch this step consumed
  // (PostBatch::input_seq). It lands with the batch's effects, so a new leader resumes reading
  // right after the last batch committed, neither losing nor repeating one. nullopt on a single
  // node and for timer steps.
  std::optional<uint64_t> input_seq;
  // In a cluster: the state log's sequence of the message this commit came in, set by the node
  // applying it (not logged). Stored with it, and a commit at or below the stored position is
  // skipped, so a node that crashed mid-apply applies each message exactly once.
  std::optional<uint64_t> log_seq;
};

class IncidentStore {
 public:
  virtual ~IncidentStore() = default;

  // ---- reads -----------------------------------------------------------------------------------
  // True when `post_id` from `source` was committed by an earlier batch.
  virtual Result<bool> IsPostSeen(std::string_view source, std::string_view post_id) = 0;
  // The same question for a whole batch, in one read transaction (one lock instead of one per
  // post): element i tells whether post_ids[i] was seen.
  virtual Result<std::vector<bool>> ArePostsSeen(std::string_view source,
                                                 const std::vector<std::string_view>& post_ids) = 0;
  // Also an OperatorStore query (`earshot incidents`, a console): the same read serves both.
  virtual Result<std::optional<IncidentRecord>> LoadIncident(std::string_view id) = 0;
  // Those of `ids` that exist, in one read transaction (the escalator's per-batch prefetch).
  virtual Result<std::vector<IncidentRecord>> LoadIncidents(
      const std::vector<std::string>& ids) = 0;
  // Every incident that is not resolved, in id order (the escalator's cache at start). Also an
  // OperatorStore query (`earshot incidents`).
  virtual Result<std::vector<IncidentRecord>> LoadActiveIncidents() = 0;
  // The incident's posts, newest first (by created_at), at most `limit`: the escalator puts
  // them in each escalation. Also an OperatorStore query.
  virtual Result<std::vector<PostRef>> LoadIncidentPosts(std::string_view incident_id,
                                                         size_t limit) = 0;
  // The counts stored for a post of the incident, nullopt when it is not one of its posts.
  virtual Result<std::optional<Engagement>> LoadPostEngagement(std::string_view incident_id,
                                                               std::string_view network,
                                                               std::string_view post_id) = 0;
  // True when `author` (a handle) wrote one of the incident's stored posts.
  virtual Result<bool> IncidentHasAuthor(std::string_view incident_id, std::string_view author) = 0;
  // The ids of incidents (any status) that carry one of `post_ids`, each once, for the
  // escalator to resolve incidents whose post was deleted on the network.
  virtual Result<std::vector<std::string>> IncidentsWithPosts(
      const std::vector<std::string>& post_ids) = 0;
  // Ids of the incidents someone acknowledged (`earshot ack`), for the escalator's cache.
  virtual Result<std::vector<std::string>> AcknowledgedIncidentIds() = 0;
  // Acknowledgements not yet told to the receivers, oldest first (schema 9).
  virtual Result<std::vector<PendingAck>> LoadPendingAcks() = 0;
  // Resolutions by hand not yet carried out, oldest first (schema 12).
  virtual Result<std::vector<PendingResolve>> LoadPendingResolves() = 0;
  // Every surge key with its sliding window (oldest post first), for the escalator at start.
  virtual Result<std::vector<SurgeKeyRecord>> LoadSurgeKeys() = 0;
  // Every brand hashtag earshot has seen, by hashtag (the escalator's cache at start).
  virtual Result<std::vector<BrandHashtagRecord>> LoadBrandHashtags() = 0;
  // Silences whose end is after `now` (and not expired by hand) when `active_only`, else all:
  // the escalator mutes by the active ones. Also an OperatorStore query (`earshot silence list`).
  virtual Result<std::vector<SilenceRecord>> ListSilences(SystemTime now, bool active_only) = 0;
  // The highest seq ever written, 0 for an empty outbox: the escalator's next records continue
  // it. Also an OutboxStore query (the sinks' end of the outbox).
  virtual Result<uint64_t> MaxOutboxSeq() = 0;

  // ---- the one write ---------------------------------------------------------------------------
  // Applies `commit` in ONE transaction: seen posts, incidents (upsert), their posts and
  // history, the outbox records and the source cursor. Either all of it lands or none.
  // The outbox seqs must continue MaxOutboxSeq()+1, +2, ... without a gap (kInternal otherwise,
  // before anything is written). kResourceExhausted on a full disk, naming the path.
  virtual Status Commit(const EscalatorCommit& commit) = 0;
  // Forgets seen post ids committed before `before`; returns how many were removed.
  virtual Result<int64_t> PruneSeenPosts(SystemTime before) = 0;
};

}  // namespace earshot
