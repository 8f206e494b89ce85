#include "daemon/state/state_store.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "daemon/base/json_escape.h"
#include "daemon/base/mutex.h"
#include "daemon/state/schema.h"
#include "daemon/state/sqlite_db.h"

namespace earshot {

using state::Query;
using state::SqliteDb;
using state::Transaction;

namespace {

// SQLite stores a NaN as NULL, which the posts' NOT NULL score columns refuse: one odd score
// would fail the whole batch's commit, and the retry would fail again. A score that is not a
// number carries no opinion (as on the wire, daemon/model/escalation_json.cc).
double FiniteScore(double score) { return std::isfinite(score) ? score : 0.0; }

// Labels rest as a JSON object so that `sqlite3 state.db "SELECT json_extract(labels,
// '$.brand') FROM incidents"` works for an operator.
std::string LabelsToJson(const Labels& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels) {
    if (out.size() > 1) out += ',';
    out += '"';
    AppendJsonEscaped(k, &out);
    out += "\":\"";
    AppendJsonEscaped(v, &out);
    out += '"';
  }
  out += '}';
  return out;
}

Result<Labels> LabelsFromJson(const std::string& json, std::string_view incident_id) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  Labels labels;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  auto bad = [&] {
    return Status::DataLoss(fmt::format("incident '{}': labels are not a JSON object: {}",
                                        incident_id, json.substr(0, 80)));
  };
  if (parser.iterate(padded).get(doc) || doc.get_object().get(obj)) return bad();
  for (auto field : obj) {
    std::string_view key, value;
    if (field.unescaped_key().get(key) || field.value().get_string().get(value)) return bad();
    labels.emplace(std::string(key), std::string(value));
  }
  return labels;
}

std::optional<IncidentStatus> ParseIncidentStatus(std::string_view s) {
  for (auto st : {IncidentStatus::kOpen, IncidentStatus::kAcknowledged, IncidentStatus::kResolved}) {
    if (IncidentStatusName(st) == s) return st;
  }
  return std::nullopt;
}

Severity ClampSeverity(int64_t v) {
  if (v < 0) return Severity::kInfo;
  if (v > 4) return Severity::kCritical;
  return static_cast<Severity>(v);
}

constexpr std::string_view kIncidentColumns =
    "id, group_key, status, rule_id, category, severity, notified_severity, labels, summary, "
    "opened_at, last_post_at, last_notified_at, resolved_at, post_count, receiver, "
    "pending_reason, replies, boosts, likes, authors, first_response_at, first_response_by, "
    "first_response_after_s, response_due_at, unanswered_level, breach_notified";

Result<IncidentRecord> ReadIncident(const Query& q) {
  IncidentRecord r;
  r.id = q.Text(0);
  r.group_key = q.Text(1);
  auto status = ParseIncidentStatus(q.Text(2));
  if (!status) return Status::DataLoss(fmt::format("incident '{}': unknown status", r.id));
  r.status = *status;
  r.rule_id = q.Text(3);
  auto category = ParseIncidentKind(q.Text(4));
  if (!category) return Status::DataLoss(fmt::format("incident '{}': unknown category", r.id));
  r.category = *category;
  r.severity = ClampSeverity(q.Int(5));
  if (!q.IsNull(6)) r.notified_severity = ClampSeverity(q.Int(6));
  EARSHOT_ASSIGN_OR_RETURN(r.labels, LabelsFromJson(q.Text(7), r.id));
  r.summary = q.Text(8);
  r.opened_at = FromUnixMillis(q.Int(9));
  r.last_post_at = FromUnixMillis(q.Int(10));
  r.last_notified_at = FromUnixMillis(q.Int(11));
  if (!q.IsNull(12)) r.resolved_at = FromUnixMillis(q.Int(12));
  r.post_count = q.Int(13);
  r.receiver = q.Text(14);
  r.pending_reason = NotifyReason::Parse(q.Text(15));
  r.engagement = {q.Int(16), q.Int(17), q.Int(18)};
  r.authors = q.Int(19);
  if (!q.IsNull(20)) {
    r.first_response = FirstResponse{FromUnixMillis(q.Int(20)), q.Text(21),
                                     std::chrono::seconds(std::max<int64_t>(q.Int(22), 0))};
  }
  if (!q.IsNull(23)) r.response_due_at = FromUnixMillis(q.Int(23));
  r.unanswered_level = static_cast<int>(std::max<int64_t>(q.Int(24), 0));
  r.breach_notified = q.Int(25) != 0;
  return r;
}

}  // namespace

std::string_view IncidentStatusName(IncidentStatus s) {
  switch (s) {
    case IncidentStatus::kOpen: return "open";
    case IncidentStatus::kAcknowledged: return "acknowledged";
    case IncidentStatus::kResolved: return "resolved";
  }
  return "open";
}

struct StateStore::Impl {
  explicit Impl(std::unique_ptr<SqliteDb> opened) : db(std::move(opened)) {}

  Mutex mu;
  // The one connection (opened SQLITE_OPEN_NOMUTEX): every use of it holds mu.
  const std::unique_ptr<SqliteDb> db PT_GUARDED_BY(mu);

  // The cluster position stored under `name`, 0 when none (schema 13).
  Result<uint64_t> Position(std::string_view name, std::string_view what) REQUIRES(mu) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db->Prepare("SELECT seq FROM cluster_positions WHERE name = ?"));
    q->Bind(1, name);
    EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step(what));
    return row ? static_cast<uint64_t>(q->Int(0)) : 0;
  }
  // Stores `seq` under `name` unless a higher one is there.
  Status StorePosition(std::string_view name, uint64_t seq, std::string_view what) REQUIRES(mu) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db->Prepare(
        "INSERT INTO cluster_positions(name, seq) VALUES(?, ?) ON CONFLICT(name) "
        "DO UPDATE SET seq = max(seq, excluded.seq)"));
    q->Bind(1, name).Bind(2, static_cast<int64_t>(seq));
    return q->Run(what);
  }

  // Reads every row of `q` through `read`, appending to *out.
  template <class T, class F>
  Status ReadAll(Query& q, std::string_view what, F read, std::vector<T>* out) {
    while (true) {
      EARSHOT_ASSIGN_OR_RETURN(bool row, q.Step(what));
      if (!row) return Status::Ok();
      EARSHOT_ASSIGN_OR_RETURN(T value, read(q));
      out->push_back(std::move(value));
    }
  }
};

