// XSource against FakeX over real loopback HTTP. Tests call Next directly and assert on the Pace
// it returns; they never sleep on a Pace.
#include "daemon/sources/x/x_source.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <functional>
#include <set>

#include "daemon/base/log.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/sources/fake/fake_x.h"
#include "tests/sources/captured_log.h"
#include "tests/sources/manual_clock.h"
#include "tests/sources/source_rig.h"
#include "tests/sources/source_test_util.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr milliseconds kPoll = 60000ms;
constexpr milliseconds kBackoffMax = 300000ms;

struct XRig {
  std::unique_ptr<FakeX> fake;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<Source> source;
  XSource& x() { return static_cast<XSource&>(*source); }
};

XSourceConfig Config(const FakeX& fake) {
  XSourceConfig c;
  c.name = "airline";
  c.base_url = fake.base_url();
  c.query = "acmeair -is:retweet";
  c.bearer_token = "fake-x-bearer";
  c.max_results = 10;
  c.poll_interval = kPoll;
  c.request_timeout = 5000ms;
  c.backoff.seed = 99;
  c.backoff.backoff_max = kBackoffMax;
  return c;
}

XRig MakeXRig(FakeXOptions fake_options = {}, std::function<void(XSourceConfig&)> tweak = nullptr,
              Clock& clock = RealClock()) {
  XRig rig;
  testing::StartRig<XSource>(rig, std::move(fake_options), Config, tweak, clock);
  return rig;
}

FakeXOptions Generous() {
  FakeXOptions o;
  o.rate_limit = 1000000;
  return o;
}

std::vector<std::string> AddTweets(FakeX& fake, int n, const std::string& prefix) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    FakeTweet t;
    t.username = i % 2 ? "jane" : "gus";
    t.text = fmt::format("{} {} @AcmeAir lost my bag", prefix, i);
    ids.push_back(fake.AddTweet(t));
    FakeTweet other;
    other.text = "unrelated #cats";
    fake.AddTweet(other);
  }
  return ids;
}

using XCall = testing::NextCall;
using testing::NextOk;

std::vector<std::string> Drain(XRig& rig, int max_calls = 50) {
  return testing::DrainUntilPaced(rig, kPoll, max_calls);
}

using testing::QueryParam;

TEST_CASE("XSource: first run reads the newest page, later runs page back with since_id fixed",
          "[sources][x]") {
  XRig rig = MakeXRig();
  const auto old_ids = AddTweets(*rig.fake, 14, "old");

  XCall first = NextOk(rig);
  REQUIRE(first.posts.size() == 10);            // the newest page only, no next_token followed
  CHECK(first.posts.front().id == old_ids[4]);  // oldest first
  CHECK(first.posts.back().id == old_ids[13]);
  CHECK(first.cursor == old_ids[13]);
  CHECK(first.wait == kPoll);
  CHECK(first.posts[0].network == "x");
  CHECK(first.posts[0].author.handle == "gus");
  CHECK(first.posts[0].mentions == std::vector<std::string>{"acmeair"});
  CHECK(first.posts[0].thread_key == first.posts[0].id);

  const auto new_ids = AddTweets(*rig.fake, 25, "new");
  std::vector<std::string> got;
  std::vector<XCall> calls;
  for (int i = 0; i < 10; ++i) {
    calls.push_back(NextOk(rig));
    for (const Post& p : calls.back().posts) got.push_back(p.id);
    if (calls.back().wait >= kPoll) break;
  }
  REQUIRE(calls.size() == 3);                // 10 + 10 + 5, newest page first
  CHECK_FALSE(calls[0].cursor.has_value());  // no cursor while the run goes on
  CHECK_FALSE(calls[1].cursor.has_value());
  CHECK(calls[0].wait < kPoll);
  CHECK(calls[2].cursor == new_ids.back());
  CHECK(rig.x().cursor() == new_ids.back());
  std::set<std::string> unique(got.begin(), got.end());
  CHECK(unique == std::set<std::string>(new_ids.begin(), new_ids.end()));
  CHECK(got.size() == new_ids.size());
  CHECK(calls[0].posts.back().id == new_ids.back());  // each page oldest first

  const auto reqs = rig.fake->requests();
  REQUIRE(reqs.size() == 4);
  for (size_t i = 1; i < 4; ++i) {
    CHECK(QueryParam(reqs[i], "since_id") == old_ids[13]);
    CHECK(QueryParam(reqs[i], "expansions") == "author_id");
    CHECK(QueryParam(reqs[i], "user.fields") == "public_metrics,username,name");
    CHECK(QueryParam(reqs[i], "query") == "acmeair -is:retweet");
    CHECK(reqs[i].Header("authorization") == "Bearer fake-x-bearer");
  }
  CHECK_FALSE(QueryParam(reqs[1], "next_token").has_value());
  CHECK(QueryParam(reqs[2], "next_token").has_value());
  CHECK(QueryParam(reqs[3], "next_token").has_value());
  CHECK(Drain(rig).empty());
}

