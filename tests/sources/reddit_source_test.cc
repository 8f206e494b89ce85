// ListingParser on recorded Reddit listings, and RedditSource against FakeReddit over real
// loopback HTTP. Tests call Next directly and never sleep on a Pace.
#include "daemon/sources/reddit/reddit_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <set>

#include "daemon/net/curl_http_client.h"
#include "daemon/sources/fake/fake_reddit.h"
#include "tests/sources/manual_clock.h"
#include "tests/sources/source_rig.h"
#include "tests/sources/source_test_util.h"
#include "tests/sources/fixture.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr milliseconds kPoll = 60000ms;
constexpr milliseconds kBackoffMax = 300000ms;

std::string Fixture(std::string_view name) { return testing::Fixture("reddit", name); }

TEST_CASE("Reddit ListingParser: a recorded search listing of posts", "[sources][reddit]") {
  reddit::ListingParser parser;
  reddit::ParsedListing page;
  REQUIRE(parser.ParseListing(Fixture("reddit-search-listing.json"), &page).ok());
  CHECK(page.items == 6);
  CHECK(page.errors.empty());
  CHECK_FALSE(page.after.has_value());
  REQUIRE(page.posts.size() == 6);
  const Post& p = page.posts[0];
  CHECK(p.network == "reddit");
  CHECK(p.id == "t3_3gpbiu");
  CHECK(p.author.handle == "dClauzel");
  CHECK(p.thread_key == "t3_3gpbiu");
  CHECK(p.reply_to.empty());
  CHECK(p.replies == 21);
  CHECK(
      p.text.starts_with("[PRAW][OAuth2Util] Problem using get_banned() : raise "
                         "Forbidden(_raw=response)\n\n# solved"));
  CHECK(p.url ==
        "https://www.reddit.com/r/redditdev/comments/3gpbiu/"
        "prawoauth2util_problem_using_get_banned_raise/?ref=search_posts");
  CHECK(p.created_at == SystemTime(std::chrono::seconds(1439370514)));
  CHECK(page.first_name == "t3_3gpbiu");
}

TEST_CASE("Reddit ListingParser: a recorded listing of 100 comments", "[sources][reddit]") {
  reddit::ListingParser parser;
  reddit::ParsedListing page;
  REQUIRE(parser.ParseListing(Fixture("reddit-comments-listing.json"), &page).ok());
  CHECK(page.items == 100);
  CHECK(page.errors.empty());
  CHECK(page.after == "t1_d4y8a9e");
  CHECK(page.last_name == "t1_d4y8a9e");
  REQUIRE(page.posts.size() == 100);
  const Post& c = page.posts[0];
  CHECK(c.id == "t1_d4y8bdp");
  CHECK(c.author.handle == "preppypuppy");
  CHECK(c.text == "great, life is so much better when you can do what you enjoy for a living");
  CHECK(c.thread_key == "t3_4r4inc");
  CHECK(c.reply_to == "t3_4r4inc");
  CHECK(c.url == "https://www.reddit.com/comments/4r4inc/_/d4y8bdp");  // no permalink in 2016
  CHECK(c.created_at == SystemTime(std::chrono::seconds(1467590690)));
}

TEST_CASE("Reddit ListingParser: bad items, other kinds and broken bodies", "[sources][reddit]") {
  reddit::ListingParser parser;
  reddit::ParsedListing page;
  REQUIRE(parser
              .ParseListing(
                  R"({"kind":"Listing","data":{"after":null,"before":null,"children":[
        {"kind":"t1","data":{"name":"t1_c","id":"c","author":"[deleted]","body":"[removed]",
          "created_utc":1700000002,"link_id":"t3_a","parent_id":"t1_b"}},
        {"kind":"t1","data":{"name":"t1_b","id":"b","author":"x","body":"no time"}},
        {"kind":"more","data":{"name":"t1_m","id":"m","children":["d","e"]}},
        {"kind":"t3","data":{"name":"t3_a","id":"a","author":"y","title":"Lost bag 😤",
          "selftext":"","created_utc":"yesterday"}}]}})",
                  &page)
              .ok());
  CHECK(page.items == 4);
  CHECK(page.ignored == 1);
  REQUIRE(page.errors.size() == 2);
  CHECK(page.errors[0] == "item t1_b: 'created_utc': missing");
  CHECK(page.errors[1] == "item t3_a: 'created_utc': wrong type");
  REQUIRE(page.posts.size() == 1);
  CHECK(page.posts[0].author.handle == "[deleted]");
  CHECK(page.posts[0].reply_to == "t1_b");
  CHECK(page.first_name == "t1_c");
  CHECK(page.last_name == "t3_a");

  for (const char* body : {"", "[]", R"({"kind":"t3","data":{}})",
                           R"({"kind":"Listing","data":{"children":[{"kind":"t3")"}) {
    INFO(body);
    CHECK(parser.ParseListing(body, &page).code() == Status::Code::kDataLoss);
  }
}