Result<std::unique_ptr<StateStore>> StateStore::Open(const std::filesystem::path& path) {
  auto opened = SqliteDb::Open(path.string());
  // The contract: opening fails with kUnavailable (the message says why), except a damaged file.
  auto unavailable = [](const Status& s) {
    return s.code() == Status::Code::kDataLoss ? s : Status::Unavailable(s.message());
  };
  if (!opened.ok()) return unavailable(opened.status());
  std::unique_ptr<SqliteDb> db = std::move(opened).value();
  // WAL: readers (sink runners, `earshot silence list`) never block the escalator's writer.
  // synchronous=FULL: the WAL is fsynced at every commit, so a published seq survives a power
  // cut; with NORMAL the last commits could vanish after the bus already carried their seqs and
  // a restart would hand the same seqs to different escalations. The cost is one fsync per
  // batch (bench/escalator_bench.cc measures it), which batching keeps small.
  // busy_timeout: `earshot silence add` writes from a second process; wait for its short
  // transaction instead of failing.
  // cache_size: the escalator re-reads the pages it just wrote (incidents, seen posts); a
  // 32 MiB cache keeps those off the read() path. (mmap_size gained nothing measurable here and
  // would add the whole mapped file to the daemon's RSS.)
  // (A replay, whose state ends with it, keeps its incidents in a MemoryStore instead.)
  Status s = db->Exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
      "PRAGMA busy_timeout=5000; PRAGMA cache_size=-32768;",
      "configure (WAL, synchronous=FULL)");
  if (s.ok()) s = state::Migrate(*db);
  if (!s.ok()) return unavailable(s);
  std::unique_ptr<StateStore> store(new StateStore());
  store->impl_ = std::make_unique<Impl>(std::move(db));
  return store;
}

StateStore::~StateStore() = default;

Result<std::optional<std::string>> StateStore::LoadCursor(std::string_view source) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q,
                           impl_->db->Prepare("SELECT cursor FROM cursors WHERE source = ?"));
  q->Bind(1, source);
  EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step(fmt::format("load cursor of '{}'", source)));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(q->Text(0));
}

Result<std::vector<OutboxRecord>> StateStore::ReadOutbox(uint64_t after_seq, size_t limit) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT seq, json, created_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?"));
  q->Bind(1, static_cast<int64_t>(after_seq)).Bind(2, static_cast<int64_t>(limit));
  std::vector<OutboxRecord> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, "read outbox",
      [](const Query& r) -> Result<OutboxRecord> {
        return OutboxRecord{static_cast<uint64_t>(r.Int(0)), r.Text(1), FromUnixMillis(r.Int(2))};
      },
      &out));
  return out;
}

Result<uint64_t> StateStore::MaxOutboxSeq() {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare("SELECT coalesce(max(seq), 0) FROM outbox"));
  EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step("read outbox max seq"));
  return row ? static_cast<uint64_t>(q->Int(0)) : 0;
}

Result<std::optional<uint64_t>> StateStore::LoadSinkCursor(std::string_view sink) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q,
                           impl_->db->Prepare("SELECT seq FROM sink_cursors WHERE sink = ?"));
  q->Bind(1, sink);
  EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step(fmt::format("load cursor of sink '{}'", sink)));
  if (!row) return std::optional<uint64_t>();
  return std::optional<uint64_t>(static_cast<uint64_t>(q->Int(0)));
}

namespace {
constexpr std::string_view kUpsertSinkCursor =
    "INSERT INTO sink_cursors(sink, seq, updated_at) VALUES(?, ?, ?) "
    "ON CONFLICT(sink) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at";
}  // namespace

Status StateStore::SaveSinkCursor(std::string_view sink, uint64_t seq) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(kUpsertSinkCursor));
  q->Bind(1, sink).Bind(2, static_cast<int64_t>(seq)).Bind(3, ToUnixMillis(RealClock().Now()));
  return q->Run(fmt::format("save cursor of sink '{}'", sink));
}

Status StateStore::AddDeadLetter(const DeadLetter& letter) {
  MutexLock lock(impl_->mu);
  const std::string what = fmt::format("dead-letter seq {} of sink '{}'", letter.seq, letter.sink);
  Transaction txn(*impl_->db);
  EARSHOT_RETURN_IF_ERROR(txn.Begin(what));
  {
    EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
        "INSERT INTO dead_letters(sink, seq, reason, at) VALUES(?, ?, ?, ?)"));
    q->Bind(1, letter.sink).Bind(2, static_cast<int64_t>(letter.seq)).Bind(3, letter.reason);
    q->Bind(4, ToUnixMillis(letter.at));
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  {
    // The cursor only moves forward: parking an old seq must not rewind a sink.
    EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
        "INSERT INTO sink_cursors(sink, seq, updated_at) VALUES(?, ?, ?) ON CONFLICT(sink) DO "
        "UPDATE SET seq = max(seq, excluded.seq), updated_at = excluded.updated_at"));
    q->Bind(1, letter.sink).Bind(2, static_cast<int64_t>(letter.seq));
    q->Bind(3, ToUnixMillis(letter.at));
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  return txn.Commit(what);
}

Result<std::vector<DeadLetter>> StateStore::ListDeadLetters(std::string_view sink) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT sink, seq, reason, at, redeliver FROM dead_letters WHERE ?1 = '' OR sink = ?1 "
      "ORDER BY sink, seq, id"));
  q->Bind(1, sink);
  std::vector<DeadLetter> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, "list dead letters",
      [](const Query& r) -> Result<DeadLetter> {
        return DeadLetter{r.Text(0), static_cast<uint64_t>(r.Int(1)), r.Text(2),
                          FromUnixMillis(r.Int(3)), r.Int(4) != 0};
      },
      &out));
  return out;
}

