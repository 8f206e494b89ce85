// MastodonStreamSource against FakeMastodon's streaming API over real loopback HTTP. Tests call
// Next directly on the main thread (as the poller would) until what they wait for arrived or a
// bounded number of calls ran out; they never assert on wall-clock time.
#include <catch2/catch.hpp>

#include <algorithm>

#include <fmt/format.h>

#include <map>
#include <thread>

#include "daemon/base/log.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/net/http_server.h"
#include "daemon/net/url.h"
#include "daemon/sources/fake/fake_mastodon.h"
#include "tests/sources/captured_log.h"
#include "tests/sources/source_rig.h"
#include "daemon/sources/mastodon/mastodon_stream_source.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

struct Rig {
  std::unique_ptr<FakeMastodon> fake;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<Source> source;
  std::vector<Post> posts;              // everything Next delivered, in order
  std::optional<std::string> cursor;    // the last cursor Next reported
  std::vector<milliseconds> waits;
  std::vector<std::string> deleted;     // every SourceBatch::deleted_ids, in order
  std::vector<bool> fetched;            // every SourceBatch::fetched, in order

  MastodonStreamSource& stream() { return static_cast<MastodonStreamSource&>(*source); }
  // One Next; Pace waits are recorded, never slept on (backoffs in these tests are short anyway).
  void Step() {
    SourceBatch batch;
    auto pace = source->Next(std::stop_token(), *http, &batch);
    REQUIRE(pace.ok());
    waits.push_back(pace->wait);
    fetched.push_back(batch.fetched);
    for (Post& p : batch.posts) posts.push_back(std::move(p));
    if (batch.cursor) cursor = batch.cursor;
    deleted.insert(deleted.end(), batch.deleted_ids.begin(), batch.deleted_ids.end());
  }
  // Steps until `done` holds; false after `max_calls`.
  template <typename F>
  bool StepUntil(F done, int max_calls = 200) {
    for (int i = 0; i < max_calls; ++i) {
      if (done()) return true;
      Step();
    }
    return done();
  }
  // Steps until the source's stream is open on the fake and its head arrived.
  bool Connected(int64_t connects) {
    return StepUntil([&] {
      return stream().stats().connects.load() >= connects && fake->open_streams() == 1;
    });
  }
  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (const Post& p : posts) ids.push_back(p.id);
    return ids;
  }
};

FakeMastodonOptions FakeOptions() {
  FakeMastodonOptions o;
  o.rate_limit = 1000000;
  o.token = "s3cret-token";
  o.heartbeat_interval = 50ms;
  return o;
}

MastodonStreamSourceConfig Config(const FakeMastodon& fake, MastodonSourceConfig::Kind kind) {
  MastodonStreamSourceConfig c;
  c.mastodon.name = "airline";
  c.mastodon.base_url = fake.base_url();
  c.mastodon.kind = kind;
  c.mastodon.tag = "#AcmeAir";
  c.mastodon.token = "s3cret-token";
  c.mastodon.limit = 2;  // small pages, so a gap fill pages
  c.mastodon.request_timeout = 5000ms;
  c.mastodon.backoff.seed = 99;
  c.mastodon.backoff.backoff_initial = 50ms;
  c.mastodon.backoff.backoff_min = 10ms;
  c.mastodon.backoff.backoff_max = 200ms;
  c.slice = 100ms;
  c.idle_timeout = 10000ms;
  return c;
}

Rig MakeRig(MastodonSourceConfig::Kind kind = MastodonSourceConfig::Kind::kHashtag,
            std::function<void(MastodonStreamSourceConfig&)> tweak = nullptr,
            FakeMastodonOptions fake_options = FakeOptions()) {
  Rig rig;
  testing::StartRig<MastodonStreamSource>(
      rig, std::move(fake_options), [kind](const FakeMastodon& fake) { return Config(fake, kind); },
      tweak, RealClock());
  return rig;
}

std::string Tagged(FakeMastodon& fake, const std::string& text) {
  FakeStatus s;
  s.acct = "jane@travel.example";
  s.text = text + " #AcmeAir";
  return fake.AddStatus(s);
}

