// The escalator's spine against a real SQLite store: open, join, raise, repeat, resolve,
// praise, the cursor moving with the batch, crash-replay, and publish order.
#include "daemon/escalator/escalator.h"

#include <catch2/catch.hpp>

#include "daemon/escalator/incident_key.h"
#include "daemon/model/escalation_json.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using Kind = Escalation::Kind;

TEST_CASE("Escalator: a complaint opens an incident with a readable, complete page", "[escalator]") {
  EscalatorRig rig;
  PostSpec spec{.id = "1093", .followers = 152000, .text = "#AcmeAirSucks lost my bag in Denver",
                .complaint = 0.85};
  auto out = rig.Process(Batch({MakePost(spec, {Complaint(Severity::kMedium)})}, "1093"));
  REQUIRE(out.size() == 1);
  const Escalation& e = out[0];
  CHECK(e.seq == 1);
  CHECK(e.kind == Kind::kOpen);
  CHECK(e.reason == "new incident");
  CHECK(e.incident_id == IncidentIdFor("mastodon|jane@air.example|1093"));
  CHECK(e.incident_id.size() == 20);
  CHECK(e.incident_id.starts_with("inc-"));
  CHECK(e.severity == Severity::kCritical);  // medium + two reach tiers
  CHECK(e.rule_id == "lost-baggage");
  CHECK(e.category == "complaint");
  CHECK(e.summary == "@jane@air.example (152k followers): \"#AcmeAirSucks lost my bag in Denver\"");
  CHECK(e.labels == Labels{{"brand", "acmeair"}, {"team", "baggage"}, {"network", "mastodon"},
                           {"source", "mastodon:airline"}, {"complaint", "high"}});
  CHECK(e.at == kStart);
  REQUIRE(e.posts.size() == 1);
  CHECK(e.posts[0].id == "1093");
  CHECK(e.posts[0].network == "mastodon");
  CHECK(e.posts[0].url == "https://air.example/@jane@air.example/1093");
  CHECK(e.posts[0].author == "jane@air.example");
  CHECK(e.posts[0].author_name == "Name of jane@air.example");
  CHECK(e.posts[0].followers == 152000);
  CHECK(e.posts[0].text == "#AcmeAirSucks lost my bag in Denver");
  CHECK(e.posts[0].created_at == kStart);
  CHECK(e.posts[0].sentiment == Approx(-0.3));
  CHECK(e.posts[0].complaint == 0.85);

  // The outbox holds exactly the published escalation, and the cursor moved with it.
  auto outbox = rig.store().ReadOutbox(0, 10);
  REQUIRE(outbox->size() == 1);
  CHECK((*outbox)[0].json == EscalationToJson(e));
  auto parsed = EscalationFromJson((*outbox)[0].json);
  REQUIRE(parsed.ok());
  CHECK(parsed->incident_id == e.incident_id);
  CHECK(*rig.store().LoadCursor("mastodon:airline") == std::optional<std::string>("1093"));
  auto inc = rig.store().LoadIncident(e.incident_id);
  REQUIRE(inc->has_value());
  CHECK((*inc)->status == IncidentStatus::kOpen);
  CHECK((*inc)->notified_severity == std::optional<Severity>(Severity::kCritical));
}

