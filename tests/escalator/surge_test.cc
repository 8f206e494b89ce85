// Surges: the detector's counting (sliding window, EWMA baseline, minimum count, distinct
// authors, hysteresis, staged steps) and the escalator's surge incidents with inhibition, all on
// a manual clock.
#include <catch2/catch.hpp>
#include <string>

#include "daemon/escalator/incident_key.h"
#include "daemon/escalator/surge.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using Kind = Escalation::Kind;
using std::chrono::minutes;
using std::chrono::seconds;

// The start of a 10-minute window (1'795'000'200'000 is a multiple of 600'000 ms), so that the
// detector's tumbling windows line up with the tests' arithmetic.
const SystemTime kT0 = FromUnixMillis(1'795'000'200'000);

SurgeOptions Small() {
  SurgeOptions o;
  o.window = minutes(10);
  o.min_count = 10;
  o.factor = 3.0;
  o.min_distinct_authors = 5;
  return o;
}

// `n` posts under `key` spread evenly over `span` from `from`, authors cycling through `authors`.
// Returns whether one of them started a surge.
bool Feed(SurgeDetector& d, const std::string& key, SystemTime from, seconds span, int n,
          int authors) {
  bool started = false;
  for (int i = 0; i < n; ++i) {
    const SystemTime at = from + span * i / n;
    started = d.Observe(key, "u" + std::to_string(i % authors), at).has_value() || started;
  }
  return started;
}

TEST_CASE("SurgeDetector: a minimum count, so that 2 against 0 is no surge", "[escalator]") {
  SurgeDetector d(Small());
  CHECK_FALSE(Feed(d, "rule:r|brand:b", kT0, seconds(60), 2, 2));
  CHECK_FALSE(Feed(d, "rule:r|brand:b", kT0 + seconds(60), seconds(60), 7, 7));  // 9 in all
  auto st = d.Observe("rule:r|brand:b", "u99", kT0 + seconds(130));              // the 10th
  REQUIRE(st.has_value());
  CHECK(st->count == 10);
  CHECK(st->distinct_authors == 8);  // u0..u6 and u99
  CHECK(st->baseline_mean == 0.0);
  // Running: later posts do not start it again.
  CHECK_FALSE(d.Observe("rule:r|brand:b", "u100", kT0 + seconds(131)).has_value());
  CHECK(d.Active().size() == 1);
}

TEST_CASE("SurgeDetector: one loud author is not a surge, many different people are",
          "[escalator]") {
  SurgeDetector d(Small());
  CHECK_FALSE(Feed(d, "hashtag:acmeairsucks", kT0, seconds(300), 40, 4));
  CHECK(d.StatsOf("hashtag:acmeairsucks", kT0 + seconds(300)).distinct_authors == 4);
  CHECK(d.Observe("hashtag:acmeairsucks", "someone-new", kT0 + seconds(301)).has_value());
}

TEST_CASE("SurgeDetector: the baseline of past windows sets the bar", "[escalator]") {
  SurgeDetector d(Small());
  const std::string key = "rule:late|brand:acmeair";
  // A busy key: 30 posts from 30 people in every 10-minute window, for three hours. The first
  // window is a surge against no history; it keeps 3 windows out of the baseline, then the
  // baseline learns the new level, the surge ends, and 30 per window is the norm.
  SystemTime t = kT0;
  CHECK(Feed(d, key, t, minutes(10), 30, 30));
  for (int w = 1; w < 4; ++w) {
    t += minutes(10);
    CHECK(d.Expire(t).empty());
    Feed(d, key, t, minutes(10), 30, 30);
  }
  for (int w = 4; w < 18; ++w) {
    t += minutes(10);
    d.Expire(t);
    CHECK_FALSE(Feed(d, key, t, minutes(10), 30, 30));
  }
  t += minutes(10);
  d.Expire(t);
  CHECK(d.Active().empty());
  auto st = d.StatsOf(key, t);
  CHECK(st.baseline_mean == Approx(30).margin(3));
  // 45 in a window is inside the noise of a baseline of 30 (30 + 3 x sqrt(30) = 46.4) ...
  CHECK_FALSE(Feed(d, key, t, minutes(10), 45, 45));
  t += minutes(10);
  d.Expire(t);
  // ... 120 is not.
  CHECK(Feed(d, key, t, minutes(5), 120, 100));
}

