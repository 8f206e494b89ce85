// An incident's life beyond complaints and thanks: its post deleted on the network, and an
// on-call person acknowledging it with `earshot ack`. Real SQLite, manual clock.
#include <algorithm>
#include <catch2/catch.hpp>

#include "daemon/escalator/escalator.h"
#include "daemon/escalator/incident_key.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using Kind = Escalation::Kind;

PostBatch Deleted(std::vector<std::string> ids, std::optional<std::string> cursor = {},
                  std::string source = "mastodon:airline") {
  PostBatch b = Batch({}, std::move(cursor));
  b.source = std::move(source);
  b.deleted_ids = std::move(ids);
  return b;
}

// What `earshot ack ID --by NAME` writes, through the store's operator role (the command
// itself, its words and exit codes, is tested in tests/cli).
Status Acknowledge(EscalatorRig& rig, std::string_view id, std::string_view by) {
  OperatorStore& store = rig.store();
  return store.AcknowledgeIncident(id, by, rig.clock().Now());
}

TEST_CASE("Escalator: a deleted post resolves its incident with the batch", "[escalator]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1093"}, {Complaint()})}, "1093"));
  REQUIRE(open.size() == 1);
  const std::string id = open[0].incident_id;

  // Another source's post ids are not ours; an unknown id resolves nothing.
  CHECK(rig.Process(Deleted({"1093"}, {}, "mastodon:other")).empty());
  CHECK(rig.Process(Deleted({"777"}, "1095")).empty());
  CHECK(*rig.store().LoadCursor("mastodon:airline") == std::optional<std::string>("1095"));
  CHECK(rig.escalator().active_incidents() == 1);

  rig.clock().Advance(std::chrono::seconds(30));
  auto resolved = rig.Process(Deleted({"1093"}, "1100"));
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].kind == Kind::kResolve);
  CHECK(resolved[0].incident_id == id);
  CHECK(resolved[0].reason == "post deleted");
  CHECK(resolved[0].seq == 2);
  // The resolution and the cursor landed together.
  CHECK(*rig.store().LoadCursor("mastodon:airline") == std::optional<std::string>("1100"));
  auto inc = rig.store().LoadIncident(id);
  REQUIRE(inc->has_value());
  CHECK((*inc)->status == IncidentStatus::kResolved);
  CHECK(rig.escalator().active_incidents() == 0);
  // Deleted again (a replayed event): nothing more to say.
  CHECK(rig.Process(Deleted({"1093"})).empty());
}

TEST_CASE("StateStore: the posts to re-check are the active incidents' posts of one source",
          "[escalator]") {
  EscalatorRig rig;
  REQUIRE(rig.Process(Batch({MakePost({.id = "10"}, {Complaint()}),
                             MakePost({.id = "11", .author = "gus@air.example"}, {Complaint()}),
                             MakePost({.id = "12", .author = "hal@air.example"}, {Praise()})}))
              .size() == 2);
  PostBatch other = Batch({MakePost({.id = "20", .author = "ivy@air.example"}, {Complaint()})});
  other.source = "mastodon:other";
  REQUIRE(rig.Process(other).size() == 1);

  auto ids = rig.store().PostsToRecheck("mastodon:airline", 100);
  REQUIRE(ids.ok());
  std::sort(ids->begin(), ids->end());
  // Praise opens nothing; another source's post ids mean nothing to this one.
  CHECK(*ids == std::vector<std::string>{"10", "11"});
  CHECK(rig.store().PostsToRecheck("mastodon:airline", 1)->size() == 1);

  // Once its incident resolves (here: the re-check found it deleted), a post is left alone.
  REQUIRE(rig.Process(Deleted({"10"})).size() == 1);
  CHECK(*rig.store().PostsToRecheck("mastodon:airline", 100) == std::vector<std::string>{"11"});
}