Status StateStore::RequeueDeadLetters(std::string_view sink, const std::vector<uint64_t>& seqs) {
  MutexLock lock(impl_->mu);
  const std::string what = fmt::format("requeue dead letters of sink '{}'", sink);
  Transaction txn(*impl_->db);
  EARSHOT_RETURN_IF_ERROR(txn.Begin(what));
  if (seqs.empty()) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
        "SELECT count(*) FROM dead_letters WHERE sink = ?"));
    q->Bind(1, sink);
    EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step(what));
    if (!row || q->Int(0) == 0) {
      return Status::NotFound(fmt::format(
          "sink '{}': no dead letters to retry; `earshot deadletter list` shows them", sink));
    }
    EARSHOT_ASSIGN_OR_RETURN(auto u, impl_->db->Prepare(
        "UPDATE dead_letters SET redeliver = 1 WHERE sink = ?"));
    u->Bind(1, sink);
    EARSHOT_RETURN_IF_ERROR(u->Run(what));
    return txn.Commit(what);
  }
  for (uint64_t seq : seqs) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
        "SELECT count(*) FROM dead_letters WHERE sink = ? AND seq = ?"));
    q->Bind(1, sink).Bind(2, static_cast<int64_t>(seq));
    EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step(what));
    if (!row || q->Int(0) == 0) {
      // Returning before Commit rolls back whatever this call flagged already.
      return Status::NotFound(fmt::format(
          "sink '{}': seq {} is not a dead letter; `earshot deadletter list` shows them", sink,
          seq));
    }
    EARSHOT_ASSIGN_OR_RETURN(auto u, impl_->db->Prepare(
        "UPDATE dead_letters SET redeliver = 1 WHERE sink = ? AND seq = ?"));
    u->Bind(1, sink).Bind(2, static_cast<int64_t>(seq));
    EARSHOT_RETURN_IF_ERROR(u->Run(what));
  }
  return txn.Commit(what);
}

Result<std::vector<uint64_t>> StateStore::LoadRedeliveries(std::string_view sink) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT DISTINCT seq FROM dead_letters WHERE sink = ? AND redeliver != 0 ORDER BY seq"));
  q->Bind(1, sink);
  std::vector<uint64_t> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, fmt::format("load redeliveries of sink '{}'", sink),
      [](const Query& r) -> Result<uint64_t> { return static_cast<uint64_t>(r.Int(0)); }, &out));
  return out;
}

Status StateStore::ClearDeadLetter(std::string_view sink, uint64_t seq) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "DELETE FROM dead_letters WHERE sink = ? AND seq = ?"));
  q->Bind(1, sink).Bind(2, static_cast<int64_t>(seq));
  return q->Run(fmt::format("clear dead letter seq {} of sink '{}'", seq, sink));
}

Status StateStore::UpdateDeadLetter(const DeadLetter& letter) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "UPDATE dead_letters SET reason = ?, at = ?, redeliver = 0 WHERE sink = ? AND seq = ?"));
  q->Bind(1, letter.reason).Bind(2, ToUnixMillis(letter.at)).Bind(3, letter.sink);
  q->Bind(4, static_cast<int64_t>(letter.seq));
  return q->Run(fmt::format("update dead letter seq {} of sink '{}'", letter.seq, letter.sink));
}

// ---- escalator ------------------------------------------------------------------------------

Result<bool> StateStore::IsPostSeen(std::string_view source, std::string_view post_id) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT 1 FROM seen_posts WHERE source = ? AND post_id = ?"));
  q->Bind(1, source).Bind(2, post_id);
  return q->Step("look up seen post");
}

Result<std::vector<bool>> StateStore::ArePostsSeen(std::string_view source,
                                                   const std::vector<std::string_view>& post_ids) {
  MutexLock lock(impl_->mu);
  std::vector<bool> seen;
  seen.reserve(post_ids.size());
  if (post_ids.empty()) return seen;
  // A deferred transaction holds one WAL read snapshot (and one shared lock) for every lookup.
  SqliteDb& db = *impl_->db;  // the lambda below runs within this lock
  EARSHOT_RETURN_IF_ERROR(db.Exec("BEGIN", "look up seen posts"));
  auto lookup = [&]() -> Status {
    for (std::string_view id : post_ids) {
      EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
          "SELECT 1 FROM seen_posts WHERE source = ? AND post_id = ?"));
      q->Bind(1, source).Bind(2, id);
      EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step("look up seen posts"));
      seen.push_back(row);
    }
    return Status::Ok();
  };
  Status status = lookup();
  (void)db.Exec("COMMIT", "look up seen posts");
  EARSHOT_RETURN_IF_ERROR(status);
  return seen;
}

Result<std::optional<IncidentRecord>> StateStore::LoadIncident(std::string_view id) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      fmt::format("SELECT {} FROM incidents WHERE id = ?", kIncidentColumns)));
  q->Bind(1, id);
  EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step(fmt::format("load incident '{}'", id)));
  if (!row) return std::optional<IncidentRecord>();
  EARSHOT_ASSIGN_OR_RETURN(IncidentRecord r, ReadIncident(*q));
  return std::optional<IncidentRecord>(std::move(r));
}

Result<std::vector<IncidentRecord>> StateStore::LoadIncidents(const std::vector<std::string>& ids) {
  MutexLock lock(impl_->mu);
  std::vector<IncidentRecord> out;
  if (ids.empty()) return out;
  SqliteDb& db = *impl_->db;  // the lambda below runs within this lock
  EARSHOT_RETURN_IF_ERROR(db.Exec("BEGIN", "load incidents"));
  auto load = [&]() -> Status {
    for (const std::string& id : ids) {
      EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
          fmt::format("SELECT {} FROM incidents WHERE id = ?", kIncidentColumns)));
      q->Bind(1, id);
      EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step(fmt::format("load incident '{}'", id)));
      if (!row) continue;
      EARSHOT_ASSIGN_OR_RETURN(IncidentRecord r, ReadIncident(*q));
      out.push_back(std::move(r));
    }
    return Status::Ok();
  };
  Status status = load();
  (void)db.Exec("COMMIT", "load incidents");
  EARSHOT_RETURN_IF_ERROR(status);
  return out;
}

