// StateStore against real SQLite files in a temp dir: every method, reopening, migrations and
// failures (a full database, a missing directory, a file that is not a database).
#include "daemon/state/state_store.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <limits>

#include "daemon/state/schema.h"
#include "tests/state/temp_dir.h"

namespace earshot {
namespace {

using testing::TempDir;

const SystemTime kT0 = FromUnixMillis(1'795'000'000'000);

std::unique_ptr<StateStore> MustOpen(const std::filesystem::path& path) {
  auto store = StateStore::Open(path);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

OutboxRecord Out(uint64_t seq) {
  return OutboxRecord{seq, "{\"seq\":" + std::to_string(seq) + "}", kT0};
}

IncidentRecord SampleIncident(std::string id) {
  IncidentRecord r;
  r.id = std::move(id);
  r.group_key = "mastodon|jane@air.example|1093";
  r.rule_id = "lost-baggage";
  r.category = IncidentKind::kComplaint;
  r.severity = Severity::kHigh;
  r.notified_severity = Severity::kMedium;
  r.labels = {{"brand", "acmeair"}, {"note", "quote \" and \\ and ünïcode\n"}};
  r.summary = "@jane@air.example (152k followers): \"lost my bag\"";
  r.receiver = "oncall";
  r.opened_at = kT0;
  r.last_post_at = kT0 + Seconds(30);
  r.last_notified_at = kT0 + Seconds(10);
  r.post_count = 3;
  r.pending_reason = NotifyReason::Of(NotifyReason::Kind::kSeverityRaised);
  return r;
}

PostRef SamplePost(std::string id, SystemTime created) {
  PostRef p;
  p.network = "mastodon";
  p.id = std::move(id);
  p.url = "https://air.example/@jane/" + p.id;
  p.author = "jane@air.example";
  p.author_name = "Jane";
  p.followers = 152000;
  p.text = "lost my bag in Denver";
  p.created_at = created;
  p.sentiment = -0.83;
  p.complaint = 0.91;
  return p;
}

TEST_CASE("StateStore: a new file is created at the newest schema version", "[state]") {
  TempDir dir;
  auto store = MustOpen(dir.File("state.db"));
  auto version = store->SchemaVersion();
  REQUIRE(version.ok());
  CHECK(*version == StateStore::LatestSchemaVersion());
  CHECK(StateStore::LatestSchemaVersion() >= 2);
  CHECK(*store->MaxOutboxSeq() == 0);
  CHECK(!store->LoadCursor("mastodon:airline")->has_value());
  CHECK(!store->LoadSinkCursor("console")->has_value());
  CHECK(store->ListDeadLetters()->empty());
  CHECK(store->LoadActiveIncidents()->empty());
}

TEST_CASE("StateStore: the database runs in WAL mode with synchronous=FULL", "[state]") {
  TempDir dir;
  auto store = MustOpen(dir.File("state.db"));
  EscalatorCommit c;
  c.source = "s";
  c.cursor = "1";
  REQUIRE(store->Commit(c).ok());
  // A second connection sees the journal mode, which is persistent in the file.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(dir.File("state.db").c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  CHECK(std::filesystem::exists(dir.File("state.db-wal")));
}

TEST_CASE("StateStore: cursors, seen posts and outbox survive a reopen", "[state]") {
  TempDir dir;
  {
    auto store = MustOpen(dir.File("state.db"));
    EscalatorCommit c;
    c.source = "mastodon:airline";
    c.cursor = "109999";
    c.seen = {{"mastodon:airline", "1093", kT0}, {"mastodon:airline", "1094", kT0}};
    c.outbox = {Out(1), Out(2), Out(3)};
    REQUIRE(store->Commit(c).ok());
    c.cursor = "110005";
    c.seen = {{"mastodon:airline", "1095", kT0}};
    c.outbox = {Out(4)};
    REQUIRE(store->Commit(c).ok());
  }
  auto store = MustOpen(dir.File("state.db"));
  CHECK(*store->LoadCursor("mastodon:airline") == std::optional<std::string>("110005"));
  CHECK(!store->LoadCursor("mastodon:other")->has_value());
  CHECK(*store->IsPostSeen("mastodon:airline", "1093"));
  CHECK(*store->IsPostSeen("mastodon:airline", "1095"));
  CHECK(!*store->IsPostSeen("mastodon:other", "1093"));  // seen per source
  auto batch = store->ArePostsSeen("mastodon:airline", {"1092", "1093", "1095", "2000"});
  REQUIRE(batch.ok());
  CHECK(*batch == std::vector<bool>{false, true, true, false});
  CHECK(store->ArePostsSeen("mastodon:airline", {})->empty());
  CHECK(*store->MaxOutboxSeq() == 4);
  auto all = store->ReadOutbox(0, 100);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 4);
  for (size_t i = 0; i < all->size(); ++i) {
    CHECK((*all)[i].seq == i + 1);
    CHECK((*all)[i].json == Out(i + 1).json);
    CHECK((*all)[i].created_at == kT0);
  }
  auto page = store->ReadOutbox(1, 2);
  REQUIRE(page->size() == 2);
  CHECK((*page)[0].seq == 2);
  CHECK((*page)[1].seq == 3);
  CHECK(store->ReadOutbox(4, 10)->empty());
}

TEST_CASE("StateStore: an outbox gap is refused and nothing of the commit is written", "[state]") {
  TempDir dir;
  auto store = MustOpen(dir.File("state.db"));
  EscalatorCommit first;
  first.outbox = {Out(1)};
  REQUIRE(store->Commit(first).ok());

  struct Case {
    const char* name;
    std::vector<uint64_t> seqs;
  };
  for (const Case& tc : {Case{"skips one", {3}}, Case{"repeats", {1}}, Case{"gap inside", {2, 4}}}) {
    SECTION(tc.name) {
      EscalatorCommit c;
      c.source = "s";
      c.cursor = "42";
      c.seen = {{"s", "p1", kT0}};
      for (uint64_t s : tc.seqs) c.outbox.push_back(Out(s));
      Status st = store->Commit(c);
      CHECK(st.code() == Status::Code::kInternal);
      CHECK_THAT(st.message(), Catch::Contains("gap"));
      CHECK(*store->MaxOutboxSeq() == 1);
      CHECK(!store->LoadCursor("s")->has_value());
      CHECK(!*store->IsPostSeen("s", "p1"));
    }
  }
}

TEST_CASE("StateStore: sink cursors and dead letters", "[state]") {
  TempDir dir;
  {
    auto store = MustOpen(dir.File("state.db"));
    REQUIRE(store->SaveSinkCursor("console", 7).ok());
    REQUIRE(store->SaveSinkCursor("console", 9).ok());
    REQUIRE(store->AddDeadLetter({"slack", 12, "HTTP 404: webhook revoked", kT0}).ok());
    // Parking an older seq keeps the cursor where it is.
    REQUIRE(store->AddDeadLetter({"slack", 5, "HTTP 400: payload rejected", kT0}).ok());
    REQUIRE(store->AddDeadLetter({"pagerduty", 3, "HTTP 400", kT0}).ok());
  }
  auto store = MustOpen(dir.File("state.db"));
  CHECK(*store->LoadSinkCursor("console") == std::optional<uint64_t>(9));
  CHECK(*store->LoadSinkCursor("slack") == std::optional<uint64_t>(12));
  CHECK(*store->LoadSinkCursor("pagerduty") == std::optional<uint64_t>(3));
  auto slack = store->ListDeadLetters("slack");
  REQUIRE(slack->size() == 2);
  CHECK((*slack)[0].seq == 5);
  CHECK((*slack)[0].reason == "HTTP 400: payload rejected");
  CHECK((*slack)[1].seq == 12);
  CHECK((*slack)[1].at == kT0);
  CHECK(store->ListDeadLetters()->size() == 3);
  CHECK(store->ListDeadLetters("email")->empty());
}

TEST_CASE("StateStore: incidents, their posts and history round-trip", "[state]") {
  TempDir dir;
  IncidentRecord open = SampleIncident("inc-00000000000000aa");
  IncidentRecord resolved = SampleIncident("inc-00000000000000bb");
  resolved.status = IncidentStatus::kResolved;
  resolved.resolved_at = kT0 + Seconds(60);
  resolved.notified_severity.reset();
  resolved.labels.clear();
  resolved.first_response =
      FirstResponse{kT0 + Seconds(45), "support@acmeair.example", Seconds(45)};
  open.response_due_at = kT0 + Seconds(900);
  open.unanswered_level = 2;
  open.breach_notified = true;
  {
    auto store = MustOpen(dir.File("state.db"));
    EscalatorCommit c;
    c.incidents = {open, resolved};
    c.posts = {{open.id, SamplePost("1", kT0), {}},
               {open.id, SamplePost("3", kT0 + Seconds(20)), {}},
               {open.id, SamplePost("2", kT0 + Seconds(10)), {}},
               {open.id, SamplePost("2", kT0 + Seconds(10)), {}}};  // a post joins only once
    c.events = {{open.id, kT0, IncidentEventKind::kOpen, Severity::kMedium, "new incident", 1},
                {open.id, kT0 + Seconds(5), IncidentEventKind::kUpdate, Severity::kHigh,
                 "severity raised", 2}};
    c.outbox = {Out(1), Out(2)};
    REQUIRE(store->Commit(c).ok());
  }
  auto store = MustOpen(dir.File("state.db"));
  auto loaded = store->LoadIncident(open.id);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  const IncidentRecord& r = **loaded;
  CHECK(r.id == open.id);
  CHECK(r.group_key == open.group_key);
  CHECK(r.status == IncidentStatus::kOpen);
  CHECK(r.rule_id == "lost-baggage");
  CHECK(r.category == IncidentKind::kComplaint);
  CHECK(r.severity == Severity::kHigh);
  CHECK(r.notified_severity == std::optional<Severity>(Severity::kMedium));
  CHECK(r.labels == open.labels);
  CHECK(r.summary == open.summary);
  CHECK(r.receiver == "oncall");
  CHECK(r.opened_at == open.opened_at);
  CHECK(r.last_post_at == open.last_post_at);
  CHECK(r.last_notified_at == open.last_notified_at);
  CHECK(!r.resolved_at.has_value());
  CHECK(r.post_count == 3);
  CHECK(r.pending_reason.kind == NotifyReason::Kind::kSeverityRaised);
  CHECK(!r.first_response.has_value());
  CHECK(r.response_due_at == open.response_due_at);
  CHECK(r.unanswered_level == 2);
  CHECK(r.breach_notified);

  auto other = store->LoadIncident(resolved.id);
  REQUIRE(other->has_value());
  CHECK((*other)->status == IncidentStatus::kResolved);
  CHECK((*other)->first_response == resolved.first_response);
  CHECK((*other)->resolved_at == resolved.resolved_at);
  CHECK(!(*other)->notified_severity.has_value());
  CHECK(!(*other)->response_due_at.has_value());
  CHECK((*other)->unanswered_level == 0);
  CHECK(!(*other)->breach_notified);
  CHECK((*other)->labels.empty());
  CHECK(!store->LoadIncident("inc-missing")->has_value());
  auto some = store->LoadIncidents({"inc-missing", resolved.id, open.id});
  REQUIRE(some->size() == 2);
  CHECK((*some)[0].id == resolved.id);
  CHECK((*some)[1].labels == open.labels);

  auto active = store->LoadActiveIncidents();
  REQUIRE(active->size() == 1);
  CHECK((*active)[0].id == open.id);
  CHECK(store->ListIncidents("resolved", 10)->size() == 1);
  CHECK(store->ListIncidents("", 10)->size() == 2);
  CHECK(store->ListIncidents("", 1)->size() == 1);

  auto posts = store->LoadIncidentPosts(open.id, 2);
  REQUIRE(posts->size() == 2);
  CHECK((*posts)[0].id == "3");  // newest first
  CHECK((*posts)[1].id == "2");
  CHECK((*posts)[0].author == "jane@air.example");
  CHECK((*posts)[0].author_name == "Jane");
  CHECK((*posts)[0].followers == 152000);
  CHECK((*posts)[0].url == "https://air.example/@jane/3");
  CHECK((*posts)[0].text == "lost my bag in Denver");
  CHECK((*posts)[0].sentiment == Approx(-0.83));
  CHECK((*posts)[0].complaint == 0.91);  // REAL keeps the double exactly
  CHECK((*posts)[0].created_at == kT0 + Seconds(20));
  CHECK(store->LoadIncidentPosts(open.id, 10)->size() == 3);

  auto events = store->LoadIncidentEvents(open.id);
  REQUIRE(events->size() == 2);
  CHECK((*events)[0].kind == IncidentEventKind::kOpen);
  CHECK((*events)[0].reason == "new incident");
  CHECK((*events)[0].seq == 1);
  CHECK((*events)[1].severity == Severity::kHigh);
  CHECK((*events)[1].at == kT0 + Seconds(5));
}

TEST_CASE("StateStore: complaints listed by when they first opened, for the report", "[state]") {
  TempDir dir;
  auto store = MustOpen(dir.File("state.db"));
  const SystemTime since = kT0, until = kT0 + Seconds(3600);
  auto at = [&](std::string id, SystemTime opened) {
    IncidentRecord r = SampleIncident(std::move(id));
    r.opened_at = opened;
    return r;
  };
  IncidentRecord first = at("inc-a", since);             // the window's first instant
  IncidentRecord last = at("inc-b", until - Millis(1));  // its last
  IncidentRecord before = at("inc-c", since - Millis(1));
  IncidentRecord after = at("inc-d", until);  // the window is half-open
  IncidentRecord surge = at("inc-e", since + Seconds(60));
  surge.category = IncidentKind::kSurge;  // not a complaint
  // Answered 10 minutes after it opened, inside the window, then reopened after it: the
  // reopening moved opened_at, the first response keeps the first opening.
  IncidentRecord reopened = at("inc-f", until + Seconds(7200));
  reopened.first_response = FirstResponse{since + Seconds(1200), "acme_care", Seconds(600)};
  // The mirror: first opened before the window, reopened inside it.
  IncidentRecord reopened_early = at("inc-g", since + Seconds(300));
  reopened_early.first_response = FirstResponse{since - Seconds(60), "acme_care", Seconds(60)};
  // Answered, never reopened: whole seconds of `after` do not move its opening.
  IncidentRecord answered = at("inc-h", since + Seconds(30) + Millis(700));
  answered.first_response =
      FirstResponse{since + Seconds(90) + Millis(900), "acme_care", Seconds(60)};
  EscalatorCommit c;
  c.incidents = {first, last, before, after, surge, reopened, reopened_early, answered};
  REQUIRE(store->Commit(c).ok());

  auto listed = store->ListIncidentsOpenedBetween(since, until);
  REQUIRE(listed.ok());
  std::vector<std::string> ids;
  for (const IncidentRecord& r : *listed) ids.push_back(r.id);
  // Oldest first opening first: inc-a at 0 s, inc-h at 30.7 s, inc-f at 600 s, inc-b last.
  CHECK(ids == std::vector<std::string>{"inc-a", "inc-h", "inc-f", "inc-b"});
  for (const IncidentRecord& r : *listed) {
    CHECK(FirstOpenedAt(r) >= since);
    CHECK(FirstOpenedAt(r) < until);
  }
  CHECK(FirstOpenedAt((*listed)[1]) == answered.opened_at);
  CHECK(FirstOpenedAt((*listed)[2]) == since + Seconds(600));
  CHECK((*listed)[2].opened_at == reopened.opened_at);  // the record as stored

  auto earlier = store->ListIncidentsOpenedBetween(since - Seconds(3600), since);
  REQUIRE(earlier.ok());
  ids.clear();
  for (const IncidentRecord& r : *earlier) ids.push_back(r.id);
  CHECK(ids == std::vector<std::string>{"inc-g", "inc-c"});
  CHECK(store->ListIncidentsOpenedBetween(until, since)->empty());
}

TEST_CASE("StateStore: seen posts are pruned by age", "[state]") {
  TempDir dir;
  auto store = MustOpen(dir.File("state.db"));
  EscalatorCommit c;
  c.seen = {{"s", "old", kT0}, {"s", "new", kT0 + Seconds(3600)}};
  REQUIRE(store->Commit(c).ok());
  auto pruned = store->PruneSeenPosts(kT0 + Seconds(60));
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(!*store->IsPostSeen("s", "old"));
  CHECK(*store->IsPostSeen("s", "new"));
}

TEST_CASE("StateStore: silences are added, listed and expired", "[state]") {
  TempDir dir;
  std::string id;
  {
    auto store = MustOpen(dir.File("state.db"));
    auto added = store->AddSilence({"", "brand=\"acmeair\"", "storm handled by PR", "ops", kT0,
                                    kT0 + Seconds(7200)});
    REQUIRE(added.ok());
    id = *added;
    CHECK(id.starts_with("sil-"));
    REQUIRE(store->AddSilence({"", "network=\"mastodon\"", "", "ops", kT0, kT0 + Seconds(60)}).ok());
  }
  auto store = MustOpen(dir.File("state.db"));
  CHECK(store->ListSilences(kT0 + Seconds(30), true)->size() == 2);
  CHECK(store->ListSilences(kT0 + Seconds(120), true)->size() == 1);
  CHECK(store->ListSilences(kT0 + Seconds(120), false)->size() == 2);
  auto list = store->ListSilences(kT0, true);
  CHECK((*list)[0].id == id);
  CHECK((*list)[0].matchers == "brand=\"acmeair\"");
  CHECK((*list)[0].comment == "storm handled by PR");
  CHECK((*list)[0].created_by == "ops");
  CHECK((*list)[0].ends_at == kT0 + Seconds(7200));

  REQUIRE(store->ExpireSilence(id, kT0 + Seconds(40)).ok());
  CHECK(store->ListSilences(kT0 + Seconds(50), true)->size() == 1);
  for (const char* bad : {"sil-999", "sil-", "nonsense", "sil-99999999999999999999999"}) {
    Status st = store->ExpireSilence(bad, kT0);
    CHECK(st.code() == Status::Code::kNotFound);
    CHECK_THAT(st.message(), Catch::Contains(bad));
  }
}

TEST_CASE("StateStore: a version-1 database is migrated and keeps its rows", "[state]") {
  TempDir dir;
  const auto path = dir.File("state.db");
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    std::string v1 = std::string(state::Migrations()[0]) +
                     "CREATE TABLE schema_version(version INTEGER NOT NULL);"
                     "INSERT INTO schema_version VALUES(1);"
                     "INSERT INTO incidents VALUES('inc-1','k','open','r','complaint',2,NULL,"
                     "'{\"brand\":\"acmeair\"}','s',1,2,3,NULL,1);"
                     "INSERT INTO outbox VALUES(1,'{}',5);";
    REQUIRE(sqlite3_exec(raw, v1.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  auto store = MustOpen(path);
  CHECK(*store->SchemaVersion() == StateStore::LatestSchemaVersion());
  auto inc = store->LoadIncident("inc-1");
  REQUIRE(inc->has_value());
  CHECK((*inc)->labels.at("brand") == "acmeair");
  CHECK((*inc)->receiver.empty());
  CHECK((*inc)->pending_reason.empty());
  CHECK(*store->MaxOutboxSeq() == 1);
}

TEST_CASE("StateStore: a version-4 database gains momentum counts and brand hashtags",
          "[state]") {
  TempDir dir;
  const auto path = dir.File("state.db");
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    std::string v4;
    for (int i = 0; i < 4; ++i) v4 += std::string(state::Migrations()[i]);
    v4 += "CREATE TABLE schema_version(version INTEGER NOT NULL);"
          "INSERT INTO schema_version VALUES(4);"
          "INSERT INTO incidents(id, group_key, status, rule_id, category, severity, labels, "
          "summary, opened_at, last_post_at, last_notified_at, post_count) VALUES('inc-4','k',"
          "'open','r','complaint',2,'{}','s',1,2,3,1);"
          "INSERT INTO incident_posts VALUES('inc-4','mastodon','p1','u','a','A',5,'t',1,0.1);";
    REQUIRE(sqlite3_exec(raw, v4.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  {
    auto store = MustOpen(path);
    CHECK(*store->SchemaVersion() == StateStore::LatestSchemaVersion());
    auto inc = store->LoadIncident("inc-4");
    REQUIRE(inc->has_value());
    CHECK((*inc)->authors == 1);
    CHECK((*inc)->engagement.boosts == 0);
    CHECK(**store->LoadPostEngagement("inc-4", "mastodon", "p1") == Engagement{});
    CHECK(store->LoadBrandHashtags()->empty());
    EscalatorCommit c;
    c.hashtags.push_back({"boycottacmeair", "acmeair", kT0, "mastodon", "p1", "https://x/p1", 2,
                          "inc-9"});
    c.engagement.push_back({"inc-4", SamplePost("p1", kT0), {3, 60, 0}});
    c.engagement.back().post.network = "mastodon";
    REQUIRE(store->Commit(c).ok());
  }
  auto store = MustOpen(path);
  auto tags = store->LoadBrandHashtags();
  REQUIRE(tags->size() == 1);
  CHECK(tags->at(0).hashtag == "boycottacmeair");
  CHECK(tags->at(0).first_seen == kT0);
  CHECK(tags->at(0).count == 2);
  CHECK(tags->at(0).incident_id == "inc-9");
  const Engagement e = **store->LoadPostEngagement("inc-4", "mastodon", "p1");
  CHECK(e.replies == 3);
  CHECK(e.boosts == 60);
  CHECK(*store->IncidentHasAuthor("inc-4", "a"));
  CHECK_FALSE(*store->IncidentHasAuthor("inc-4", "b"));
}

TEST_CASE("StateStore: a version-7 database gains the posts' complaint column", "[state]") {
  TempDir dir;
  const auto path = dir.File("state.db");
  {
    // The file as earshot wrote it before the complaint scorer: migrations 1..7 only, and a
    // post stored in the seven-column-era incident_posts (no complaint column).
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    std::string v7;
    for (int i = 0; i < 7; ++i) v7 += std::string(state::Migrations()[i]);
    v7 += "CREATE TABLE schema_version(version INTEGER NOT NULL);"
          "INSERT INTO schema_version VALUES(7);"
          "INSERT INTO incidents(id, group_key, status, rule_id, category, severity, labels, "
          "summary, opened_at, last_post_at, last_notified_at, post_count) VALUES('inc-7','k',"
          "'open','r','complaint',2,'{}','s',1,2,3,1);"
          "INSERT INTO incident_posts(incident_id, network, post_id, url, author, author_name, "
          "followers, text, created_at, sentiment) "
          "VALUES('inc-7','mastodon','old','u','a','A',5,'t',1,-0.5);";
    char* error = nullptr;
    const int rc = sqlite3_exec(raw, v7.c_str(), nullptr, nullptr, &error);
    INFO((error != nullptr ? error : ""));
    sqlite3_free(error);
    REQUIRE(rc == SQLITE_OK);
    // Proves the fixture is the old shape: there is no complaint column to read yet.
    sqlite3_stmt* stmt = nullptr;
    CHECK(sqlite3_prepare_v2(raw, "SELECT complaint FROM incident_posts", -1, &stmt, nullptr) ==
          SQLITE_ERROR);
    sqlite3_finalize(stmt);
    sqlite3_close(raw);
  }
  {
    auto store = MustOpen(path);
    CHECK(*store->SchemaVersion() == StateStore::LatestSchemaVersion());
    CHECK(StateStore::LatestSchemaVersion() >= 8);
    auto posts = store->LoadIncidentPosts("inc-7", 10);
    REQUIRE(posts.ok());
    REQUIRE(posts->size() == 1);
    CHECK((*posts)[0].id == "old");
    CHECK((*posts)[0].sentiment == -0.5);
    CHECK((*posts)[0].complaint == 0.0);  // stored before the scorer: no opinion
    EscalatorCommit c;
    c.posts = {{"inc-7", SamplePost("new", kT0), {}}};
    REQUIRE(store->Commit(c).ok());
  }
  // A reopen migrates nothing more and reads the new post's score back.
  auto store = MustOpen(path);
  auto posts = store->LoadIncidentPosts("inc-7", 10);
  REQUIRE(posts->size() == 2);
  CHECK((*posts)[0].id == "new");
  CHECK((*posts)[0].complaint == 0.91);
  CHECK((*posts)[1].complaint == 0.0);
  // The column is what the migration promises: REAL NOT NULL DEFAULT 0.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw,
                             "SELECT type, \"notnull\", dflt_value FROM "
                             "pragma_table_info('incident_posts') WHERE name = 'complaint'",
                             -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "REAL");
  CHECK(sqlite3_column_int(stmt, 1) == 1);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 2))) == "0");
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
}

TEST_CASE("StateStore: a version-9 database gains the incidents' first response", "[state]") {
  TempDir dir;
  const auto path = dir.File("state.db");
  {
    // The file as earshot wrote it before first responses: migrations 1..9, and an incident
    // stored then (no first_response columns).
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    std::string v9;
    for (int i = 0; i < 9; ++i) v9 += std::string(state::Migrations()[i]);
    v9 += "CREATE TABLE schema_version(version INTEGER NOT NULL);"
          "INSERT INTO schema_version VALUES(9);"
          "INSERT INTO incidents(id, group_key, status, rule_id, category, severity, labels, "
          "summary, opened_at, last_post_at, last_notified_at, post_count) VALUES('inc-9','k',"
          "'open','r','complaint',2,'{}','s',1000,2000,3000,1);";
    char* error = nullptr;
    const int rc = sqlite3_exec(raw, v9.c_str(), nullptr, nullptr, &error);
    INFO((error != nullptr ? error : ""));
    sqlite3_free(error);
    REQUIRE(rc == SQLITE_OK);
    // Proves the fixture is the old shape.
    sqlite3_stmt* stmt = nullptr;
    CHECK(sqlite3_prepare_v2(raw, "SELECT first_response_at FROM incidents", -1, &stmt,
                             nullptr) == SQLITE_ERROR);
    sqlite3_finalize(stmt);
    sqlite3_close(raw);
  }
  {
    auto store = MustOpen(path);
    CHECK(*store->SchemaVersion() == StateStore::LatestSchemaVersion());
    CHECK(StateStore::LatestSchemaVersion() >= 10);
    auto inc = store->LoadIncident("inc-9");
    REQUIRE(inc.ok());
    REQUIRE(inc->has_value());
    CHECK(!(*inc)->first_response.has_value());  // stored before first responses: unanswered
    CHECK((*inc)->opened_at == FromUnixMillis(1000));
    IncidentRecord answered = **inc;
    answered.first_response = FirstResponse{FromUnixMillis(721'000), "acme_care", Seconds(720)};
    EscalatorCommit c;
    c.incidents = {answered};
    REQUIRE(store->Commit(c).ok());
  }
  // A reopen migrates nothing more and reads the response back.
  auto store = MustOpen(path);
  auto inc = store->LoadIncident("inc-9");
  REQUIRE(inc->has_value());
  REQUIRE((*inc)->first_response.has_value());
  CHECK((*inc)->first_response->at == FromUnixMillis(721'000));
  CHECK((*inc)->first_response->by == "acme_care");
  CHECK((*inc)->first_response->after == Seconds(720));
  auto active = store->LoadActiveIncidents();
  REQUIRE(active->size() == 1);
  CHECK(active->front().first_response == (*inc)->first_response);
}

TEST_CASE("StateStore: a post whose scores are not numbers is stored with 0, not refused",
          "[state]") {
  TempDir dir;
  auto store = MustOpen(dir.File("state.db"));
  PostRef p = SamplePost("nan", kT0);
  p.sentiment = std::numeric_limits<double>::quiet_NaN();
  p.complaint = std::numeric_limits<double>::quiet_NaN();
  EscalatorCommit c;
  c.posts = {{"inc-1", p, {}}};
  // SQLite would store NaN as NULL and the NOT NULL columns would fail the whole batch.
  REQUIRE(store->Commit(c).ok());
  auto posts = store->LoadIncidentPosts("inc-1", 10);
  REQUIRE(posts->size() == 1);
  CHECK((*posts)[0].sentiment == 0.0);
  CHECK((*posts)[0].complaint == 0.0);
}

TEST_CASE("StateStore: surge keys keep their window: added posts, slid-out posts, forgotten keys",
          "[state]") {
  TempDir dir;
  const auto path = dir.File("state.db");
  {
    auto store = MustOpen(path);
    EscalatorCommit c;
    SurgeKeyRecord k;
    k.key = "rule:r|brand:b";
    k.bucket = 7;
    k.bucket_count = 3;
    k.mean = 2.5;
    k.var = 0.75;
    k.active = true;
    k.incident_id = "inc-s";
    k.started_count = 20;
    k.frozen_windows = 1;
    k.hold_until = kT0;
    // Posts counted at one time share a row; their order and repeats are kept.
    k.events = {{kT0, "a"}, {kT0 + Seconds(1), "b"}, {kT0 + Seconds(2), "a"},
                {kT0 + Seconds(2), "d"}, {kT0 + Seconds(2), "a"}};
    c.surge.keys.push_back(k);
    SurgeKeyRecord gone = k;
    gone.key = "hashtag:x";
    c.surge.keys.push_back(gone);
    REQUIRE(store->Commit(c).ok());
    // The next step: one post slid out, one came, and the hashtag's key was forgotten.
    EscalatorCommit next;
    k.events = {{kT0 + Seconds(3), "c"}};
    k.drop_through = kT0;
    k.bucket_count = 4;
    next.surge.keys.push_back(k);
    next.surge.forgotten.push_back("hashtag:x");
    REQUIRE(store->Commit(next).ok());
  }
  auto store = MustOpen(path);
  auto keys = store->LoadSurgeKeys();
  REQUIRE(keys.ok());
  REQUIRE(keys->size() == 1);
  const SurgeKeyRecord& k = keys->at(0);
  CHECK(k.key == "rule:r|brand:b");
  CHECK(k.bucket == 7);
  CHECK(k.bucket_count == 4);
  CHECK(k.mean == 2.5);
  CHECK(k.var == 0.75);
  CHECK(k.active);
  CHECK(k.incident_id == "inc-s");
  CHECK(k.started_count == 20);
  CHECK(k.frozen_windows == 1);
  CHECK(k.hold_until == kT0);
  REQUIRE(k.events.size() == 5);
  CHECK(k.events[0].author == "b");
  CHECK(k.events[1].author == "a");
  CHECK(k.events[2].author == "d");
  CHECK(k.events[3].author == "a");
  CHECK(k.events[3].at == kT0 + Seconds(2));
  CHECK(k.events[4].author == "c");
  CHECK(k.events[4].at == kT0 + Seconds(3));
}

TEST_CASE("StateStore: a database from a newer earshot is refused", "[state]") {
  TempDir dir;
  const auto path = dir.File("state.db");
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, "CREATE TABLE schema_version(version INTEGER NOT NULL);"
                              "INSERT INTO schema_version VALUES(99);",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  auto store = StateStore::Open(path);
  REQUIRE(!store.ok());
  CHECK_THAT(store.status().message(), Catch::Contains(path.string()));
  CHECK_THAT(store.status().message(), Catch::Contains("schema version 99 is newer"));
}

TEST_CASE("StateStore: opening fails with a message naming the path", "[state]") {
  TempDir dir;
  SECTION("missing directory") {
    auto path = dir.File("no/such/dir/state.db");
    auto store = StateStore::Open(path);
    REQUIRE(!store.ok());
    CHECK(store.status().code() == Status::Code::kUnavailable);
    CHECK_THAT(store.status().message(), Catch::Contains(path.string()));
    CHECK_THAT(store.status().message(), Catch::Contains("unable to open database file"));
    CHECK_THAT(store.status().message(), Catch::Contains("writable"));
  }
  SECTION("not a database") {
    auto path = dir.File("state.db");
    std::ofstream(path) << std::string(8192, 'x');
    auto store = StateStore::Open(path);
    REQUIRE(!store.ok());
    CHECK(store.status().code() == Status::Code::kDataLoss);
    CHECK_THAT(store.status().message(), Catch::Contains(path.string()));
    CHECK_THAT(store.status().message(), Catch::Contains("not a database"));
  }
}

TEST_CASE("StateStore: a full database fails the whole commit and keeps the old state", "[state]") {
  TempDir dir;
  const auto path = dir.File("state.db");
  auto store = MustOpen(path);
  EscalatorCommit small;
  small.source = "s";
  small.cursor = "100";
  small.outbox = {Out(1)};
  REQUIRE(store->Commit(small).ok());

  // Leave room for a few pages only, then write a batch far larger than that.
  REQUIRE(store->LimitPagesForTesting(40).ok());
  EscalatorCommit big;
  big.source = "s";
  big.cursor = "200";
  for (int i = 0; i < 200; ++i) {
    big.seen.push_back({"s", "post-" + std::to_string(i), kT0});
    PostRef p = SamplePost("post-" + std::to_string(i), kT0);
    p.text = std::string(2000, 'x');
    big.posts.push_back({"inc-big", p, {}});
  }
  big.outbox = {Out(2), Out(3)};
  Status st = store->Commit(big);
  REQUIRE(!st.ok());
  CHECK(st.code() == Status::Code::kResourceExhausted);
  CHECK_THAT(st.message(), Catch::Contains(path.string()));
  CHECK_THAT(st.message(), Catch::Contains("database or disk is full"));
  CHECK_THAT(st.message(), Catch::Contains("source 's'"));

  CHECK(*store->LoadCursor("s") == std::optional<std::string>("100"));
  CHECK(*store->MaxOutboxSeq() == 1);
  CHECK(!*store->IsPostSeen("s", "post-0"));
  CHECK(store->LoadIncidentPosts("inc-big", 10)->empty());

  // The store keeps working for what fits, and a reopen sees the same state.
  small.cursor = "101";
  small.outbox = {Out(2)};
  REQUIRE(store->Commit(small).ok());
  store.reset();
  auto again = MustOpen(path);
  CHECK(*again->LoadCursor("s") == std::optional<std::string>("101"));
  CHECK(*again->MaxOutboxSeq() == 2);
  CHECK(!*again->IsPostSeen("s", "post-0"));
}

TEST_CASE("StateStore: two handles on one file see each other's commits", "[state]") {
  TempDir dir;
  auto writer = MustOpen(dir.File("state.db"));
  auto reader = MustOpen(dir.File("state.db"));
  EscalatorCommit c;
  c.outbox = {Out(1)};
  REQUIRE(writer->Commit(c).ok());
  CHECK(*reader->MaxOutboxSeq() == 1);
  REQUIRE(reader->AddSilence({"", "brand=\"x\"", "", "cli", kT0, kT0 + Seconds(10)}).ok());
  CHECK(writer->ListSilences(kT0, true)->size() == 1);
}

}  // namespace
}  // namespace earshot