TEST_CASE("MastodonStreamSource: discovers the streaming host and delivers updates",
          "[sources][mastodon][stream]") {
  Rig rig = MakeRig();
  REQUIRE(rig.Connected(1));
  CHECK(rig.stream().streaming_url() == rig.fake->base_url());  // from urls.streaming_api
  CHECK(rig.stream().stats().discovery_requests == 1);

  const std::string a = Tagged(*rig.fake, "lost my bag");
  FakeStatus other;
  other.text = "unrelated #cats";
  rig.fake->AddStatus(other);
  const std::string b = Tagged(*rig.fake, "delayed again");
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() >= 2; }));
  CHECK(rig.Ids() == std::vector<std::string>{a, b});
  CHECK(rig.posts[0].text.find("lost my bag") != std::string::npos);
  CHECK(rig.posts[0].network == "mastodon");
  CHECK(rig.cursor == b);
  CHECK(rig.stream().stats().requests == 0);  // no cursor at the start: from now on

  bool saw_stream_request = false;
  for (const RecordedRequest& r : rig.fake->requests()) {
    if (r.path == "/api/v1/streaming/hashtag") {
      saw_stream_request = true;
      CHECK(r.query == "tag=AcmeAir");
      CHECK(r.Header("authorization") == "Bearer s3cret-token");
    }
  }
  CHECK(saw_stream_request);
}

TEST_CASE("MastodonStreamSource: streams from the host the instance advertises",
          "[sources][mastodon][stream]") {
  auto streaming = FakeMastodon::Start(FakeOptions());
  REQUIRE(streaming.ok());
  FakeMastodonOptions options = FakeOptions();
  options.streaming_url = "ws://127.0.0.1:" + std::to_string((*streaming)->port()) + "/";
  Rig rig = MakeRig(MastodonSourceConfig::Kind::kHashtag, nullptr, options);
  REQUIRE(rig.StepUntil([&] { return (*streaming)->open_streams() == 1; }));
  CHECK(rig.stream().streaming_url() == (*streaming)->base_url());
  CHECK(rig.fake->open_streams() == 0);
  const std::string id = Tagged(**streaming, "from the streaming host");
  REQUIRE(rig.StepUntil([&] { return !rig.posts.empty(); }));
  CHECK(rig.posts[0].id == id);
}

TEST_CASE("MastodonStreamSource: falls back to the instance when the streaming host is down",
          "[sources][mastodon][stream]") {
  // A port that was just free: nothing listens there.
  uint16_t dead_port = 0;
  {
    auto gone = HttpServer::Start([](const HttpServerRequest&) { return HttpServerResponse{}; });
    REQUIRE(gone.ok());
    dead_port = (*gone)->port();
  }
  FakeMastodonOptions options = FakeOptions();
  options.streaming_url = "wss://127.0.0.1:" + std::to_string(dead_port);
  Rig rig = MakeRig(MastodonSourceConfig::Kind::kHashtag, nullptr, options);
  REQUIRE(rig.Connected(1));
  CHECK(rig.stream().streaming_url() == rig.fake->base_url());
  CHECK(rig.stream().stats().transport_errors == 3);
  const std::string id = Tagged(*rig.fake, "still heard");
  REQUIRE(rig.StepUntil([&] { return !rig.posts.empty(); }));
  CHECK(rig.posts[0].id == id);
}

TEST_CASE("MastodonStreamSource: a 5xx from the streaming API is retried with backoff",
          "[sources][mastodon][stream]") {
  Rig rig = MakeRig();
  rig.Step();  // discovery
  REQUIRE(rig.stream().stats().discovery_requests == 1);
  FakeFault fault;
  fault.kind = FakeFault::Kind::kServerError;
  fault.count = 2;
  rig.fake->InjectFault(fault);
  REQUIRE(rig.StepUntil([&] { return rig.stream().stats().server_errors >= 2; }, 50));
  // Discovery and refused connections are no fetch: the source looks silent meanwhile.
  CHECK(std::none_of(rig.fetched.begin(), rig.fetched.end(), [](bool f) { return f; }));
  REQUIRE(rig.Connected(3));
  CHECK(rig.stream().stats().transport_errors == 2);
  for (size_t i = 1; i < rig.waits.size(); ++i) {
    if (rig.waits[i].count() > 0) CHECK(rig.waits[i] >= 10ms);  // backoff_min: no busy loop
  }
  const std::string id = Tagged(*rig.fake, "after the outage");
  REQUIRE(rig.StepUntil([&] { return !rig.posts.empty(); }));
  CHECK(rig.posts[0].id == id);
}