Result<std::vector<IncidentRecord>> StateStore::LoadActiveIncidents() {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(fmt::format(
      "SELECT {} FROM incidents WHERE status != 'resolved' ORDER BY id", kIncidentColumns)));
  std::vector<IncidentRecord> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(*q, "load active incidents", ReadIncident, &out));
  return out;
}

Result<std::vector<IncidentRecord>> StateStore::ListIncidents(std::string_view status,
                                                              size_t limit) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(fmt::format(
      "SELECT {} FROM incidents WHERE ?1 = '' OR status = ?1 ORDER BY last_post_at DESC, id "
      "LIMIT ?2",
      kIncidentColumns)));
  q->Bind(1, status).Bind(2, static_cast<int64_t>(limit));
  std::vector<IncidentRecord> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(*q, "list incidents", ReadIncident, &out));
  return out;
}

Result<std::vector<IncidentRecord>> StateStore::ListIncidentsOpenedBetween(SystemTime since,
                                                                           SystemTime until) {
  // FirstOpenedAt in SQL. The scalar MIN of SQLite is NULL when an argument is, hence the CASE.
  // No index serves it: the report reads a table of incidents once, not per post.
  constexpr std::string_view kFirstOpened =
      "CASE WHEN first_response_at IS NULL THEN opened_at "
      "ELSE MIN(opened_at, first_response_at - 1000 * first_response_after_s) END";
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(fmt::format(
      "SELECT {0} FROM incidents WHERE category = ?3 AND {1} >= ?1 AND {1} < ?2 "
      "ORDER BY {1}, id",
      kIncidentColumns, kFirstOpened)));
  q->Bind(1, ToUnixMillis(since))
      .Bind(2, ToUnixMillis(until))
      .Bind(3, IncidentKindName(IncidentKind::kComplaint));
  std::vector<IncidentRecord> out;
  EARSHOT_RETURN_IF_ERROR(
      impl_->ReadAll(*q, "list incidents opened between", ReadIncident, &out));
  return out;
}

Result<std::vector<PostRef>> StateStore::LoadIncidentPosts(std::string_view incident_id,
                                                           size_t limit) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT network, post_id, url, author, author_name, followers, text, created_at, sentiment, "
      "complaint FROM incident_posts WHERE incident_id = ? "
      "ORDER BY created_at DESC, post_id DESC LIMIT ?"));
  q->Bind(1, incident_id).Bind(2, static_cast<int64_t>(limit));
  std::vector<PostRef> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, fmt::format("load posts of incident '{}'", incident_id),
      [](const Query& r) -> Result<PostRef> {
        PostRef p;
        p.network = r.Text(0);
        p.id = r.Text(1);
        p.url = r.Text(2);
        p.author = r.Text(3);
        p.author_name = r.Text(4);
        p.followers = r.Int(5);
        p.text = r.Text(6);
        p.created_at = FromUnixMillis(r.Int(7));
        p.sentiment = r.Double(8);
        p.complaint = r.Double(9);
        return p;
      },
      &out));
  return out;
}

Result<std::vector<IncidentEvent>> StateStore::LoadIncidentEvents(std::string_view incident_id) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT incident_id, at, kind, severity, reason, seq FROM incident_events "
      "WHERE incident_id = ? ORDER BY rowid"));
  q->Bind(1, incident_id);
  std::vector<IncidentEvent> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, fmt::format("load history of incident '{}'", incident_id),
      [](const Query& r) -> Result<IncidentEvent> {
        auto kind = ParseIncidentEventKind(r.Text(2));
        if (!kind) {
          return Status::DataLoss(
              fmt::format("incident '{}': unknown event kind '{}'", r.Text(0), r.Text(2)));
        }
        return IncidentEvent{r.Text(0), FromUnixMillis(r.Int(1)), *kind, ClampSeverity(r.Int(3)),
                             r.Text(4), static_cast<uint64_t>(r.Int(5))};
      },
      &out));
  return out;
}

Result<std::optional<Engagement>> StateStore::LoadPostEngagement(std::string_view incident_id,
                                                                 std::string_view network,
                                                                 std::string_view post_id) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT replies, boosts, likes FROM incident_posts "
      "WHERE incident_id = ? AND network = ? AND post_id = ?"));
  q->Bind(1, incident_id).Bind(2, network).Bind(3, post_id);
  EARSHOT_ASSIGN_OR_RETURN(
      bool row, q->Step(fmt::format("load counts of post {} of incident '{}'", post_id,
                                    incident_id)));
  if (!row) return std::optional<Engagement>();
  return std::optional<Engagement>(Engagement{q->Int(0), q->Int(1), q->Int(2)});
}

Result<std::vector<SurgeKeyRecord>> StateStore::LoadSurgeKeys() {
  MutexLock lock(impl_->mu);
  SqliteDb& db = *impl_->db;
  // One read transaction: the keys and their windows as of the same commit.
  Transaction txn(db);
  EARSHOT_RETURN_IF_ERROR(txn.Begin("load surge counts"));
  EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
      "SELECT key, bucket, bucket_count, mean, var, active, incident_id, started_count, "
      "frozen_windows, hold_until FROM surge_keys ORDER BY key"));
  std::vector<SurgeKeyRecord> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, "load surge keys",
      [](const Query& r) -> Result<SurgeKeyRecord> {
        SurgeKeyRecord k;
        k.key = r.Text(0);
        k.bucket = r.Int(1);
        k.bucket_count = r.Int(2);
        k.mean = r.Double(3);
        k.var = r.Double(4);
        k.active = r.Int(5) != 0;
        k.incident_id = r.Text(6);
        k.started_count = r.Int(7);
        k.frozen_windows = r.Int(8);
        k.hold_until = FromUnixMillis(r.Int(9));
        return k;
      },
      &out));
  EARSHOT_ASSIGN_OR_RETURN(auto e, db.Prepare(
      "SELECT key, at, authors FROM surge_events ORDER BY key, at, rowid"));
  size_t i = 0;
  while (true) {
    EARSHOT_ASSIGN_OR_RETURN(bool row, e->Step("load surge windows"));
    if (!row) break;
    const std::string key = e->Text(0);
    while (i < out.size() && out[i].key < key) ++i;
    if (i == out.size() || out[i].key != key) continue;  // an orphan: its key is gone
    const SystemTime at = FromUnixMillis(e->Int(1));
    const std::string authors = e->Text(2);
    for (size_t b = 0; b <= authors.size();) {
      size_t nl = authors.find('\n', b);
      if (nl == std::string::npos) nl = authors.size();
      out[i].events.push_back({at, authors.substr(b, nl - b)});
      b = nl + 1;
    }
  }
  EARSHOT_RETURN_IF_ERROR(txn.Commit("load surge counts"));
  return out;
}

