#include "daemon/state/schema.h"

#include <fmt/format.h>

namespace earshot::state {

const std::vector<std::string_view>& Migrations() {
  // Times are Unix milliseconds (INTEGER); severities their enum value (0 info .. 4 critical).
  static const std::vector<std::string_view> kMigrations = {
      // 1: the spine.
      R"sql(
CREATE TABLE cursors(
  source TEXT PRIMARY KEY, cursor TEXT NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE seen_posts(
  source TEXT NOT NULL, post_id TEXT NOT NULL, seen_at INTEGER NOT NULL,
  PRIMARY KEY(source, post_id)) WITHOUT ROWID;
CREATE INDEX seen_posts_by_age ON seen_posts(seen_at);
CREATE TABLE incidents(
  id TEXT PRIMARY KEY, group_key TEXT NOT NULL, status TEXT NOT NULL, rule_id TEXT NOT NULL,
  category TEXT NOT NULL, severity INTEGER NOT NULL, notified_severity INTEGER,
  labels TEXT NOT NULL, summary TEXT NOT NULL, opened_at INTEGER NOT NULL,
  last_post_at INTEGER NOT NULL, last_notified_at INTEGER NOT NULL, resolved_at INTEGER,
  post_count INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX incidents_by_status ON incidents(status, last_post_at);
CREATE TABLE incident_posts(
  incident_id TEXT NOT NULL, network TEXT NOT NULL, post_id TEXT NOT NULL, url TEXT NOT NULL,
  author TEXT NOT NULL, author_name TEXT NOT NULL, followers INTEGER NOT NULL,
  text TEXT NOT NULL, created_at INTEGER NOT NULL, sentiment REAL NOT NULL,
  PRIMARY KEY(incident_id, network, post_id)) WITHOUT ROWID;
CREATE INDEX incident_posts_by_time ON incident_posts(incident_id, created_at);
CREATE TABLE incident_events(
  incident_id TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL, severity INTEGER NOT NULL,
  reason TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX incident_events_by_incident ON incident_events(incident_id);
CREATE TABLE outbox(seq INTEGER PRIMARY KEY, json TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE sink_cursors(
  sink TEXT PRIMARY KEY, seq INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE dead_letters(
  id INTEGER PRIMARY KEY, sink TEXT NOT NULL, seq INTEGER NOT NULL, reason TEXT NOT NULL,
  at INTEGER NOT NULL);
CREATE INDEX dead_letters_by_sink ON dead_letters(sink, seq);
)sql",
      // 2: the escalation engine: routes' receivers, notifications held by group_wait /
      // group_interval across restarts, and silences.
      R"sql(
ALTER TABLE incidents ADD COLUMN receiver TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN pending_reason TEXT NOT NULL DEFAULT '';
CREATE TABLE silences(
  id INTEGER PRIMARY KEY, matchers TEXT NOT NULL, comment TEXT NOT NULL,
  created_by TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL);
)sql",
      // 3: `earshot deadletter retry`: a dead letter flagged for redelivery, which its sink's
      // runner sends again beside its cursor (the cursor is already past it).
      R"sql(
ALTER TABLE dead_letters ADD COLUMN redeliver INTEGER NOT NULL DEFAULT 0;
)sql",
      // 4: a deleted post finds its incidents without scanning every incident's posts.
      R"sql(
CREATE INDEX incident_posts_by_post ON incident_posts(post_id);
)sql",
      // 5: momentum. Each post's highest reply, boost and like counts seen (a re-read post
      // with higher counts adds the difference), and per incident their sums and the distinct
      // complaining authors in it and its thread.
      R"sql(
ALTER TABLE incident_posts ADD COLUMN replies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incident_posts ADD COLUMN boosts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incident_posts ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN replies INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN boosts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN authors INTEGER NOT NULL DEFAULT 1;
)sql",
      // 6: hashtags carrying a brand's name, each remembered from its first sighting, so that
      // a new variant (#BoycottAcmeAir) is an incident once, ever.
      R"sql(
CREATE TABLE brand_hashtags(
  hashtag TEXT PRIMARY KEY, brand TEXT NOT NULL, first_seen INTEGER NOT NULL,
  first_network TEXT NOT NULL, first_post_id TEXT NOT NULL, first_post_url TEXT NOT NULL,
  count INTEGER NOT NULL, incident_id TEXT NOT NULL) WITHOUT ROWID;
)sql",
      // 7: surge counts survive a restart: per key the baseline and the current tumbling
      // window, and the sliding window's posts as one row per key and time (the authors of the
      // posts a step counted at that time, one per line), so a batch writes the posts it added
      // and deletes those that slid out, not the whole window.
      R"sql(
CREATE TABLE surge_keys(
  key TEXT PRIMARY KEY, bucket INTEGER NOT NULL, bucket_count INTEGER NOT NULL,
  mean REAL NOT NULL, var REAL NOT NULL, active INTEGER NOT NULL, incident_id TEXT NOT NULL,
  started_count INTEGER NOT NULL, frozen_windows INTEGER NOT NULL,
  hold_until INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE surge_events(key TEXT NOT NULL, at INTEGER NOT NULL, authors TEXT NOT NULL);
CREATE INDEX surge_events_by_key ON surge_events(key, at);
)sql",
      // 8: each post's complaint probability (the complaint scorer's, 0..1) beside its
      // sentiment, so a page rebuilt from the store shows it. Posts stored before the scorer
      // existed read 0: no opinion, as the wire format's missing complaint_score.
      R"sql(
ALTER TABLE incident_posts ADD COLUMN complaint REAL NOT NULL DEFAULT 0;
)sql",
      // 9: acknowledgements not yet told to the receivers. `earshot ack` (another process)
      // writes one in the transaction that acknowledges the incident; the escalator turns it
      // into an `acknowledge` escalation and deletes it in the commit that puts that in the
      // outbox, so an acknowledgement is told exactly once, in seq order, even across a crash.
      // Acknowledgements made before this version are not told afterwards.
      R"sql(
CREATE TABLE pending_acks(id INTEGER PRIMARY KEY, incident_id TEXT NOT NULL,
  by TEXT NOT NULL, at INTEGER NOT NULL);
)sql",
      // 10: each incident's first response, the first staff reply in its thread: when (the
      // escalator's clock), by whom, and how long after the incident opened (kept apart from
      // opened_at, which a reopen moves). Incidents stored before it read NULL: unanswered.
      R"sql(