TEST_CASE("XSource: a restart mid-run loses nothing", "[sources][x]") {
  XRig rig = MakeXRig();
  const auto ids = AddTweets(*rig.fake, 24, "post");
  REQUIRE(rig.source->Restore(ids[3]).ok());
  XCall page = NextOk(rig);  // the newest 10; the cursor is not yet handed out
  CHECK(page.posts.size() == 10);
  CHECK_FALSE(page.cursor.has_value());
  CHECK(rig.x().paging());

  // The process restarts from the stored cursor, with a fresh source on the same network.
  XSourceConfig c;
  c.name = "airline";
  c.base_url = rig.fake->base_url();
  c.query = "acmeair -is:retweet";
  c.bearer_token = "fake-x-bearer";
  c.max_results = 10;
  c.poll_interval = kPoll;
  auto fresh = XSource::Create(std::move(c), RealClock());
  REQUIRE(fresh.ok());
  rig.source = std::move(fresh).value();
  REQUIRE(rig.source->Restore(ids[3]).ok());
  auto got = Drain(rig);
  CHECK(got.size() == 20);
  for (const Post& p : page.posts) got.push_back(p.id);
  CHECK(std::set<std::string>(got.begin(), got.end()) ==
        std::set<std::string>(ids.begin() + 4, ids.end()));
  CHECK(rig.x().cursor() == ids.back());

  CHECK(rig.source->Restore("").code() == Status::Code::kInvalidArgument);
  CHECK(rig.source->Restore("12&since_id=3").code() == Status::Code::kInvalidArgument);
  CHECK(rig.source->Restore("123456789012345678901").code() == Status::Code::kInvalidArgument);
}

TEST_CASE("XSource: every failure is paced, keeps the cursor, and loses nothing", "[sources][x]") {
  std::vector<testing::FailureCase<XSourceStats>> cases = {
      {"401",
       {FakeFault::Kind::kUnauthorized},
       kBackoffMax,
       1000000ms,
       [](auto& s) { return s.auth_errors.load(); }},
      {"429 until x-rate-limit-reset",
       {FakeFault::Kind::kTooManyRequests},
       100ms,
       901000ms,
       [](auto& s) { return s.rate_limited.load(); }},
      {"503",
       {FakeFault::Kind::kServerError},
       100ms,
       1000ms,
       [](auto& s) { return s.server_errors.load(); }},
  };
  for (auto& spoiled : testing::SpoiledAnswerCases<XSourceStats>()) cases.push_back(spoiled);
  for (const auto& c : cases) {
    SECTION(c.name) {
      XRig rig = MakeXRig(Generous(), [](XSourceConfig& cfg) {
        cfg.request_timeout = 500ms;
        cfg.backoff.backoff_initial = 1000ms;
      });
      const auto ids = AddTweets(*rig.fake, 15, "post");
      REQUIRE(rig.source->Restore(ids[0]).ok());
      XCall page = NextOk(rig);  // the first page of the run
      CHECK(page.posts.size() == 10);
      rig.fake->InjectFault(c.fault);

      XCall failed = NextOk(rig);
      CHECK(failed.posts.empty());
      CHECK_FALSE(failed.cursor.has_value());
      CHECK(rig.x().cursor() == ids[0]);
      CHECK(rig.x().paging());  // the next call asks for the same page again
      CHECK(failed.wait >= c.min_wait);
      CHECK(failed.wait <= c.max_wait);
      CHECK(c.counter(rig.x().stats()) == 1);

      auto rest = Drain(rig);
      for (const Post& p : page.posts) rest.push_back(p.id);
      CHECK(std::set<std::string>(rest.begin(), rest.end()) ==
            std::set<std::string>(ids.begin() + 1, ids.end()));
      CHECK(rest.size() == ids.size() - 1);
      CHECK(rig.x().cursor() == ids.back());
    }
  }
}