Result<std::vector<BrandHashtagRecord>> StateStore::LoadBrandHashtags() {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT hashtag, brand, first_seen, first_network, first_post_id, first_post_url, count, "
      "incident_id FROM brand_hashtags ORDER BY hashtag"));
  std::vector<BrandHashtagRecord> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, "load brand hashtags",
      [](const Query& r) -> Result<BrandHashtagRecord> {
        return BrandHashtagRecord{r.Text(0), r.Text(1), FromUnixMillis(r.Int(2)), r.Text(3),
                                  r.Text(4), r.Text(5), r.Int(6), r.Text(7)};
      },
      &out));
  return out;
}

Result<bool> StateStore::IncidentHasAuthor(std::string_view incident_id,
                                           std::string_view author) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT 1 FROM incident_posts WHERE incident_id = ? AND author = ? LIMIT 1"));
  q->Bind(1, incident_id).Bind(2, author);
  return q->Step(fmt::format("look up author of incident '{}'", incident_id));
}

Status StateStore::Commit(const EscalatorCommit& c) {
  MutexLock lock(impl_->mu);
  SqliteDb& db = *impl_->db;
  const std::string what =
      c.source.empty() ? std::string("commit escalator step")
                       : fmt::format("commit batch of source '{}'", c.source);
  Transaction txn(db);
  EARSHOT_RETURN_IF_ERROR(txn.Begin(what));
  if (c.log_seq) {
    // Applied already (a restart after the commit, before the caller heard of it): once only.
    EARSHOT_ASSIGN_OR_RETURN(uint64_t applied, impl_->Position("state_log", what));
    if (applied >= *c.log_seq) return Status::Ok();
    EARSHOT_RETURN_IF_ERROR(impl_->StorePosition("state_log", *c.log_seq, what));
    EARSHOT_RETURN_IF_ERROR(impl_->StorePosition("last_commit", *c.log_seq, what));
  }
  if (c.input_seq) EARSHOT_RETURN_IF_ERROR(impl_->StorePosition("batch_input", *c.input_seq, what));
  if (!c.outbox.empty()) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare("SELECT coalesce(max(seq), 0) FROM outbox"));
    EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step(what));
    uint64_t expect = (row ? static_cast<uint64_t>(q->Int(0)) : 0) + 1;
    for (const OutboxRecord& r : c.outbox) {
      if (r.seq != expect) {
        return Status::Internal(fmt::format(
            "state store '{}': {}: outbox seq {} would leave a gap (next is {}); nothing written",
            db.path(), what, r.seq, expect));
      }
      ++expect;
    }
  }
  for (const SeenPost& s : c.seen) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
        "INSERT OR IGNORE INTO seen_posts(source, post_id, seen_at) VALUES(?, ?, ?)"));
    q->Bind(1, s.source).Bind(2, s.post_id).Bind(3, ToUnixMillis(s.seen_at));
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  for (const IncidentRecord& r : c.incidents) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(fmt::format(
        // `earshot ack` writes from another process: the escalator's cached "open" must not
        // undo an acknowledgement it has not read yet (a resolution still wins).
        "INSERT OR REPLACE INTO incidents({}) VALUES(?1, ?2, CASE WHEN ?3 = 'open' AND "
        "(SELECT status FROM incidents WHERE id = ?1) = 'acknowledged' THEN 'acknowledged' "
        "ELSE ?3 END, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
        "?20, ?21, ?22, ?23, ?24, ?25, ?26)",
        kIncidentColumns)));
    q->Bind(1, r.id).Bind(2, r.group_key).Bind(3, IncidentStatusName(r.status)).Bind(4, r.rule_id);
    q->Bind(5, IncidentKindName(r.category)).Bind(6, static_cast<int64_t>(r.severity));
    if (r.notified_severity) {
      q->Bind(7, static_cast<int64_t>(*r.notified_severity));
    } else {
      q->BindNull(7);
    }
    q->Bind(8, LabelsToJson(r.labels)).Bind(9, r.summary).Bind(10, ToUnixMillis(r.opened_at));
    q->Bind(11, ToUnixMillis(r.last_post_at)).Bind(12, ToUnixMillis(r.last_notified_at));
    if (r.resolved_at) {
      q->Bind(13, ToUnixMillis(*r.resolved_at));
    } else {
      q->BindNull(13);
    }
    q->Bind(14, r.post_count).Bind(15, r.receiver).Bind(16, r.pending_reason.Text());
    q->Bind(17, r.engagement.replies).Bind(18, r.engagement.boosts).Bind(19, r.engagement.likes);
    q->Bind(20, r.authors);
    if (r.first_response) {
      q->Bind(21, ToUnixMillis(r.first_response->at)).Bind(22, r.first_response->by);
      q->Bind(23, static_cast<int64_t>(r.first_response->after.count()));
    } else {
      q->BindNull(21).Bind(22, std::string_view()).Bind(23, int64_t{0});
    }
    if (r.response_due_at) {
      q->Bind(24, ToUnixMillis(*r.response_due_at));
    } else {
      q->BindNull(24);
    }
    q->Bind(25, static_cast<int64_t>(r.unanswered_level));
    q->Bind(26, static_cast<int64_t>(r.breach_notified ? 1 : 0));
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  for (const IncidentPost& ip : c.posts) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
        "INSERT INTO incident_posts(incident_id, network, post_id, url, author, "
        "author_name, followers, text, created_at, sentiment, replies, boosts, likes, "
        "complaint) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        // A post met again is an edited version: the page shows what it says now. Its counts
        // only grow (c.engagement below).
        "ON CONFLICT(incident_id, network, post_id) DO UPDATE SET text = excluded.text, "
        "sentiment = excluded.sentiment, complaint = excluded.complaint, "
        "followers = excluded.followers"));
    const PostRef& p = ip.post;
    q->Bind(1, ip.incident_id).Bind(2, p.network).Bind(3, p.id).Bind(4, p.url).Bind(5, p.author);
    q->Bind(6, p.author_name).Bind(7, p.followers).Bind(8, p.text);
    q->Bind(9, ToUnixMillis(p.created_at)).Bind(10, FiniteScore(p.sentiment));
    q->Bind(11, ip.engagement.replies).Bind(12, ip.engagement.boosts);
    q->Bind(13, ip.engagement.likes).Bind(14, FiniteScore(p.complaint));
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  for (const IncidentPost& ip : c.engagement) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
        "UPDATE incident_posts SET replies = max(replies, ?), boosts = max(boosts, ?), "
        "likes = max(likes, ?) WHERE incident_id = ? AND network = ? AND post_id = ?"));
    q->Bind(1, ip.engagement.replies).Bind(2, ip.engagement.boosts);
    q->Bind(3, ip.engagement.likes).Bind(4, ip.incident_id).Bind(5, ip.post.network);
    q->Bind(6, ip.post.id);
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  for (const IncidentEvent& e : c.events) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
        "INSERT INTO incident_events(incident_id, at, kind, severity, reason, seq) "
        "VALUES(?, ?, ?, ?, ?, ?)"));
    q->Bind(1, e.incident_id).Bind(2, ToUnixMillis(e.at)).Bind(3, IncidentEventKindName(e.kind));
    q->Bind(4, static_cast<int64_t>(e.severity)).Bind(5, e.reason);
    q->Bind(6, static_cast<int64_t>(e.seq));
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  for (const OutboxRecord& r : c.outbox) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
        "INSERT INTO outbox(seq, json, created_at) VALUES(?, ?, ?)"));
    q->Bind(1, static_cast<int64_t>(r.seq)).Bind(2, r.json).Bind(3, ToUnixMillis(r.created_at));
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  for (int64_t id : c.acks_done) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare("DELETE FROM pending_acks WHERE id = ?"));
    q->Bind(1, id);
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  for (int64_t id : c.resolves_done) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare("DELETE FROM pending_resolves WHERE id = ?"));
    q->Bind(1, id);
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  for (const BrandHashtagRecord& h : c.hashtags) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
        "INSERT OR REPLACE INTO brand_hashtags(hashtag, brand, first_seen, first_network, "
        "first_post_id, first_post_url, count, incident_id) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
    q->Bind(1, h.hashtag).Bind(2, h.brand).Bind(3, ToUnixMillis(h.first_seen));
    q->Bind(4, h.first_network).Bind(5, h.first_post_id).Bind(6, h.first_post_url);
    q->Bind(7, h.count).Bind(8, h.incident_id);
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  for (const std::string& key : c.surge.forgotten) {
    for (const char* sql : {"DELETE FROM surge_events WHERE key = ?",
                            "DELETE FROM surge_keys WHERE key = ?"}) {
      EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(sql));
      q->Bind(1, key);
      EARSHOT_RETURN_IF_ERROR(q->Run(what));
    }
  }
  for (const SurgeKeyRecord& k : c.surge.keys) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
        "INSERT OR REPLACE INTO surge_keys(key, bucket, bucket_count, mean, var, active, "
        "incident_id, started_count, frozen_windows, hold_until) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    q->Bind(1, k.key).Bind(2, k.bucket).Bind(3, k.bucket_count).Bind(4, k.mean).Bind(5, k.var);
    q->Bind(6, static_cast<int64_t>(k.active ? 1 : 0)).Bind(7, k.incident_id);
    q->Bind(8, k.started_count).Bind(9, k.frozen_windows).Bind(10, ToUnixMillis(k.hold_until));
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
    if (k.drop_through) {
      EARSHOT_ASSIGN_OR_RETURN(auto d, db.Prepare(
          "DELETE FROM surge_events WHERE key = ? AND at <= ?"));
      d->Bind(1, k.key).Bind(2, ToUnixMillis(*k.drop_through));
      EARSHOT_RETURN_IF_ERROR(d->Run(what));
    }
    // A step counts its posts at one time: one row per run of equal times, not per post.
    for (size_t b = 0; b < k.events.size();) {
      size_t e = b;
      std::string authors;
      for (; e < k.events.size() && k.events[e].at == k.events[b].at; ++e) {
        if (e > b) authors.push_back('\n');
        authors += k.events[e].author;
      }
      EARSHOT_ASSIGN_OR_RETURN(auto i, db.Prepare(
          "INSERT INTO surge_events(key, at, authors) VALUES(?, ?, ?)"));
      i->Bind(1, k.key).Bind(2, ToUnixMillis(k.events[b].at)).Bind(3, authors);
      EARSHOT_RETURN_IF_ERROR(i->Run(what));
      b = e;
    }
  }
  if (!c.source.empty() && c.cursor) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
        "INSERT INTO cursors(source, cursor, updated_at) VALUES(?, ?, ?) ON CONFLICT(source) "
        "DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at"));
    q->Bind(1, c.source).Bind(2, *c.cursor).Bind(3, ToUnixMillis(RealClock().Now()));
    EARSHOT_RETURN_IF_ERROR(q->Run(what));
  }
  return txn.Commit(what);
}

