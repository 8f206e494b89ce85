// FakeMastodon speaks Mastodon's paging, headers and errors over real HTTP.
#include <catch2/catch.hpp>

#include "daemon/net/curl_http_client.h"
#include "daemon/sources/fake/fake_mastodon.h"
#include "daemon/sources/mastodon/link_header.h"
#include "daemon/sources/mastodon/status_parser.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  std::unique_ptr<FakeMastodon> fake;
  std::unique_ptr<HttpClient> http;
  std::vector<std::string> ids;  // tagged statuses, oldest first

  explicit Fixture(FakeMastodonOptions options = {}, int tagged = 0) {
    auto f = FakeMastodon::Start(std::move(options));
    REQUIRE(f.ok());
    fake = std::move(f).value();
    auto h = CurlHttpClient::Create();
    REQUIRE(h.ok());
    http = std::move(h).value();
    for (int i = 0; i < tagged; ++i) {
      FakeStatus s;
      s.text = fmt::format("post {} #Cats", i);
      ids.push_back(fake->AddStatus(s));
    }
  }

  HttpResponse Get(const std::string& path_and_query,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpRequest req;
    req.url = fake->base_url() + path_and_query;
    req.headers = std::move(headers);
    auto resp = http->Send(req, std::stop_token());
    REQUIRE(resp.ok());
    return std::move(resp).value();
  }

  std::vector<std::string> Ids(const HttpResponse& resp) {
    mastodon::StatusParser parser("127.0.0.1");
    mastodon::ParsedPage page;
    REQUIRE(parser.ParseStatusPage(resp.body, &page).ok());
    std::vector<std::string> out;
    for (const Post& p : page.posts) out.push_back(p.id);
    return out;
  }
};

std::vector<std::string> Pick(const std::vector<std::string>& ids, std::vector<int> indexes) {
  std::vector<std::string> out;
  for (int i : indexes) out.push_back(ids[i]);
  return out;
}

TEST_CASE("FakeMastodon: Mastodon's paging parameters", "[sources][fake]") {
  Fixture f({}, 50);
  const auto& id = f.ids;
  struct Case {
    std::string query;
    std::vector<int> expect;  // indexes into ids, in response order
  } cases[] = {
      {"?limit=3", {49, 48, 47}},
      {"?limit=3&max_id=" + id[10], {9, 8, 7}},
      {"?limit=3&since_id=" + id[10], {49, 48, 47}},  // newest page newer than since_id
      {"?limit=3&min_id=" + id[10], {13, 12, 11}},    // the page right after min_id
      {"?limit=3&min_id=" + id[47], {49, 48}},
      {"?limit=3&min_id=" + id[49], {}},
      {"?limit=5&max_id=" + id[20] + "&since_id=" + id[17], {19, 18}},
      {"?limit=0", {49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31,
                    30}},  // invalid: the default, 20
  };
  for (const auto& c : cases) {
    INFO(c.query);
    CHECK(f.Ids(f.Get("/api/v1/timelines/tag/cats" + c.query)) == Pick(id, c.expect));
  }
  CHECK(f.Ids(f.Get("/api/v1/timelines/tag/cats")).size() == 20);            // default
  CHECK(f.Ids(f.Get("/api/v1/timelines/tag/cats?limit=100")).size() == 40);  // max
  CHECK(f.Ids(f.Get("/api/v1/timelines/tag/CATS?limit=1")) == Pick(id, {49}));  // any case
  CHECK(f.Ids(f.Get("/api/v1/timelines/tag/dogs")).empty());
}

TEST_CASE("FakeMastodon: Link header points to itself", "[sources][fake]") {
  Fixture f({}, 5);
  const auto resp = f.Get("/api/v1/timelines/tag/cats?limit=2&min_id=" + f.ids[0]);
  const auto links = mastodon::ParseLinkHeader(resp.Header("link").value_or(""));
  const std::string base = f.fake->base_url() + "/api/v1/timelines/tag/cats?limit=2";
  CHECK(mastodon::FindLink(links, "next") == base + "&max_id=" + f.ids[1]);
  CHECK(mastodon::FindLink(links, "prev") == base + "&min_id=" + f.ids[2]);
  // Following prev walks forward.
  HttpRequest req;
  req.url = *mastodon::FindLink(links, "prev");
  auto next = f.http->Send(req, std::stop_token());
  REQUIRE(next.ok());
  CHECK(f.Ids(*next) == Pick(f.ids, {4, 3}));
  // An empty page has no Link header.
  CHECK_FALSE(f.Get("/api/v1/timelines/tag/cats?min_id=" + f.ids[4]).Header("link"));
}