TEST_CASE("SurgeDetector: a surge ends when the rate falls back, with hysteresis",
          "[escalator]") {
  SurgeDetector d(Small());
  const std::string key = "rule:r|brand:b";
  REQUIRE(Feed(d, key, kT0, seconds(100), 40, 40));  // started at the 10th, 40 in the window
  d.set_incident(key, "inc-1");
  // Still 40 in the last 10 minutes: running.
  CHECK(d.Expire(kT0 + seconds(300)).empty());
  // A trickle of 6 keeps it running once the storm's posts aged out: 6 >= half of the 10 that
  // started it, and above the baseline's noise (3).
  CHECK_FALSE(Feed(d, key, kT0 + seconds(400), seconds(200), 6, 6));
  CHECK(d.Expire(kT0 + minutes(12)).empty());
  // Ten minutes after the trickle, nothing is left: it ends, naming its incident.
  auto ended = d.Expire(kT0 + minutes(20));
  REQUIRE(ended.size() == 1);
  CHECK(ended[0].key == key);
  CHECK(ended[0].incident_id == "inc-1");
  CHECK(ended[0].stats.count == 0);
  CHECK(d.Active().empty());
  CHECK(d.incident(key).empty());
}

TEST_CASE("SurgeDetector: a rolled back step leaves the counts as they were", "[escalator]") {
  SurgeDetector d(Small());
  const std::string key = "rule:r|brand:b";
  Feed(d, key, kT0, seconds(10), 9, 9);
  d.Begin();
  CHECK(d.Observe(key, "x", kT0 + seconds(20)).has_value());
  CHECK(d.Observe("hashtag:new", "x", kT0 + seconds(20)) == std::nullopt);
  d.Rollback();
  CHECK(d.Active().empty());
  CHECK(d.key_count() == 1);
  CHECK(d.StatsOf(key, kT0 + seconds(20)).count == 9);
  // A step that slides the window (dropping all 9), adds one and forgets nothing, undone.
  d.Begin();
  CHECK_FALSE(d.Observe(key, "late", kT0 + minutes(11)).has_value());
  CHECK(d.StatsOf(key, kT0 + minutes(11)).count == 1);
  d.Rollback();
  const auto st = d.StatsOf(key, kT0 + seconds(20));
  CHECK(st.count == 9);
  CHECK(st.distinct_authors == 9);
  CHECK(st.baseline_mean == 0.0);  // the fold of the first window was undone too
  // Forgetting is undone as well.
  d.Begin();
  d.Expire(kT0 + std::chrono::hours(5));
  CHECK(d.key_count() == 0);
  d.Rollback();
  CHECK(d.key_count() == 1);
  CHECK(d.StatsOf(key, kT0 + seconds(20)).count == 9);
  d.Begin();
  CHECK(d.Observe(key, "x", kT0 + seconds(20)).has_value());
  d.Commit();
  CHECK(d.Active().size() == 1);
}

TEST_CASE("SurgeDetector: idle keys are forgotten", "[escalator]") {
  SurgeDetector d(Small());
  for (int i = 0; i < 50; ++i) {
    d.Observe("hashtag:t" + std::to_string(i), "u", kT0);
  }
  CHECK(d.key_count() == 50);
  d.Expire(kT0 + minutes(30));
  CHECK(d.key_count() == 50);  // their baselines still remember one post
  d.Expire(kT0 + std::chrono::hours(3));
  CHECK(d.key_count() == 0);
}

// ---- the escalator ----------------------------------------------------------------------------

EscalatorOptions StormOptions() {
  EscalatorOptions o;
  o.surge_window = minutes(10);
  o.surge_min_count = 20;
  o.surge_min_distinct_authors = 10;
  return o;
}