Result<int64_t> StateStore::PruneSeenPosts(SystemTime before) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare("DELETE FROM seen_posts WHERE seen_at < ?"));
  q->Bind(1, ToUnixMillis(before));
  EARSHOT_RETURN_IF_ERROR(q->Run("prune seen posts"));
  return static_cast<int64_t>(sqlite3_changes64(impl_->db->raw()));
}

Result<std::vector<std::string>> StateStore::IncidentsWithPosts(
    const std::vector<std::string>& post_ids) {
  MutexLock lock(impl_->mu);
  std::vector<std::string> out;
  for (const std::string& post_id : post_ids) {
    EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
        "SELECT DISTINCT incident_id FROM incident_posts WHERE post_id = ? ORDER BY incident_id"));
    q->Bind(1, post_id);
    std::vector<std::string> ids;
    EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
        *q, "find incidents by post",
        [](const Query& r) -> Result<std::string> { return r.Text(0); }, &ids));
    for (std::string& id : ids) {
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(std::move(id));
    }
  }
  return out;
}

Result<std::vector<std::string>> StateStore::PostsToRecheck(std::string_view source,
                                                            size_t limit) {
  MutexLock lock(impl_->mu);
  // seen_posts says which source delivered a post: post ids mean something only to it.
  // Complaints only: a surge or a signal is not ended by one of its posts going away.
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(fmt::format(
      "SELECT p.post_id, MAX(i.last_post_at) AS active FROM incidents i "
      "JOIN incident_posts p ON p.incident_id = i.id "
      "JOIN seen_posts s ON s.source = ? AND s.post_id = p.post_id "
      "WHERE i.status IN ('open', 'acknowledged') AND i.category = '{}' "
      "GROUP BY p.post_id ORDER BY active DESC, p.post_id LIMIT ?",
      IncidentKindName(IncidentKind::kComplaint))));
  q->Bind(1, source);
  q->Bind(2, static_cast<int64_t>(limit));
  std::vector<std::string> ids;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, "list posts to re-check",
      [](const Query& r) -> Result<std::string> { return r.Text(0); }, &ids));
  return ids;
}