TEST_CASE("FakeMastodon: the public timelines, federated, local and remote", "[sources][fake]") {
  Fixture f;
  auto add = [&](const std::string& acct, const std::string& reply_to = "") {
    FakeStatus s;
    s.acct = acct;
    s.text = "hello from " + acct;
    s.in_reply_to_id = reply_to;
    return f.fake->AddStatus(s);
  };
  const std::string gus = add("gus");                              // local
  const std::string jane = add("jane@travel.example");             // remote
  const std::string gus_again = add("gus", gus);                   // a self-reply: shown
  const std::string reply = add("ann", jane);                      // a reply to jane: not
  const std::string remote_reply = add("bob@other.example", gus);  // a reply to gus: not
  const std::string orphan = add("ann", "110000000000999000");     // unknown parent: not
  const std::string ann = add("ann");
  const std::string gone = add("zoe@far.example");
  f.fake->DeleteStatus(gone);
  (void)reply;
  (void)remote_reply;
  (void)orphan;

  struct Case {
    std::string query;
    std::vector<std::string> expect;  // newest first
  } cases[] = {
      {"", {ann, gus_again, jane, gus}},
      {"?local=true", {ann, gus_again, gus}},
      {"?local=1", {ann, gus_again, gus}},
      {"?local=false", {ann, gus_again, jane, gus}},
      {"?remote=true", {jane}},
      {"?local=true&remote=true", {}},  // both scopes: nothing, as Mastodon
      {"?only_media=true", {}},         // no status of the fake has media
      {"?local=true&limit=2", {ann, gus_again}},
      {"?local=true&min_id=" + gus, {ann, gus_again}},
      {"?local=true&max_id=" + gus_again, {gus}},
  };
  for (const auto& c : cases) {
    INFO(c.query);
    CHECK(f.Ids(f.Get("/api/v1/timelines/public" + c.query)) == c.expect);
  }

  // The Link header keeps the filters, so following it stays on the local timeline.
  const auto resp = f.Get("/api/v1/timelines/public?local=true&limit=1&min_id=" + gus);
  CHECK(f.Ids(resp) == std::vector<std::string>{gus_again});
  const auto links = mastodon::ParseLinkHeader(resp.Header("link").value_or(""));
  const auto prev = mastodon::FindLink(links, "prev");
  REQUIRE(prev);
  CHECK(*prev ==
        f.fake->base_url() + "/api/v1/timelines/public?limit=1&local=true&min_id=" + gus_again);
  HttpRequest req;
  req.url = *prev;
  auto next = f.http->Send(req, std::stop_token());
  REQUIRE(next.ok());
  CHECK(f.Ids(*next) == std::vector<std::string>{ann});  // jane's, in between, is remote
}

TEST_CASE("FakeMastodon: without timeline preview the public timeline wants a token",
          "[sources][fake]") {
  FakeMastodonOptions options;
  options.timeline_preview = false;
  options.token = "tok";
  Fixture f(options);
  FakeStatus s;
  s.acct = "gus";
  const std::string id = f.fake->AddStatus(s);
  const auto anonymous = f.Get("/api/v1/timelines/public?local=true");
  CHECK(anonymous.status == 422);  // Mastodon's require_user!, not 401
  CHECK(anonymous.body.find("requires an authenticated user") != std::string::npos);
  const auto signed_in =
      f.Get("/api/v1/timelines/public?local=true", {{"Authorization", "Bearer tok"}});
  CHECK(signed_in.status == 200);
  CHECK(f.Ids(signed_in) == std::vector<std::string>{id});
}