TEST_CASE("MastodonStreamSource: a malformed event is skipped, the stream goes on",
          "[sources][mastodon][stream]") {
  Rig rig = MakeRig();
  REQUIRE(rig.Connected(1));
  rig.fake->AddRawStatus(R"({"id":"$ID","content":"no account, no date"})", {"acmeair"});
  const std::string good = Tagged(*rig.fake, "fine");
  REQUIRE(rig.StepUntil([&] { return !rig.posts.empty(); }));
  CHECK(rig.Ids() == std::vector<std::string>{good});
  CHECK(rig.stream().stats().bad_items == 1);
  CHECK(rig.stream().stats().transport_errors == 0);
  CHECK(rig.cursor == good);
}

TEST_CASE("MastodonStreamSource: mentions arrive from the notification stream",
          "[sources][mastodon][stream]") {
  Rig rig = MakeRig(MastodonSourceConfig::Kind::kMentions);
  REQUIRE(rig.Connected(1));
  FakeStatus mention;
  mention.acct = "gus";
  mention.text = "@acmeair where is my refund";
  const std::string id = rig.fake->AddStatus(mention);
  Tagged(*rig.fake, "not a mention");
  REQUIRE(rig.StepUntil([&] { return !rig.posts.empty(); }));
  REQUIRE(rig.posts.size() == 1);
  CHECK(rig.posts[0].id == id);
  CHECK(rig.posts[0].text.find("refund") != std::string::npos);
  REQUIRE(rig.cursor.has_value());
  CHECK(*rig.cursor != id);  // the cursor of mentions is the notification id
}

TEST_CASE("MastodonStreamSource: heartbeats are counted and ignored",
          "[sources][mastodon][stream]") {
  Rig rig = MakeRig();
  REQUIRE(rig.Connected(1));
  REQUIRE(rig.StepUntil([&] { return rig.stream().stats().heartbeats >= 3; }));
  CHECK(rig.posts.empty());
  // A heartbeat is the network answering: the source is alive though nothing was posted.
  CHECK(std::any_of(rig.fetched.begin(), rig.fetched.end(), [](bool f) { return f; }));
  CHECK(rig.stream().stats().events == 0);
  CHECK(rig.stream().stats().bad_items == 0);
  CHECK(rig.stream().stats().transport_errors == 0);
  CHECK(rig.stream().stats().connects == 1);
}

TEST_CASE("MastodonStreamSource: a dropped stream reconnects and the gap comes from REST",
          "[sources][mastodon][stream]") {
  const bool mid_event = GENERATE(false, true);
  Rig rig = MakeRig();
  REQUIRE(rig.Connected(1));
  const std::string a = Tagged(*rig.fake, "first");
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() == 1; }));

  REQUIRE(rig.fake->DropStreams(mid_event) == 1);
  std::vector<std::string> expected{a};
  for (int i = 0; i < 5; ++i) expected.push_back(Tagged(*rig.fake, fmt::format("gap {}", i)));
  REQUIRE(rig.Connected(2));
  // Published once the new stream is open, maybe before the gap fill ran: it is on the stream
  // and perhaps in a gap page too, and must come once, after the gap.
  expected.push_back(Tagged(*rig.fake, "overlap"));
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() >= 7; }));
  expected.push_back(Tagged(*rig.fake, "live again"));
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() >= 8; }));
  // A few more calls: nothing is delivered twice.
  for (int i = 0; i < 5; ++i) rig.Step();

  CHECK(rig.Ids() == expected);
  CHECK(rig.cursor == expected.back());
  const auto& stats = rig.stream().stats();
  CHECK(stats.transport_errors == 1);
  CHECK(stats.connects == 2);
  // limit 2: pages of 2, 2, 1; more when the later posts were published before the gap fill
  // caught up (they then come from both, and are delivered once).
  CHECK(stats.gap_fill_posts >= 5);
  CHECK(stats.gap_fill_posts <= 7);
  CHECK(stats.requests >= 3);
  CHECK(stats.requests <= 4);
  CHECK(stats.bad_items == 0);                         // the half event was dropped, not parsed
  for (milliseconds w : rig.waits) CHECK(w <= 200ms);  // backoff_max bounds every reconnect
}

