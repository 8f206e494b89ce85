// The poller with a real source against a fake network, feeding the escalator: a source that
// only meets 5xx answers vouches for nothing, however often its Next returns, so the
// escalator's source_silent_after opens a source-silent incident for it.
#include "daemon/app/poller.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "daemon/app/app.h"
#include "daemon/app/detection_feed.h"
#include "daemon/app/detector_holder.h"
#include "daemon/app/live_detections.h"
#include "daemon/app/rule_activity.h"
#include "daemon/model/escalation_json.h"
#include "daemon/model/post_limits.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/sources/bluesky/jetstream_source.h"
#include "daemon/sources/fake/fake_bluesky.h"
#include "daemon/sources/fake/fake_jetstream.h"
#include "daemon/sources/fake/fake_mastodon.h"
#include "daemon/sources/mastodon/mastodon_source.h"
#include "detectors/utf8.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;
using testing::EscalatorRig;

std::shared_ptr<const Detector> ShippedDetector() {
  AppConfig config;
  config.brands = {"AcmeAir"};
  config.rule_files = {EARSHOT_SOURCE_DIR "/rules/complaints.yaml"};
  config.lexicon_dir = EARSHOT_SOURCE_DIR "/rules/lexicon";
  Diagnostics diags;
  auto detector = BuildDetector(config, &diags);
  INFO(diags.ToText());
  REQUIRE(detector.ok());
  return *detector;
}

