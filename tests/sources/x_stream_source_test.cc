// XStreamSource against FakeX's filtered stream and rules endpoints over real loopback HTTP.
// Time is a manual clock (shared with the fake): reconnect backoffs and stalls are asserted
// exactly and never slept on; the rig moves the clock past a backoff so the next call
// reconnects. Tests call Next directly until what they wait for arrived or the calls ran out.
#include "daemon/sources/x/x_stream_source.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "daemon/net/curl_http_client.h"
#include "daemon/sources/fake/fake_x.h"
#include "daemon/sources/source_registry.h"
#include "daemon/sources/x/x_source.h"
#include "tests/sources/captured_log.h"
#include "tests/sources/manual_clock.h"
#include "tests/sources/source_rig.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using testing::CapturedLog;

constexpr char kToken[] = "fake-x-bearer";

XStreamSourceConfig Config(const std::string& base_url) {
  XStreamSourceConfig c;
  c.x.name = "airline";
  c.x.base_url = base_url;
  c.x.query = "acmeair";
  c.x.bearer_token = kToken;
  c.x.max_results = 10;  // small pages, so a gap fill pages
  c.x.request_timeout = 5000ms;
  c.x.backoff.seed = 7;
  c.x.backoff.backoff_initial = 50ms;
  c.x.backoff.backoff_min = 10ms;
  c.x.backoff.backoff_max = 200ms;
  c.slice = 100ms;
  return c;
}

struct Rig {
  std::unique_ptr<ManualClock> clock =
      std::make_unique<ManualClock>(*ParseIso8601("2026-12-07T10:00:00Z"));
  std::unique_ptr<FakeX> fake;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<Source> source;
  std::vector<Post> posts;             // everything Next delivered, in order
  std::optional<std::string> cursor;   // the last cursor Next reported
  std::vector<milliseconds> backoffs;  // each reconnect wait the policy set, in order
  std::vector<milliseconds> waits;     // every Pace, in order

  Rig() {
    FakeXOptions o;
    o.clock = clock.get();
    o.rate_limit = 100000;
    o.stream_connect_limit = 100000;
    o.keepalive_interval = 50ms;
    auto fake_or = FakeX::Start(o);
    REQUIRE(fake_or.ok());
    fake = std::move(fake_or).value();
    auto http_or = CurlHttpClient::Create();
    REQUIRE(http_or.ok());
    http = std::move(http_or).value();
    NewSource();
  }
  void NewSource(std::function<void(XStreamSourceConfig&)> tweak = nullptr) {
    source.reset();
    XStreamSourceConfig c = Config(fake->base_url());
    if (tweak) tweak(c);
    auto source_or = XStreamSource::Create(std::move(c), *clock);
    REQUIRE(source_or.ok());
    source = std::move(source_or).value();
  }
  XStreamSource& stream() { return static_cast<XStreamSource&>(*source); }

  // One Next. A reconnect backoff it started is recorded, then the clock is moved past it.
  void Step() {
    SourceBatch batch;
    auto pace = source->Next(std::stop_token(), *http, &batch);
    REQUIRE(pace.ok());
    waits.push_back(pace->wait);
    for (Post& p : batch.posts) posts.push_back(std::move(p));
    if (batch.cursor) cursor = batch.cursor;
    if (!stream().streaming()) {
      if (const milliseconds left = stream().reconnect().Remaining(); left.count() > 0) {
        CHECK(pace->wait == left);
        backoffs.push_back(left);
        clock->Advance(left);
      }
    }
  }
  template <typename F>
  bool StepUntil(F done, int max_calls = 200) {
    for (int i = 0; i < max_calls; ++i) {
      if (done()) return true;
      Step();
    }
    return done();
  }
  // Steps until the stream answered 200 and any gap fill ended.
  bool Connected(int64_t connects = 1) {
    return StepUntil([&] {
      return stream().connected() && !stream().gap_pending() &&
             stream().stats().connects.load() >= connects;
    });
  }
  bool Delivered(size_t n) {
    return StepUntil([&] { return posts.size() >= n; });
  }
  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (const Post& p : posts) ids.push_back(p.id);
    return ids;
  }
  int Requests(std::string_view method, std::string_view path) const {
    const auto reqs = fake->requests();
    return static_cast<int>(std::count_if(reqs.begin(), reqs.end(), [&](const RecordedRequest& r) {
      return r.method == method && r.path == path;
    }));
  }
};