TEST_CASE("Escalator: an edited post is judged again once, and its page shows the edit",
          "[escalator]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1093", .text = "bag late"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  const std::string id = open[0].incident_id;

  // The author edits the post into something worse: a new version, seen for the first time.
  DetectedPost edited = MakePost({.id = "1093", .text = "bag lost, and they hung up on me"},
                                 {Complaint(Severity::kCritical)});
  edited.post.edited_at = "2026-11-18T10:05:00.000Z";
  auto raised = rig.Process(Batch({edited}));
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].incident_id == id);
  CHECK(raised[0].kind == Kind::kUpdate);
  CHECK(raised[0].severity == Severity::kCritical);
  auto posts = rig.store().LoadIncidentPosts(id, 10);
  REQUIRE(posts.ok());
  REQUIRE(posts->size() == 1);  // one post, now with its edited text
  CHECK((*posts)[0].text == "bag lost, and they hung up on me");

  // The same version read again, or the original re-read, changes nothing.
  CHECK(rig.Process(Batch({edited})).empty());
  CHECK(rig.Process(Batch({MakePost({.id = "1093", .text = "bag late"}, {Complaint()})})).empty());
}

TEST_CASE("Escalator: a deleted post never paged resolves quietly", "[escalator]") {
  EscalatorOptions o;
  o.group_wait = std::chrono::seconds(60);
  EscalatorRig rig(o);
  CHECK(rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})})).empty());
  const std::string id = IncidentIdFor("mastodon|jane@air.example|1");
  CHECK(rig.Process(Deleted({"1"})).empty());
  CHECK(HasEvent(rig.store(), id, "resolve", "post deleted (never paged)"));
  rig.clock().Advance(std::chrono::seconds(120));
  CHECK(rig.Tick().empty());  // the held open page is gone with it
}

TEST_CASE("Escalator: an acknowledged incident stops repeating, still raises and resolves",
          "[escalator]") {
  EscalatorOptions o;
  o.repeat_interval = std::chrono::seconds(3600);
  EscalatorRig rig(o);
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  const std::string id = open[0].incident_id;

  rig.clock().Advance(std::chrono::minutes(5));
  REQUIRE(Acknowledge(rig, id, "sam").ok());
  CHECK(HasEvent(rig.store(), id, "acknowledged", "acknowledged by sam"));
  // Twice is fine, and records nothing new.
  CHECK(Acknowledge(rig, id, "sam").ok());
  CHECK(rig.store().LoadIncidentEvents(id)->size() == 2);

  // Before the escalator's next tick, a batch must not undo the acknowledgement.
  CHECK(rig.Process(Batch({MakePost({.id = "2", .thread = "1"}, {Complaint()})})).empty());
  CHECK((*rig.store().LoadIncident(id))->status == IncidentStatus::kAcknowledged);
  // The tick tells the receivers, once, as the outbox's next seq.
  auto told = rig.Tick();
  REQUIRE(told.size() == 1);
  CHECK(told[0].kind == Kind::kAcknowledge);
  CHECK(told[0].incident_id == id);
  CHECK(told[0].reason == "acknowledged by sam");
  CHECK(told[0].severity == open[0].severity);
  CHECK(told[0].seq == open[0].seq + 1);
  CHECK(*rig.store().MaxOutboxSeq() == told[0].seq);
  CHECK(rig.Tick().empty());

  // Past repeat_interval a new complaint would repeat; acknowledged, it does not.
  rig.clock().Advance(std::chrono::hours(2));
  CHECK(rig.Process(Batch({MakePost({.id = "3", .thread = "1"}, {Complaint()})})).empty());
  // A restart keeps it acknowledged.
  rig.Restart();
  rig.clock().Advance(std::chrono::hours(2));
  CHECK(rig.Process(Batch({MakePost({.id = "4", .thread = "1"}, {Complaint()})})).empty());
  CHECK(rig.escalator().active_incidents() == 1);

  auto raised =
      rig.Process(Batch({MakePost({.id = "5", .thread = "1"}, {Complaint(Severity::kCritical)})}));
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].kind == Kind::kUpdate);
  CHECK(raised[0].reason == "severity raised");

  auto resolved = rig.Process(Batch({MakePost({.id = "6", .thread = "1"}, {Thanks()})}));
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].kind == Kind::kResolve);
  CHECK((*rig.store().LoadIncident(id))->status == IncidentStatus::kResolved);
}

TEST_CASE("Escalator: an acknowledgement made while the daemon was down is told after the start",
          "[escalator]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  REQUIRE(Acknowledge(rig, open[0].incident_id, "ana").ok());
  REQUIRE(rig.store().LoadPendingAcks()->size() == 1);
  rig.Restart();
  auto told = rig.Tick();
  REQUIRE(told.size() == 1);
  CHECK(told[0].kind == Kind::kAcknowledge);
  CHECK(told[0].reason == "acknowledged by ana");
  CHECK(told[0].seq == open[0].seq + 1);
  CHECK(rig.store().LoadPendingAcks()->empty());
  rig.Restart();
  CHECK(rig.Tick().empty());  // told once, also across a restart
}