Status StateStore::AcknowledgeIncident(std::string_view id, std::string_view by, SystemTime now) {
  MutexLock lock(impl_->mu);
  SqliteDb& db = *impl_->db;
  const std::string what = fmt::format("acknowledge incident '{}'", id);
  Transaction txn(db);
  EARSHOT_RETURN_IF_ERROR(txn.Begin(what));
  EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare("SELECT status, severity FROM incidents WHERE id = ?"));
  q->Bind(1, id);
  EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step(what));
  if (!row) {
    return Status::NotFound(fmt::format(
        "incident '{}': no such incident; see `earshot incidents` for the ids", id));
  }
  const std::string status = q->Text(0);
  const int64_t severity = q->Int(1);
  if (status == "resolved") {
    return Status::InvalidArgument(fmt::format(
        "incident '{}': already resolved; nothing to acknowledge", id));
  }
  if (status == "acknowledged") return Status::Ok();  // acknowledging twice changes nothing
  EARSHOT_ASSIGN_OR_RETURN(auto r, db.Prepare(
      "SELECT 1 FROM pending_resolves WHERE incident_id = ? LIMIT 1"));
  r->Bind(1, id);
  EARSHOT_ASSIGN_OR_RETURN(bool resolving, r->Step(what));
  if (resolving) {
    return Status::InvalidArgument(fmt::format(
        "incident '{}': already resolved by hand (the daemon carries it out within a second); "
        "nothing to acknowledge", id));
  }
  EARSHOT_ASSIGN_OR_RETURN(auto u, db.Prepare(
      "UPDATE incidents SET status = 'acknowledged' WHERE id = ?"));
  u->Bind(1, id);
  EARSHOT_RETURN_IF_ERROR(u->Run(what));
  EARSHOT_ASSIGN_OR_RETURN(auto e, db.Prepare(
      "INSERT INTO incident_events(incident_id, at, kind, severity, reason, seq) "
      "VALUES(?, ?, ?, ?, ?, 0)"));
  e->Bind(1, id).Bind(2, ToUnixMillis(now));
  e->Bind(3, IncidentEventKindName(IncidentEventKind::kAcknowledged)).Bind(4, severity);
  e->Bind(5, NotifyReason::Of(NotifyReason::Kind::kAcknowledged, std::string(by)).Text());
  EARSHOT_RETURN_IF_ERROR(e->Run(what));
  EARSHOT_ASSIGN_OR_RETURN(auto p, db.Prepare(
      "INSERT INTO pending_acks(incident_id, by, at) VALUES(?, ?, ?)"));
  p->Bind(1, id).Bind(2, by).Bind(3, ToUnixMillis(now));
  EARSHOT_RETURN_IF_ERROR(p->Run(what));
  return txn.Commit(what);
}

Status StateStore::ResolveIncident(std::string_view id, std::string_view by, SystemTime now) {
  MutexLock lock(impl_->mu);
  SqliteDb& db = *impl_->db;
  const std::string what = fmt::format("resolve incident '{}'", id);
  Transaction txn(db);
  EARSHOT_RETURN_IF_ERROR(txn.Begin(what));
  EARSHOT_ASSIGN_OR_RETURN(auto q, db.Prepare(
      "SELECT status, severity, EXISTS(SELECT 1 FROM pending_resolves WHERE incident_id = ?1) "
      "FROM incidents WHERE id = ?1"));
  q->Bind(1, id);
  EARSHOT_ASSIGN_OR_RETURN(bool row, q->Step(what));
  if (!row) {
    return Status::NotFound(fmt::format(
        "incident '{}': no such incident; see `earshot incidents` for the ids", id));
  }
  // Resolved already, or waiting for the escalator to carry out an earlier `earshot resolve`:
  // resolving twice changes nothing.
  if (q->Text(0) == "resolved" || q->Int(2) != 0) return Status::Ok();
  const int64_t severity = q->Int(1);
  // The status is the escalator's to change (PendingResolve says why): only the history line
  // and the pending record are written here.
  EARSHOT_ASSIGN_OR_RETURN(auto e, db.Prepare(
      "INSERT INTO incident_events(incident_id, at, kind, severity, reason, seq) "
      "VALUES(?, ?, ?, ?, ?, 0)"));
  e->Bind(1, id).Bind(2, ToUnixMillis(now));
  e->Bind(3, IncidentEventKindName(IncidentEventKind::kResolved)).Bind(4, severity);
  e->Bind(5, ResolvedByReason(by));
  EARSHOT_RETURN_IF_ERROR(e->Run(what));
  EARSHOT_ASSIGN_OR_RETURN(auto p, db.Prepare(
      "INSERT INTO pending_resolves(incident_id, by, at) VALUES(?, ?, ?)"));
  p->Bind(1, id).Bind(2, by).Bind(3, ToUnixMillis(now));
  EARSHOT_RETURN_IF_ERROR(p->Run(what));
  return txn.Commit(what);
}