TEST_CASE("Poller: a source failing with 5xx longer than source_silent_after opens source-silent",
          "[app]") {
  FakeMastodonOptions fake_options;
  fake_options.rate_limit = 1000000;  // no spacing to speak of
  auto fake = FakeMastodon::Start(fake_options);
  REQUIRE(fake.ok());
  MastodonSourceConfig c;
  c.name = "airline";
  c.base_url = (*fake)->base_url();
  c.tag = "AcmeAir";
  c.poll_interval = 20ms;
  c.request_timeout = 5000ms;
  c.backoff.seed = 11;
  c.backoff.backoff_initial = 10ms;
  c.backoff.backoff_max = 20ms;
  c.backoff.backoff_min = 5ms;
  auto source = MastodonSource::Create(c, RealClock());
  REQUIRE(source.ok());
  const MastodonSourceStats& stats = static_cast<MastodonSource&>(**source).stats();
  auto http = CurlHttpClient::Create();
  REQUIRE(http.ok());
  DetectorHolder detectors(ShippedDetector());
  BoundedQueue<PostBatch> queue(10000);
  EscalatorOptions options;
  options.source_silent_after = std::chrono::minutes(30);
  EscalatorRig rig(options);

  Poller poller(*std::move(source), *std::move(http), detectors, queue, /*alive_every=*/30ms);
  poller.Start();
  // Healthy: the poller vouches for the source, and the escalator starts watching it.
  std::optional<PostBatch> alive = queue.Pop(std::stop_token(), 10s);
  REQUIRE(alive.has_value());
  CHECK(alive->fetch_ok);
  CHECK(rig.Process(*alive).empty());

  // The instance answers 503 from now on. Batches from before the first 503 are discarded.
  (*fake)->InjectFault({FakeFault::Kind::kServerError, 1000000});
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (stats.server_errors.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  REQUIRE(stats.server_errors.load() > 0);
  while (queue.Pop(std::stop_token(), 0ms)) {
  }
  // Many failed polls, many alive intervals: not one batch vouches for the source.
  const int64_t errors_before = stats.server_errors.load();
  std::vector<PostBatch> during;
  const auto watch_until = std::chrono::steady_clock::now() + 600ms;
  while (std::chrono::steady_clock::now() < watch_until) {
    if (auto b = queue.Pop(std::stop_token(), 50ms)) during.push_back(std::move(*b));
  }
  CHECK(stats.server_errors.load() - errors_before >= 2);
  for (const PostBatch& b : during) CHECK_FALSE(b.fetch_ok);

  // The outage outlasts source_silent_after: the escalator pages for the silent source.
  for (const PostBatch& b : during) rig.Process(b);
  rig.clock().Advance(std::chrono::minutes(31));
  const std::vector<Escalation> silent = rig.Tick();
  REQUIRE(silent.size() == 1);
  CHECK(silent[0].kind == Escalation::Kind::kOpen);
  CHECK(silent[0].category == "source-silent");
  CHECK(silent[0].labels == Labels{{"source", "mastodon:airline"}});

  // The instance recovers: the next successful fetch resolves it.
  (*fake)->ClearFaults();
  std::optional<PostBatch> back;
  while (!back && std::chrono::steady_clock::now() < deadline + 10s) {
    if (auto b = queue.Pop(std::stop_token(), 100ms); b && b->fetch_ok) back = std::move(b);
  }
  REQUIRE(back.has_value());
  const std::vector<Escalation> resolved = rig.Process(*back);
  REQUIRE(resolved.size() == 1);
  CHECK(resolved[0].kind == Escalation::Kind::kResolve);
  CHECK(resolved[0].reason == "source fetching again");
  poller.RequestStop();
  poller.Join();
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

// An 8 MB status once made an 8.4 MB escalation and took the daemon from 21 MB to 418 MB: past
// the poller a post's text is at most kMaxPostTextBytes, cut with a marker, its size kept.
TEST_CASE("Poller: a huge post is cut to the text limit with a marker, counted, its size kept",
          "[app]") {
  auto fake = FakeMastodon::Start();
  REQUIRE(fake.ok());
  FakeStatus huge;
  huge.acct = "jane@travel.example";
  std::string text = "#AcmeAir lost my bag and nobody answers ";
  // Multi-byte characters throughout, so a cut in the middle of one would show.
  while (text.size() < (1u << 20)) text += "caf\xC3\xA9 \xF0\x9F\x98\xA1 ";
  huge.text = text;
  (*fake)->AddStatus(huge);
  FakeStatus small;
  small.text = "#AcmeAir fine flight";
  (*fake)->AddStatus(small);
  MastodonSourceConfig c;
  c.name = "airline";
  c.base_url = (*fake)->base_url();
  c.tag = "AcmeAir";
  c.poll_interval = 20ms;
  c.request_timeout = 5000ms;
  auto source = MastodonSource::Create(c, RealClock());
  REQUIRE(source.ok());
  auto http = CurlHttpClient::Create();
  REQUIRE(http.ok());
  DetectorHolder detectors(ShippedDetector());
  BoundedQueue<PostBatch> queue(10000);
  Poller poller(*std::move(source), *std::move(http), detectors, queue, /*alive_every=*/30ms);
  poller.Start();
  std::vector<DetectedPost> posts;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (posts.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    if (auto batch = queue.Pop(std::stop_token(), 100ms)) {
      for (auto& p : batch->posts) posts.push_back(std::move(p));
    }
  }
  poller.RequestStop();
  poller.Join();
  REQUIRE(posts.size() == 2);
  const Post& cut = posts[0].post.text.size() > 100 ? posts[0].post : posts[1].post;
  const Post& whole = posts[0].post.text.size() > 100 ? posts[1].post : posts[0].post;
  CHECK(cut.text.size() <= kMaxPostTextBytes);
  CHECK(cut.text.size() > kMaxPostTextBytes - 8);
  CHECK_THAT(cut.text, Catch::Contains("lost my bag and nobody answers caf\xC3\xA9"));
  CHECK_THAT(cut.text, Catch::EndsWith(std::string(kTruncationMarker)));
  CHECK(cut.text_bytes > (1u << 20));
  // Still valid UTF-8: the cut fell between characters.
  std::string_view body(cut.text);
  body.remove_suffix(kTruncationMarker.size());
  for (const char* q = body.data(); q < body.data() + body.size();) {
    const utf8::Decoded d = utf8::Decode(q, body.data() + body.size());
    REQUIRE(d.cp < utf8::kInvalidByteBase);
    q += d.len;
  }
  CHECK(whole.text_bytes == 0);
  CHECK(poller.stats().posts_truncated.load() == 1);
  // The escalation carries the size it had.
  PostRef ref;
  ref.text = cut.text;
  ref.text_bytes = cut.text_bytes;
  Escalation e;
  e.incident_id = "inc-1";
  e.posts.push_back(ref);
  const std::string wire = EscalationToJson(e);
  CHECK_THAT(wire,
             Catch::Contains(fmt::format("\"truncated\":true,\"text_bytes\":{}", cut.text_bytes)));
  Result<Escalation> back = EscalationFromJson(wire);
  REQUIRE(back.ok());
  CHECK(back->posts.at(0).text_bytes == cut.text_bytes);
  CHECK(wire.size() < 2 * kMaxPostTextBytes);
}

TEST_CASE("Poller: a firehose post that matched reaches the escalator with its author looked up",
          "[app]") {
  auto jet = FakeJetstream::Start();
  REQUIRE(jet.ok());
  FakeBlueskyOptions bsky_options;
  bsky_options.relay = [j = jet->get()](const std::string& did, const std::string& rkey,
                                        const std::string& record) {
    j->AddCommit(did, rkey, "create", record);
  };
  auto bsky = FakeBluesky::Start(bsky_options);
  REQUIRE(bsky.ok());
  JetstreamSourceConfig c;
  c.name = "firehose";
  c.instances = {(*jet)->url()};
  c.slice = 50ms;
  c.profiles_url = (*bsky)->base_url();
  auto source = JetstreamSource::Create(c, RealClock());
  REQUIRE(source.ok());
  auto http = CurlHttpClient::Create();
  REQUIRE(http.ok());
  DetectorHolder detectors(ShippedDetector());
  BoundedQueue<PostBatch> queue(10000);
  Poller poller(*std::move(source), *std::move(http), detectors, queue, /*alive_every=*/30ms);
  poller.Start();
  // The firehose starts at its head: publish once the poller is listening.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((*jet)->connections() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  FakeBskyPost complaint;
  complaint.handle = "lee.bsky.social";
  complaint.followers = 1900;
  complaint.text =
      "AcmeAir cancelled my flight and nobody rebooked me. Stuck at the gate all night.";
  (*bsky)->AddPost(complaint);
  FakeBskyPost chatter;
  chatter.handle = "cat.bsky.social";
  chatter.followers = 50;
  chatter.text = "my cat learned to open the fridge";
  (*bsky)->AddPost(chatter);
  std::vector<DetectedPost> posts;
  while (posts.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    if (auto batch = queue.Pop(std::stop_token(), 100ms)) {
      for (auto& p : batch->posts) posts.push_back(std::move(p));
    }
  }
  poller.RequestStop();
  poller.Join();
  REQUIRE(posts.size() == 2);
  const DetectedPost& matched = posts[0];
  REQUIRE_FALSE(matched.detections.empty());
  CHECK(matched.post.author.handle == "lee.bsky.social");
  CHECK(matched.post.author.followers == 1900);
  // Chatter matched nothing: nobody looked its author up.
  CHECK(posts[1].detections.empty());
  CHECK(posts[1].post.author.handle.empty());
  CHECK((*bsky)->profile_calls() == 1);
  // The local filter let the chatter by without scoring it.
  CHECK(poller.stats().posts_filtered.load() == 1);
  CHECK(poller.stats().posts.load() == 2);
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

// The console's live feed hears every post a rule matched, from the poller, before the
// escalator; a post no rule matched never shows.
TEST_CASE("Poller: a matched post reaches the live feed and the rule activity, a quiet one not",
          "[app]") {
  auto fake = FakeMastodon::Start();
  REQUIRE(fake.ok());
  FakeStatus complaint;
  complaint.acct = "jane@travel.example";
  complaint.display_name = "Jane";
  complaint.followers = 150000;
  complaint.text = "#AcmeAir you lost my luggage on the way to Lisbon and nobody can tell me "
                   "where it is";
  (*fake)->AddStatus(complaint);
  FakeStatus quiet;
  quiet.text = "#AcmeAir boarding at gate 12 now";
  (*fake)->AddStatus(quiet);
  MastodonSourceConfig c;
  c.name = "airline";
  c.base_url = (*fake)->base_url();
  c.tag = "AcmeAir";
  c.poll_interval = 20ms;
  c.request_timeout = 5000ms;
  auto source = MastodonSource::Create(c, RealClock());
  REQUIRE(source.ok());
  auto http = CurlHttpClient::Create();
  REQUIRE(http.ok());
  DetectorHolder detectors(ShippedDetector());
  BoundedQueue<PostBatch> queue(10000);
  DetectionFeed feed;
  RuleActivity activity;
  LiveDetections live(feed, activity, RealClock());
  Poller poller(*std::move(source), *std::move(http), detectors, queue, /*alive_every=*/30ms,
                RecheckOptions{}, &live);
  poller.Start();
  std::vector<DetectedPost> posts;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (posts.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    if (auto batch = queue.Pop(std::stop_token(), 100ms)) {
      for (auto& p : batch->posts) posts.push_back(std::move(p));
    }
  }
  poller.RequestStop();
  poller.Join();
  REQUIRE(posts.size() == 2);
  const DetectedPost& matched = posts[0].post.text.find("luggage") != std::string::npos
                                    ? posts[0] : posts[1];
  const DetectedPost& other = &matched == &posts[0] ? posts[1] : posts[0];
  REQUIRE_FALSE(matched.detections.empty());
  REQUIRE(other.detections.empty());

  // Exactly the matched post, with the rules of its batch.
  const std::vector<DetectionFeed::Entry> entries = feed.Since(0, 10);
  REQUIRE(entries.size() == 1);
  const DetectionFeed::Entry& e = entries[0];
  CHECK(e.seq == 1);
  CHECK(e.source == "mastodon:airline");
  CHECK(e.network == "mastodon");
  CHECK(e.post_id == matched.post.id);
  CHECK(e.post_id != other.post.id);
  CHECK(e.author_handle == "jane@travel.example");
  CHECK(e.author_followers == 150000);
  CHECK_THAT(e.text, Catch::Contains("lost my luggage"));
  CHECK(e.lang == std::optional<std::string>("en"));
  std::vector<std::string> rule_ids;
  for (const auto& r : e.rules) rule_ids.push_back(r.rule_id);
  CHECK_THAT(rule_ids, Catch::VectorContains(std::string("lost-baggage")));
  REQUIRE(rule_ids.size() == matched.detections.size());
  for (size_t i = 0; i < rule_ids.size(); ++i) CHECK(rule_ids[i] == matched.detections[i].rule_id);

  const auto rules = activity.Snapshot(RealClock().Now());
  REQUIRE(rules.size() == rule_ids.size());
  for (const auto& r : rules) {
    CHECK(r.hits == 1);
    REQUIRE(r.last_posts.size() == 1);
    CHECK(r.last_posts[0].feed_seq == 1);
    CHECK(r.last_posts[0].post_id == matched.post.id);
    int64_t in_hours = 0;  // one of the last two hours, should the hour turn meanwhile
    for (const auto& h : r.hourly) in_hours += h.hits;
    CHECK(in_hours == 1);
  }
}

}  // namespace
}  // namespace earshot