TEST_CASE("Escalator: an incident never paged is acknowledged without telling anyone",
          "[escalator]") {
  EscalatorOptions o;
  o.group_wait = std::chrono::seconds(60);
  EscalatorRig rig(o);
  CHECK(rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})})).empty());
  const std::string id = IncidentIdFor("mastodon|jane@air.example|1");
  REQUIRE(Acknowledge(rig, id, "ana").ok());
  CHECK(rig.Tick().empty());
  CHECK(rig.store().LoadPendingAcks()->empty());
  // The held open still goes out when group_wait ends, and the receivers hear it first.
  rig.clock().Advance(std::chrono::seconds(120));
  auto opened = rig.Tick();
  REQUIRE(opened.size() == 1);
  CHECK(opened[0].kind == Kind::kOpen);
}

TEST_CASE("Escalator: an acknowledgement and an update in one step are two escalations",
          "[escalator]") {
  EscalatorOptions o;
  o.group_interval = std::chrono::seconds(60);
  EscalatorRig rig(o);
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  const std::string id = open[0].incident_id;
  // A raise held by group_interval, then the acknowledgement; both fall due in one tick.
  CHECK(rig.Process(Batch({MakePost({.id = "2", .thread = "1"}, {Complaint(Severity::kCritical)})}))
            .empty());
  REQUIRE(Acknowledge(rig, id, "ana").ok());
  rig.clock().Advance(std::chrono::seconds(61));
  auto both = rig.Tick();
  REQUIRE(both.size() == 2);
  CHECK(both[0].kind == Kind::kAcknowledge);
  CHECK(both[1].kind == Kind::kUpdate);
  CHECK(both[1].reason == "severity raised");
  CHECK(both[1].seq == both[0].seq + 1);
}

TEST_CASE("Escalator: without an acknowledgement the same posts repeat", "[escalator]") {
  EscalatorOptions o;
  o.repeat_interval = std::chrono::seconds(3600);
  EscalatorRig rig(o);
  REQUIRE(rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})})).size() == 1);
  rig.clock().Advance(std::chrono::hours(2));
  auto repeat = rig.Process(Batch({MakePost({.id = "3", .thread = "1"}, {Complaint()})}));
  REQUIRE(repeat.size() == 1);
  CHECK(repeat[0].reason == "repeat");
}

PostBatch Alive(std::string source = "mastodon:airline") {
  PostBatch b = Batch({});
  b.source = std::move(source);
  b.fetch_ok = true;
  return b;
}

TEST_CASE("Escalator: a source that stops fetching is an incident until it fetches again",
          "[escalator]") {
  EscalatorOptions o;
  o.source_silent_after = std::chrono::minutes(30);
  EscalatorRig rig(o);
  CHECK(rig.Process(Alive()).empty());
  CHECK(rig.Process(Alive("mastodon:press")).empty());
  rig.clock().Advance(std::chrono::minutes(20));
  CHECK(rig.Process(Alive("mastodon:press")).empty());
  rig.clock().Advance(std::chrono::minutes(9));
  CHECK(rig.Tick().empty());
  rig.clock().Advance(std::chrono::minutes(1));
  auto silent = rig.Tick();
  REQUIRE(silent.size() == 1);
  CHECK(silent[0].kind == Kind::kOpen);
  CHECK(silent[0].category == "source-silent");
  CHECK(silent[0].severity == Severity::kMedium);
  CHECK(silent[0].labels == Labels{{"source", "mastodon:airline"}});
  CHECK(silent[0].reason == "source silent for 30m");
  CHECK(silent[0].summary.find("source mastodon:airline has fetched nothing for 30m") == 0);
  // One page per silence, however long it lasts.
  rig.clock().Advance(std::chrono::minutes(5));
  CHECK(rig.Tick().empty());

  // A restart keeps the incident; the next fetch resolves it under the same id.
  rig.Restart();
  CHECK(rig.Tick().empty());
  CHECK(rig.escalator().active_incidents() == 1);
  auto back = rig.Process(Alive());
  REQUIRE(back.size() == 1);
  CHECK(back[0].kind == Kind::kResolve);
  CHECK(back[0].incident_id == silent[0].incident_id);
  CHECK(back[0].reason == "source fetching again");
  CHECK(rig.Tick().empty());
  CHECK(rig.escalator().active_incidents() == 0);

  // A second silence is a new incident.
  rig.clock().Advance(std::chrono::minutes(31));
  auto again = rig.Tick();
  REQUIRE(again.size() == 1);
  CHECK(again[0].kind == Kind::kOpen);
  CHECK(again[0].incident_id != silent[0].incident_id);
}