TEST_CASE("XSource: a wrong bearer token is an auth error and waits long", "[sources][x]") {
  XRig rig = MakeXRig({}, [](XSourceConfig& c) { c.bearer_token = "revoked"; });
  AddTweets(*rig.fake, 2, "post");
  XCall call = NextOk(rig);
  CHECK(call.posts.empty());
  CHECK(call.wait >= kBackoffMax);
  CHECK(rig.x().stats().auth_errors == 1);
}

TEST_CASE("XSource: a bad tweet is skipped, the rest delivered, the cursor moves past it",
          "[sources][x]") {
  XRig rig = MakeXRig();
  const auto before = AddTweets(*rig.fake, 1, "before");
  REQUIRE(rig.source->Restore(before[0]).ok());
  const auto a = AddTweets(*rig.fake, 1, "a");
  const std::string bad = rig.fake->AddRawTweet(
      R"({"id":"$ID","text":"acmeair broken","author_id":"1","created_at":42})", "acmeair broken");
  const auto b = AddTweets(*rig.fake, 1, "b");
  XCall call = NextOk(rig);
  REQUIRE(call.posts.size() == 2);
  CHECK(call.posts[0].id == a[0]);
  CHECK(call.posts[1].id == b[0]);
  CHECK(rig.x().stats().bad_items == 1);
  CHECK(call.cursor == b[0]);
  CHECK(Drain(rig).empty());
}

TEST_CASE("XSource: retweets are ignored, replies share the conversation's thread key",
          "[sources][x]") {
  XRig rig = MakeXRig({}, [](XSourceConfig& c) { c.query = "acmeair"; });
  FakeTweet root;
  root.username = "jane";
  root.text = "@AcmeAir my flight is cancelled #fail";
  const std::string root_id = rig.fake->AddTweet(root);
  FakeTweet reply;
  reply.username = "acmeair";
  reply.text = "@jane sorry to hear that, DM AcmeAir";
  reply.in_reply_to_id = root_id;
  const std::string reply_id = rig.fake->AddTweet(reply);
  FakeTweet deeper;
  deeper.username = "jane";
  deeper.text = "@AcmeAir still waiting";
  deeper.in_reply_to_id = reply_id;
  const std::string deeper_id = rig.fake->AddTweet(deeper);
  FakeTweet rt;
  rt.username = "bob";
  rt.text = "@AcmeAir my flight is cancelled #fail";
  rt.retweet_of = root_id;
  rig.fake->AddTweet(rt);
  FakeTweet gone;
  gone.username = "ghost";
  gone.text = "acmeair from a deleted account";
  gone.author_gone = true;
  gone.lang = "";
  rig.fake->AddTweet(gone);

  XCall call = NextOk(rig);
  REQUIRE(call.posts.size() == 4);
  CHECK(rig.x().stats().retweets_ignored == 1);
  CHECK(call.posts[0].id == root_id);
  CHECK(call.posts[0].hashtags == std::vector<std::string>{"fail"});
  CHECK(call.posts[1].thread_key == root_id);
  CHECK(call.posts[2].id == deeper_id);
  CHECK(call.posts[2].thread_key == root_id);
  CHECK(call.posts[2].reply_to == reply_id);
  CHECK(call.posts[3].author.handle.starts_with("id:"));
  CHECK(call.posts[3].language.empty());
}