struct RRig {
  std::unique_ptr<FakeReddit> fake;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<Source> source;
  RedditSource& reddit() { return static_cast<RedditSource&>(*source); }
};

RedditSourceConfig Config(const FakeReddit& fake) {
  RedditSourceConfig c;
  c.name = "airline";
  c.kind = RedditSourceConfig::Kind::kNew;
  c.subreddit = "acmeair";
  c.client_id = "fake-client-id";
  c.client_secret = "fake-client-secret";
  c.user_agent = "linux:com.acme.earshot:1.0 (by /u/acme_support)";
  c.auth_url = fake.base_url();
  c.api_url = fake.base_url();
  c.limit = 10;
  c.poll_interval = kPoll;
  c.request_timeout = 5000ms;
  c.backoff.seed = 5;
  c.backoff.backoff_max = kBackoffMax;
  return c;
}

RRig MakeRig(FakeRedditOptions o = {}, std::function<void(RedditSourceConfig&)> tweak = nullptr,
             Clock& clock = RealClock()) {
  RRig rig;
  testing::StartRig<RedditSource>(rig, std::move(o), Config, tweak, clock);
  return rig;
}

std::vector<std::string> AddPosts(FakeReddit& fake, int n, const std::string& prefix) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) {
    FakeRedditPost p;
    p.author = i % 2 ? "jane" : "gus";
    p.title = fmt::format("{} {}: AcmeAir lost my bag", prefix, i);
    p.selftext = i % 3 ? "" : "Third time this year.";
    names.push_back(fake.AddPost(p));
    FakeRedditPost other;
    other.subreddit = "cats";
    other.title = "unrelated";
    fake.AddPost(other);
  }
  return names;
}

using RCall = testing::NextCall;
using testing::NextOk;

std::vector<std::string> Drain(RRig& rig, int max_calls = 50) {
  return testing::DrainUntilPaced(rig, kPoll, max_calls);
}

TEST_CASE("RedditSource: one token, the newest page first, then every new post in order",
          "[sources][reddit]") {
  RRig rig = MakeRig();
  const auto old_names = AddPosts(*rig.fake, 14, "old");
  const auto first = Drain(rig);
  CHECK(first == std::vector<std::string>(old_names.begin() + 4, old_names.end()));
  CHECK(rig.reddit().cursor() == old_names.back());

  const auto new_names = AddPosts(*rig.fake, 23, "new");
  CHECK(Drain(rig) == new_names);  // in order, no gaps, no repeats
  CHECK(rig.reddit().cursor() == new_names.back());
  CHECK(rig.fake->token_grants() == 1);
  for (const auto& r : rig.fake->requests()) {
    CHECK(r.Header("user-agent") == "linux:com.acme.earshot:1.0 (by /u/acme_support)");
    if (r.path == "/r/acmeair/new")
      CHECK(r.Header("authorization") == "Bearer fake-reddit-token-1");
  }
}

