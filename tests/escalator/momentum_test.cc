// Momentum in severity: replies, boosts and likes a complaint's posts gather (also when a post
// is read again with higher counts), and other complainers joining the thread or the incident,
// raise an incident one step, once; the raise re-notifies. With a manual clock and a real store.
#include <catch2/catch.hpp>

#include "daemon/escalator/escalator.h"
#include "daemon/escalator/incident_key.h"
#include "daemon/escalator/momentum.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using Kind = Escalation::Kind;

DetectedPost Counted(PostSpec spec, int64_t replies, int64_t boosts, int64_t likes) {
  DetectedPost dp = MakePost(spec, {Complaint()});
  dp.post.replies = replies;
  dp.post.boosts = boosts;
  dp.post.likes = likes;
  return dp;
}

std::vector<std::string> History(EscalatorRig& rig, const std::string& id) {
  auto events = rig.store().LoadIncidentEvents(id);
  REQUIRE(events.ok());
  std::vector<std::string> out;
  for (const IncidentEvent& e : *events) {
    out.push_back(std::string(IncidentEventKindName(e.kind)) + ": " + e.reason);
  }
  return out;
}

TEST_CASE("Momentum: a post read again with more boosts raises its incident once",
          "[escalator]") {
  EscalatorRig rig;  // boosts_raise_one 50
  auto out = rig.Process(Batch({Counted({.id = "1"}, 0, 10, 0)}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].severity == Severity::kMedium);
  const std::string id = out[0].incident_id;
  rig.clock().Advance(std::chrono::minutes(5));
  // The same post twice in one batch grows once: 40, not 10 + 30 + 30.
  CHECK(rig.Process(Batch({Counted({.id = "1"}, 0, 40, 0), Counted({.id = "1"}, 0, 40, 0)}))
            .empty());
  CHECK((*rig.store().LoadIncident(id))->engagement.boosts == 40);
  // The same post, fetched again: 49 boosts is not yet momentum, and it is not a new post.
  CHECK(rig.Process(Batch({Counted({.id = "1"}, 0, 49, 0)})).empty());
  out = rig.Process(Batch({Counted({.id = "1"}, 0, 57, 0)}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].incident_id == id);
  CHECK(out[0].kind == Kind::kUpdate);
  CHECK(out[0].reason == "severity raised");
  CHECK(out[0].severity == Severity::kHigh);
  // Once: more boosts, or fewer (an unboost), change nothing more.
  CHECK(rig.Process(Batch({Counted({.id = "1"}, 0, 300, 0)})).empty());
  CHECK(rig.Process(Batch({Counted({.id = "1"}, 0, 20, 0)})).empty());
  auto inc = rig.store().LoadIncident(id);
  REQUIRE(inc.ok());
  CHECK((*inc)->engagement.boosts == 300);
  CHECK((*inc)->post_count == 1);
  CHECK((*inc)->severity == Severity::kHigh);
  CHECK(History(rig, id) == std::vector<std::string>{"open: new incident",
                                                     "momentum: 57 boosts",
                                                     "update: severity raised"});
}

TEST_CASE("Momentum: counts add up over an incident's posts, and survive a restart",
          "[escalator]") {
  EscalatorOptions o;
  o.momentum_boosts_raise_one = 0;  // off: only replies count here
  o.momentum_replies_raise_one = 30;
  EscalatorRig rig(o);
  auto out = rig.Process(Batch({Counted({.id = "1"}, 12, 500, 0)}, "c1"));
  REQUIRE(out.size() == 1);
  CHECK(out[0].severity == Severity::kMedium);  // 500 boosts, but boosts are off
  const std::string id = out[0].incident_id;
  CHECK(rig.Process(Batch({Counted({.id = "2", .thread = "1"}, 10, 0, 0)}, "c2")).empty());
  rig.Restart();
  // The first post again with 20 replies: 20 + 10 = 30 in total.
  out = rig.Process(Batch({Counted({.id = "1"}, 20, 500, 0)}, "c3"));
  REQUIRE(out.size() == 1);
  CHECK(out[0].incident_id == id);
  CHECK(out[0].severity == Severity::kHigh);
  auto inc = rig.store().LoadIncident(id);
  REQUIRE(inc.ok());
  CHECK((*inc)->engagement.replies == 30);
  // A post that opens with momentum pages once, already raised.
  out = rig.Process(Batch({Counted({.id = "9", .author = "viral@x"}, 31, 0, 0)}, "c4"));
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kOpen);
  CHECK(out[0].severity == Severity::kHigh);
}