TEST_CASE("XSource: the rate budget keeps a busy poller under the quota for an hour",
          "[sources][x]") {
  ManualClock clock(*ParseIso8601("2026-01-01T00:00:00Z"));
  FakeXOptions o;
  o.rate_limit = 30;  // per 15 minutes: 120 per hour
  o.clock = &clock;
  XRig rig = MakeXRig(
      o, [](XSourceConfig& c) { c.poll_interval = 1000ms; }, clock);
  AddTweets(*rig.fake, 3, "post");
  const int calls = testing::PollForAnHour(*rig.source, *rig.http, clock);
  CHECK(rig.fake->rate_limited() == 0);
  CHECK(rig.x().stats().rate_limited == 0);
  CHECK(calls <= 4 * 30 + 1);
  CHECK(calls >= 100);  // and it does use the quota
}

TEST_CASE("XSource: a batch says whether the network answered", "[sources][x]") {
  XRig rig = MakeXRig(Generous());
  testing::CheckFetchedFlag(*rig.source, *rig.http, [&] {
    rig.fake->InjectFault({FakeFault::Kind::kServerError, 1});
  });
}

TEST_CASE("XSource: Create refuses configs that cannot work", "[sources][x]") {
  auto make = [](std::function<void(XSourceConfig&)> tweak) {
    XSourceConfig c;
    c.name = "n";
    c.query = "q";
    c.bearer_token = "t";
    tweak(c);
    return XSource::Create(std::move(c), RealClock()).status();
  };
  CHECK(make([](XSourceConfig&) {}).ok());
  CHECK(make([](XSourceConfig& c) { c.name.clear(); }).code() == Status::Code::kInvalidArgument);
  CHECK(make([](XSourceConfig& c) { c.query.clear(); }).code() == Status::Code::kInvalidArgument);
  CHECK(make([](XSourceConfig& c) { c.bearer_token.clear(); }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](XSourceConfig& c) { c.max_results = 5; }).code() == Status::Code::kInvalidArgument);
  CHECK(make([](XSourceConfig& c) { c.base_url = "ftp://x"; }).code() ==
        Status::Code::kInvalidArgument);
  const Status s = make([](XSourceConfig& c) { c.bearer_token.clear(); });
  CHECK(s.message().find("token_file") != std::string::npos);
}


// --- Mentions mode: GET /2/users/:id/mentions ------------------------------------------------

void MentionsOf(XSourceConfig& c) {
  c.query.clear();
  c.mentions_of = "AcmeAir";
  c.max_results = 5;
}

// n tweets mentioning @AcmeAir, each followed by one that does not.
std::vector<std::string> AddMentions(FakeX& fake, int n, const std::string& prefix) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    FakeTweet t;
    t.username = i % 2 ? "jane" : "gus";
    t.text = fmt::format("{} {} @AcmeAir where is my bag", prefix, i);
    ids.push_back(fake.AddTweet(t));
    FakeTweet other;
    other.text = fmt::format("acmeair {} without the at-sign", i);  // search matches; mentions not
    fake.AddTweet(other);
  }
  return ids;
}

using testing::CapturedLog;

// Calls Next once; what the source logged during the call comes with its answer.
std::pair<XCall, std::string> NextOkLogged(XRig& rig) {
  CapturedLog captured;
  XCall call = NextOk(rig);
  return {std::move(call), captured.Text()};
}