TEST_CASE("Escalator: severity from rule, reach tiers, sentiment and VIP lists", "[escalator]") {
  EscalatorOptions o;
  o.vip_authors = {"ceo@press.example"};
  struct Case {
    Severity rule;
    int64_t followers;
    double sentiment;
    std::string author;
    Severity want;
  };
  const Case cases[] = {
      {Severity::kLow, 0, 0.0, "a", Severity::kLow},
      {Severity::kLow, 9999, -0.74, "a", Severity::kLow},
      {Severity::kLow, 10000, 0.0, "a", Severity::kMedium},
      {Severity::kLow, 100000, 0.0, "a", Severity::kHigh},
      {Severity::kLow, 100000, -0.75, "a", Severity::kCritical},
      {Severity::kHigh, 100000, -0.9, "a", Severity::kCritical},  // capped
      {Severity::kInfo, 10, -0.8, "a", Severity::kLow},
      {Severity::kLow, 10, 0.0, "CEO@press.example", Severity::kHigh},  // VIP floor
      {Severity::kCritical, 10, 0.0, "ceo@press.example", Severity::kCritical},
  };
  for (const Case& c : cases) {
    DetectedPost dp = MakePost({.id = "1", .author = c.author, .followers = c.followers,
                                .sentiment = c.sentiment},
                               {});
    CAPTURE(SeverityName(c.rule), c.followers, c.sentiment, c.author);
    CHECK(PostSeverity(Complaint(c.rule), dp, o) == c.want);
  }
}

TEST_CASE("Escalator: summaries and follower counts read well", "[escalator]") {
  struct Case {
    int64_t n;
    const char* want;
  };
  for (const Case& c : {Case{0, "0 followers"}, Case{1, "1 follower"}, Case{999, "999 followers"},
                        Case{1000, "1k followers"}, Case{1250, "1.2k followers"},
                        Case{152000, "152k followers"}, Case{1'000'000, "1M followers"},
                        Case{2'340'000, "2.3M followers"}}) {
    CHECK(FollowersText(c.n) == c.want);
  }
  DetectedPost long_post = MakePost({.id = "1", .text = std::string(138, 'a') + "ééé"}, {});
  std::string s = PostSummary(long_post.post);
  CHECK(s.ends_with("aé…\""));  // cut at a character boundary, never inside é
  CHECK(ShortDuration(std::chrono::seconds(86400)) == "24h");
  CHECK(ShortDuration(std::chrono::seconds(5400)) == "90m");
  CHECK(ShortDuration(std::chrono::seconds(172800)) == "2d");
}

TEST_CASE("Escalator: later complaints join the incident silently unless they raise it",
          "[escalator]") {
  EscalatorRig rig;
  auto first = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(first.size() == 1);
  const std::string id = first[0].incident_id;

  // Same author, same thread: joins, same severity, no page.
  auto joined = rig.Process(
      Batch({MakePost({.id = "2", .thread = "1", .reply_to = "1", .created_offset_s = 5},
                      {Complaint()})}));
  CHECK(joined.empty());
  CHECK(rig.store().LoadIncidentPosts(id, 10)->size() == 2);
  CHECK((*rig.store().LoadIncident(id))->post_count == 2);

  // A lower severity never pages either.
  CHECK(rig.Process(Batch({MakePost({.id = "3", .thread = "1", .created_offset_s = 6},
                                    {Complaint(Severity::kLow)})}))
            .empty());

  // A higher one does, as an update of the same incident, with the newest posts first.
  auto raised = rig.Process(Batch({MakePost(
      {.id = "4", .thread = "1", .sentiment = -0.9, .created_offset_s = 7}, {Complaint()})}));
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].kind == Kind::kUpdate);
  CHECK(raised[0].reason == "severity raised");
  CHECK(raised[0].incident_id == id);
  CHECK(raised[0].severity == Severity::kHigh);
  REQUIRE(raised[0].posts.size() == 4);
  CHECK(raised[0].posts[0].id == "4");
  CHECK(raised[0].posts[3].id == "1");

  // Another author, or the same author in another thread, is another incident.
  auto other = rig.Process(Batch({MakePost({.id = "5", .author = "bob@x.example", .thread = "1"},
                                           {Complaint()}),
                                  MakePost({.id = "6"}, {Complaint()})}));
  REQUIRE(other.size() == 2);
  CHECK(other[0].incident_id != id);
  CHECK(other[1].incident_id != id);
  CHECK(other[0].incident_id != other[1].incident_id);
  CHECK(rig.escalator().active_incidents() == 3);
}