TEST_CASE("RedditSource: Restore resumes after the cursor, comments keep their thread",
          "[sources][reddit]") {
  RRig rig =
      MakeRig({}, [](RedditSourceConfig& c) { c.kind = RedditSourceConfig::Kind::kComments; });
  FakeRedditPost post;
  post.title = "AcmeAir cancelled my flight";
  const std::string link = rig.fake->AddPost(post);
  FakeRedditComment c1;
  c1.link = link;
  c1.body = "Same here, no refund yet";
  const std::string one = rig.fake->AddComment(c1);
  FakeRedditComment c2;
  c2.link = link;
  c2.parent = one;
  c2.body = "Have you tried the chargeback route?";
  const std::string two = rig.fake->AddComment(c2);
  REQUIRE(rig.source->Restore(one).ok());
  std::vector<Post> got;
  for (int i = 0; i < 5; ++i) {
    RCall call = NextOk(rig);
    for (auto& p : call.posts) got.push_back(std::move(p));
    if (call.wait >= kPoll) break;
  }
  REQUIRE(got.size() == 1);
  CHECK(got[0].id == two);
  CHECK(got[0].thread_key == link);
  CHECK(got[0].reply_to == one);
  CHECK(got[0].text == "Have you tried the chargeback route?");
  CHECK(rig.reddit().cursor() == two);

  CHECK(rig.source->Restore("").code() == Status::Code::kInvalidArgument);
  CHECK(rig.source->Restore("t3_ABC").code() == Status::Code::kInvalidArgument);
  CHECK(rig.source->Restore("t3_a&after=x").code() == Status::Code::kInvalidArgument);
  CHECK(rig.source->Restore("t5_abc").code() == Status::Code::kInvalidArgument);
}

TEST_CASE("RedditSource: every failure is paced, keeps the cursor, and loses nothing",
          "[sources][reddit]") {
  std::vector<testing::FailureCase<RedditSourceStats>> cases = {
      {"429 until the reset",
       {FakeFault::Kind::kTooManyRequests},
       100ms,
       601000ms,
       [](auto& s) { return s.rate_limited.load(); }},
      {"503",
       {FakeFault::Kind::kServerError},
       100ms,
       1000ms,
       [](auto& s) { return s.server_errors.load(); }},
      {"401 on a fresh token",
       {FakeFault::Kind::kUnauthorized},
       kBackoffMax,
       1000000ms,
       [](auto& s) { return s.auth_errors.load(); }},
  };
  for (auto& spoiled : testing::SpoiledAnswerCases<RedditSourceStats>()) cases.push_back(spoiled);
  for (const auto& c : cases) {
    SECTION(c.name) {
      FakeRedditOptions o;
      o.rate_limit = 1000000;
      RRig rig = MakeRig(o, [](RedditSourceConfig& cfg) {
        cfg.request_timeout = 500ms;
        cfg.backoff.backoff_initial = 1000ms;
      });
      const auto names = AddPosts(*rig.fake, 5, "post");
      REQUIRE(rig.source->Restore(names[0]).ok());
      NextOk(rig);  // the token
      rig.fake->InjectFault(c.fault);
      RCall failed = NextOk(rig);
      CHECK(failed.posts.empty());
      CHECK_FALSE(failed.cursor.has_value());
      CHECK(rig.reddit().cursor() == names[0]);
      CHECK(failed.wait >= c.min_wait);
      CHECK(failed.wait <= c.max_wait);
      CHECK(c.counter(rig.reddit().stats()) == 1);
      CHECK(Drain(rig) == std::vector<std::string>(names.begin() + 1, names.end()));
    }
  }
}

TEST_CASE("RedditSource: an expired token is replaced once, refused credentials wait long",
          "[sources][reddit]") {
  ManualClock clock(RealClock().Now());
  RRig rig = MakeRig({}, nullptr, clock);
  const auto names = AddPosts(*rig.fake, 3, "a");
  Drain(rig);
  clock.Advance(10min);
  rig.fake->ExpireTokens();
  const auto more = AddPosts(*rig.fake, 2, "b");
  CHECK(Drain(rig) == more);
  CHECK(rig.fake->token_grants() == 2);
  CHECK(rig.reddit().stats().auth_errors == 0);

  RRig bad = MakeRig({}, [](RedditSourceConfig& c) { c.client_secret = "wrong"; });
  RCall call = NextOk(bad);
  CHECK(call.wait >= kBackoffMax);
  CHECK(bad.reddit().stats().auth_errors == 1);
}

