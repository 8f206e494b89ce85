// StateStore: everything earshot must remember across a restart, in one SQLite database (WAL)
// under the state directory: source cursors, recently seen post ids, incidents (with their
// momentum counts), the outbox of promised escalations, each sink's delivery cursor, dead
// letters, the brand hashtags seen, and the escalator's surge counts.
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
#include "daemon/base/severity.h"
#include "daemon/base/status.h"
#include "daemon/model/escalation.h"  // PostRef only: plain data, no link dependency on the sinks

namespace earshot {

// One promised escalation: its sequence number and its wire JSON (daemon/model/escalation_json.h).
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
  // Flagged by RequeueDeadLetters: the sink's runner sends it again soon.
  bool redeliver = false;
};

// ---- the escalator's records ---------------------------------------------------------------

enum class IncidentStatus { kOpen, kAcknowledged, kResolved };
std::string_view IncidentStatusName(IncidentStatus s);

// What readers did with a post, as its network counts it (Post::replies, boosts, likes).
struct Engagement {
  int64_t replies = 0, boosts = 0, likes = 0;
  bool operator==(const Engagement&) const = default;
};

// One incident as the escalator keeps it. Times are the escalator's clock (not the posts').
struct IncidentRecord {
  std::string id;         // "inc-" + 16 hex of the group key's hash: stable across restarts
  std::string group_key;  // what grouped its posts: "mastodon|jane@air.example|1093"
  IncidentStatus status = IncidentStatus::kOpen;
  std::string rule_id;                        // the rule behind the highest severity so far
  std::string category;                       // "complaint", "surge"
  Severity severity = Severity::kLow;         // current (never lowered while open)
  std::optional<Severity> notified_severity;  // last severity paged; nullopt = never paged
  Labels labels;
  std::string summary;   // the last page's headline
  std::string receiver;  // the route's receiver ("" = default)
  SystemTime opened_at{}, last_post_at{}, last_notified_at{};
  std::optional<SystemTime> resolved_at;
  int64_t post_count = 0;
  // A notification waiting for group_wait / group_interval ("" = none), with its reason.
  std::string pending_reason;
  // Momentum: the sum over its posts of each post's highest counts seen, and the distinct
  // authors complaining in it and (for per-author incidents) in its thread.
  Engagement engagement;
  int64_t authors = 1;
};

// One line of an incident's history.
struct IncidentEvent {
  std::string incident_id;
  SystemTime at{};
  std::string kind;  // "open", "update", "resolve", "silenced", "inhibited", "joined"
  Severity severity = Severity::kLow;
  std::string reason;
  uint64_t seq = 0;  // the outbox record it produced, 0 when none
};

struct SeenPost {
  std::string source, post_id;
  SystemTime seen_at{};
};

// A post attached to an incident (once per post id: an edited version replaces its text).
struct IncidentPost {
  std::string incident_id;
  PostRef post;
  Engagement engagement;  // the highest counts seen for the post
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
};

// One surge key of the escalator's SurgeDetector (daemon/escalator/surge.h), as stored.
struct SurgeEventRecord {
  SystemTime at{};
  std::string author;
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
};

// Everything one escalator step writes, committed atomically by StateStore::Commit.
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
};

// A silence: escalations whose labels match every matcher are recorded but not sent.
struct SilenceRecord {
  std::string id;        // assigned by AddSilence
  std::string matchers;  // Alertmanager syntax: `brand="acmeair",severity=~"low|medium"`
  std::string comment, created_by;
  SystemTime starts_at{}, ends_at{};
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
  // Flags dead letters of `sink` for redelivery (`earshot deadletter retry`): the given seqs, or
  // every one of the sink's when `seqs` is empty. The sink's runner (possibly in the daemon,
  // another process) finds them at its next outbox check and sends each again with its original
  // seq, so the receiver's idempotency key stays the same; its cursor does not move. kNotFound,
  // with nothing flagged, when a seq is not a dead letter of `sink` or the sink has none.
  Status RequeueDeadLetters(std::string_view sink, const std::vector<uint64_t>& seqs);
  // The seqs of `sink` flagged for redelivery, ascending.
  Result<std::vector<uint64_t>> LoadRedeliveries(std::string_view sink);
  // A redelivered seq was acknowledged: forgets its dead letters.
  Status ClearDeadLetter(std::string_view sink, uint64_t seq);
  // A redelivery failed for good: keeps the dead letter with the new reason and time, unflagged.
  Status UpdateDeadLetter(const DeadLetter& letter);

  // The escalator's part of the store (incidents, seen posts, the batch commit) is declared
  // below by the escalator room.