constexpr std::string_view kRules = "/2/tweets/search/stream/rules";
constexpr std::string_view kStream = "/2/tweets/search/stream";

std::string Tweet(FakeX& fake, const std::string& text, const std::string& user = "jane",
                  int64_t followers = 10) {
  FakeTweet t;
  t.username = user;
  t.followers = followers;
  t.text = text;
  return fake.AddTweet(t);
}

bool HasRule(const std::vector<FakeStreamRule>& rules, std::string_view value,
             std::string_view tag) {
  return std::any_of(rules.begin(), rules.end(),
                     [&](const FakeStreamRule& r) { return r.value == value && r.tag == tag; });
}

TEST_CASE("XStreamSource: rule sync adds its rule, deletes its stale ones, leaves others alone",
          "[sources][x][stream]") {
  Rig rig;
  rig.fake->AddRule("acmeair old wording", "earshot:airline");  // ours, stale
  rig.fake->AddRule("competitor", "marketing");                 // another client's
  rig.fake->AddRule("acmeair refund", "earshot:other");         // another earshot source's
  REQUIRE(rig.Connected());
  const auto rules = rig.fake->rules();
  CHECK(HasRule(rules, "acmeair", "earshot:airline"));
  CHECK_FALSE(HasRule(rules, "acmeair old wording", "earshot:airline"));
  CHECK(HasRule(rules, "competitor", "marketing"));
  CHECK(HasRule(rules, "acmeair refund", "earshot:other"));
  CHECK(rules.size() == 3);
  CHECK(rig.stream().stats().rules_added == 1);
  CHECK(rig.stream().stats().rules_deleted == 1);
  CHECK(rig.Requests("POST", kRules) == 2);  // one add, one delete
  CHECK(rig.Requests("GET", kRules) == 1);

  SECTION("a reconnect lists the rules again, and changes nothing when nothing drifted") {
    rig.fake->DropStreams();
    const size_t before = rig.waits.size();
    REQUIRE(rig.StepUntil([&] { return rig.stream().stats().connects.load() == 2; }));
    CHECK(rig.Requests("GET", kRules) == 2);
    CHECK(rig.Requests("POST", kRules) == 2);
    // Only the reconnect backoff: the rules GET that found nothing to change costs no spacing.
    std::vector<milliseconds> waited;
    std::copy_if(rig.waits.begin() + before, rig.waits.end(), std::back_inserter(waited),
                 [](milliseconds w) { return w.count() > 0; });
    CHECK(waited == std::vector<milliseconds>{250ms});
  }
  SECTION("a rule deleted behind its back is added again at the next reconnect") {
    rig.fake->StallStreams();  // keep the old stream quiet; the fake forgets nothing else
    auto fake_rules = rig.fake->rules();
    // Another client deletes our rule: the fake has no call for it, so go through its API.
    auto http = CurlHttpClient::Create();
    REQUIRE(http.ok());
    HttpRequest del;
    del.method = "POST";
    del.url = rig.fake->base_url() + std::string(kRules);
    del.headers = {{"Authorization", std::string("Bearer ") + kToken},
                   {"Content-Type", "application/json"}};
    for (const auto& r : fake_rules) {
      if (r.tag == "earshot:airline") del.body = "{\"delete\":{\"ids\":[\"" + r.id + "\"]}}";
    }
    auto sent = (*http)->Send(del, std::stop_token());
    REQUIRE(sent.ok());
    REQUIRE(sent->status == 200);
    rig.clock->Advance(90s);  // the stall is noticed: reconnect
    REQUIRE(rig.StepUntil([&] { return rig.stream().stats().connects.load() == 2; }));
    CHECK(HasRule(rig.fake->rules(), "acmeair", "earshot:airline"));
    CHECK(rig.stream().stats().rules_added == 2);
  }
}

