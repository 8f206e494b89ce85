// What each rule matched, for the console's rule page: hours roll over with the clock (driven by
// hand here, through LiveDetections as the pollers publish), shadow hits are counted apart, and
// each rule keeps its 10 newest posts.
#include "daemon/app/rule_activity.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <catch2/catch.hpp>

#include "daemon/app/detection_feed.h"
#include "daemon/app/live_detections.h"
#include "tests/sources/manual_clock.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;

const SystemTime kDay1At1030 = FromUnixMillis(1796639400000);  // 2026-12-07T10:30:00Z
const SystemTime kDay1At1000 = FromUnixMillis(1796637600000);  // 2026-12-07T10:00:00Z

Detection Hit(const std::string& id, bool shadow = false) {
  Detection d;
  d.rule_id = id;
  d.shadow = shadow;
  return d;
}

DetectedPost Matched(const std::string& id, std::vector<Detection> detections) {
  DetectedPost dp;
  dp.post.network = "mastodon";
  dp.post.id = id;
  dp.post.url = "https://airline.example/" + id;
  dp.post.author.handle = "jane";
  dp.post.author.display_name = "Jane";
  dp.post.text = "text of " + id;
  dp.detections = std::move(detections);
  return dp;
}

const RuleActivity::Rule& Find(const std::vector<RuleActivity::Rule>& rules,
                               const std::string& id) {
  for (const auto& r : rules) {
    if (r.rule_id == id) return r;
  }
  FAIL("no rule " << id);
  return rules.front();  // not reached: FAIL throws
}

// The hits of the last 24 hours, oldest first.
std::vector<int64_t> Hours(const RuleActivity::Rule& r) {
  std::vector<int64_t> hits;
  for (const auto& h : r.hourly) hits.push_back(h.hits);
  return hits;
}

// 24 zeros but for `at` (index from the oldest) = n.
std::vector<int64_t> Only(std::vector<std::pair<size_t, int64_t>> set) {
  std::vector<int64_t> hits(24, 0);
  for (auto [i, n] : set) hits[i] = n;
  return hits;
}

TEST_CASE("RuleActivity: hourly buckets roll over with the clock", "[app]") {
  ManualClock clock(kDay1At1030);
  DetectionFeed feed;
  RuleActivity activity;
  LiveDetections live(feed, activity, clock);

  live.Publish("s", Matched("p1", {Hit("lost-baggage")}));  // day 1, 10:30
  clock.Advance(1h);
  live.Publish("s", Matched("p2", {Hit("lost-baggage")}));  // day 1, 11:30
  live.Publish("s", Matched("p3", {Hit("lost-baggage")}));

  auto snap = activity.Snapshot(clock.Now());
  const RuleActivity::Rule* r = &Find(snap, "lost-baggage");
  CHECK(r->hits == 3);
  CHECK(Hours(*r) == Only({{22, 1}, {23, 2}}));
  // Hour starts on the hour, oldest first, ending with the current hour.
  CHECK(r->hourly[23].hour_start == kDay1At1000 + 1h);
  CHECK(r->hourly[22].hour_start == kDay1At1000);
  CHECK(r->hourly[0].hour_start == kDay1At1000 + 1h - 23h);

  // 23 hours on (day 2, 10:30): 10:00 of day 1 has left the window, 11:00 is the oldest hour.
  clock.Advance(23h);
  snap = activity.Snapshot(clock.Now());
  r = &Find(snap, "lost-baggage");
  CHECK(Hours(*r) == Only({{0, 2}}));
  CHECK(r->hourly[0].hour_start == kDay1At1000 + 1h);
  // A hit now lands in the slot 10:00 of day 1 used: it starts from 0, not from that hour's 1.
  live.Publish("s", Matched("p4", {Hit("lost-baggage")}));
  snap = activity.Snapshot(clock.Now());
  r = &Find(snap, "lost-baggage");
  CHECK(Hours(*r) == Only({{0, 2}, {23, 1}}));
  CHECK(r->hourly[23].hour_start == kDay1At1000 + 24h);

  // A quiet day: every hour 0, the total kept.
  clock.Advance(30h);
  snap = activity.Snapshot(clock.Now());
  r = &Find(snap, "lost-baggage");
  CHECK(Hours(*r) == std::vector<int64_t>(24, 0));
  CHECK(r->hits == 4);
  // The posts link to their feed entries.
  REQUIRE(r->last_posts.size() == 4);
  CHECK(r->last_posts[0].feed_seq == feed.newest_seq());
  CHECK(r->last_posts[0].at == kDay1At1030 + 24h);
}