DetectedPost StormPost(int i, std::string brand = "acmeair", int authors = 300) {
  DetectedPost dp = MakePost({.id = brand + "-s" + std::to_string(i),
                              .author = "c" + std::to_string(i % authors) + "@x.example"},
                             {Rule("lost-baggage", Category::kComplaint, Severity::kMedium,
                                   {{"brand", brand}})});
  dp.post.hashtags = {brand + "sucks"};
  return dp;
}

size_t CountKind(const std::vector<Escalation>& es, Kind kind, std::string_view category) {
  size_t n = 0;
  for (const Escalation& e : es) n += e.kind == kind && e.category == category;
  return n;
}

TEST_CASE("Escalator: a storm of 500 posts from 300 authors is one surge incident", "[escalator]") {
  EscalatorRig rig(StormOptions());
  std::vector<Escalation> out;
  // 500 posts in 10 minutes: 20 batches of 25, one every 30 s.
  for (int b = 0; b < 20; ++b) {
    std::vector<DetectedPost> posts;
    for (int i = 0; i < 25; ++i) posts.push_back(StormPost(b * 25 + i));
    auto step = rig.Process(Batch(std::move(posts)));
    out.insert(out.end(), step.begin(), step.end());
    rig.clock().Advance(seconds(30));
    auto tick = rig.Tick();
    out.insert(out.end(), tick.begin(), tick.end());
  }
  // The first 19 complaints paged (no surge yet); the 20th started the surge, which muted the
  // brand's 481 pages that followed. The hashtag's surge joined the rule's: one incident.
  CHECK(CountKind(out, Kind::kOpen, "surge") == 1);
  CHECK(CountKind(out, Kind::kOpen, "complaint") == 19);
  CHECK(out.size() == 20);
  const Escalation& surge = out[19];
  CHECK(surge.category == "surge");
  CHECK(surge.severity == Severity::kHigh);
  CHECK(surge.labels.at("surge") == "rule");
  CHECK(surge.labels.at("brand") == "acmeair");
  CHECK(surge.labels.at("rule") == "lost-baggage");
  CHECK_THAT(surge.reason, Catch::Contains("20 complaints from 20 authors in 10m"));
  CHECK_THAT(surge.summary, Catch::StartsWith("surge on rule lost-baggage"));
  REQUIRE(rig.escalator().active_surges().size() == 2);  // the rule's key and the hashtag's
  CHECK(rig.escalator().active_surges()[0].second == surge.incident_id);
  CHECK(rig.escalator().active_surges()[1].second == surge.incident_id);

  // Every post from the 20th on joined the surge; the muted incidents record why.
  auto stored = rig.store().LoadIncident(surge.incident_id);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK((*stored)->post_count == 481);
  const std::string muted = IncidentIdFor(
      AuthorThreadKey("mastodon", "c100@x.example", "acmeair-s100"));
  auto events = rig.store().LoadIncidentEvents(muted);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].kind == IncidentEventKind::kInhibited);
  CHECK((*events)[0].reason == "inhibited by surge " + surge.incident_id + " (new incident)");
  auto joined = rig.store().LoadIncidentEvents(surge.incident_id);
  REQUIRE(joined.ok());
  bool hashtag_joined = false;
  for (const IncidentEvent& e : *joined) {
    hashtag_joined = hashtag_joined || (e.kind == IncidentEventKind::kJoined &&
                                        e.reason.find("hashtag:acmeairsucks") != std::string::npos);
  }
  CHECK(hashtag_joined);

  // The storm stops. Ten minutes later the rate has fallen back: one resolve, same id.
  rig.clock().Advance(minutes(10));
  auto after = rig.Tick();
  REQUIRE(after.size() == 1);
  CHECK(after[0].kind == Kind::kResolve);
  CHECK(after[0].incident_id == surge.incident_id);
  CHECK_THAT(after[0].reason, Catch::StartsWith("surge over: 0 complaints in the last 10m"));
  CHECK(rig.escalator().active_surges().empty());
  CHECK(rig.Tick().empty());
  // The brand's next complaint pages again.
  auto next = rig.Process(Batch({StormPost(9999)}));
  REQUIRE(next.size() == 1);
  CHECK(next[0].kind == Kind::kOpen);
  CHECK(next[0].category == "complaint");
}