TEST_CASE("Escalator: the page carries at most five posts, newest first", "[escalator]") {
  EscalatorRig rig;
  std::vector<DetectedPost> posts;
  for (int i = 0; i < 8; ++i) {
    posts.push_back(MakePost({.id = std::to_string(100 + i), .thread = "t",
                              .created_offset_s = i * 10},
                             {Complaint()}));
  }
  auto out = rig.Process(Batch(posts));
  REQUIRE(out.size() == 1);  // eight posts of one incident in one batch page once
  REQUIRE(out[0].posts.size() == 5);
  CHECK(out[0].posts[0].id == "107");
  CHECK(out[0].posts[4].id == "103");
}

TEST_CASE("Escalator: a batch that opens and raises an incident pages once", "[escalator]") {
  EscalatorRig rig;
  auto out = rig.Process(Batch({MakePost({.id = "1", .thread = "t"}, {Complaint(Severity::kLow)}),
                                MakePost({.id = "2", .thread = "t"}, {Complaint(Severity::kHigh)})}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kOpen);
  CHECK(out[0].severity == Severity::kHigh);
}

TEST_CASE("Escalator: repeat_interval re-notifies an incident still getting posts",
          "[escalator]") {
  EscalatorOptions o;
  o.repeat_interval = std::chrono::seconds(3600);
  EscalatorRig rig(o);
  REQUIRE(rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})})).size() == 1);
  rig.clock().Advance(std::chrono::minutes(59));
  CHECK(rig.Process(Batch({MakePost({.id = "2", .thread = "1"}, {Complaint()})})).empty());
  rig.clock().Advance(std::chrono::minutes(1));
  // Time alone does not page: only a post arriving after the interval does.
  CHECK(rig.Tick().empty());
  auto repeat = rig.Process(Batch({MakePost({.id = "3", .thread = "1"}, {Complaint()})}));
  REQUIRE(repeat.size() == 1);
  CHECK(repeat[0].kind == Kind::kUpdate);
  CHECK(repeat[0].reason == "repeat");
  // The interval restarts from the repeat.
  rig.clock().Advance(std::chrono::minutes(30));
  CHECK(rig.Process(Batch({MakePost({.id = "4", .thread = "1"}, {Complaint()})})).empty());
}

TEST_CASE("Escalator: a raise and a repeat in one batch page once, as the raise", "[escalator]") {
  EscalatorOptions o;
  o.repeat_interval = std::chrono::seconds(3600);
  EscalatorRig rig(o);
  REQUIRE(rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})})).size() == 1);
  rig.clock().Advance(std::chrono::hours(1));
  // The first post is due a repeat, the second raises: one update, whose reason is the raise.
  auto out = rig.Process(Batch(
      {MakePost({.id = "2", .thread = "1"}, {Complaint()}),
       MakePost({.id = "3", .thread = "1", .created_offset_s = 1}, {Complaint(Severity::kHigh)})}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kUpdate);
  CHECK(out[0].reason == "severity raised");
  CHECK(out[0].severity == Severity::kHigh);
}

TEST_CASE("Escalator: the author's thank-you in the thread resolves the incident", "[escalator]") {
  struct Case {
    const char* name;
    PostSpec thanks;
    bool resolves;
  };
  const Case cases[] = {
      {"same thread", {.id = "9", .thread = "1"}, true},
      {"reply into it", {.id = "9", .reply_to = "1"}, true},
      {"another thread", {.id = "9", .thread = "77"}, false},
      {"another author", {.id = "9", .author = "bob@x.example", .thread = "1"}, false},
  };
  for (const Case& c : cases) {
    SECTION(c.name) {
      EscalatorRig rig;
      auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
      REQUIRE(open.size() == 1);
      auto out = rig.Process(Batch({MakePost(c.thanks, {Thanks()})}));
      if (!c.resolves) {
        CHECK(out.empty());
        CHECK(rig.escalator().active_incidents() == 1);
        continue;
      }
      REQUIRE(out.size() == 1);
      CHECK(out[0].kind == Kind::kResolve);
      CHECK(out[0].incident_id == open[0].incident_id);
      CHECK(out[0].reason == "resolved by author");
      CHECK(out[0].seq == 2);
      CHECK(out[0].posts.front().id == "9");
      CHECK(rig.escalator().active_incidents() == 0);
      auto inc = rig.store().LoadIncident(open[0].incident_id);
      CHECK((*inc)->status == IncidentStatus::kResolved);
      CHECK((*inc)->resolved_at == std::optional<SystemTime>(kStart));
      // A second thank-you resolves nothing more.
      CHECK(rig.Process(Batch({MakePost({.id = "10", .thread = "1"}, {Thanks()})})).empty());
      // A new complaint in the thread reopens the same incident id.
      auto again = rig.Process(Batch({MakePost({.id = "11", .thread = "1"}, {Complaint()})}));
      REQUIRE(again.size() == 1);
      CHECK(again[0].kind == Kind::kOpen);
      CHECK(again[0].reason == "reopened");
      CHECK(again[0].incident_id == open[0].incident_id);
    }
  }
}