TEST_CASE("XStreamSource: a query another client already has as a rule is used, not re-added",
          "[sources][x][stream]") {
  Rig rig;
  const std::string theirs = rig.fake->AddRule("acmeair", "their-dashboard");
  REQUIRE(rig.Connected());
  CHECK(rig.fake->rules().size() == 1);
  CHECK(rig.Requests("POST", kRules) == 0);
  const std::string id = Tweet(*rig.fake, "acmeair lost my bag");
  REQUIRE(rig.Delivered(1));
  CHECK(rig.Ids() == std::vector<std::string>{id});
}

TEST_CASE("XStreamSource: delivers matching tweets with their authors' follower counts",
          "[sources][x][stream]") {
  Rig rig;
  rig.fake->AddRule("competitor", "marketing");
  REQUIRE(rig.Connected());
  CHECK(rig.cursor == std::nullopt);               // nothing delivered yet, no cursor to report
  Tweet(*rig.fake, "nothing to see here");         // matches no rule
  Tweet(*rig.fake, "competitor is great", "bob");  // another client's rule only
  const std::string a = Tweet(*rig.fake, "AcmeAir lost my bag", "jane", 12345);
  const std::string b = Tweet(*rig.fake, "acmeair delayed again", "max", 7);
  REQUIRE(rig.Delivered(2));
  for (int i = 0; i < 5; ++i) rig.Step();  // nothing more comes
  REQUIRE(rig.posts.size() == 2);
  CHECK(rig.Ids() == std::vector<std::string>{a, b});
  CHECK(rig.posts[0].author.handle == "jane");
  CHECK(rig.posts[0].author.followers == 12345);
  CHECK(rig.posts[0].text == "AcmeAir lost my bag");
  CHECK(rig.posts[0].network == "x");
  CHECK(rig.posts[1].author.followers == 7);
  CHECK(rig.cursor == b);
  CHECK(rig.stream().stats().other_rules == 1);
  CHECK(rig.stream().stats().keep_alives > 0);
  // The stream asks for the fields the parser maps, as recent search does.
  const auto reqs = rig.fake->requests();
  const auto it = std::find_if(reqs.begin(), reqs.end(),
                               [](const RecordedRequest& r) { return r.path == kStream; });
  REQUIRE(it != reqs.end());
  CHECK(it->query.find("expansions=author_id") != std::string::npos);
  CHECK(it->query.find("user.fields=public_metrics") != std::string::npos);
}

TEST_CASE("XStreamSource: malformed lines are skipped and counted", "[sources][x][stream]") {
  CapturedLog captured;
  Rig rig;
  REQUIRE(rig.Connected());
  rig.fake->SendRaw("{\"data\":{\"id\":\"17\r\n");  // not JSON
  rig.fake->SendRaw("[1,2,3]\r\n");                 // not an object
  rig.fake->SendRaw("{\"data\":{\"id\":\"1700000000000000999\",\"text\":\"acmeair\"}}\r\n");
  rig.fake->SendRaw(
      "{\"errors\":[{\"title\":\"operational-disconnect\",\"detail\":\"going away\"}]}\r\n");
  const std::string good = Tweet(*rig.fake, "acmeair lost my bag");
  REQUIRE(rig.Delivered(1));
  CHECK(rig.Ids() == std::vector<std::string>{good});
  CHECK(rig.stream().stats().bad_items == 3);  // two bad lines, one bad tweet
  CHECK(rig.stream().stats().notices == 1);
  CHECK(rig.stream().stats().transport_errors == 0);  // a bad line is not a reason to reconnect
  CHECK(rig.stream().stats().connects == 1);
  CHECK(captured.Text().find("operational-disconnect: going away") != std::string::npos);
}