TEST_CASE("FakeMastodon: rate-limit headers and 429 past the budget", "[sources][fake]") {
  FakeMastodonOptions options;
  options.rate_limit = 3;
  options.rate_window = std::chrono::seconds(300);
  Fixture f(options);
  for (int i = 1; i <= 3; ++i) {
    const auto resp = f.Get("/api/v1/timelines/tag/cats");
    CHECK(resp.status == 200);
    CHECK(resp.Header("x-ratelimit-limit") == "3");
    CHECK(resp.Header("x-ratelimit-remaining") == std::to_string(3 - i));
    const auto reset = ParseIso8601(resp.Header("x-ratelimit-reset").value_or(""));
    REQUIRE(reset.has_value());
    CHECK(*reset > RealClock().Now() + std::chrono::seconds(250));
  }
  CHECK(f.Get("/api/v1/timelines/tag/cats").status == 429);
}

TEST_CASE("FakeMastodon: faults are served in order, then normal answers", "[sources][fake]") {
  Fixture f({}, 2);
  f.fake->InjectFault({FakeFault::Kind::kUnauthorized, 1});
  f.fake->InjectFault({FakeFault::Kind::kTooManyRequests, 2, 5});
  f.fake->InjectFault({FakeFault::Kind::kServerError, 1});
  f.fake->InjectFault({FakeFault::Kind::kMalformedJson, 1});
  auto r = f.Get("/api/v1/timelines/tag/cats");
  CHECK(r.status == 401);
  CHECK(r.body == R"({"error":"The access token is invalid"})");
  for (int i = 0; i < 2; ++i) {
    r = f.Get("/api/v1/timelines/tag/cats");
    CHECK(r.status == 429);
    CHECK(r.Header("retry-after") == "5");
  }
  CHECK(f.Get("/api/v1/timelines/tag/cats").status == 500);
  r = f.Get("/api/v1/timelines/tag/cats");
  CHECK(r.status == 200);
  mastodon::StatusParser parser("x");
  mastodon::ParsedPage page;
  CHECK(parser.ParseStatusPage(r.body, &page).code() == Status::Code::kDataLoss);
  CHECK(f.Ids(f.Get("/api/v1/timelines/tag/cats")).size() == 2);

  f.fake->InjectFault({FakeFault::Kind::kTruncated, 1});
  HttpRequest req;
  req.url = f.fake->base_url() + "/api/v1/timelines/tag/cats";
  CHECK(f.http->Send(req, std::stop_token()).status().code() == Status::Code::kDataLoss);

  const auto reqs = f.fake->requests();
  REQUIRE(reqs.size() == 7);
  CHECK(reqs[0].status == 401);
  CHECK(reqs[6].path == "/api/v1/timelines/tag/cats");
}

TEST_CASE("FakeMastodon: notifications, tokens and the instance", "[sources][fake]") {
  FakeMastodonOptions options;
  options.account = "AcmeAir";
  options.token = "tok";
  Fixture f(options);
  FakeStatus s;
  s.text = "@acmeair hello";
  const std::string mention = f.fake->AddStatus(s);
  s.text = "no mention #acmeair";
  f.fake->AddStatus(s);
  s.text = "@acmeair@elsewhere.example a different account";
  f.fake->AddStatus(s);

  CHECK(f.Get("/api/v1/notifications").status == 401);  // no token
  CHECK(f.Get("/api/v1/notifications", {{"Authorization", "Bearer nope"}}).status == 401);
  CHECK(f.Get("/api/v1/timelines/tag/acmeair", {{"Authorization", "Bearer nope"}}).status == 401);
  const auto resp = f.Get("/api/v1/notifications?types[]=mention", {{"Authorization", "Bearer tok"}});
  REQUIRE(resp.status == 200);
  mastodon::StatusParser parser("127.0.0.1");
  mastodon::ParsedPage page;
  REQUIRE(parser.ParseNotificationPage(resp.body, &page).ok());
  REQUIRE(page.posts.size() == 1);
  CHECK(page.posts[0].id == mention);
  CHECK(f.Get("/api/v1/notifications?types[]=follow", {{"Authorization", "Bearer tok"}}).body == "[]");
  CHECK(f.Get("/api/v1/notifications?exclude_types[]=mention", {{"Authorization", "Bearer tok"}})
            .body == "[]");
  const auto instance = f.Get("/api/v1/instance");
  CHECK(instance.status == 200);
  CHECK_THAT(instance.body, Catch::Contains("\"version\""));
  CHECK(f.Get("/api/v1/nothing").status == 404);
}