TEST_CASE("XSource mentions: one username lookup, then the newest page, then paging with "
          "since_id fixed and pagination_token",
          "[sources][x]") {
  XRig rig = MakeXRig({}, MentionsOf);
  const auto old_ids = AddMentions(*rig.fake, 7, "old");
  const std::string user_id = rig.fake->AddUser("acmeair");

  XCall lookup = NextOk(rig);  // the lookup alone: no posts, no wait
  CHECK(lookup.posts.empty());
  CHECK(lookup.wait < kPoll);
  CHECK(rig.x().user_id() == user_id);

  XCall first = NextOk(rig);
  REQUIRE(first.posts.size() == 5);  // the newest page only
  CHECK(first.posts.front().id == old_ids[2]);
  CHECK(first.posts.back().id == old_ids[6]);
  CHECK(first.cursor == old_ids[6]);
  CHECK(first.wait == kPoll);
  CHECK(first.posts[0].mentions == std::vector<std::string>{"acmeair"});

  const auto new_ids = AddMentions(*rig.fake, 12, "new");
  std::vector<XCall> calls;
  std::vector<std::string> got;
  for (int i = 0; i < 10; ++i) {
    calls.push_back(NextOk(rig));
    for (const Post& p : calls.back().posts) got.push_back(p.id);
    if (calls.back().wait >= kPoll) break;
  }
  REQUIRE(calls.size() == 3);  // 5 + 5 + 2
  CHECK_FALSE(calls[0].cursor.has_value());
  CHECK(calls[2].cursor == new_ids.back());
  CHECK(got.size() == new_ids.size());
  CHECK(std::set<std::string>(got.begin(), got.end()) ==
        std::set<std::string>(new_ids.begin(), new_ids.end()));

  const auto reqs = rig.fake->requests();
  REQUIRE(reqs.size() == 5);
  CHECK(reqs[0].path == "/2/users/by/username/AcmeAir");
  CHECK(rig.fake->lookups() == 1);
  CHECK(rig.x().stats().user_lookups == 1);
  for (size_t i = 1; i < reqs.size(); ++i) {
    CHECK(reqs[i].path == "/2/users/" + user_id + "/mentions");
    CHECK(reqs[i].Header("authorization") == "Bearer fake-x-bearer");
    CHECK(QueryParam(reqs[i], "expansions") == "author_id");
    CHECK(QueryParam(reqs[i], "user.fields") == "public_metrics,username,name");
    CHECK(QueryParam(reqs[i], "max_results") == "5");
    CHECK_FALSE(QueryParam(reqs[i], "next_token").has_value());
    CHECK_FALSE(QueryParam(reqs[i], "query").has_value());
  }
  CHECK_FALSE(QueryParam(reqs[1], "since_id").has_value());
  for (size_t i = 2; i < 5; ++i) CHECK(QueryParam(reqs[i], "since_id") == old_ids[6]);
  CHECK_FALSE(QueryParam(reqs[2], "pagination_token").has_value());
  CHECK(QueryParam(reqs[3], "pagination_token").has_value());
  CHECK(QueryParam(reqs[4], "pagination_token").has_value());
  CHECK(Drain(rig).empty());
  CHECK(rig.fake->lookups() == 1);  // the id is kept
}

TEST_CASE("XSource mentions: a restart mid-run from the stored cursor loses and repeats nothing",
          "[sources][x]") {
  auto config = [](const std::string& base_url) {
    XSourceConfig c;
    c.name = "airline";
    c.base_url = base_url;
    c.bearer_token = "fake-x-bearer";
    MentionsOf(c);
    c.poll_interval = kPoll;
    return c;
  };
  XRig rig = MakeXRig({}, MentionsOf);
  const auto ids = AddMentions(*rig.fake, 14, "post");
  REQUIRE(rig.source->Restore(ids[1]).ok());
  NextOk(rig);               // the lookup
  XCall page = NextOk(rig);  // the newest 5 of the 12 after the cursor; no cursor yet
  CHECK(page.posts.size() == 5);
  CHECK_FALSE(page.cursor.has_value());
  CHECK(rig.x().paging());

  // The process stops here: the poller had handled `page` (its ids are in the seen set), and the
  // state store still holds ids[1]. A fresh source restores it and reads the whole run again;
  // what the poller already saw is dropped by id, the rest arrives once.
  std::set<std::string> delivered;
  for (const Post& p : page.posts) delivered.insert(p.id);
  auto fresh = XSource::Create(config(rig.fake->base_url()), RealClock());
  REQUIRE(fresh.ok());
  rig.source = std::move(fresh).value();
  REQUIRE(rig.source->Restore(ids[1]).ok());
  std::vector<std::string> got = Drain(rig);
  int repeats = 0;
  for (const std::string& id : got) repeats += delivered.insert(id).second ? 0 : 1;
  CHECK(repeats == 5);  // only the page handed out before the restart, dropped by the poller
  CHECK(got.size() == 12);
  CHECK(delivered == std::set<std::string>(ids.begin() + 2, ids.end()));
  CHECK(rig.x().cursor() == ids.back());

  // After a finished run the stored cursor repeats nothing.
  const auto later = AddMentions(*rig.fake, 3, "later");
  auto again = XSource::Create(config(rig.fake->base_url()), RealClock());
  REQUIRE(again.ok());
  rig.source = std::move(again).value();
  REQUIRE(rig.source->Restore(ids.back()).ok());
  CHECK(Drain(rig) == later);
}