TEST_CASE("XStreamSource: a stream cut mid-line reconnects and fills the gap, no loss, no repeat",
          "[sources][x][stream]") {
  Rig rig;
  REQUIRE(rig.Connected());
  const std::string t1 = Tweet(*rig.fake, "acmeair one");
  REQUIRE(rig.Delivered(1));
  CHECK(rig.cursor == t1);
  rig.fake->CutStreams();
  const std::string t2 = Tweet(*rig.fake, "acmeair two");    // goes out cut in half
  const std::string t3 = Tweet(*rig.fake, "acmeair three");  // published while no stream is open
  Tweet(*rig.fake, "unrelated");
  REQUIRE(rig.Connected(2));
  const std::string t4 = Tweet(*rig.fake, "acmeair four");  // on the new stream
  REQUIRE(rig.Delivered(4));
  for (int i = 0; i < 5; ++i) rig.Step();
  CHECK(rig.Ids() == std::vector<std::string>{t1, t2, t3, t4});
  CHECK(rig.cursor == t4);
  CHECK(rig.stream().stats().transport_errors == 1);
  CHECK(rig.stream().stats().gap_fill_posts == 2);
  CHECK(rig.backoffs == std::vector<milliseconds>{250ms});
  // The gap fill asked from the cursor.
  const auto reqs = rig.fake->requests();
  const auto search = std::find_if(reqs.begin(), reqs.end(), [](const RecordedRequest& r) {
    return r.path == "/2/tweets/search/recent";
  });
  REQUIRE(search != reqs.end());
  CHECK(testing::QueryParam(*search, "since_id") == t1);
}

TEST_CASE("XStreamSource: a tweet both on the new stream and in the gap fill is emitted once",
          "[sources][x][stream]") {
  Rig rig;
  REQUIRE(rig.Connected());
  const std::string t1 = Tweet(*rig.fake, "acmeair one");
  REQUIRE(rig.Delivered(1));
  rig.fake->DropStreams();
  const std::string t2 = Tweet(*rig.fake, "acmeair two");  // while no stream is open
  // The new stream answered; its gap fill has not run yet.
  REQUIRE(rig.StepUntil(
      [&] { return rig.stream().stats().connects.load() == 2 && rig.stream().connected(); }));
  REQUIRE(rig.stream().gap_pending());
  const std::string t3 = Tweet(*rig.fake, "acmeair three");  // on the stream and in the search
  REQUIRE(rig.Delivered(3));
  for (int i = 0; i < 10; ++i) rig.Step();
  CHECK(rig.Ids() == std::vector<std::string>{t1, t2, t3});
  CHECK(rig.stream().stats().duplicates == 1);
  CHECK(rig.cursor == t3);
}

TEST_CASE("XStreamSource: a new source restored from the saved cursor misses and repeats nothing",
          "[sources][x][stream]") {
  Rig rig;
  REQUIRE(rig.Connected());
  const std::string t1 = Tweet(*rig.fake, "acmeair one");
  REQUIRE(rig.Delivered(1));
  const std::string saved = *rig.cursor;
  rig.source.reset();  // the daemon stops
  std::vector<std::string> missed;
  for (int i = 0; i < 12; ++i) missed.push_back(Tweet(*rig.fake, fmt::format("acmeair gap {}", i)));
  rig.posts.clear();
  rig.NewSource();
  REQUIRE(rig.source->Restore(saved).ok());
  REQUIRE(rig.Connected());
  const std::string live = Tweet(*rig.fake, "acmeair live");
  REQUIRE(rig.Delivered(13));
  for (int i = 0; i < 5; ++i) rig.Step();
  std::vector<std::string> ids = rig.Ids();
  CHECK(ids.size() == 13);
  CHECK(std::find(ids.begin(), ids.end(), t1) == ids.end());
  CHECK(ids.back() == live);
  std::sort(ids.begin(), ids.end());
  missed.push_back(live);
  std::sort(missed.begin(), missed.end());
  CHECK(ids == missed);
  CHECK(rig.cursor == live);
  CHECK(rig.Requests("GET", "/2/tweets/search/recent") == 2);  // 12 missed, pages of 10

  SECTION("the polling source takes the stream's cursor, and back") {
    XSourceConfig poll = Config(rig.fake->base_url()).x;
    auto polling = XSource::Create(poll, *rig.clock);
    REQUIRE(polling.ok());
    REQUIRE((*polling)->Restore(*rig.cursor).ok());
    const std::string next = Tweet(*rig.fake, "acmeair after the switch");
    SourceBatch batch;
    REQUIRE((*polling)->Next(std::stop_token(), *rig.http, &batch).ok());
    REQUIRE(batch.posts.size() == 1);
    CHECK(batch.posts[0].id == next);
    REQUIRE(batch.cursor);
    CHECK(rig.source->Restore(*batch.cursor).ok());
  }
}