TEST_CASE("Escalator: source_silent_after 0 never opens a silent-source incident", "[escalator]") {
  EscalatorOptions o;
  o.source_silent_after = std::chrono::seconds(0);
  EscalatorRig rig(o);
  CHECK(rig.Process(Alive()).empty());
  rig.clock().Advance(std::chrono::hours(5));
  CHECK(rig.Tick().empty());
  CHECK(rig.escalator().active_incidents() == 0);
}


// The /metrics gauge earshot_incidents_open reads the escalator's count as of its last commit
// instead of the store: it must be the store's count of active incidents after every step.
TEST_CASE("Escalator: its committed count of active incidents is the store's, for /metrics",
          "[escalator]") {
  EscalatorOptions o;
  o.resolve_after_quiet = std::chrono::hours(1);
  EscalatorRig rig(o);
  auto store_count = [&] {
    auto active = rig.store().LoadActiveIncidents();
    REQUIRE(active.ok());
    return std::optional<size_t>(active->size());
  };
  // Not loaded before the first step: the caller asks the store instead.
  CHECK(rig.escalator().committed_active_incidents() == std::nullopt);
  CHECK(rig.Tick().empty());
  CHECK(rig.escalator().committed_active_incidents() == std::optional<size_t>(0));

  // Opens.
  auto open =
      rig.Process(Batch({MakePost({.id = "1"}, {Complaint()}),
                         MakePost({.id = "2", .author = "gus@air.example"}, {Complaint()})}));
  REQUIRE(open.size() == 2);
  CHECK(store_count() == std::optional<size_t>(2));
  CHECK(rig.escalator().committed_active_incidents() == store_count());

  // An acknowledgement (another process's write) keeps the incident active, before and after
  // the escalator's tick tells it.
  REQUIRE(Acknowledge(rig, open[0].incident_id, "sam").ok());
  CHECK(rig.escalator().committed_active_incidents() == store_count());
  REQUIRE(rig.Tick().size() == 1);
  CHECK(store_count() == std::optional<size_t>(2));
  CHECK(rig.escalator().committed_active_incidents() == store_count());

  // A resolution by a thankful post.
  const std::string thanked_id = open[1].incident_id;
  auto thanked = rig.Process(
      Batch({MakePost({.id = "3", .author = "gus@air.example", .thread = "2"}, {Thanks()})}));
  REQUIRE(thanked.size() == 1);
  CHECK(thanked[0].kind == Kind::kResolve);
  CHECK(thanked[0].incident_id == thanked_id);
  CHECK(store_count() == std::optional<size_t>(1));
  CHECK(rig.escalator().committed_active_incidents() == store_count());

  // Another open, then a resolution by quiet (the acknowledged one included).
  REQUIRE(rig.Process(Batch({MakePost({.id = "4", .author = "ana@air.example"}, {Complaint()})}))
              .size() == 1);
  CHECK(store_count() == std::optional<size_t>(2));
  CHECK(rig.escalator().committed_active_incidents() == store_count());
  rig.clock().Advance(std::chrono::hours(2));
  CHECK(rig.Tick().size() == 2);
  CHECK(store_count() == std::optional<size_t>(0));
  CHECK(rig.escalator().committed_active_incidents() == store_count());

  // After a restart the count comes with the load, from the store.
  REQUIRE(rig.Process(Batch({MakePost({.id = "5", .author = "bo@air.example"}, {Complaint()})}))
              .size() == 1);
  rig.Restart();
  CHECK(rig.escalator().committed_active_incidents() == std::nullopt);
  CHECK(rig.Tick().empty());
  CHECK(store_count() == std::optional<size_t>(1));
  CHECK(rig.escalator().committed_active_incidents() == store_count());
}

}  // namespace
}  // namespace earshot