TEST_CASE("XSource mentions: a configured user_id needs no lookup", "[sources][x]") {
  XRig rig = MakeXRig({}, [](XSourceConfig& c) {
    c.query.clear();
    c.user_id = "2244994945";  // the fake's first user id
  });
  const std::string id = rig.fake->AddUser("AcmeAir");
  REQUIRE(id == "2244994945");
  AddMentions(*rig.fake, 3, "post");
  XCall call = NextOk(rig);
  CHECK(call.posts.size() == 3);
  CHECK(rig.fake->lookups() == 0);
  CHECK(rig.fake->requests().at(0).path == "/2/users/2244994945/mentions");
}

TEST_CASE("XSource mentions: an unknown username is reported clearly and asked again later",
          "[sources][x]") {
  XRig rig = MakeXRig({}, [](XSourceConfig& c) {
    MentionsOf(c);
    c.mentions_of = "@AcmeAir";  // a leading '@' is tolerated
  });
  const auto [failed, logged] = NextOkLogged(rig);
  CHECK(failed.posts.empty());
  CHECK(failed.wait >= kBackoffMax);
  CHECK(rig.x().user_id().empty());
  CHECK(rig.x().stats().lookup_errors == 1);
  CHECK(logged.find("level=error") != std::string::npos);
  CHECK(logged.find("@AcmeAir") != std::string::npos);
  CHECK(logged.find("Could not find user with username: [AcmeAir]") != std::string::npos);
  CHECK(logged.find("mentions_of") != std::string::npos);
  CHECK(logged.find("fake-x-bearer") == std::string::npos);
  CHECK(rig.fake->requests().size() == 1);  // no mentions request without an id

  // The account appears (created, or the typo fixed on the network's side): the next call finds it.
  rig.fake->AddUser("acmeair");
  AddMentions(*rig.fake, 2, "post");
  CHECK(NextOk(rig).posts.empty());  // the lookup
  CHECK(NextOk(rig).posts.size() == 2);
  CHECK(rig.fake->lookups() == 2);
}

TEST_CASE("XSource mentions: an id X no longer knows is an error, a looked-up id is dropped and "
          "looked up again",
          "[sources][x]") {
  XRig rig = MakeXRig({}, MentionsOf);
  rig.fake->AddUser("AcmeAir");
  AddMentions(*rig.fake, 2, "post");
  NextOk(rig);  // the lookup
  CHECK(NextOk(rig).posts.size() == 2);
  const std::string id = rig.x().user_id();
  REQUIRE_FALSE(id.empty());

  rig.fake->RemoveUser("AcmeAir");  // deactivated
  const auto [gone, logged] = NextOkLogged(rig);
  CHECK(gone.posts.empty());
  CHECK(gone.wait >= kBackoffMax);
  CHECK(rig.x().user_id().empty());  // the cached id is dropped
  CHECK(logged.find("Could not find user with id: [" + id + "]") != std::string::npos);
  CHECK(logged.find("user_id / mentions_of") != std::string::npos);
  CHECK(NextOk(rig).wait >= kBackoffMax);  // looked up again: unknown now
  CHECK(rig.fake->lookups() == 2);
  CHECK(rig.x().stats().lookup_errors == 1);

  // A configured user_id is kept: the operator's value, reported, not replaced.
  XRig fixed = MakeXRig({}, [](XSourceConfig& c) {
    c.query.clear();
    c.user_id = "42";
  });
  CHECK(NextOk(fixed).wait >= kBackoffMax);
  CHECK(fixed.x().user_id() == "42");
  CHECK(fixed.x().stats().client_errors == 1);
  CHECK(fixed.fake->lookups() == 0);
}

