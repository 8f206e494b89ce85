// Incident kinds, notify reasons and event kinds: each name and text reads back as what wrote
// it, and the text earlier versions stored reads back as the same kinds.
#include "daemon/state/incident_kinds.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <set>

#include "daemon/state/state_store.h"
#include "tests/state/temp_dir.h"

namespace earshot {
namespace {

using testing::TempDir;
using Reason = NotifyReason::Kind;

TEST_CASE("IncidentKind: each name parses back, others do not", "[state]") {
  for (IncidentKind k : {IncidentKind::kComplaint, IncidentKind::kSurge, IncidentKind::kNewHashtag,
                         IncidentKind::kSourceSilent}) {
    CHECK(ParseIncidentKind(IncidentKindName(k)) == k);
  }
  CHECK(IncidentKindName(IncidentKind::kComplaint) == "complaint");
  CHECK(IncidentKindName(IncidentKind::kNewHashtag) == "new-hashtag");
  CHECK(IncidentKindName(IncidentKind::kSourceSilent) == "source-silent");
  CHECK_FALSE(ParseIncidentKind("praise"));
  CHECK_FALSE(ParseIncidentKind(""));
}

TEST_CASE("IncidentEventKind: each name parses back, as earlier versions wrote them", "[state]") {
  // The names earlier versions stored: each parses, and names itself back.
  const std::string_view names[] = {"open",         "update",        "resolve",   "acknowledge",
                                    "acknowledged", "resolved",      "silenced",  "inhibited",
                                    "joined",       "new-hashtag",   "source-silent",
                                    "momentum"};
  std::set<IncidentEventKind> kinds;
  for (std::string_view name : names) {
    const auto kind = ParseIncidentEventKind(name);
    REQUIRE(kind);
    CHECK(IncidentEventKindName(*kind) == name);
    kinds.insert(*kind);
  }
  CHECK(kinds.size() == std::size(names));  // no two names share a kind
  CHECK(ParseIncidentEventKind("acknowledged") == IncidentEventKind::kAcknowledged);
  CHECK(ParseIncidentEventKind("resolved") == IncidentEventKind::kResolved);
  CHECK(ResolvedByReason("dana") == "resolved by dana");
  CHECK_FALSE(ParseIncidentEventKind("reopen"));
  CHECK(EventKindOf(Escalation::Kind::kOpen) == IncidentEventKind::kOpen);
  CHECK(EventKindOf(Escalation::Kind::kUpdate) == IncidentEventKind::kUpdate);
  CHECK(EventKindOf(Escalation::Kind::kResolve) == IncidentEventKind::kResolve);
  CHECK(EventKindOf(Escalation::Kind::kAcknowledge) == IncidentEventKind::kAcknowledge);
}

TEST_CASE("NotifyReason: the text is the reason receivers have always read", "[state]") {
  struct Case {
    NotifyReason reason;
    std::string text;
  };
  const Case cases[] = {
      {NotifyReason::Of(Reason::kNone), ""},
      {NotifyReason::Of(Reason::kNewIncident), "new incident"},
      {NotifyReason::Of(Reason::kReopened), "reopened"},
      {NotifyReason::Of(Reason::kSeverityRaised), "severity raised"},
      {NotifyReason::Of(Reason::kRepeat), "repeat"},
      {NotifyReason::Of(Reason::kSurge, "12 complaints from 9 authors in 10m"),
       "surge: 12 complaints from 9 authors in 10m"},
      {NotifyReason::Of(Reason::kNewHashtag, "acmeairsucks"), "new hashtag #acmeairsucks"},
      {NotifyReason::Of(Reason::kSourceSilent, "5m"), "source silent for 5m"},
      {NotifyReason::Of(Reason::kAcknowledged, "ops@acme"), "acknowledged by ops@acme"},
      {NotifyReason::Of(Reason::kUnanswered, "35m (target 15m)"), "unanswered for 35m (target 15m)"},
      {NotifyReason::Of(Reason::kOther, "escalated by hand"), "escalated by hand"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(c.reason.Text() == c.text);
    CHECK(NotifyReason::Parse(c.text) == c.reason);
  }
  CHECK(NotifyReason().empty());
  CHECK_FALSE(NotifyReason::Of(Reason::kRepeat).empty());
  // Resolutions are never pending: their words read back unknown, and render the same.
  const NotifyReason quiet = NotifyReason::Of(Reason::kResolved, "quiet for 2h");
  CHECK(quiet.Text() == "quiet for 2h");
  CHECK(NotifyReason::Parse(quiet.Text()).kind == Reason::kOther);
  CHECK(NotifyReason::Parse(quiet.Text()).Text() == "quiet for 2h");
}

TEST_CASE("NotifyReason: a raise outranks a repeat when two notifications merge", "[state]") {
  const int repeat = NotifyReason::Of(Reason::kRepeat).MergeRank();
  const int raised = NotifyReason::Of(Reason::kSeverityRaised).MergeRank();
  const int opened = NotifyReason::Of(Reason::kNewIncident).MergeRank();
  CHECK(raised > repeat);
  CHECK(raised > opened);
  CHECK(opened > repeat);
  CHECK(NotifyReason::Of(Reason::kSurge, "x").MergeRank() == opened);
}

// The text as an earlier version left it in the file, read through the store.
TEST_CASE("StateStore: stored categories, pending reasons and event kinds read back", "[state]") {
  TempDir dir;
  const auto path = dir.File("state.db");
  REQUIRE(StateStore::Open(path).ok());  // the latest schema, then rows as earlier versions wrote
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    const char* rows =
        "INSERT INTO incidents(id, group_key, status, rule_id, category, severity, labels, "
        "summary, opened_at, last_post_at, last_notified_at, post_count, pending_reason) VALUES"
        "('inc-s','surge|hashtag:x','open','r','surge',2,'{}','s',1,2,3,1,"
        "'surge: 12 complaints from 9 authors in 10m'),"
        "('inc-h','new-hashtag|x','open','new-hashtag','new-hashtag',2,'{}','s',1,2,3,1,"
        "'new hashtag #x'),"
        "('inc-q','source-silent|m','open','source-silent','source-silent',2,'{}','s',1,2,3,1,"
        "'source silent for 5m'),"
        "('inc-c','k','open','r','complaint',2,'{}','s',1,2,3,1,'repeat'),"
        "('inc-o','k2','open','r','complaint',2,'{}','s',1,2,3,1,'an older reason');"
        "INSERT INTO incident_events(incident_id, at, kind, severity, reason, seq) VALUES"
        "('inc-c',1,'open',2,'new incident',1),"
        "('inc-c',2,'acknowledged',2,'acknowledged by ops',0),"
        "('inc-c',3,'momentum',3,'57 boosts',0);";
    char* error = nullptr;
    const int rc = sqlite3_exec(raw, rows, nullptr, nullptr, &error);
    INFO((error != nullptr ? error : ""));
    sqlite3_free(error);
    sqlite3_close(raw);
    REQUIRE(rc == SQLITE_OK);
  }
  auto opened = StateStore::Open(path);
  REQUIRE(opened.ok());
  StateStore& store = **opened;
  struct Case {
    std::string id;
    IncidentKind category;
    NotifyReason pending;
  };
  const Case cases[] = {
      {"inc-s", IncidentKind::kSurge,
       NotifyReason::Of(Reason::kSurge, "12 complaints from 9 authors in 10m")},
      {"inc-h", IncidentKind::kNewHashtag, NotifyReason::Of(Reason::kNewHashtag, "x")},
      {"inc-q", IncidentKind::kSourceSilent, NotifyReason::Of(Reason::kSourceSilent, "5m")},
      {"inc-c", IncidentKind::kComplaint, NotifyReason::Of(Reason::kRepeat)},
      {"inc-o", IncidentKind::kComplaint, NotifyReason::Of(Reason::kOther, "an older reason")},
  };
  for (const Case& c : cases) {
    INFO(c.id);
    auto inc = store.LoadIncident(c.id);
    REQUIRE(inc.ok());
    REQUIRE(inc->has_value());
    CHECK((*inc)->category == c.category);
    CHECK((*inc)->pending_reason == c.pending);
  }
  auto events = store.LoadIncidentEvents("inc-c");
  REQUIRE(events.ok());
  REQUIRE(events->size() == 3);
  CHECK((*events)[0].kind == IncidentEventKind::kOpen);
  CHECK((*events)[1].kind == IncidentEventKind::kAcknowledged);
  CHECK((*events)[2].kind == IncidentEventKind::kMomentum);

  // Written back, each is stored as the same text.
  EscalatorCommit c;
  for (const Case& k : cases) c.incidents.push_back(**store.LoadIncident(k.id));
  REQUIRE(store.Commit(c).ok());
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "SELECT category, pending_reason FROM incidents ORDER BY id", -1,
                             &q, nullptr) == SQLITE_OK);
  std::vector<std::string> stored;
  while (sqlite3_step(q) == SQLITE_ROW) {
    stored.push_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(q, 0))) + "/" +
                     reinterpret_cast<const char*>(sqlite3_column_text(q, 1)));
  }
  sqlite3_finalize(q);
  sqlite3_close(raw);
  CHECK(stored == std::vector<std::string>{"complaint/repeat", "new-hashtag/new hashtag #x",
                                           "complaint/an older reason",
                                           "source-silent/source silent for 5m",
                                           "surge/surge: 12 complaints from 9 authors in 10m"});
}

TEST_CASE("StateStore: an unknown category is reported, not guessed", "[state]") {
  TempDir dir;
  const auto path = dir.File("state.db");
  REQUIRE(StateStore::Open(path).ok());
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw,
                         "INSERT INTO incidents(id, group_key, status, rule_id, category, "
                         "severity, labels, summary, opened_at, last_post_at, last_notified_at, "
                         "post_count) VALUES('inc-x','k','open','r','praise',2,'{}','s',1,2,3,1);",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  auto store = StateStore::Open(path);
  REQUIRE(store.ok());
  auto inc = (*store)->LoadIncident("inc-x");
  REQUIRE_FALSE(inc.ok());
  CHECK(inc.status().message().find("unknown category") != std::string::npos);
}

}  // namespace
}  // namespace earshot
