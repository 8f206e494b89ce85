// New brand hashtags: a complaint's hashtag containing a configured brand, never seen before,
// opens its own "new-hashtag" incident once ever (across restarts); the rule packs' own
// hashtags and hashtags without a brand never do.
#include <catch2/catch.hpp>

#include "daemon/escalator/escalator.h"
#include "daemon/escalator/incident_key.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using Kind = Escalation::Kind;

EscalatorOptions Brands() {
  EscalatorOptions o;
  o.brands = {"AcmeAir"};
  o.known_hashtags = {"#AcmeAirSucks"};  // as a rule pack names it
  o.momentum_authors_raise_one = 0;
  return o;
}

DetectedPost Tagged(PostSpec spec, std::vector<std::string> tags) {
  DetectedPost dp = MakePost(spec, {Complaint()});
  dp.post.hashtags = std::move(tags);
  return dp;
}

std::vector<Escalation> OfCategory(const std::vector<Escalation>& all, std::string_view c) {
  std::vector<Escalation> out;
  for (const Escalation& e : all) {
    if (e.category == c) out.push_back(e);
  }
  return out;
}

TEST_CASE("New hashtag: the first complaint with a new brand hashtag opens its incident, once",
          "[escalator]") {
  EscalatorRig rig(Brands());
  auto out = rig.Process(
      Batch({Tagged({.id = "1", .author = "a@x"}, {"boycottacmeair", "travel"})}, "c1"));
  REQUIRE(out.size() == 2);  // the complaint's own incident, and the hashtag's
  auto tag = OfCategory(out, "new-hashtag");
  REQUIRE(tag.size() == 1);
  CHECK(tag[0].kind == Kind::kOpen);
  CHECK(tag[0].severity == Severity::kMedium);
  CHECK(tag[0].labels.at("brand") == "acmeair");
  CHECK(tag[0].labels.at("hashtag") == "boycottacmeair");
  CHECK(tag[0].rule_id == "new-hashtag");
  CHECK(tag[0].reason == "new hashtag #boycottacmeair");
  CHECK_THAT(tag[0].summary, Catch::StartsWith("new hashtag #boycottacmeair for acmeair"));
  REQUIRE(tag[0].posts.size() == 1);
  CHECK(tag[0].posts[0].id == "1");
  const std::string id = tag[0].incident_id;

  // Later posts with it join that incident without paging for the hashtag again.
  out = rig.Process(Batch({Tagged({.id = "2", .author = "b@x"}, {"boycottacmeair"})}, "c2"));
  CHECK(OfCategory(out, "new-hashtag").empty());
  CHECK((*rig.store().LoadIncident(id))->post_count == 2);

  // Resolved and restarted: still known, never again an incident.
  rig.clock().Advance(std::chrono::hours(25));
  REQUIRE(rig.Tick().size() == 3);  // every incident resolves quietly
  rig.Restart();
  out = rig.Process(Batch({Tagged({.id = "3", .author = "c@x"}, {"boycottacmeair"})}, "c3"));
  CHECK(OfCategory(out, "new-hashtag").empty());
  auto tags = rig.store().LoadBrandHashtags();
  REQUIRE(tags->size() == 1);
  CHECK(tags->at(0).count == 3);
  CHECK(tags->at(0).first_post_id == "1");
  CHECK(tags->at(0).first_seen == kStart);
  CHECK(tags->at(0).incident_id == id);

  // Another variant is new.
  out = rig.Process(Batch({Tagged({.id = "4", .author = "d@x"}, {"acmeairfail"})}, "c4"));
  tag = OfCategory(out, "new-hashtag");
  REQUIRE(tag.size() == 1);
  CHECK(tag[0].labels.at("hashtag") == "acmeairfail");
}

TEST_CASE("New hashtag: its first post deleted resolves the complaint, not the hashtag's signal",
          "[escalator]") {
  EscalatorRig rig(Brands());
  auto out = rig.Process(Batch({Tagged({.id = "1", .author = "a@x"}, {"boycottacmeair"})}, "c1"));
  REQUIRE(out.size() == 2);
  const std::string tag_id = OfCategory(out, "new-hashtag").at(0).incident_id;
  // A re-check has nothing to ask about the hashtag's incident.
  CHECK(*rig.store().PostsToRecheck("mastodon:airline", 10) == std::vector<std::string>{"1"});

  PostBatch deleted = Batch({});
  deleted.deleted_ids = {"1"};
  out = rig.Process(deleted);
  REQUIRE(out.size() == 1);
  CHECK(out[0].category == "complaint");
  CHECK(out[0].reason == "post deleted");
  CHECK((*rig.store().LoadIncident(tag_id))->status == IncidentStatus::kOpen);
}

TEST_CASE("New hashtag: known ones, ones without a brand, and non-complaints never signal",
          "[escalator]") {
  EscalatorRig rig(Brands());
  auto out = rig.Process(Batch({Tagged({.id = "1", .author = "a@x"}, {"acmeairsucks"}),
                                Tagged({.id = "2", .author = "b@x"}, {"lostluggage"})}));
  CHECK(OfCategory(out, "new-hashtag").empty());
  DetectedPost praise = MakePost({.id = "3", .author = "c@x"}, {Praise()});
  praise.post.hashtags = {"loveacmeair"};
  CHECK(rig.Process(Batch({praise})).empty());
  CHECK(rig.store().LoadBrandHashtags()->empty());

  EscalatorOptions off = Brands();
  off.new_hashtag_enabled = false;
  EscalatorRig quiet(off);
  CHECK(OfCategory(quiet.Process(Batch({Tagged({.id = "1"}, {"boycottacmeair"})})), "new-hashtag")
            .empty());
}

TEST_CASE("New hashtag: min_posts counts complaints across a restart", "[escalator]") {
  EscalatorOptions o = Brands();
  o.new_hashtag_min_posts = 3;
  o.new_hashtag_severity = Severity::kHigh;
  EscalatorRig rig(o);
  CHECK(OfCategory(rig.Process(Batch({Tagged({.id = "1", .author = "a@x"}, {"neveracmeair"}),
                                      Tagged({.id = "2", .author = "b@x"}, {"neveracmeair"})},
                                     "c1")),
                   "new-hashtag")
            .empty());
  rig.Restart();
  // The same post re-read after the restart is not counted twice.
  CHECK(rig.Process(Batch({Tagged({.id = "2", .author = "b@x"}, {"neveracmeair"})}, "c1"))
            .empty());
  auto tag = OfCategory(
      rig.Process(Batch({Tagged({.id = "3", .author = "c@x"}, {"neveracmeair"})}, "c2")),
      "new-hashtag");
  REQUIRE(tag.size() == 1);
  CHECK(tag[0].severity == Severity::kHigh);
  CHECK_THAT(tag[0].summary, Catch::Contains("3 complaints since"));
}

TEST_CASE("BrandKey: letters and digits, lowercase", "[escalator]") {
  CHECK(BrandKey("AcmeAir") == "acmeair");
  CHECK(BrandKey("Acme Air") == "acmeair");
  CHECK(BrandKey("Acme-Air 24") == "acmeair24");
}

}  // namespace
}  // namespace earshot