Result<std::vector<PendingResolve>> StateStore::LoadPendingResolves() {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT id, incident_id, by, at FROM pending_resolves ORDER BY id"));
  std::vector<PendingResolve> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, "list resolutions to carry out",
      [](const Query& r) -> Result<PendingResolve> {
        return PendingResolve{r.Int(0), r.Text(1), r.Text(2), FromUnixMillis(r.Int(3))};
      },
      &out));
  return out;
}

Result<std::vector<PendingAck>> StateStore::LoadPendingAcks() {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT id, incident_id, by, at FROM pending_acks ORDER BY id"));
  std::vector<PendingAck> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, "list acknowledgements to tell",
      [](const Query& r) -> Result<PendingAck> {
        return PendingAck{r.Int(0), r.Text(1), r.Text(2), FromUnixMillis(r.Int(3))};
      },
      &out));
  return out;
}

Result<std::vector<std::string>> StateStore::AcknowledgedIncidentIds() {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT id FROM incidents WHERE status = 'acknowledged' ORDER BY id"));
  std::vector<std::string> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, "list acknowledged incidents",
      [](const Query& r) -> Result<std::string> { return r.Text(0); }, &out));
  return out;
}

// ---- silences -------------------------------------------------------------------------------

Result<std::string> StateStore::AddSilence(const SilenceRecord& s) {
  MutexLock lock(impl_->mu);
  // A cluster's replica applies a logged silence under the id it was logged with, once however
  // often the log is replayed (state_ops.h); a new one gets the next free number.
  const std::optional<int64_t> given = s.id.empty() ? std::nullopt : SilenceNumber(s.id);
  if (!s.id.empty() && (!given || *given <= 0)) {
    return Status::InvalidArgument(fmt::format("silence id '{}' is not sil-N", s.id));
  }
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "INSERT OR IGNORE INTO silences(id, matchers, comment, created_by, starts_at, ends_at) "
      "VALUES(?, ?, ?, ?, ?, ?)"));
  if (given) {
    q->Bind(1, *given);
  } else {
    q->BindNull(1);
  }
  q->Bind(2, s.matchers).Bind(3, s.comment).Bind(4, s.created_by);
  q->Bind(5, ToUnixMillis(s.starts_at)).Bind(6, ToUnixMillis(s.ends_at));
  EARSHOT_RETURN_IF_ERROR(q->Run("add silence"));
  if (given) return s.id;
  return fmt::format("sil-{}", sqlite3_last_insert_rowid(impl_->db->raw()));
}

Result<std::vector<SilenceRecord>> StateStore::ListSilences(SystemTime now, bool active_only) {
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "SELECT id, matchers, comment, created_by, starts_at, ends_at FROM silences "
      "WHERE ?1 = 0 OR (starts_at <= ?2 AND ends_at > ?2) ORDER BY id"));
  q->Bind(1, static_cast<int64_t>(active_only ? 1 : 0)).Bind(2, ToUnixMillis(now));
  std::vector<SilenceRecord> out;
  EARSHOT_RETURN_IF_ERROR(impl_->ReadAll(
      *q, "list silences",
      [](const Query& r) -> Result<SilenceRecord> {
        return SilenceRecord{fmt::format("sil-{}", r.Int(0)), r.Text(1), r.Text(2), r.Text(3),
                             FromUnixMillis(r.Int(4)), FromUnixMillis(r.Int(5))};
      },
      &out));
  return out;
}

Status StateStore::ExpireSilence(std::string_view id, SystemTime now) {
  const std::optional<int64_t> number = SilenceNumber(id);
  if (!number) {
    return Status::NotFound(fmt::format("silence '{}': no such silence (ids look like sil-3; "
                                        "see `earshot silence list`)", id));
  }
  const int64_t rowid = *number;
  MutexLock lock(impl_->mu);
  EARSHOT_ASSIGN_OR_RETURN(auto q, impl_->db->Prepare(
      "UPDATE silences SET ends_at = min(ends_at, ?) WHERE id = ?"));
  q->Bind(1, ToUnixMillis(now)).Bind(2, rowid);
  EARSHOT_RETURN_IF_ERROR(q->Run(fmt::format("expire silence '{}'", id)));
  if (rowid == 0 || sqlite3_changes64(impl_->db->raw()) == 0) {
    return Status::NotFound(fmt::format("silence '{}': no such silence; see `earshot silence list`",
                                        id));
  }
  return Status::Ok();
}

// ---- a cluster node's positions ------------------------------------------------------------

Result<uint64_t> StateStore::LoadPosition(std::string_view name) {
  MutexLock lock(impl_->mu);
  return impl_->Position(name, "read cluster position");
}

Status StateStore::SavePosition(std::string_view name, uint64_t seq) {
  MutexLock lock(impl_->mu);
  return impl_->StorePosition(name, seq, "store cluster position");
}

// ---- schema and tests -----------------------------------------------------------------------

Result<int> StateStore::SchemaVersion() {
  MutexLock lock(impl_->mu);
  return state::ReadSchemaVersion(*impl_->db);
}

int StateStore::LatestSchemaVersion() { return static_cast<int>(state::Migrations().size()); }

Status StateStore::LimitPagesForTesting(int64_t max_pages) {
  MutexLock lock(impl_->mu);
  return impl_->db->Exec(fmt::format("PRAGMA max_page_count={}", max_pages), "limit pages");
}

}  // namespace earshot