TEST_CASE("Escalator: a surge inhibits its own brand only", "[escalator]") {
  EscalatorRig rig(StormOptions());
  std::vector<DetectedPost> storm;
  for (int i = 0; i < 20; ++i) storm.push_back(StormPost(i));
  auto out = rig.Process(Batch(std::move(storm)));
  REQUIRE(out.size() == 20);
  CHECK(out.back().category == "surge");
  // Another brand's complaint pages; the surging brand's does not; a complaint without a
  // brand label is never inhibited.
  CHECK(rig.Process(Batch({StormPost(1, "otherair")})).size() == 1);
  CHECK(rig.Process(Batch({StormPost(500)})).empty());
  CHECK(rig.Process(Batch({MakePost({.id = "nb", .author = "z@x.example"},
                                    {Rule("generic", Category::kComplaint, Severity::kLow, {})})}))
            .size() == 1);
  // Updates of an incident opened before the surge are inhibited too; a resolve is not.
  const std::string early = out[0].incident_id;
  rig.clock().Advance(seconds(1));
  auto raised = rig.Process(Batch({MakePost({.id = "r1", .author = "c0@x.example",
                                             .reply_to = "acmeair-s0"},
                                            {Rule("lost-baggage", Category::kComplaint,
                                                  Severity::kCritical, {{"brand", "acmeair"}})})}));
  CHECK(raised.empty());
  auto thanks = rig.Process(Batch({MakePost(
      {.id = "t1", .author = "c0@x.example", .reply_to = "acmeair-s0"}, {Thanks()})}));
  REQUIRE(thanks.size() == 1);
  CHECK(thanks[0].kind == Kind::kResolve);
  CHECK(thanks[0].incident_id == early);
}

TEST_CASE("Escalator: inhibition can be turned off", "[escalator]") {
  EscalatorOptions o = StormOptions();
  o.surge_inhibits = false;
  EscalatorRig rig(o);
  std::vector<DetectedPost> storm;
  for (int i = 0; i < 30; ++i) storm.push_back(StormPost(i));
  auto out = rig.Process(Batch(std::move(storm)));
  CHECK(CountKind(out, Kind::kOpen, "surge") == 1);
  CHECK(CountKind(out, Kind::kOpen, "complaint") == 30);
}

TEST_CASE("Escalator: a restart during a surge neither repeats nor loses it", "[escalator]") {
  EscalatorRig rig(StormOptions());
  std::vector<DetectedPost> storm;
  for (int i = 0; i < 25; ++i) storm.push_back(StormPost(i));
  auto out = rig.Process(Batch(std::move(storm)));
  REQUIRE(CountKind(out, Kind::kOpen, "surge") == 1);
  const std::string surge = out[19].incident_id;
  rig.clock().Advance(minutes(2));
  rig.Restart();
  // The storm goes on: still inhibited, no second surge page.
  std::vector<DetectedPost> more;
  for (int i = 25; i < 60; ++i) more.push_back(StormPost(i));
  CHECK(rig.Process(Batch(std::move(more))).empty());
  REQUIRE(rig.escalator().active_surges().size() == 2);
  CHECK(rig.escalator().active_surges()[0].second == surge);
  // The storm stops; the restored surge ends once its fresh counts have fallen back.
  rig.clock().Advance(minutes(10));
  auto after = rig.Tick();
  REQUIRE(after.size() == 1);
  CHECK(after[0].kind == Kind::kResolve);
  CHECK(after[0].incident_id == surge);
}