TEST_CASE("RedditSource: a deleted cursor thing does not stall the source", "[sources][reddit]") {
  RRig rig = MakeRig({}, [](RedditSourceConfig& c) { c.stale_after = 2; });
  const auto names = AddPosts(*rig.fake, 3, "a");
  REQUIRE(rig.source->Restore(names[1]).ok());
  CHECK(Drain(rig) == std::vector<std::string>{names[2]});
  rig.fake->Delete(names[2]);  // the anchor
  const auto more = AddPosts(*rig.fake, 2, "b");
  std::vector<std::string> got;
  for (int i = 0; i < 6 && got.size() < 4; ++i) {
    for (const Post& p : NextOk(rig).posts) got.push_back(p.id);
  }
  // Re-reading the newest page brings the new posts, and (since this process never emitted
  // them) the two older ones before the restored cursor, which the poller's seen ids drop.
  REQUIRE(got.size() >= 2);
  CHECK(std::vector<std::string>(got.end() - 2, got.end()) == more);
  CHECK(std::find(got.begin(), got.end(), names[2]) == got.end());
  CHECK(rig.reddit().stats().reanchors == 1);
}

TEST_CASE("RedditSource: search, and a bad item skipped", "[sources][reddit]") {
  RRig rig = MakeRig({}, [](RedditSourceConfig& c) {
    c.kind = RedditSourceConfig::Kind::kSearch;
    c.subreddit = "";
    c.query = "acmeair bag";
  });
  AddPosts(*rig.fake, 2, "old");
  Drain(rig);
  const auto a = AddPosts(*rig.fake, 1, "a");
  rig.fake->AddRaw("t3", R"({"name":"$NAME","id":"$ID","title":"acmeair bag","author":"x"})",
                   "acmeair");
  const auto b = AddPosts(*rig.fake, 1, "b");
  CHECK(Drain(rig) == std::vector<std::string>{a[0], b[0]});
  CHECK(rig.reddit().stats().bad_items == 1);
  bool searched = false;
  for (const auto& r : rig.fake->requests()) {
    if (r.path == "/search") {
      searched = true;
      CHECK(r.query.find("sort=new") != std::string::npos);
    }
  }
  CHECK(searched);
}

TEST_CASE("RedditSource: the rate budget keeps a busy poller under the quota for an hour",
          "[sources][reddit]") {
  ManualClock clock(*ParseIso8601("2026-01-01T00:00:00Z"));
  FakeRedditOptions o;
  o.rate_limit = 20;  // per 10 minutes: 120 per hour
  o.clock = &clock;
  RRig rig = MakeRig(
      o, [](RedditSourceConfig& c) { c.poll_interval = 1000ms; }, clock);
  AddPosts(*rig.fake, 3, "post");
  const int calls = testing::PollForAnHour(*rig.source, *rig.http, clock);
  CHECK(rig.fake->rate_limited() == 0);
  CHECK(rig.reddit().stats().rate_limited == 0);
  CHECK(calls <= 6 * 20 + 2);
  CHECK(calls >= 100);
}

TEST_CASE("RedditSource: a batch says whether the network answered", "[sources][reddit]") {
  RRig rig = MakeRig();
  SourceBatch token;
  REQUIRE(rig.source->Next(std::stop_token(), *rig.http, &token).ok());
  CHECK_FALSE(token.fetched);  // the OAuth token is no fetch
  testing::CheckFetchedFlag(*rig.source, *rig.http, [&] {
    rig.fake->InjectFault({FakeFault::Kind::kServerError, 1});
  });
}

TEST_CASE("RedditSource: Create refuses configs that cannot work", "[sources][reddit]") {
  auto make = [](std::function<void(RedditSourceConfig&)> tweak) {
    RedditSourceConfig c;
    c.name = "n";
    c.subreddit = "r/acmeair";
    c.client_id = "id";
    c.client_secret = "s";
    c.user_agent = "linux:x:1 (by /u/me)";
    tweak(c);
    return RedditSource::Create(std::move(c), RealClock()).status();
  };
  CHECK(make([](RedditSourceConfig&) {}).ok());
  CHECK(make([](RedditSourceConfig& c) { c.user_agent = "curl/8"; }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](RedditSourceConfig& c) { c.subreddit.clear(); }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](RedditSourceConfig& c) { c.kind = RedditSourceConfig::Kind::kSearch; }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](RedditSourceConfig& c) { c.client_secret.clear(); }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](RedditSourceConfig& c) { c.limit = 0; }).code() == Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace earshot