TEST_CASE("XStreamSource: a stall (no data, no keep-alive for 90 s) reconnects",
          "[sources][x][stream]") {
  Rig rig;
  REQUIRE(rig.Connected());
  rig.fake->StallStreams();
  for (int i = 0; i < 3; ++i) rig.Step();
  rig.clock->Advance(89s);
  rig.Step();
  CHECK(rig.stream().stats().stalls == 0);
  CHECK(rig.stream().connected());
  rig.clock->Advance(1s);
  rig.Step();
  CHECK(rig.stream().stats().stalls == 1);
  CHECK(rig.backoffs == std::vector<milliseconds>{250ms});
  REQUIRE(rig.Connected(2));
  const std::string t = Tweet(*rig.fake, "acmeair after the stall");
  REQUIRE(rig.Delivered(1));
  CHECK(rig.Ids() == std::vector<std::string>{t});
}

TEST_CASE("XStreamSource: reconnects follow X's policy", "[sources][x][stream]") {
  Rig rig;
  SECTION("network errors: 250 ms, 500 ms, 750 ms while no stream stays up") {
    REQUIRE(rig.Connected());
    for (int i = 0; i < 3; ++i) {
      rig.fake->DropStreams();
      REQUIRE(rig.Connected(i + 2));
    }
    CHECK(rig.backoffs == std::vector<milliseconds>{250ms, 500ms, 750ms});
    CHECK(rig.stream().stats().transport_errors == 3);
    SECTION("and from 250 ms again once a stream stayed up for a minute") {
      rig.clock->Advance(60s);
      rig.Step();
      rig.fake->DropStreams();
      REQUIRE(rig.Connected(5));
      CHECK(rig.backoffs.back() == 250ms);
    }
  }
  SECTION("HTTP 503: 5 s, 10 s, 20 s, and no connect before the wait is over") {
    rig.fake->InjectStreamFault({FakeFault::Kind::kServerError, 3});
    // Hold the clock still after the first failure: early calls must not connect.
    REQUIRE(rig.StepUntil([&] { return rig.stream().stats().server_errors.load() == 1; }));
    const int connects = rig.Requests("GET", kStream);
    rig.clock->Advance(-5s);  // undo the rig's advance: the 5 s are not over
    for (int i = 0; i < 3; ++i) {
      SourceBatch batch;
      auto pace = rig.source->Next(std::stop_token(), *rig.http, &batch);
      REQUIRE(pace.ok());
      CHECK(pace->wait == 5s);
    }
    CHECK(rig.Requests("GET", kStream) == connects);
    rig.clock->Advance(5s);
    REQUIRE(rig.Connected(4));
    CHECK(rig.backoffs == std::vector<milliseconds>{5s, 10s, 20s});
    CHECK(rig.stream().stats().server_errors == 3);
  }
  SECTION("HTTP 429: 60 s, 120 s") {
    rig.fake->InjectStreamFault({FakeFault::Kind::kTooManyRequests, 2});
    REQUIRE(rig.Connected(3));
    CHECK(rig.backoffs == std::vector<milliseconds>{60s, 120s});
    CHECK(rig.stream().stats().rate_limited == 2);
  }
}