std::string Posted(FakeMastodon& fake, const std::string& acct, const std::string& text,
                   const std::string& reply_to = "") {
  FakeStatus s;
  s.acct = acct;
  s.text = text;
  s.in_reply_to_id = reply_to;
  return fake.AddStatus(s);
}

TEST_CASE("MastodonStreamSource: public:local carries the instance's own posts only",
          "[sources][mastodon][stream]") {
  const bool local = GENERATE(false, true);
  INFO((local ? "public:local" : "public"));
  Rig rig =
      MakeRig(local ? MastodonSourceConfig::Kind::kLocal : MastodonSourceConfig::Kind::kPublic);
  REQUIRE(rig.Connected(1));
  const std::string a = Posted(*rig.fake, "gus", "the lounge is closed again");
  const std::string b = Posted(*rig.fake, "jane@travel.example", "my flight is late");
  Posted(*rig.fake, "gus", "@jane@travel.example same here", b);  // a reply: on no public stream
  const std::string c = Posted(*rig.fake, "ann", "no wifi on board");
  const std::vector<std::string> expected =
      local ? std::vector<std::string>{a, c} : std::vector<std::string>{a, b, c};
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() >= expected.size(); }));
  for (int i = 0; i < 3; ++i) rig.Step();  // nothing more comes
  CHECK(rig.Ids() == expected);
  CHECK(rig.cursor == c);
  CHECK(rig.stream().stats().requests == 0);  // all from the stream

  // Deletes come for the statuses the stream carries.
  rig.fake->DeleteStatus(b);
  rig.fake->DeleteStatus(a);
  REQUIRE(rig.StepUntil([&] { return rig.deleted.size() >= (local ? 1u : 2u); }));
  for (int i = 0; i < 3; ++i) rig.Step();
  CHECK(rig.deleted == (local ? std::vector<std::string>{a} : std::vector<std::string>{b, a}));

  int stream_requests = 0;
  for (const RecordedRequest& r : rig.fake->requests()) {
    if (!r.path.starts_with("/api/v1/streaming")) continue;
    ++stream_requests;
    CHECK(r.path == (local ? "/api/v1/streaming/public/local" : "/api/v1/streaming/public"));
    CHECK(r.query.empty());
  }
  CHECK(stream_requests == 1);
}

TEST_CASE("MastodonStreamSource: a dropped public stream is gap-filled from the public timeline",
          "[sources][mastodon][stream]") {
  const bool local = GENERATE(false, true);
  INFO((local ? "public:local" : "public"));
  Rig rig =
      MakeRig(local ? MastodonSourceConfig::Kind::kLocal : MastodonSourceConfig::Kind::kPublic);
  REQUIRE(rig.Connected(1));
  std::vector<std::string> expected{Posted(*rig.fake, "gus", "first")};
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() == 1; }));

  REQUIRE(rig.fake->DropStreams() == 1);
  // Published while no stream is open: only the REST timeline has them.
  for (int i = 0; i < 4; ++i) {
    expected.push_back(Posted(*rig.fake, "gus", fmt::format("gap {}", i)));
    const std::string remote = Posted(*rig.fake, "jane@travel.example", fmt::format("far {}", i));
    if (!local) expected.push_back(remote);
  }
  const size_t gap = expected.size() - 1;
  REQUIRE(rig.Connected(2));
  // Published once the new stream is open, maybe before the gap fill ran: on the stream and
  // perhaps in a gap page too; it must come once, after the gap.
  expected.push_back(Posted(*rig.fake, "gus", "overlap"));
  const std::string remote_overlap = Posted(*rig.fake, "jane@travel.example", "far overlap");
  if (!local) expected.push_back(remote_overlap);
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() >= expected.size(); }));
  expected.push_back(Posted(*rig.fake, "gus", "live again"));
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() >= expected.size(); }));
  for (int i = 0; i < 5; ++i) rig.Step();  // nothing is delivered twice

  CHECK(rig.Ids() == expected);
  CHECK(rig.cursor == expected.back());
  const auto& stats = rig.stream().stats();
  CHECK(stats.transport_errors == 1);
  CHECK(stats.connects == 2);
  CHECK(stats.gap_fill_posts >= static_cast<int64_t>(gap));
  CHECK(stats.requests >= static_cast<int64_t>(gap / 2));  // limit 2: pages of 2

  // The gap came from the public timeline, from the cursor on, local=true for public:local.
  int gap_requests = 0;
  for (const RecordedRequest& r : rig.fake->requests()) {
    if (r.path.starts_with("/api/v1/streaming") || r.path == "/api/v1/instance") continue;
    ++gap_requests;
    CHECK(r.path == "/api/v1/timelines/public");
    CHECK(testing::QueryParam(r, "local") ==
          (local ? std::optional<std::string>("true") : std::nullopt));
    CHECK(testing::QueryParam(r, "min_id").has_value());
  }
  CHECK(gap_requests == stats.requests.load());
}