TEST_CASE("Escalator: a batch that fails to commit does not count its posts twice",
          "[escalator]") {
  EscalatorRig rig(StormOptions());
  std::vector<DetectedPost> storm;
  for (int i = 0; i < 15; ++i) storm.push_back(StormPost(i));
  REQUIRE(rig.Process(Batch(std::move(storm))).size() == 15);
  REQUIRE(rig.store().LimitPagesForTesting(1).ok());
  std::vector<DetectedPost> five;
  for (int i = 15; i < 20; ++i) {
    five.push_back(StormPost(i));
    five.back().post.text = std::string(3000, 'x');
  }
  const PostBatch batch = Batch(five);
  REQUIRE_FALSE(rig.escalator().Process(batch).ok());
  CHECK(rig.escalator().active_surges().empty());
  REQUIRE(rig.store().LimitPagesForTesting(1'000'000).ok());
  // The retry is the 16th to 20th post, not the 21st to 25th: the surge starts at its last post.
  auto out = rig.Process(batch);
  REQUIRE(out.size() == 5);
  CHECK(out.back().category == "surge");
  CHECK_THAT(out.back().reason, Catch::Contains("20 complaints from 20 authors"));
}

TEST_CASE("Escalator: surge counts survive a restart: a storm straddling it is still one",
          "[escalator]") {
  EscalatorRig rig(StormOptions());
  std::vector<DetectedPost> first;
  for (int i = 0; i < 12; ++i) first.push_back(StormPost(i));
  CHECK(CountKind(rig.Process(Batch(std::move(first))), Kind::kOpen, "surge") == 0);
  rig.clock().Advance(minutes(1));
  rig.Restart();
  // 12 before and 8 after: the 20th post starts the surge, as without the restart.
  std::vector<DetectedPost> second;
  for (int i = 12; i < 20; ++i) second.push_back(StormPost(i));
  auto out = rig.Process(Batch(std::move(second)));
  REQUIRE(CountKind(out, Kind::kOpen, "surge") == 1);
  CHECK_THAT(out.back().reason, Catch::Contains("20 complaints from 20 authors"));
  // Running across another restart: no second surge page, the storm's posts still join it.
  const std::string surge = out.back().incident_id;
  rig.Restart();
  CHECK(rig.Process(Batch({StormPost(20), StormPost(21)})).empty());
  REQUIRE(rig.escalator().active_surges().size() == 2);
  CHECK(rig.escalator().active_surges()[0].second == surge);
}

TEST_CASE("Escalator: a failed commit leaves the stored surge counts exact", "[escalator]") {
  EscalatorRig rig(StormOptions());
  std::vector<DetectedPost> first;
  for (int i = 0; i < 12; ++i) first.push_back(StormPost(i));
  REQUIRE(rig.Process(Batch(std::move(first))).size() == 12);
  REQUIRE(rig.store().LimitPagesForTesting(1).ok());
  std::vector<DetectedPost> five;
  for (int i = 12; i < 17; ++i) {
    five.push_back(StormPost(i));
    five.back().post.text = std::string(3000, 'x');
  }
  const PostBatch batch = Batch(five);
  REQUIRE_FALSE(rig.escalator().Process(batch).ok());
  REQUIRE(rig.store().LimitPagesForTesting(1'000'000).ok());
  auto stored = rig.store().LoadSurgeKeys();
  REQUIRE(stored.ok());
  REQUIRE(stored->size() == 2);  // the rule's key and the hashtag's
  for (const SurgeKeyRecord& k : *stored) CHECK(k.events.size() == 12);
  // After a restart the batch comes again (its cursor never moved): 17, then 3 more make 20.
  rig.Restart();
  CHECK(CountKind(rig.Process(batch), Kind::kOpen, "surge") == 0);
  auto out = rig.Process(Batch({StormPost(17), StormPost(18), StormPost(19)}));
  REQUIRE(CountKind(out, Kind::kOpen, "surge") == 1);
  CHECK_THAT(out.back().reason, Catch::Contains("20 complaints from 20 authors"));
}

TEST_CASE("Escalator: surge keys the timer forgets are forgotten in the store too",
          "[escalator]") {
  EscalatorRig rig(StormOptions());
  DetectedPost once = StormPost(0);
  once.post.hashtags = {"oneoff"};
  rig.Process(Batch({once}));
  auto keys = rig.store().LoadSurgeKeys();
  REQUIRE(keys->size() == 2);  // the rule's key and #oneoff
  CHECK(keys->at(1).key == "rule:lost-baggage|brand:acmeair");
  REQUIRE(keys->at(0).events.size() == 1);
  CHECK(keys->at(0).events[0].author == "mastodon|c0@x.example");
  // Two idle hours: both baselines decayed to nothing; no incident changed, yet the store
  // forgets them, so a restart does not bring them back.
  rig.clock().Advance(std::chrono::hours(2));
  CHECK(rig.Tick().empty());
  CHECK(rig.store().LoadSurgeKeys()->empty());
}