TEST_CASE("XStreamSource: 401 names the fix and backs off", "[sources][x][stream]") {
  CapturedLog captured;
  Rig rig;
  SECTION("on the stream: X's HTTP backoff") {
    rig.fake->InjectStreamFault({FakeFault::Kind::kUnauthorized, 1});
    REQUIRE(rig.Connected(2));
    CHECK(rig.backoffs == std::vector<milliseconds>{5s});
    CHECK(rig.stream().stats().auth_errors == 1);
    CHECK(captured.Text().find("HTTP 401") != std::string::npos);
    CHECK(captured.Text().find("replace the token file") != std::string::npos);
    CHECK(captured.Text().find(kToken) == std::string::npos);
  }
  SECTION("on the rules: backoff_max, no stream opened") {
    rig.fake->InjectFault({FakeFault::Kind::kUnauthorized, 1});
    SourceBatch batch;
    auto pace = rig.source->Next(std::stop_token(), *rig.http, &batch);
    REQUIRE(pace.ok());
    CHECK(pace->wait >= 200ms);
    CHECK_FALSE(rig.stream().streaming());
    CHECK(rig.stream().stats().auth_errors == 1);
    CHECK(rig.stream().stats().rule_errors == 1);
    CHECK(captured.Text().find("for the stream rules: the bearer token was rejected") !=
          std::string::npos);
    REQUIRE(rig.Connected());  // the next call tries again and gets through
  }
}

TEST_CASE("XStreamSource: a query X refuses as a rule is an error naming the fix",
          "[sources][x][stream]") {
  CapturedLog captured;
  Rig rig;
  rig.NewSource([](XStreamSourceConfig& c) { c.x.query = std::string(600, 'a'); });
  SourceBatch batch;
  REQUIRE(rig.source->Next(std::stop_token(), *rig.http, &batch).ok());  // list
  auto pace = rig.source->Next(std::stop_token(), *rig.http, &batch);    // add, refused
  REQUIRE(pace.ok());
  CHECK(pace->wait >= 200ms);
  CHECK(rig.stream().stats().rule_errors == 1);
  CHECK(rig.fake->rules().empty());
  CHECK(captured.Text().find("fix 'query'") != std::string::npos);
}

TEST_CASE("XStreamSource: a generated stream is delivered whole, once each, in order",
          "[sources][x][stream]") {
  Rig rig;
  REQUIRE(rig.Connected());
  constexpr int kTweets = 400;
  FakeTweet base;
  base.username = "gen";
  base.text = "acmeair generated";
  const auto start = std::chrono::steady_clock::now();
  rig.fake->PlayStream(base, kTweets, 1ms);
  REQUIRE(rig.StepUntil([&] { return rig.posts.size() >= kTweets; }, 20000));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (int i = 0; i < 5; ++i) rig.Step();
  const std::vector<std::string> ids = rig.Ids();
  REQUIRE(ids.size() == kTweets);
  CHECK(std::is_sorted(ids.begin(), ids.end()));  // equal lengths: string order is id order
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  CHECK(rig.posts.back().text == "acmeair generated 400");
  CHECK(rig.cursor == ids.back());
  CHECK(rig.stream().stats().connects == 1);
  WARN(fmt::format("{} tweets streamed and delivered in {:.2f}s", kTweets, secs));
}