TEST_CASE("XSource mentions: 401 waits long and retries once per call, 429 waits for the reset",
          "[sources][x]") {
  ManualClock clock(*ParseIso8601("2026-01-01T00:00:00Z"));
  FakeXOptions o;
  o.clock = &clock;
  XRig rig = MakeXRig(o, MentionsOf, clock);
  rig.fake->AddUser("acmeair");
  const auto ids = AddMentions(*rig.fake, 3, "post");

  // The lookup is refused (a revoked token): one request, a long wait, no second try.
  rig.fake->InjectFault({FakeFault::Kind::kUnauthorized});
  XCall refused = NextOk(rig);
  CHECK(refused.wait >= kBackoffMax);
  CHECK(rig.x().stats().auth_errors == 1);
  CHECK(rig.fake->requests().size() == 1);
  clock.Advance(refused.wait);

  NextOk(rig);  // the lookup, now accepted
  rig.fake->InjectFault({FakeFault::Kind::kUnauthorized, 2});
  for (int i = 0; i < 2; ++i) {  // the mention timeline refused twice: each call one request
    XCall call = NextOk(rig);
    CHECK(call.posts.empty());
    CHECK(call.wait >= kBackoffMax);
    clock.Advance(call.wait);
  }
  CHECK(rig.x().stats().auth_errors == 3);
  CHECK(rig.fake->requests().size() == 4);

  // A 429 is honoured: no request before x-rate-limit-reset.
  rig.fake->InjectFault({FakeFault::Kind::kTooManyRequests});
  XCall limited = NextOk(rig);
  CHECK(limited.posts.empty());
  CHECK(rig.x().stats().rate_limited == 1);
  REQUIRE(rig.fake->requests().size() == 5);
  CHECK(limited.wait > 60000ms);  // the 15-minute window has most of its length left
  CHECK(limited.wait <= 901000ms);
  clock.Advance(limited.wait);
  XCall after = NextOk(rig);
  CHECK(after.posts.size() == 3);
  CHECK(rig.fake->rate_limited() == 0);
}

TEST_CASE("XSource mentions: the rate budget keeps a busy poller under the quota for an hour",
          "[sources][x]") {
  ManualClock clock(*ParseIso8601("2026-01-01T00:00:00Z"));
  FakeXOptions o;
  o.rate_limit = 30;  // per 15 minutes on the mention timeline: 120 per hour
  o.clock = &clock;
  XRig rig = MakeXRig(
      o,
      [](XSourceConfig& c) {
        MentionsOf(c);
        c.poll_interval = 1000ms;
      },
      clock);
  rig.fake->AddUser("AcmeAir");
  AddMentions(*rig.fake, 3, "post");
  const int calls = testing::PollForAnHour(*rig.source, *rig.http, clock);
  CHECK(rig.fake->rate_limited() == 0);
  CHECK(rig.x().stats().rate_limited == 0);
  CHECK(rig.fake->lookups() == 1);
  CHECK(calls <= 4 * 30 + 2);  // the lookup has its own window
  CHECK(calls >= 100);
}

TEST_CASE("XSource mentions: Create checks the mode and its bounds", "[sources][x]") {
  auto make = [](std::function<void(XSourceConfig&)> tweak) {
    XSourceConfig c;
    c.name = "n";
    c.bearer_token = "t";
    c.mentions_of = "AcmeAir";
    c.max_results = 5;
    tweak(c);
    return XSource::Create(std::move(c), RealClock()).status();
  };
  CHECK(make([](XSourceConfig&) {}).ok());
  CHECK(make([](XSourceConfig& c) { c.user_id = "123"; }).ok());
  CHECK(make([](XSourceConfig& c) { c.mentions_of.clear(); c.user_id = "123"; }).ok());
  const Status both = make([](XSourceConfig& c) { c.query = "acmeair"; });
  CHECK(both.code() == Status::Code::kInvalidArgument);
  CHECK(both.message().find("not both") != std::string::npos);
  const Status neither = make([](XSourceConfig& c) { c.mentions_of.clear(); });
  CHECK(neither.code() == Status::Code::kInvalidArgument);
  CHECK(neither.message().find("mentions_of") != std::string::npos);
  CHECK(make([](XSourceConfig& c) { c.max_results = 4; }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](XSourceConfig& c) { c.max_results = 101; }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](XSourceConfig& c) { c.user_id = "12a"; }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](XSourceConfig& c) { c.mentions_of = "acme air"; }).code() ==
        Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace earshot