TEST_CASE("Momentum: other complainers joining a thread raise every incident in it",
          "[escalator]") {
  EscalatorRig rig;  // distinct_authors_raise_one 3
  auto a = rig.Process(Batch({MakePost({.id = "1", .author = "a@x"}, {Complaint()})}));
  REQUIRE(a.size() == 1);
  auto b = rig.Process(
      Batch({MakePost({.id = "2", .author = "b@x", .reply_to = "1"}, {Complaint()})}));
  REQUIRE(b.size() == 1);
  CHECK(b[0].severity == Severity::kMedium);  // two complainers: not yet
  // A third complainer: a's and b's incidents are raised (and page), c's opens raised.
  auto out = rig.Process(
      Batch({MakePost({.id = "3", .author = "c@x", .reply_to = "1"}, {Complaint()})}));
  REQUIRE(out.size() == 3);
  for (const Escalation& e : out) CHECK(e.severity == Severity::kHigh);
  CHECK(out[0].kind == Kind::kUpdate);
  CHECK(out[1].kind == Kind::kUpdate);
  CHECK(out[2].kind == Kind::kOpen);
  std::set<std::string> ids{out[0].incident_id, out[1].incident_id};
  CHECK(ids == std::set<std::string>{a[0].incident_id, b[0].incident_id});
  // A fourth changes no severity: each incident is raised once.
  CHECK(rig.Process(Batch({MakePost({.id = "4", .author = "d@x", .reply_to = "1"},
                                    {Complaint()})}))
            .size() == 1);
  auto inc = rig.store().LoadIncident(a[0].incident_id);
  REQUIRE(inc.ok());
  CHECK((*inc)->authors == 4);
  CHECK(History(rig, a[0].incident_id)[1] == "momentum: 3 complaining authors");
}

TEST_CASE("Momentum: distinct authors of a grouped incident, counted once each",
          "[escalator]") {
  EscalatorRig rig;
  auto rule = Rule("delays", Category::kComplaint, Severity::kMedium,
                   {{"brand", "acmeair"}, {"flight", "AA12"}, {"group_by", "flight"}});
  auto first = rig.Process(Batch({MakePost({.id = "1", .author = "a@x"}, {rule})}));
  REQUIRE(first.size() == 1);
  // The same author twice, then a second one (in one batch): two authors.
  CHECK(rig.Process(Batch({MakePost({.id = "2", .author = "a@x"}, {rule}),
                           MakePost({.id = "3", .author = "b@x"}, {rule}),
                           MakePost({.id = "4", .author = "b@x"}, {rule})}))
            .empty());
  rig.Restart();
  CHECK(rig.Process(Batch({MakePost({.id = "5", .author = "a@x"}, {rule})})).empty());
  auto out = rig.Process(Batch({MakePost({.id = "6", .author = "c@x"}, {rule})}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].reason == "severity raised");
  CHECK(out[0].severity == Severity::kHigh);
}

TEST_CASE("Momentum: thresholds of 0 turn every measure off", "[escalator]") {
  EscalatorOptions o;
  o.momentum_authors_raise_one = o.momentum_boosts_raise_one = 0;
  o.momentum_likes_raise_one = o.momentum_replies_raise_one = 0;
  EscalatorRig rig(o);
  auto out = rig.Process(Batch({Counted({.id = "1", .author = "a@x"}, 1000, 1000, 1000),
                                Counted({.id = "2", .author = "b@x", .reply_to = "1"}, 0, 0, 0),
                                Counted({.id = "3", .author = "c@x", .reply_to = "1"}, 0, 0, 0)}));
  REQUIRE(out.size() == 3);
  for (const Escalation& e : out) CHECK(e.severity == Severity::kMedium);
}

TEST_CASE("Momentum: the pure pieces", "[escalator]") {
  CHECK(RaiseOne(Severity::kCritical) == Severity::kCritical);
  CHECK(RaiseOne(Severity::kLow) == Severity::kMedium);
  const Engagement g = Growth({5, 10, 20}, {4, 15, 20});
  CHECK(g.replies == 0);
  CHECK(g.boosts == 5);
  CHECK(g.likes == 0);
  IncidentRecord inc;
  inc.category = IncidentKind::kComplaint;
  inc.group_key = "mastodon|jane@air.example|1093";
  CHECK(ThreadKeyOf(inc) == "mastodon|1093");
  inc.group_key = "group|brand=7:acmeair";
  CHECK(ThreadKeyOf(inc).empty());
  inc.category = IncidentKind::kSurge;
  inc.group_key = "surge|hashtag:x";
  CHECK(ThreadKeyOf(inc).empty());
  EscalatorOptions o;
  inc.authors = 3;
  inc.engagement = {0, 60, 250};
  CHECK(MomentumText(inc, o) == "3 complaining authors, 60 boosts, 250 likes");
}

}  // namespace
}  // namespace earshot