  // ---- escalator: reads --------------------------------------------------------------------
  // True when `post_id` from `source` was committed by an earlier batch.
  Result<bool> IsPostSeen(std::string_view source, std::string_view post_id);
  // The same question for a whole batch, in one read transaction (one lock instead of one per
  // post): element i tells whether post_ids[i] was seen.
  Result<std::vector<bool>> ArePostsSeen(std::string_view source,
                                         const std::vector<std::string_view>& post_ids);
  Result<std::optional<IncidentRecord>> LoadIncident(std::string_view id);
  // Those of `ids` that exist, in one read transaction (the escalator's per-batch prefetch).
  Result<std::vector<IncidentRecord>> LoadIncidents(const std::vector<std::string>& ids);
  // Every incident that is not resolved, in id order (the escalator's cache at start).
  Result<std::vector<IncidentRecord>> LoadActiveIncidents();
  // Incidents by status ("open", "resolved", ...) or all when empty, newest activity first.
  Result<std::vector<IncidentRecord>> ListIncidents(std::string_view status, size_t limit);
  // The incident's posts, newest first (by created_at), at most `limit`.
  Result<std::vector<PostRef>> LoadIncidentPosts(std::string_view incident_id, size_t limit);
  // The incident's history (opened, severity raised, notified, silenced, resolved), oldest first.
  Result<std::vector<IncidentEvent>> LoadIncidentEvents(std::string_view incident_id);

  // The counts stored for a post of the incident, nullopt when it is not one of its posts.
  Result<std::optional<Engagement>> LoadPostEngagement(std::string_view incident_id,
                                                       std::string_view network,
                                                       std::string_view post_id);
  // True when `author` (a handle) wrote one of the incident's stored posts.
  Result<bool> IncidentHasAuthor(std::string_view incident_id, std::string_view author);

  // The ids of incidents (any status) that carry one of `post_ids`, each once, for the
  // escalator to resolve incidents whose post was deleted on the network.
  Result<std::vector<std::string>> IncidentsWithPosts(const std::vector<std::string>& post_ids);
  // Post ids that `source` delivered and that belong to open or acknowledged incidents (not
  // surges or new hashtags: one deleted post ends neither), the most recently active first,
  // at most `limit`. The poller re-checks them on the network to find deletions it was never
  // told about.
  Result<std::vector<std::string>> PostsToRecheck(std::string_view source, size_t limit);
  // Ids of the incidents someone acknowledged (`earshot ack`), for the escalator's cache.
  Result<std::vector<std::string>> AcknowledgedIncidentIds();
  // Acknowledgements not yet told to the receivers, oldest first (schema 9).
  Result<std::vector<PendingAck>> LoadPendingAcks();

  // Every surge key with its sliding window (oldest post first), for the escalator at start.
  Result<std::vector<SurgeKeyRecord>> LoadSurgeKeys();
  // Every brand hashtag earshot has seen, by hashtag (the escalator's cache at start).
  Result<std::vector<BrandHashtagRecord>> LoadBrandHashtags();

  // ---- acknowledgement (written by `earshot ack`, possibly from another process) ------------
  // Marks an open incident acknowledged and records who and when in its events (kind
  // "acknowledged", reason "acknowledged by NAME"), and, in the same transaction, a PendingAck
  // the escalator turns into an `acknowledge` escalation for every sink (so a crash between the
  // two cannot lose it). Acknowledging twice is Ok and tells nothing new. kNotFound when
  // `id` names no incident; kInvalidArgument when it is already resolved. The escalator
  // then stops repeat pages for it; a severity raise still pages, a resolution still resolves.
  Status AcknowledgeIncident(std::string_view id, std::string_view by, SystemTime now);

  // ---- escalator: the one write --------------------------------------------------------------
  // Applies `commit` in ONE transaction: seen posts, incidents (upsert), their posts and
  // history, the outbox records and the source cursor. Either all of it lands or none.
  // The outbox seqs must continue MaxOutboxSeq()+1, +2, ... without a gap (kInternal otherwise,
  // before anything is written). kResourceExhausted on a full disk, naming the path.
  Status Commit(const EscalatorCommit& commit);
  // Forgets seen post ids committed before `before`; returns how many were removed.
  Result<int64_t> PruneSeenPosts(SystemTime before);

  // ---- silences (written by `earshot silence`, possibly from another process) ----------------
  // Stores a new silence and returns its id ("sil-1", ...).
  Result<std::string> AddSilence(const SilenceRecord& silence);
  // Silences whose end is after `now` (and not expired by hand) when `active_only`, else all.
  Result<std::vector<SilenceRecord>> ListSilences(SystemTime now, bool active_only);
  // Ends the silence now. kNotFound when `id` names none.
  Status ExpireSilence(std::string_view id, SystemTime now);

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