TEST_CASE("RuleActivity: shadow hits are counted apart, and a post is one hit per rule", "[app]") {
  RuleActivity activity;
  activity.Record("s", Matched("p1", {Hit("lost-baggage"), Hit("bag-trial", true)}), kDay1At1030);
  activity.Record("s", Matched("p2", {Hit("bag-trial", true)}), kDay1At1030);
  // The same rule listed twice for one post is still one hit.
  activity.Record("s", Matched("p3", {Hit("lost-baggage"), Hit("lost-baggage")}), kDay1At1030);
  // No detections: nothing to count.
  activity.Record("s", Matched("p4", {}), kDay1At1030);

  const auto snap = activity.Snapshot(kDay1At1030);
  REQUIRE(snap.size() == 2);
  CHECK(snap[0].rule_id == "bag-trial");  // ordered by id
  const RuleActivity::Rule& live = Find(snap, "lost-baggage");
  const RuleActivity::Rule& trial = Find(snap, "bag-trial");
  CHECK(live.hits == 2);
  CHECK(live.shadow_hits == 0);
  CHECK(trial.hits == 2);
  CHECK(trial.shadow_hits == 2);
  CHECK(Hours(live) == Only({{23, 2}}));
  REQUIRE(trial.last_posts.size() == 2);
  CHECK(trial.last_posts[0].shadow);
  CHECK_FALSE(live.last_posts.at(0).shadow);
  REQUIRE(live.last_posts.size() == 2);
  CHECK(live.last_posts[0].post_id == "p3");
}

TEST_CASE("RuleActivity: the last posts are the 10 newest, newest first", "[app]") {
  RuleActivity activity;
  for (int i = 1; i <= 12; ++i) {
    activity.Record("mastodon:airline", Matched(fmt::format("p{}", i), {Hit("lost-baggage")}),
                    kDay1At1030 + std::chrono::minutes(i), static_cast<uint64_t>(i));
  }
  const auto snap = activity.Snapshot(kDay1At1030 + 1h);
  const RuleActivity::Rule& r = Find(snap, "lost-baggage");
  CHECK(r.hits == 12);
  REQUIRE(r.last_posts.size() == RuleActivity::kRecentPosts);
  for (size_t k = 0; k < r.last_posts.size(); ++k) {
    const int i = 12 - static_cast<int>(k);
    CHECK(r.last_posts[k].post_id == fmt::format("p{}", i));
    CHECK(r.last_posts[k].feed_seq == static_cast<uint64_t>(i));
    CHECK(r.last_posts[k].at == kDay1At1030 + std::chrono::minutes(i));
  }
  CHECK(r.last_posts[0].text == "text of p12");
  CHECK(r.last_posts[0].url == "https://airline.example/p12");
  CHECK(r.last_posts[0].author_handle == "jane");
  CHECK(r.last_posts[0].source == "mastodon:airline");
  // 10:31 .. 10:42 in the 10:00 hour, the current one being 11:00.
  CHECK(Hours(r) == Only({{22, 12}}));
}

TEST_CASE("RuleActivity: the JSON parses and carries 24 hours and the posts", "[app]") {
  RuleActivity activity;
  DetectedPost dp = Matched("p1", {Hit("lost-baggage")});
  dp.post.text = "</script>\"\\\n";
  activity.Record("s", dp, kDay1At1030, 7);
  const std::string json = RuleActivityToJson(activity.Snapshot(kDay1At1030));
  INFO(json);
  CHECK(json.find('<') == std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  simdjson::dom::element rule;
  REQUIRE(doc["rules"].at(0).get(rule) == simdjson::SUCCESS);
  simdjson::dom::array hourly;
  REQUIRE(rule["hourly"].get(hourly) == simdjson::SUCCESS);
  CHECK(hourly.size() == 24);
  std::string_view hour, text;
  int64_t hits = 0;
  REQUIRE(hourly.at(23)["hour"].get(hour) == simdjson::SUCCESS);
  CHECK(hour == "2026-12-07T10:00:00.000Z");
  REQUIRE(hourly.at(23)["hits"].get(hits) == simdjson::SUCCESS);
  CHECK(hits == 1);
  REQUIRE(rule["last_posts"].at(0)["text"].get(text) == simdjson::SUCCESS);
  CHECK(text == "</script>\"\\\n");
  uint64_t seq = 0;
  REQUIRE(rule["last_posts"].at(0)["feed_seq"].get(seq) == simdjson::SUCCESS);
  CHECK(seq == 7);
  CHECK(RuleActivityToJson({}) == "{\"rules\":[]}");
}

}  // namespace
}  // namespace earshot