TEST_CASE("Escalator: a staff reply resolves every incident in the thread", "[escalator]") {
  EscalatorOptions o;
  o.staff_authors = {"support@acmeair.example"};
  EscalatorRig rig(o);
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()}),
                                 MakePost({.id = "2", .author = "bob@x.example", .thread = "1"},
                                          {Complaint()}),
                                 MakePost({.id = "3", .author = "eve@x.example"}, {Complaint()})}));
  REQUIRE(open.size() == 3);
  // The staff reply matched no rule at all: being staff is enough.
  auto out = rig.Process(Batch({MakePost(
      {.id = "4", .author = "Support@AcmeAir.example", .thread = "1", .reply_to = "2"}, {})}));
  REQUIRE(out.size() == 2);
  for (const auto& e : out) {
    CHECK(e.kind == Kind::kResolve);
    CHECK(e.reason == "staff replied (@Support@AcmeAir.example)");
  }
  CHECK(rig.escalator().active_incidents() == 1);
}

TEST_CASE("Escalator: praise and noise never page", "[escalator]") {
  EscalatorRig rig;
  auto out = rig.Process(Batch(
      {MakePost({.id = "1", .followers = 1'000'000, .sentiment = 0.9}, {Praise()}),
       MakePost({.id = "2"}, {Rule("chatter", Category::kNoise, Severity::kCritical)}),
       MakePost({.id = "3"}, {})},
      "3"));
  CHECK(out.empty());
  CHECK(*rig.store().MaxOutboxSeq() == 0);
  CHECK(rig.escalator().active_incidents() == 0);
  CHECK(*rig.store().LoadCursor("mastodon:airline") == std::optional<std::string>("3"));
  // A post that both complains and thanks is a complaint.
  auto mixed = rig.Process(Batch({MakePost({.id = "4"}, {Thanks(), Complaint()})}));
  REQUIRE(mixed.size() == 1);
  CHECK(mixed[0].kind == Kind::kOpen);
}

TEST_CASE("Escalator: the cursor moves only with a committed batch", "[escalator]") {
  EscalatorOptions options;
  options.surge_enabled = false;  // 51 authors in one batch would be a surge (surge_test.cc)
  EscalatorRig rig(options);
  REQUIRE(rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}, "c1")).size() == 1);
  // A full database: the batch fails as a whole, nothing is published, the cursor stays.
  REQUIRE(rig.store().LimitPagesForTesting(1).ok());
  std::vector<DetectedPost> posts;
  for (int i = 0; i < 50; ++i) {
    posts.push_back(MakePost({.id = "p" + std::to_string(i), .author = "u" + std::to_string(i),
                              .text = std::string(3000, 'x')},
                             {Complaint()}));
  }
  const PostBatch big = Batch(posts, "c2");
  Status s = rig.escalator().Process(big);
  REQUIRE(!s.ok());
  CHECK(s.code() == Status::Code::kResourceExhausted);
  CHECK_THAT(s.message(), Catch::Contains("state.db"));
  CHECK(rig.published().size() == 1);
  CHECK(*rig.store().LoadCursor("mastodon:airline") == std::optional<std::string>("c1"));
  CHECK(*rig.store().MaxOutboxSeq() == 1);
  CHECK(rig.escalator().active_incidents() == 1);
  // Retrying the same batch once there is room commits it exactly once, without a seq gap.
  REQUIRE(rig.store().LimitPagesForTesting(1'000'000).ok());
  auto out = rig.Process(big);
  REQUIRE(out.size() == 50);
  CHECK(out.front().seq == 2);
  CHECK(out.back().seq == 51);
  CHECK(*rig.store().LoadCursor("mastodon:airline") == std::optional<std::string>("c2"));
}