TEST_CASE("Escalator: a baseline learnt before a restart is not reset", "[escalator]") {
  EscalatorRig rig(StormOptions());
  int n = 0;
  // Eight windows of 18 complaints from different people: the usual level, never a surge.
  for (int w = 0; w < 8; ++w) {
    std::vector<DetectedPost> posts;
    for (int i = 0; i < 18; ++i) posts.push_back(StormPost(n++));
    CHECK(CountKind(rig.Process(Batch(std::move(posts))), Kind::kOpen, "surge") == 0);
    rig.clock().Advance(minutes(10));
  }
  auto before = rig.store().LoadSurgeKeys();
  REQUIRE(before.ok());
  REQUIRE_FALSE(before->empty());
  CHECK(before->at(0).mean > 15.0);
  rig.Restart();
  // 25 in a window is a surge against a baseline of 0, and within the noise of one near 17.
  std::vector<DetectedPost> posts;
  for (int i = 0; i < 25; ++i) posts.push_back(StormPost(n++));
  CHECK(CountKind(rig.Process(Batch(std::move(posts))), Kind::kOpen, "surge") == 0);
  CHECK(rig.escalator().active_surges().empty());
}

TEST_CASE("Escalator: group_by labels key incidents by their values", "[escalator]") {
  EscalatorOptions o;
  o.momentum_authors_raise_one = 0;  // three authors would raise it (momentum_test.cc)
  EscalatorRig rig(o);
  auto rule = [](std::string flight) {
    return Rule("delays", Category::kComplaint, Severity::kMedium,
                {{"brand", "acmeair"},
                 {"flight", std::move(flight)},
                 {"group_by", "brand, flight"}});
  };
  auto first = rig.Process(Batch({MakePost({.id = "1", .author = "a@x"}, {rule("AA12")})}));
  REQUIRE(first.size() == 1);
  // Other authors, other threads, same flight: the same incident, joined silently.
  CHECK(rig.Process(Batch({MakePost({.id = "2", .author = "b@x"}, {rule("AA12")}),
                           MakePost({.id = "3", .author = "c@x"}, {rule("AA12")})}))
            .empty());
  auto other = rig.Process(Batch({MakePost({.id = "4", .author = "a@x"}, {rule("AA99")})}));
  REQUIRE(other.size() == 1);
  CHECK(other[0].incident_id != first[0].incident_id);
  CHECK(first[0].incident_id ==
        IncidentIdFor("group|brand=7:acmeair|flight=4:AA12"));
  auto inc = rig.store().LoadIncident(first[0].incident_id);
  REQUIRE(inc.ok());
  REQUIRE(inc->has_value());
  CHECK((*inc)->post_count == 3);
  CHECK((*inc)->group_key == "group|brand=7:acmeair|flight=4:AA12");
}

TEST_CASE("GroupKeyFor: names, post fields and the default", "[escalator]") {
  Post p;
  p.network = "mastodon";
  p.id = "9";
  p.author.handle = "jane@x";
  p.reply_to = "5";
  Detection d;
  d.rule_id = "r";
  CHECK(GroupKeyFor(p, d) == "mastodon|jane@x|5");
  d.labels["group_by"] = " , ";
  CHECK(GroupKeyFor(p, d) == "mastodon|jane@x|5");
  d.labels["group_by"] = "rule,author,rule, missing";
  CHECK(GroupKeyFor(p, d) == "group|rule=1:r|author=6:jane@x|missing=0:");
  CHECK(ParseGroupBy(" a ,b,,a ") == std::vector<std::string>{"a", "b"});
}

}  // namespace
}  // namespace earshot