TEST_CASE("MastodonStreamSource: Restore resumes from the cursor through a gap fill",
          "[sources][mastodon][stream]") {
  auto fake = FakeMastodon::Start(FakeOptions());
  REQUIRE(fake.ok());
  const std::string old = Tagged(**fake, "before the restart");
  const std::string missed1 = Tagged(**fake, "missed one");
  const std::string missed2 = Tagged(**fake, "missed two");

  Rig rig;
  rig.fake = std::move(fake).value();
  auto http = CurlHttpClient::Create();
  REQUIRE(http.ok());
  rig.http = std::move(http).value();
  auto source = MastodonStreamSource::Create(
      Config(*rig.fake, MastodonSourceConfig::Kind::kHashtag), RealClock());
  REQUIRE(source.ok());
  rig.source = std::move(source).value();
  REQUIRE(rig.source->Restore(old).ok());
  CHECK_FALSE(rig.source->Restore("12; DROP").ok());

  REQUIRE(rig.StepUntil([&] { return rig.posts.size() >= 2; }));
  REQUIRE(rig.Connected(1));
  const std::string live = Tagged(*rig.fake, "live");
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() >= 3; }));
  for (int i = 0; i < 3; ++i) rig.Step();
  CHECK(rig.Ids() == std::vector<std::string>{missed1, missed2, live});
  CHECK(rig.cursor == live);
}

TEST_CASE("MastodonStreamSource: deletes are counted, edits delivered again",
          "[sources][mastodon][stream]") {
  Rig rig = MakeRig();
  REQUIRE(rig.Connected(1));
  const std::string a = Tagged(*rig.fake, "the seat was broken");
  const std::string b = Tagged(*rig.fake, "the food was cold");
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() == 2; }));

  rig.fake->DeleteStatus(a);
  REQUIRE(rig.StepUntil([&] { return rig.stream().stats().deletes == 1; }));
  CHECK(rig.stream().TakeDeletedIds() == std::vector<std::string>{a});
  // The batch carries the delete to the escalator, which resolves the post's incident.
  CHECK(rig.deleted == std::vector<std::string>{a});
  CHECK(rig.stream().TakeDeletedIds().empty());

  rig.fake->EditStatus(b, "the food was cold and late #AcmeAir");
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() == 3; }));
  CHECK(rig.posts[2].id == b);
  CHECK(rig.posts[2].text.find("and late") != std::string::npos);
  // The edit's stamp tells the escalator this is a new version of a post it has seen.
  CHECK(rig.posts[1].edited_at.empty());
  CHECK_FALSE(rig.posts[2].edited_at.empty());
  CHECK(rig.stream().stats().edits == 1);
  CHECK(rig.cursor == b);
}

TEST_CASE("MastodonStreamSource: a rejected token is reported and retried slowly",
          "[sources][mastodon][stream]") {
  Rig rig = MakeRig(MastodonSourceConfig::Kind::kMentions,
                    [](MastodonStreamSourceConfig& c) { c.mastodon.token = "wrong"; });
  REQUIRE(rig.StepUntil([&] { return rig.stream().stats().auth_errors >= 1; }, 20));
  CHECK(rig.waits.back() == 200ms);  // backoff_max
  CHECK(rig.posts.empty());
}

