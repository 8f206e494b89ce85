// The console's live feed: a ring of the newest matched posts that readers page through by seq
// or wait on, and its JSON, which must stay valid and inert whatever a stranger posted.
#include "daemon/app/detection_feed.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <limits>
#include <thread>

namespace earshot {
namespace {

using namespace std::chrono_literals;

const SystemTime kT0 = FromUnixMillis(1796652000000);  // 2026-12-07T14:00:00Z

DetectedPost Matched(const std::string& id, const std::string& text) {
  DetectedPost dp;
  dp.post.network = "mastodon";
  dp.post.id = id;
  dp.post.url = "https://airline.example/@jane/" + id;
  dp.post.author.handle = "jane@travel.example";
  dp.post.author.display_name = "Jane";
  dp.post.author.followers = 150000;
  dp.post.text = text;
  dp.complaint = 0.875;
  dp.sentiment = -0.5;
  Detection d;
  d.rule_id = "lost-baggage";
  d.category = Category::kComplaint;
  d.severity = Severity::kHigh;
  d.summary = "Lost or delayed baggage reported to AcmeAir";
  d.labels = {{"brand", "acmeair"}, {"team", "baggage"}};
  dp.detections.push_back(d);
  return dp;
}

std::vector<uint64_t> Seqs(const std::vector<DetectionFeed::Entry>& entries) {
  std::vector<uint64_t> seqs;
  for (const auto& e : entries) seqs.push_back(e.seq);
  return seqs;
}

TEST_CASE("DetectionFeed: past capacity the ring keeps the newest entries, seqs increasing",
          "[app]") {
  DetectionFeed feed(3);
  CHECK(feed.newest_seq() == 0);
  CHECK(feed.Since(0, 10).empty());
  for (int i = 1; i <= 5; ++i) {
    CHECK(feed.Publish("mastodon:airline", Matched(fmt::format("p{}", i), "lost bag"),
                       kT0 + std::chrono::seconds(i)) == static_cast<uint64_t>(i));
  }
  CHECK(feed.newest_seq() == 5);

  const std::vector<DetectionFeed::Entry> all = feed.Since(0, 10);
  CHECK(Seqs(all) == std::vector<uint64_t>{3, 4, 5});
  REQUIRE(all.size() == 3);
  CHECK(all[0].post_id == "p3");
  CHECK(all[2].post_id == "p5");
  CHECK(all[2].at == kT0 + 5s);
  CHECK(all[2].source == "mastodon:airline");
  // Paging forward: the oldest after the cursor first, at most `max`.
  CHECK(Seqs(feed.Since(0, 2)) == std::vector<uint64_t>{3, 4});
  CHECK(Seqs(feed.Since(3, 10)) == std::vector<uint64_t>{4, 5});
  CHECK(Seqs(feed.Since(4, 10)) == std::vector<uint64_t>{5});
  CHECK(feed.Since(5, 10).empty());
  CHECK(feed.Since(99, 10).empty());
  CHECK(feed.Since(0, 0).empty());
  // The newest n, as a console opening the page asks.
  CHECK(Seqs(feed.Since(feed.newest_seq() - 2, 2)) == std::vector<uint64_t>{4, 5});

  // The default keeps 500.
  DetectionFeed big;
  for (int i = 0; i < 520; ++i) big.Publish("s", Matched("x", "t"), kT0);
  const auto kept = big.Since(0, 1000);
  REQUIRE(kept.size() == 500);
  CHECK(kept.front().seq == 21);
  CHECK(kept.back().seq == 520);
}

TEST_CASE("DetectionFeed: an entry copies what the console shows of the post", "[app]") {
  DetectionFeed feed;
  DetectedPost dp = Matched("42", "you lost my bag");
  dp.post.language = "en";
  Detection shadow;
  shadow.rule_id = "bag-trial";
  shadow.category = Category::kNoise;
  shadow.severity = Severity::kLow;
  shadow.shadow = true;
  dp.detections.push_back(shadow);
  feed.Publish("mastodon:airline", dp, kT0);
  const auto entries = feed.Since(0, 1);
  REQUIRE(entries.size() == 1);
  const DetectionFeed::Entry& e = entries[0];
  CHECK(e.network == "mastodon");
  CHECK(e.url == "https://airline.example/@jane/42");
  CHECK(e.author_handle == "jane@travel.example");
  CHECK(e.author_display_name == "Jane");
  CHECK(e.author_followers == 150000);
  CHECK(e.text == "you lost my bag");
  CHECK(e.lang == std::optional<std::string>("en"));
  CHECK(e.complaint == 0.875);
  CHECK(e.sentiment == -0.5);
  REQUIRE(e.rules.size() == 2);
  CHECK(e.rules[0].rule_id == "lost-baggage");
  CHECK(e.rules[0].category == "complaint");
  CHECK(e.rules[0].severity == "high");
  CHECK_FALSE(e.rules[0].shadow);
  CHECK(e.rules[0].brand == std::optional<std::string>("acmeair"));
  CHECK(e.rules[1].rule_id == "bag-trial");
  CHECK(e.rules[1].category == "noise");
  CHECK(e.rules[1].shadow);
  CHECK_FALSE(e.rules[1].brand.has_value());
}

TEST_CASE("DetectionFeed: WaitSince wakes on a publish from another thread", "[app]") {
  DetectionFeed feed;
  feed.Publish("s", Matched("old", "t"), kT0);
  std::vector<DetectionFeed::Entry> got;
  std::chrono::steady_clock::duration waited{};
  std::thread reader([&] {
    const auto start = std::chrono::steady_clock::now();
    got = feed.WaitSince(1, 10, 30s, std::stop_token());
    waited = std::chrono::steady_clock::now() - start;
  });
  std::this_thread::sleep_for(50ms);
  feed.Publish("s", Matched("new", "t"), kT0);
  reader.join();
  REQUIRE(got.size() == 1);
  CHECK(got[0].seq == 2);
  CHECK(got[0].post_id == "new");
  CHECK(waited < 10s);

  // Something is there already: no wait at all.
  CHECK(Seqs(feed.WaitSince(0, 10, 30s, std::stop_token())) == std::vector<uint64_t>{1, 2});
  // Nothing comes: empty once the wait passes.
  const auto start = std::chrono::steady_clock::now();
  CHECK(feed.WaitSince(2, 10, 30ms, std::stop_token()).empty());
  CHECK(std::chrono::steady_clock::now() - start >= 30ms);
}

TEST_CASE("DetectionFeed: WaitSince returns empty as soon as stop is requested", "[app]") {
  DetectionFeed feed;
  std::stop_source stop;
  std::vector<DetectionFeed::Entry> got(1);
  bool returned_after_stop = false;
  std::chrono::steady_clock::duration waited{};
  std::thread reader([&] {
    const auto start = std::chrono::steady_clock::now();
    got = feed.WaitSince(0, 10, 60s, stop.get_token());
    waited = std::chrono::steady_clock::now() - start;
    returned_after_stop = stop.stop_requested();
  });
  std::this_thread::sleep_for(50ms);
  stop.request_stop();
  reader.join();
  CHECK(got.empty());
  CHECK(returned_after_stop);  // it waited for the stop, not for nothing
  CHECK(waited < 10s);         // and not for the whole minute

  // Stop requested before the call: no wait at all.
  const auto start = std::chrono::steady_clock::now();
  CHECK(feed.WaitSince(0, 10, 60s, stop.get_token()).empty());
  CHECK(std::chrono::steady_clock::now() - start < 10s);
}

TEST_CASE("DetectionFeed: JSON of a hostile post is valid, round-trips and cannot end a script",
          "[app]") {
  // Quotes, backslashes, control characters, markup, a JavaScript line separator and a byte
  // that is not UTF-8.
  const std::string hostile =
      "say \"hi\" \\ C:\\path\n\ttab\r\x01\x1f</script><script>alert('x')</script><!-- & "
      "\xE2\x80\xA8 bad \xC3 end";
  DetectionFeed feed;
  DetectedPost dp = Matched("7", hostile);
  dp.post.author.display_name = "\"</script>\"";
  dp.detections[0].summary = "a \\ summary \"quoted\"";
  feed.Publish("mastodon:airline", dp, kT0);
  const std::string json = EntryToJson(feed.Since(0, 1).at(0));

  INFO(json);
  CHECK(json.find('<') == std::string::npos);
  CHECK(json.find('>') == std::string::npos);
  CHECK(json.find("\xE2\x80\xA8") == std::string::npos);
  for (char c : json) CHECK(static_cast<unsigned char>(c) >= 0x20);
  CHECK_THAT(json, Catch::Contains("\\u003c/script\\u003e"));

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  std::string_view text, name, at, rule, brand, severity;
  REQUIRE(doc["text"].get(text) == simdjson::SUCCESS);
  // Read back as written, but for the byte that was not UTF-8, now U+FFFD.
  std::string expected = hostile;
  expected.replace(expected.find("\xC3 end"), 1, "\xEF\xBF\xBD");
  CHECK(text == expected);
  REQUIRE(doc["author"]["display_name"].get(name) == simdjson::SUCCESS);
  CHECK(name == "\"</script>\"");
  REQUIRE(doc["at"].get(at) == simdjson::SUCCESS);
  CHECK(at == "2026-12-07T14:00:00.000Z");
  uint64_t seq = 0, followers = 0;
  REQUIRE(doc["seq"].get(seq) == simdjson::SUCCESS);
  CHECK(seq == 1);
  REQUIRE(doc["author"]["followers"].get(followers) == simdjson::SUCCESS);
  CHECK(followers == 150000);
  double complaint = 0;
  REQUIRE(doc["complaint"].get(complaint) == simdjson::SUCCESS);
  CHECK(complaint == 0.875);
  REQUIRE(doc["rules"].at(0)["rule_id"].get(rule) == simdjson::SUCCESS);
  CHECK(rule == "lost-baggage");
  REQUIRE(doc["rules"].at(0)["brand"].get(brand) == simdjson::SUCCESS);
  CHECK(brand == "acmeair");
  REQUIRE(doc["rules"].at(0)["severity"].get(severity) == simdjson::SUCCESS);
  CHECK(severity == "high");
  // No language known: no "lang" key.
  CHECK(doc["lang"].error() == simdjson::NO_SUCH_FIELD);
}

TEST_CASE("DetectionFeed: a score that is not a number is null in the JSON", "[app]") {
  DetectionFeed feed;
  DetectedPost dp = Matched("1", "t");
  dp.sentiment = std::numeric_limits<double>::quiet_NaN();
  feed.Publish("s", dp, kT0);
  const std::string json = EntryToJson(feed.Since(0, 1).at(0));
  CHECK_THAT(json, Catch::Contains("\"sentiment\":null"));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  CHECK(parser.parse(json).get(doc) == simdjson::SUCCESS);
}

}  // namespace
}  // namespace earshot