TEST_CASE("FakeX: stream rules with X's semantics", "[sources][x][fake]") {
  Rig rig;
  auto post = [&](std::string body, std::string query = "") {
    HttpRequest req;
    req.method = "POST";
    req.url = rig.fake->base_url() + std::string(kRules) + query;
    req.headers = {{"Authorization", std::string("Bearer ") + kToken},
                   {"Content-Type", "application/json"}};
    req.body = std::move(body);
    auto sent = rig.http->Send(req, std::stop_token());
    REQUIRE(sent.ok());
    return *sent;
  };
  HttpResponse added = post(R"({"add":[{"value":"cats has:images","tag":"cats"}]})");
  CHECK(added.status == 201);
  CHECK(added.body.find("\"created\":1") != std::string::npos);
  REQUIRE(rig.fake->rules().size() == 1);
  const std::string id = rig.fake->rules()[0].id;
  CHECK(id.size() == 19);
  CHECK(added.body.find("\"id\":\"" + id + "\"") != std::string::npos);

  HttpResponse dup = post(R"({"add":[{"value":"cats has:images","tag":"other"}]})");
  CHECK(dup.status == 400);
  CHECK(dup.body.find("\"title\":\"DuplicateRule\"") != std::string::npos);
  CHECK(dup.body.find("\"id\":\"" + id + "\"") != std::string::npos);

  for (const char* bad : {"", "[]", R"({"add":[]})", R"({"add":[{"tag":"x"}]})",
                          R"({"add":[{"value":"a"}],"delete":{"ids":["1"]}})",
                          R"({"delete":{"ids":[1]}})", R"({"remove":{"ids":["1"]}})"}) {
    INFO(bad);
    CHECK(post(bad).status == 400);
  }
  CHECK(post(R"({"add":[{"value":"dogs"}]})", "?dry_run=true").status == 200);
  CHECK(rig.fake->rules().size() == 1);

  HttpResponse deleted = post("{\"delete\":{\"ids\":[\"" + id + "\",\"42\"]}}");
  CHECK(deleted.status == 200);
  CHECK(deleted.body.find("\"deleted\":1") != std::string::npos);
  CHECK(deleted.body.find("\"not_deleted\":1") != std::string::npos);
  CHECK(rig.fake->rules().empty());
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

// Settings for a `type: x` entry read from `yaml`, checked by the factory into *diags.
SourceSettings XSettings(const std::string& yaml, Diagnostics* diags) {
  const SourceFactory& factory = *BuiltinSources().Find("x");
  auto file = YamlFile::Parse("t.yaml", yaml, diags);
  REQUIRE(file);
  MapReader map(file->root(), "source");
  SourceSettings s;
  s.name = "airline";
  s.type = "x";
  s.secret = kToken;
  ReadSourceOptions(map, factory.options(), &s.options);
  factory.Check(SourceCheck(map, file->root()), &s);
  return s;
}

TEST_CASE("x factory: mode: stream builds the filtered stream source, which polls nothing",
          "[sources][x][stream]") {
  const SourceFactory& factory = *BuiltinSources().Find("x");
  ManualClock clock(*ParseIso8601("2026-12-07T10:00:00Z"));
  SourceEnv env;
  env.clock = &clock;
  for (const char* mode : {"poll", "stream"}) {
    INFO(mode);
    Diagnostics diags;
    const SourceSettings s =
        XSettings(fmt::format("name: airline\nquery: acmeair\nmode: {}\n", mode), &diags);
    CHECK(diags.ToText().empty());
    auto built = factory.Create(s, env);
    REQUIRE(built.ok());
    const bool stream = dynamic_cast<XStreamSource*>(built->source.get()) != nullptr;
    CHECK(stream == (std::string(mode) == "stream"));
    CHECK(factory.RequestsPerPoll(s) == (stream ? 0 : 1));
    CHECK(built->source->name() == "x:airline");
  }
  Diagnostics diags;
  XSettings("name: airline\nmentions_of: AcmeAir\nmode: stream\n", &diags);
  CHECK(diags.ToText().find("mode: stream needs query:") != std::string::npos);
  Diagnostics bad_mode;
  XSettings("name: airline\nquery: acmeair\nmode: firehose\n", &bad_mode);
  CHECK(bad_mode.ToText().find("firehose") != std::string::npos);
}

}  // namespace
}  // namespace earshot