TEST_CASE("MastodonStreamSource: a stop request ends a waiting Next with kCancelled",
          "[sources][mastodon][stream]") {
  FakeMastodonOptions quiet = FakeOptions();
  quiet.heartbeat_interval = std::chrono::hours(1);
  Rig rig = MakeRig(MastodonSourceConfig::Kind::kHashtag, [](MastodonStreamSourceConfig& c) {
    c.slice = std::chrono::hours(1);  // only the stop request can end the Next below
  }, quiet);
  // Discovery, then the stream's head and its ":)" greeting.
  REQUIRE(rig.StepUntil([&] { return rig.stream().stats().heartbeats >= 1; }, 10));

  std::stop_source stop;
  std::jthread stopper([&stop] {
    std::this_thread::sleep_for(100ms);
    stop.request_stop();
  });
  SourceBatch batch;
  auto pace = rig.source->Next(stop.get_token(), *rig.http, &batch);
  stopper.join();
  REQUIRE_FALSE(pace.ok());
  CHECK(pace.status().code() == Status::Code::kCancelled);

  auto again = rig.source->Next(stop.get_token(), *rig.http, &batch);
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == Status::Code::kCancelled);
}

// --- Streaming host discovery by redirect ----------------------------------------------------

using testing::CapturedLog;

// The web host of an instance that advertises no streaming URL and redirects its streaming
// paths elsewhere (`redirect_to`, set by the test once it knows the address).
FakeMastodonOptions WebHostOptions() {
  FakeMastodonOptions o = FakeOptions();
  o.advertise_streaming = false;
  return o;
}

TEST_CASE("MastodonStreamSource: follows the web host's redirect to the streaming host",
          "[sources][mastodon][stream]") {
  CapturedLog captured;
  auto streaming = FakeMastodon::Start(FakeOptions());  // plays the streaming server
  REQUIRE(streaming.ok());
  FakeMastodon& stream_host = **streaming;
  Rig rig = MakeRig(MastodonSourceConfig::Kind::kHashtag, nullptr, WebHostOptions());
  rig.fake->RedirectStreams(stream_host.base_url());

  REQUIRE(rig.StepUntil([&] { return stream_host.open_streams() == 1; }, 50));
  CHECK(rig.stream().streaming_url() == stream_host.base_url());
  CHECK(rig.stream().stats().redirects == 1);
  CHECK(rig.stream().stats().bad_redirects == 0);
  CHECK(rig.stream().stats().transport_errors == 0);  // a redirect followed is no lost stream
  CHECK(rig.stream().stats().discovery_requests == 1);
  // Discovery (no streaming URL: the instance itself), the redirect, then straight on.
  REQUIRE(rig.waits.size() >= 2);
  for (milliseconds wait : rig.waits) CHECK(wait == 0ms);  // the redirect is no failure
  CHECK(rig.fake->open_streams() == 0);

  const std::string id = Tagged(stream_host, "heard via the redirect");
  REQUIRE(rig.StepUntil([&] { return !rig.posts.empty(); }));
  CHECK(rig.posts[0].id == id);
  CHECK(rig.posts[0].text.find("heard via the redirect") != std::string::npos);

  // The web host answered discovery and the redirect; it never served a stream.
  std::vector<std::string> web_paths;
  for (const RecordedRequest& r : rig.fake->requests()) {
    web_paths.push_back(r.path);
    if (r.path == "/api/v1/streaming/hashtag") CHECK(r.status == 301);
  }
  CHECK(web_paths == std::vector<std::string>{"/api/v1/instance", "/api/v1/streaming/hashtag"});

  const std::string log_text = captured.Text();
  CHECK(log_text.find("redirects its streaming API to " + UrlHost(stream_host.base_url())) !=
        std::string::npos);
  CHECK(log_text.find("s3cret-token") == std::string::npos);
  CHECK(log_text.find("tag=") == std::string::npos);  // the host only, never the query
}