TEST_CASE("FakeMastodon: a web host that redirects its streams and advertises none",
          "[sources][fake]") {
  FakeMastodonOptions options;
  options.advertise_streaming = false;
  Fixture f(options);
  const auto instance = f.Get("/api/v1/instance");
  CHECK(instance.status == 200);
  CHECK_THAT(instance.body, !Catch::Contains("streaming"));

  f.fake->RedirectStreams("https://streaming.example:4000");
  const auto moved = f.Get("/api/v1/streaming/hashtag?tag=Cats");
  CHECK(moved.status == 301);  // never followed by the client
  CHECK(moved.Header("location") ==
        "https://streaming.example:4000/api/v1/streaming/hashtag?tag=Cats");
  CHECK(f.Get("/api/v1/timelines/tag/cats").status == 200);  // REST stays here
  f.fake->RedirectStreams("https://streaming.example", 308);
  CHECK(f.Get("/api/v1/streaming/user/notification").status == 308);
}

TEST_CASE("FakeMastodon: statuses look like Mastodon's", "[sources][fake]") {
  Fixture f;
  FakeStatus s;
  s.acct = "jane@travel.example";
  s.display_name = "Jane";
  s.followers = 120000;
  s.language = "";
  s.text = "Lost my bag again, @AcmeAir! #AcmeAirSucks & <worse>\n\nSee https://example.com/x";
  const std::string id = f.fake->AddStatus(s);
  const auto resp = f.Get("/api/v1/timelines/tag/acmeairsucks");
  CHECK_THAT(resp.body, Catch::Contains("class=\\\"mention hashtag\\\"") &&
                            Catch::Contains("class=\\\"h-card\\\"") &&
                            Catch::Contains("class=\\\"invisible\\\"") &&
                            Catch::Contains("\"language\":null"));
  mastodon::StatusParser parser("127.0.0.1");
  mastodon::ParsedPage page;
  REQUIRE(parser.ParseStatusPage(resp.body, &page).ok());
  REQUIRE(page.posts.size() == 1);
  const Post& p = page.posts[0];
  CHECK(p.id == id);
  CHECK(p.text == "Lost my bag again, @AcmeAir! #AcmeAirSucks & <worse>\n\nSee example.com/x");
  CHECK(p.hashtags == std::vector<std::string>{"acmeairsucks"});
  CHECK(p.mentions == std::vector<std::string>{"acmeair@127.0.0.1"});
  CHECK(p.author.handle == "jane@travel.example");
  CHECK(p.author.display_name == "Jane");
  CHECK(p.author.followers == 120000);
  CHECK(p.language.empty());
}

TEST_CASE("ScenarioFromJson reads scripted posts and names bad fields", "[sources][fake]") {
  auto ok = ScenarioFromJson(R"([
    {"acct": "jane@travel.example", "followers": 120000, "text": "@AcmeAir lost my bag"},
    {"acct": "acmeair", "text": "@jane@travel.example so sorry", "reply_to": 0, "delay_ms": 500}
  ])");
  REQUIRE(ok.ok());
  REQUIRE(ok->statuses.size() == 2);
  CHECK(ok->statuses[0].followers == 120000);
  CHECK(ok->reply_to == std::vector<int>{-1, 0});
  CHECK(ok->delays_ms == std::vector<int>{0, 500});
  struct Case {
    const char* json;
    const char* message;
  } bad[] = {
      {"{}", "expected a JSON array"},
      {R"([{"acct": "a"}])", "entry 0: 'text': missing"},
      {R"([{"text": "x", "followers": "many"}])", "entry 0: 'followers'"},
      {R"([{"text": "x", "reply_to": 0}])", "entry 0: 'reply_to'"},
      {R"([{"text": "x", "colour": "red"}])", "'colour': unknown field"},
  };
  for (const auto& c : bad) {
    INFO(c.json);
    auto r = ScenarioFromJson(c.json);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::Contains(c.message));
  }
}

}  // namespace
}  // namespace earshot