ALTER TABLE incidents ADD COLUMN first_response_at INTEGER;
ALTER TABLE incidents ADD COLUMN first_response_by TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN first_response_after_s INTEGER NOT NULL DEFAULT 0;
)sql",
      // 11: the response target and the unanswered levels (escalator/response_watch.h): when
      // the first response is due at the incident's severity (NULL: no target), how many levels
      // of the unanswered policy have fired, and whether the target's breach was told. Kept so
      // that a restart neither repeats a level nor forgets a deadline.
      R"sql(
ALTER TABLE incidents ADD COLUMN response_due_at INTEGER;
ALTER TABLE incidents ADD COLUMN unanswered_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN breach_notified INTEGER NOT NULL DEFAULT 0;
)sql",
      // 12: resolutions by hand not yet carried out. `earshot resolve` (another process) writes
      // one in the transaction that records the operator's event, and leaves the incident's
      // status to the escalator: it resolves the incident, puts the `resolve` escalation in the
      // outbox and deletes the row in one commit, so a resolution is carried out exactly once,
      // in seq order, even across a crash.
      R"sql(
CREATE TABLE pending_resolves(id INTEGER PRIMARY KEY, incident_id TEXT NOT NULL,
  by TEXT NOT NULL, at INTEGER NOT NULL);
)sql",
      // 13: a cluster node's positions (docs/cluster.md): "state_log", the last message of the
      // state log applied to this file, and "last_commit", its last escalator commit, both written
      // in the transaction of the commit they applied; "batch_input", the batch stream's last
      // batch committed, so that a new leader resumes after it.
      R"sql(
CREATE TABLE cluster_positions(name TEXT PRIMARY KEY, seq INTEGER NOT NULL);
)sql",
  };
  return kMigrations;
}

Result<int> ReadSchemaVersion(SqliteDb& db) {
  EARSHOT_RETURN_IF_ERROR(db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)", "create schema_version"));
  EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare("SELECT max(version) FROM schema_version"));
  EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step("read schema version"));
  if (!row || q->IsNull(0)) return 0;
  return static_cast<int>(q->Int(0));
}

Status Migrate(SqliteDb& db) {
  const auto& migrations = Migrations();
  const int latest = static_cast<int>(migrations.size());
  while (true) {
    // Read the version inside the write transaction: two processes opening a new file at once
    // (the daemon and `earshot silence`) must not both run migration 1.
    Transaction txn(db);
    EARSHOT_RETURN_IF_ERROR(txn.Begin("begin schema migration"));
    EARSHOT_ASSIGN_OR_RETURN(int version, ReadSchemaVersion(db));
    if (version > latest) {
      return Status::InvalidArgument(fmt::format(
          "state store '{}': schema version {} is newer than this earshot knows ({}); run the "
          "newer earshot, or move the file aside to start afresh",
          db.path(), version, latest));
    }
    if (version == latest) return Status::Ok();
    EARSHOT_RETURN_IF_ERROR(
        db.Exec(migrations[version], fmt::format("migrate schema to version {}", version + 1)));
    EARSHOT_RETURN_IF_ERROR(db.Exec("DELETE FROM schema_version", "record schema version"));
    EARSHOT_RETURN_IF_ERROR(db.Exec(
        fmt::format("INSERT INTO schema_version(version) VALUES({})", version + 1),
        "record schema version"));
    EARSHOT_RETURN_IF_ERROR(txn.Commit(fmt::format("commit schema version {}", version + 1)));
  }
}

}  // namespace earshot::state