TEST_CASE("MastodonStreamSource: the token goes to the redirected host on the stream only",
          "[sources][mastodon][stream]") {
  auto streaming = FakeMastodon::Start(FakeOptions());
  REQUIRE(streaming.ok());
  FakeMastodon& stream_host = **streaming;
  Rig rig = MakeRig(MastodonSourceConfig::Kind::kHashtag, nullptr, WebHostOptions());
  rig.fake->RedirectStreams(stream_host.base_url(), 307);
  const std::string old = Tagged(*rig.fake, "before the restart");
  REQUIRE(rig.source->Restore(old).ok());  // so a gap fill runs after the connect
  const std::string missed = Tagged(*rig.fake, "while earshot was down");

  REQUIRE(rig.StepUntil([&] {
    return rig.stream().stats().requests >= 1 && stream_host.open_streams() == 1 &&
           !rig.posts.empty();
  }));
  CHECK(rig.posts[0].id == missed);  // the gap fill read the instance's REST timeline

  // As Mastodon's own clients: the bearer token on the stream request to the streaming host
  // (the instance itself named it), nothing else sent there.
  const std::vector<RecordedRequest> streamed = stream_host.requests();
  REQUIRE(streamed.size() == 1);
  CHECK(streamed[0].path == "/api/v1/streaming/hashtag");
  CHECK(streamed[0].query == "tag=AcmeAir");
  CHECK(streamed[0].Header("authorization") == "Bearer s3cret-token");
  CHECK(streamed[0].status == 200);
  // Discovery and the gap fill stay on the configured instance.
  bool gap_fill_on_instance = false;
  for (const RecordedRequest& r : rig.fake->requests()) {
    if (r.path.starts_with("/api/v1/timelines/tag/")) gap_fill_on_instance = true;
  }
  CHECK(gap_fill_on_instance);
}

TEST_CASE("MastodonStreamSource: a redirect it cannot follow is refused, logged and backed off",
          "[sources][mastodon][stream]") {
  struct Bad {
    std::string location_prefix, why;
  };
  const Bad bad = GENERATE(Bad{"ftp://127.0.0.1:2121", "scheme 'ftp' is not http(s)"},
                           Bad{"http://", "has no host"},
                           Bad{"http://127.0.0.1:1/elsewhere?", "not under /api/v1/streaming"});
  CapturedLog captured;
  Rig rig = MakeRig(MastodonSourceConfig::Kind::kHashtag, nullptr, WebHostOptions());
  rig.fake->RedirectStreams(bad.location_prefix, 302);
  REQUIRE(rig.StepUntil([&] { return rig.stream().stats().bad_redirects >= 1; }, 20));
  CHECK(rig.stream().stats().redirects == 0);
  CHECK(rig.stream().stats().transport_errors == rig.stream().stats().bad_redirects);
  CHECK(rig.waits.back() >= 10ms);  // a backoff (backoff_min), as for other failures
  CHECK(rig.stream().streaming_url() == rig.fake->base_url());
  const std::string log_text = captured.Text();
  CHECK(log_text.find(bad.why) != std::string::npos);
  CHECK(log_text.find("STREAMING_API_BASE_URL") != std::string::npos);  // the fix
  CHECK(log_text.find("mode: poll") != std::string::npos);
  CHECK(log_text.find("s3cret-token") == std::string::npos);
  CHECK(log_text.find("tag=") == std::string::npos);

  // Once the instance serves its streams again, the source streams from it.
  rig.fake->RedirectStreams("");
  REQUIRE(rig.Connected(1));
  const std::string id = Tagged(*rig.fake, "back");
  REQUIRE(rig.StepUntil([&] { return !rig.posts.empty(); }));
  CHECK(rig.posts[0].id == id);
}

TEST_CASE("MastodonStreamSource: a redirect loop is cut after a few hops",
          "[sources][mastodon][stream]") {
  CapturedLog captured;
  Rig rig = MakeRig(MastodonSourceConfig::Kind::kHashtag, nullptr, WebHostOptions());
  rig.fake->RedirectStreams(rig.fake->base_url());  // to itself, forever
  REQUIRE(rig.StepUntil([&] { return rig.stream().stats().bad_redirects >= 1; }, 20));
  CHECK(rig.stream().stats().redirects == 3);  // three hops followed, the fourth refused
  CHECK(rig.waits.back() >= 10ms);
  CHECK(captured.Text().find("4 redirects in a row") != std::string::npos);
  // The next attempt starts over: the count is per streak, not for life.
  REQUIRE(rig.StepUntil([&] { return rig.stream().stats().bad_redirects >= 2; }, 20));
  CHECK(rig.stream().stats().redirects == 6);
}

}  // namespace
}  // namespace earshot
