// The store contract: MemoryStore answers every IncidentStore and OperatorStore question as
// StateStore (real SQLite) does. The same writes go to both, and after each one every read is
// compared, on the cases where a copy in memory would drift from what SQLite gives back: times
// finer than a millisecond, a score that is not a number, a cut post, an edited post, counts
// that only grow, an acknowledgement or a resolution by hand the escalator has not read, a
// refused commit, ties in the orders, a surge window that slides.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "daemon/state/memory_store.h"
#include "daemon/state/state_store.h"
#include "tests/state/temp_dir.h"

namespace earshot {
namespace {

using testing::TempDir;

// Off the millisecond grid on purpose: the stores must agree on where it is cut.
const SystemTime kT0 = FromUnixMillis(1'795'000'000'000) + std::chrono::microseconds(1234);

struct Stores {
  TempDir dir;
  std::unique_ptr<StateStore> sqlite;
  MemoryStore memory;

  Stores() {
    auto opened = StateStore::Open(dir.File("state.db"));
    REQUIRE(opened.ok());
    sqlite = std::move(opened).value();
  }

  // Runs `write` on both stores; both must succeed or fail alike (same code).
  template <class F>
  void Both(F write) {
    const Status a =
        write(static_cast<IncidentStore&>(*sqlite), static_cast<OperatorStore&>(*sqlite));
    const Status b =
        write(static_cast<IncidentStore&>(memory), static_cast<OperatorStore&>(memory));
    INFO("sqlite: " << a.ToString() << "\nmemory: " << b.ToString());
    REQUIRE(a.code() == b.code());
  }
};

template <class T>
T Must(Result<T> r) {
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

const std::vector<std::string> kIncidents = {"inc-a", "inc-b", "inc-c", "inc-none"};
const std::vector<std::string> kPosts = {"p1", "p2", "p10", "p9", "p3", "gone"};

// Every read, from one store, at `now`.
void CompareReads(Stores& s, SystemTime now) {
  IncidentStore& si = *s.sqlite;
  OperatorStore& so = *s.sqlite;
  IncidentStore& mi = s.memory;
  OperatorStore& mo = s.memory;
  std::vector<std::string_view> post_views(kPosts.begin(), kPosts.end());
  for (const char* source : {"acme-tag", "other"}) {
    CHECK(Must(si.ArePostsSeen(source, post_views)) == Must(mi.ArePostsSeen(source, post_views)));
    for (const std::string& p : kPosts) {
      CHECK(Must(si.IsPostSeen(source, p)) == Must(mi.IsPostSeen(source, p)));
    }
  }
  for (const std::string& id : kIncidents) {
    INFO("incident " << id);
    CHECK(Must(si.LoadIncident(id)) == Must(mi.LoadIncident(id)));
    for (size_t limit : {0, 1, 2, 10}) {
      CHECK(Must(si.LoadIncidentPosts(id, limit)) == Must(mi.LoadIncidentPosts(id, limit)));
    }
    CHECK(Must(so.LoadIncidentEvents(id)) == Must(mo.LoadIncidentEvents(id)));
    for (const std::string& p : kPosts) {
      CHECK(Must(si.LoadPostEngagement(id, "mastodon", p)) ==
            Must(mi.LoadPostEngagement(id, "mastodon", p)));
    }
    for (const char* author : {"jane@air.example", "sam", ""}) {
      CHECK(Must(si.IncidentHasAuthor(id, author)) == Must(mi.IncidentHasAuthor(id, author)));
    }
  }
  CHECK(Must(si.LoadIncidents(kIncidents)) == Must(mi.LoadIncidents(kIncidents)));
  CHECK(Must(si.LoadActiveIncidents()) == Must(mi.LoadActiveIncidents()));
  CHECK(Must(si.IncidentsWithPosts(kPosts)) == Must(mi.IncidentsWithPosts(kPosts)));
  CHECK(Must(si.AcknowledgedIncidentIds()) == Must(mi.AcknowledgedIncidentIds()));
  CHECK(Must(si.LoadPendingAcks()) == Must(mi.LoadPendingAcks()));
  CHECK(Must(si.LoadPendingResolves()) == Must(mi.LoadPendingResolves()));
  CHECK(Must(si.LoadSurgeKeys()) == Must(mi.LoadSurgeKeys()));
  CHECK(Must(si.LoadBrandHashtags()) == Must(mi.LoadBrandHashtags()));
  CHECK(Must(si.MaxOutboxSeq()) == Must(mi.MaxOutboxSeq()));
  for (bool active : {true, false}) {
    CHECK(Must(si.ListSilences(now, active)) == Must(mi.ListSilences(now, active)));
  }
  for (const char* status : {"", "open", "acknowledged", "resolved"}) {
    for (size_t limit : {1, 10}) {
      INFO("status '" << status << "' limit " << limit);
      CHECK(Must(so.ListIncidents(status, limit)) == Must(mo.ListIncidents(status, limit)));
    }
  }
  CHECK(Must(so.ListIncidentsOpenedBetween(kT0 - Seconds(3600), now + Seconds(1))) ==
        Must(mo.ListIncidentsOpenedBetween(kT0 - Seconds(3600), now + Seconds(1))));
  CHECK(Must(so.ListIncidentsOpenedBetween(kT0 + Seconds(1), now + Seconds(1))) ==
        Must(mo.ListIncidentsOpenedBetween(kT0 + Seconds(1), now + Seconds(1))));
}

IncidentRecord Incident(std::string id, IncidentKind kind, SystemTime opened) {
  IncidentRecord r;
  r.id = std::move(id);
  r.group_key = "mastodon|" + r.id;
  r.rule_id = "lost-baggage";
  r.category = kind;
  r.severity = Severity::kHigh;
  r.notified_severity = Severity::kMedium;
  r.labels = {{"brand", "acmeair"}, {"note", "quote \" and \\ and ünïcode\n"}};
  r.summary = "@jane (152k followers): \"lost my bag\"";
  r.receiver = "oncall";
  r.opened_at = opened;
  r.last_post_at = opened + std::chrono::microseconds(30'500);
  r.last_notified_at = opened + std::chrono::microseconds(10'999);
  r.post_count = 2;
  r.pending_reason = NotifyReason::Of(NotifyReason::Kind::kSeverityRaised);
  r.response_due_at = opened + std::chrono::microseconds(900'000'700);
  return r;
}

IncidentPost Post(std::string incident, std::string id, SystemTime created, std::string author) {
  IncidentPost ip;
  ip.incident_id = std::move(incident);
  ip.post.network = "mastodon";
  ip.post.id = std::move(id);
  ip.post.url = "https://air.example/" + ip.post.id;
  ip.post.author = std::move(author);
  ip.post.author_name = "Jane";
  ip.post.followers = 152000;
  ip.post.text = "lost my bag in Denver";
  ip.post.created_at = created;
  ip.post.sentiment = -0.5;
  ip.post.complaint = 0.9;
  ip.engagement = {1, 2, 3};
  return ip;
}

TEST_CASE("MemoryStore: every read agrees with StateStore after the same writes", "[state]") {
  Stores s;
  CompareReads(s, kT0);

  // 1. Two incidents, posts with a tie in time, a post in both, a NaN score, a cut text.
  EscalatorCommit c1;
  c1.source = "acme-tag";
  c1.cursor = "cursor-1";
  c1.seen = {{"acme-tag", "p1", kT0},
             {"acme-tag", "p2", kT0 + Seconds(5)},
             {"acme-tag", "p1", kT0 + Seconds(9)}};
  c1.incidents = {Incident("inc-a", IncidentKind::kComplaint, kT0),
                  Incident("inc-b", IncidentKind::kSurge, kT0 + std::chrono::microseconds(1))};
  c1.incidents[1].pending_reason = NotifyReason::Of(NotifyReason::Kind::kResolved, "quiet for 2h");
  c1.incidents[1].first_response = FirstResponse{kT0 + Seconds(40), "acme_care", Seconds(-5)};
  c1.posts = {Post("inc-a", "p10", kT0 + std::chrono::microseconds(5'500), "jane@air.example"),
              Post("inc-a", "p9", kT0 + std::chrono::microseconds(5'900), "jane@air.example"),
              Post("inc-a", "p1", kT0 - Seconds(60), "sam"),
              Post("inc-b", "p1", kT0 - Seconds(60), "sam")};
  c1.posts[0].post.sentiment = std::numeric_limits<double>::quiet_NaN();
  c1.posts[1].post.text_bytes = 99999;
  c1.events = {{"inc-a", kT0 + std::chrono::microseconds(700), IncidentEventKind::kOpen,
                Severity::kHigh, "new incident", 1},
               {"inc-b", kT0, IncidentEventKind::kOpen, Severity::kMedium, "surge", 2}};
  c1.outbox = {{1, "{\"seq\":1}", kT0}, {2, "{\"seq\":2}", kT0}};
  c1.hashtags = {{"boycottacmeair", "acmeair", kT0 + std::chrono::microseconds(1), "mastodon", "p1",
                  "https://air.example/p1", 1, ""}};
  SurgeKeyRecord k1;
  k1.key = "rule:lost-baggage|brand:acmeair";
  k1.bucket = 7;
  k1.bucket_count = 3;
  k1.mean = 1.25;
  k1.var = 0.5;
  k1.hold_until = kT0 + std::chrono::microseconds(77);
  k1.events = {{kT0, "jane"}, {kT0, "sam"}, {kT0 + Seconds(1), "jane"}};
  SurgeKeyRecord k2 = k1;
  k2.key = "hashtag:acmeairsucks";
  c1.surge.keys = {k1, k2};
  s.Both([&](IncidentStore& st, OperatorStore&) { return st.Commit(c1); });
  CompareReads(s, kT0 + Seconds(1));

  // 2. An edited post (new text and followers, its url and counts kept), counts that only
  //    grow, a third incident, the window sliding, a key forgotten.
  EscalatorCommit c2;
  c2.incidents = {Incident("inc-c", IncidentKind::kComplaint, kT0 + Seconds(2))};
  c2.posts = {Post("inc-a", "p1", kT0 - Seconds(60), "sam"),
              Post("inc-c", "p3", kT0 + Seconds(2), "jane@air.example")};
  c2.posts[0].post.text = "lost my bag in Denver (edited)";
  c2.posts[0].post.url = "https://elsewhere.example/p1";
  c2.posts[0].post.followers = 7;
  c2.posts[0].engagement = {50, 50, 50};
  c2.engagement = {Post("inc-a", "p10", kT0, "x")};
  c2.engagement[0].engagement = {0, 9, 2};
  c2.outbox = {{3, "{\"seq\":3}", kT0 + Seconds(2)}};
  SurgeKeyRecord k1b = k1;
  k1b.bucket_count = 4;
  k1b.drop_through = kT0 + std::chrono::microseconds(500);
  k1b.events = {{kT0 + Seconds(2), "ann"}};
  c2.surge.keys = {k1b};
  c2.surge.forgotten = {"hashtag:acmeairsucks"};
  s.Both([&](IncidentStore& st, OperatorStore&) { return st.Commit(c2); });
  CompareReads(s, kT0 + Seconds(2));

  // 3. An acknowledgement the escalator has not read: its "open" does not undo it, and the
  //    commit that tells it removes the pending record.
  s.Both([&](IncidentStore&, OperatorStore& op) {
    return op.AcknowledgeIncident("inc-a", "dana", kT0 + std::chrono::microseconds(3'000'001));
  });
  CompareReads(s, kT0 + Seconds(3));
  const std::vector<PendingAck> acks = Must(s.memory.LoadPendingAcks());
  REQUIRE(acks.size() == 1);
  EscalatorCommit c3;
  c3.incidents = {Incident("inc-a", IncidentKind::kComplaint, kT0)};
  c3.incidents[0].post_count = 4;
  c3.acks_done = {acks[0].id};
  s.Both([&](IncidentStore& st, OperatorStore&) { return st.Commit(c3); });
  CompareReads(s, kT0 + Seconds(3));
  CHECK(Must(s.memory.LoadIncident("inc-a"))->status == IncidentStatus::kAcknowledged);

  // 4. A commit whose outbox leaves a gap changes nothing in either.
  EscalatorCommit gap;
  gap.incidents = {Incident("inc-none", IncidentKind::kComplaint, kT0)};
  gap.outbox = {{5, "{}", kT0}};
  s.Both([&](IncidentStore& st, OperatorStore&) { return st.Commit(gap); });
  CompareReads(s, kT0 + Seconds(4));
  CHECK_FALSE(Must(s.memory.LoadIncident("inc-none")).has_value());

  // 5. A resolution, an answered incident reopened later (its first opening is earlier).
  EscalatorCommit c5;
  IncidentRecord b = Incident("inc-b", IncidentKind::kSurge, kT0);
  b.status = IncidentStatus::kResolved;
  b.resolved_at = kT0 + Seconds(5);
  b.pending_reason = {};
  IncidentRecord c = Incident("inc-c", IncidentKind::kComplaint, kT0 + Seconds(5));
  c.first_response =
      FirstResponse{kT0 + std::chrono::microseconds(4'000'400), "acme_care", Seconds(3)};
  c.unanswered_level = -2;
  c5.incidents = {b, c};
  s.Both([&](IncidentStore& st, OperatorStore&) { return st.Commit(c5); });
  CompareReads(s, kT0 + Seconds(5));

  // 6. Acknowledging what is resolved or unknown fails alike.
  s.Both(
      [&](IncidentStore&, OperatorStore& op) { return op.AcknowledgeIncident("inc-b", "x", kT0); });
  s.Both([&](IncidentStore&, OperatorStore& op) {
    return op.AcknowledgeIncident("inc-zz", "x", kT0);
  });

  // 6b. Resolutions by hand: the history line and the pending record, the status left to the
  //     escalator; twice, or of a resolved incident, records nothing; acknowledging it then is
  //     refused; an unknown id fails alike; the commit that carries it out removes the record.
  for (int i = 0; i < 2; ++i) {
    s.Both([&](IncidentStore&, OperatorStore& op) {
      return op.ResolveIncident("inc-c", "dana", kT0 + std::chrono::microseconds(5'500'700));
    });
  }
  s.Both([&](IncidentStore&, OperatorStore& op) { return op.ResolveIncident("inc-b", "x", kT0); });
  s.Both(
      [&](IncidentStore&, OperatorStore& op) { return op.ResolveIncident("inc-zz", "x", kT0); });
  s.Both([&](IncidentStore&, OperatorStore& op) {
    return op.AcknowledgeIncident("inc-c", "x", kT0);
  });
  CompareReads(s, kT0 + Seconds(5));
  const std::vector<PendingResolve> resolves = Must(s.memory.LoadPendingResolves());
  REQUIRE(resolves.size() == 1);
  CHECK(resolves[0].incident_id == "inc-c");
  CHECK(Must(s.memory.LoadIncident("inc-c"))->status == IncidentStatus::kOpen);
  EscalatorCommit c6;
  IncidentRecord done = c;
  done.status = IncidentStatus::kResolved;
  done.resolved_at = kT0 + Seconds(6);
  c6.incidents = {done};
  c6.resolves_done = {resolves[0].id};
  s.Both([&](IncidentStore& st, OperatorStore&) { return st.Commit(c6); });
  CompareReads(s, kT0 + Seconds(6));
  CHECK(Must(s.sqlite->LoadPendingResolves()).empty());

  // 7. Silences: ids, the active window to the millisecond, expiring, ids that name none.
  SilenceRecord sil{
      "", "brand=\"acmeair\"", "storm", "dana", kT0, kT0 + std::chrono::microseconds(6'000'500)};
  s.Both([&](IncidentStore&, OperatorStore& op) { return op.AddSilence(sil).status(); });
  sil.starts_at = kT0 + Seconds(10);
  s.Both([&](IncidentStore&, OperatorStore& op) { return op.AddSilence(sil).status(); });
  CompareReads(s, kT0 + std::chrono::microseconds(6'000'000));
  CompareReads(s, kT0 + Seconds(6));
  CompareReads(s, kT0 + Seconds(11));
  s.Both([&](IncidentStore&, OperatorStore& op) {
    return op.ExpireSilence("sil-2", kT0 + Seconds(12));
  });
  for (const char* bad : {"sil-9", "sil-x", "sil-", "3"}) {
    INFO(bad);
    s.Both([&](IncidentStore&, OperatorStore& op) { return op.ExpireSilence(bad, kT0); });
  }
  CompareReads(s, kT0 + Seconds(11));

  // 8. Pruning seen posts counts the same and forgets the same.
  for (SystemTime before : {kT0, kT0 + std::chrono::microseconds(5'000'999), kT0 + Seconds(60)}) {
    CHECK(Must(s.sqlite->PruneSeenPosts(before)) == Must(s.memory.PruneSeenPosts(before)));
    CompareReads(s, kT0 + Seconds(12));
  }
}

}  // namespace
}  // namespace earshot