TEST_CASE("Escalator: a re-read batch after a restart pages nothing twice", "[escalator]") {
  EscalatorRig rig;
  const PostBatch batch = Batch({MakePost({.id = "1"}, {Complaint()}),
                                 MakePost({.id = "2", .author = "bob@x.example"}, {Complaint()})},
                                "2");
  auto first = rig.Process(batch);
  REQUIRE(first.size() == 2);
  rig.Restart();
  CHECK(rig.escalator().active_incidents() == 0);  // loaded lazily, on the first step
  CHECK(rig.Process(batch).empty());
  CHECK(rig.escalator().active_incidents() == 2);
  CHECK(*rig.store().MaxOutboxSeq() == 2);
  // A new post in the same thread joins the incident known from before the restart.
  auto raised = rig.Process(Batch({MakePost({.id = "3", .followers = 500000, .thread = "1"},
                                            {Complaint()})}));
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].incident_id == first[0].incident_id);
  CHECK(raised[0].kind == Kind::kUpdate);
  CHECK(raised[0].seq == 3);
  // The same post twice in one batch counts once.
  CHECK(rig.Process(Batch({MakePost({.id = "4", .author = "z"}, {Complaint()}),
                           MakePost({.id = "4", .author = "z"}, {Complaint()})}))
            .size() == 1);
}

TEST_CASE("Escalator: publish order is seq order, continuing the outbox", "[escalator]") {
  EscalatorRig rig;
  std::vector<DetectedPost> posts;
  for (int i = 0; i < 12; ++i) {
    posts.push_back(MakePost({.id = std::to_string(i), .author = "user" + std::to_string(i)},
                             {Complaint()}));
  }
  rig.Process(Batch({posts.begin(), posts.begin() + 5}));
  rig.Restart();
  rig.Process(Batch({posts.begin() + 5, posts.end()}));
  auto all = rig.published();
  REQUIRE(all.size() == 12);
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].seq == i + 1);
    CHECK(all[i].posts[0].id == std::to_string(i));  // batch order
  }
  auto outbox = rig.store().ReadOutbox(0, 100);
  REQUIRE(outbox->size() == 12);
  for (size_t i = 0; i < outbox->size(); ++i) CHECK((*outbox)[i].seq == i + 1);
}

TEST_CASE("Escalator: a quiet incident resolves itself", "[escalator]") {
  EscalatorOptions o;
  o.resolve_after_quiet = std::chrono::hours(24);
  o.repeat_interval = std::chrono::hours(48);
  EscalatorRig rig(o);
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  rig.clock().Advance(std::chrono::hours(23));
  CHECK(rig.Process(Batch({MakePost({.id = "2", .thread = "1"}, {Complaint()})})).empty());
  rig.clock().Advance(std::chrono::hours(23));
  CHECK(rig.Tick().empty());  // the second post restarted the quiet period
  rig.clock().Advance(std::chrono::hours(1));
  auto out = rig.Tick();
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kResolve);
  CHECK(out[0].reason == "quiet for 24h");
  CHECK(out[0].incident_id == open[0].incident_id);
  CHECK(rig.Tick().empty());
}

}  // namespace
}  // namespace earshot
