// BlueskySource against FakeBluesky over real loopback HTTP. Tests call Next directly and
// assert on the Pace it returns; they never sleep on a Pace.
#include "daemon/sources/bluesky/bluesky_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <set>

#include "daemon/net/curl_http_client.h"
#include "daemon/sources/fake/fake_bluesky.h"
#include "tests/sources/manual_clock.h"
#include "tests/sources/source_rig.h"
#include "tests/sources/source_test_util.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr milliseconds kPoll = 30000ms;
constexpr milliseconds kBackoffMax = 300000ms;

struct BskyRig {
  std::unique_ptr<FakeBluesky> fake;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<Source> source;
  BlueskySource& bsky() { return static_cast<BlueskySource&>(*source); }
};

BlueskySourceConfig Config(const FakeBluesky& fake) {
  BlueskySourceConfig c;
  c.name = "airline";
  c.service_url = fake.base_url();
  c.query = "acmeair";
  c.identifier = "acme.bsky.social";
  c.app_password = "abcd-efgh-ijkl-mnop";
  c.limit = 10;
  c.poll_interval = kPoll;
  c.request_timeout = 5000ms;
  c.backoff.seed = 7;
  c.backoff.backoff_max = kBackoffMax;
  return c;
}

BskyRig MakeRig(FakeBlueskyOptions fake_options = {},
                std::function<void(BlueskySourceConfig&)> tweak = nullptr,
                Clock& clock = RealClock()) {
  BskyRig rig;
  testing::StartRig<BlueskySource>(rig, std::move(fake_options), Config, tweak, clock);
  return rig;
}

// Posts a second apart, from `authors` distinct accounts, ending a minute before `end`.
std::vector<std::string> AddPosts(FakeBluesky& fake, int n, const std::string& prefix,
                                  SystemTime end = RealClock().Now(), int authors = 2) {
  std::vector<std::string> uris;
  for (int i = 0; i < n; ++i) {
    FakeBskyPost p;
    p.handle = fmt::format("user{}.bsky.social", i % authors);
    p.followers = 100 + i % authors;
    p.text = fmt::format("{} {} @acmeair.bsky.social lost my bag #AcmeAir", prefix, i);
    p.created_at = end - std::chrono::seconds(60 + n - i);
    p.indexed_at = p.created_at;
    uris.push_back(fake.AddPost(p));
    FakeBskyPost other;
    other.text = "unrelated #cats";
    fake.AddPost(other);
  }
  return uris;
}

using BCall = testing::NextCall;
using testing::NextOk;
using testing::QueryParam;

// Calls Next until a call comes back paced at the poll interval (caught up).
std::vector<std::string> Drain(BskyRig& rig, int max_calls = 60) {
  return testing::DrainUntilPaced(rig, kPoll, max_calls);
}

TEST_CASE("BlueskySource: logs in once, reads the newest page, then pages with since fixed",
          "[sources][bluesky]") {
  // No lookback here, so that the first run's older posts stay unread, as documented.
  BskyRig rig = MakeRig({}, [](BlueskySourceConfig& c) { c.lookback = 0ms; });
  const auto old_uris = AddPosts(*rig.fake, 14, "old", RealClock().Now() - 1h);

  const auto first = Drain(rig);
  CHECK(first == std::vector<std::string>(old_uris.begin() + 4, old_uris.end()));
  CHECK(rig.fake->logins() == 1);
  REQUIRE(rig.bsky().cursor().has_value());
  const std::string watermark = *rig.bsky().cursor();

  const auto new_uris = AddPosts(*rig.fake, 25, "new");
  std::vector<std::string> got;
  std::vector<BCall> calls;
  for (int i = 0; i < 20; ++i) {
    calls.push_back(NextOk(rig));
    for (const Post& p : calls.back().posts) got.push_back(p.id);
    if (calls.back().wait >= kPoll) break;
  }
  CHECK(std::set<std::string>(got.begin(), got.end()) ==
        std::set<std::string>(new_uris.begin(), new_uris.end()));
  CHECK(got.size() == new_uris.size());
  // Only the last call hands out the cursor.
  for (size_t i = 0; i + 1 < calls.size(); ++i) CHECK_FALSE(calls[i].cursor.has_value());
  REQUIRE(calls.back().cursor.has_value());
  CHECK(*ParseIso8601(*calls.back().cursor) > *ParseIso8601(watermark));
  CHECK(rig.fake->logins() == 1);

  std::set<std::string> since_values;
  int searches = 0, with_cursor = 0;
  for (const auto& r : rig.fake->requests()) {
    if (r.path != "/xrpc/app.bsky.feed.searchPosts") continue;
    ++searches;
    CHECK(QueryParam(r, "sort") == "latest");
    CHECK(QueryParam(r, "q") == "acmeair");
    if (QueryParam(r, "cursor")) ++with_cursor;
    if (auto s = QueryParam(r, "since")) since_values.insert(*s);
  }
  CHECK(with_cursor >= 2);          // 25 new posts in pages of 10
  CHECK(since_values.size() == 1);  // the same since for the whole run (the first had none)

  // Followers came from getProfiles.
  for (const BCall& c : calls) {
    for (const Post& p : c.posts) {
      CHECK(p.author.followers >= 100);
      CHECK(p.hashtags == std::vector<std::string>{"acmeair"});
      CHECK(p.mentions == std::vector<std::string>{"acmeair.bsky.social"});
    }
  }
  CHECK(Drain(rig).empty());
}

TEST_CASE("BlueskySource: an expired access token is refreshed, not a new login",
          "[sources][bluesky]") {
  // The source's clock stands still unless advanced: a fast machine cannot run the whole test
  // inside login_min_interval (Drain never sleeps on a Pace).
  ManualClock clock(RealClock().Now());
  BskyRig rig = MakeRig(
      {}, [](BlueskySourceConfig& c) { c.login_min_interval = 1ms; }, clock);
  AddPosts(*rig.fake, 3, "a");
  Drain(rig);
  REQUIRE(rig.fake->logins() == 1);
  rig.fake->ExpireAccessTokens();
  const auto more = AddPosts(*rig.fake, 3, "b");
  const auto got = Drain(rig);
  CHECK(std::set<std::string>(got.begin(), got.end()) ==
        std::set<std::string>(more.begin(), more.end()));
  CHECK(rig.fake->logins() == 1);
  CHECK(rig.fake->refreshes() == 1);
  CHECK(rig.bsky().stats().refreshes == 1);

  // A revoked session (password changed): the refresh fails and the source logs in again.
  clock.Advance(1s);  // past login_min_interval
  rig.fake->RevokeSessions();
  AddPosts(*rig.fake, 1, "c");
  CHECK(Drain(rig).size() == 1);
  CHECK(rig.fake->logins() == 2);
  CHECK(rig.fake->refreshes() == 2);
}

TEST_CASE("BlueskySource: a 401 renews the token once, a renewed token refused too waits long",
          "[sources][bluesky]") {
  BskyRig rig = MakeRig();
  AddPosts(*rig.fake, 2, "a");
  Drain(rig);
  rig.fake->InjectFault({FakeFault::Kind::kUnauthorized, 2});
  BCall first = NextOk(rig);  // 401: renew
  CHECK(first.wait < kPoll);
  BCall refresh = NextOk(rig);  // refreshSession
  CHECK(refresh.wait < kPoll);
  BCall second = NextOk(rig);  // 401 again: an auth error, not another renewal
  CHECK(second.wait >= kBackoffMax);
  CHECK(rig.bsky().stats().auth_errors == 1);
  CHECK(rig.fake->refreshes() == 1);
  CHECK(rig.fake->logins() == 1);
  const auto more = AddPosts(*rig.fake, 2, "b");
  const auto got = Drain(rig);
  CHECK(std::set<std::string>(got.begin(), got.end()) ==
        std::set<std::string>(more.begin(), more.end()));
}

TEST_CASE("BlueskySource: a refused password waits long and never hammers createSession",
          "[sources][bluesky]") {
  BskyRig rig = MakeRig({}, [](BlueskySourceConfig& c) { c.app_password = "wrong"; });
  AddPosts(*rig.fake, 2, "a");
  BCall call = NextOk(rig);
  CHECK(call.posts.empty());
  CHECK(call.wait >= kBackoffMax);
  CHECK(rig.bsky().stats().auth_errors == 1);
  // Called again at once (a poller that ignored the pace): no second login.
  for (int i = 0; i < 5; ++i) {
    call = NextOk(rig);
    CHECK(call.wait > 0ms);
  }
  CHECK(rig.fake->logins() == 1);
}

TEST_CASE("BlueskySource: every failure is paced, keeps the cursor, and loses nothing",
          "[sources][bluesky]") {
  std::vector<testing::FailureCase<BlueskySourceStats>> cases = {
      {"429 until ratelimit-reset",
       {FakeFault::Kind::kTooManyRequests},
       100ms,
       301000ms,
       [](auto& s) { return s.rate_limited.load(); }},
      {"502",
       {FakeFault::Kind::kServerError},
       100ms,
       1000ms,
       [](auto& s) { return s.server_errors.load(); }},
  };
  for (auto& spoiled : testing::SpoiledAnswerCases<BlueskySourceStats>()) cases.push_back(spoiled);
  for (const auto& c : cases) {
    SECTION(c.name) {
      FakeBlueskyOptions o;
      o.rate_limit = 1000000;
      BskyRig rig = MakeRig(o, [](BlueskySourceConfig& cfg) {
        cfg.request_timeout = 500ms;
        cfg.backoff.backoff_initial = 1000ms;
      });
      const auto uris = AddPosts(*rig.fake, 15, "post");
      const std::string mark = FormatIso8601(RealClock().Now() - 1h);
      REQUIRE(rig.source->Restore(mark).ok());
      std::vector<std::string> got;
      // Log in, then the first page (and its profiles).
      for (int i = 0; i < 5 && got.empty(); ++i) {
        for (const Post& p : NextOk(rig).posts) got.push_back(p.id);
      }
      REQUIRE(got.size() == 10);
      REQUIRE(rig.bsky().paging());
      rig.fake->InjectFault(c.fault);

      BCall failed = NextOk(rig);
      CHECK(failed.posts.empty());
      CHECK_FALSE(failed.cursor.has_value());
      CHECK(rig.bsky().cursor() == mark);
      CHECK(rig.bsky().paging());
      CHECK(failed.wait >= c.min_wait);
      CHECK(failed.wait <= c.max_wait);
      CHECK(c.counter(rig.bsky().stats()) == 1);

      for (const auto& id : Drain(rig)) got.push_back(id);
      CHECK(std::set<std::string>(got.begin(), got.end()) ==
            std::set<std::string>(uris.begin(), uris.end()));
      CHECK(got.size() == uris.size());
      CHECK(rig.fake->logins() == 1);
    }
  }
}

TEST_CASE("BlueskySource: Restore resumes after the watermark, a restart loses nothing",
          "[sources][bluesky]") {
  BskyRig rig = MakeRig();
  const SystemTime now = RealClock().Now();
  const auto before = AddPosts(*rig.fake, 5, "before", now - 2h);
  const auto after = AddPosts(*rig.fake, 12, "after", now);
  REQUIRE(rig.source->Restore(FormatIso8601(now - 90min)).ok());
  const auto got = Drain(rig);
  CHECK(std::set<std::string>(got.begin(), got.end()) ==
        std::set<std::string>(after.begin(), after.end()));
  CHECK(got.size() == after.size());
  const auto cursor = rig.bsky().cursor();
  REQUIRE(cursor.has_value());

  // A new process from the stored cursor: the lookback may repeat a few, but nothing is missed.
  auto fresh = BlueskySource::Create(Config(*rig.fake), RealClock());
  REQUIRE(fresh.ok());
  rig.source = std::move(fresh).value();
  REQUIRE(rig.source->Restore(*cursor).ok());
  const auto late = AddPosts(*rig.fake, 3, "late", RealClock().Now() + 2min);
  const auto again = Drain(rig);
  std::set<std::string> again_set(again.begin(), again.end());
  for (const auto& uri : late) CHECK(again_set.count(uri) == 1);
  for (const auto& uri : before) CHECK(again_set.count(uri) == 0);

  CHECK(rig.source->Restore("").code() == Status::Code::kInvalidArgument);
  CHECK(rig.source->Restore("at://x").code() == Status::Code::kInvalidArgument);
}

TEST_CASE("BlueskySource: a bad post is skipped and the rest delivered", "[sources][bluesky]") {
  BskyRig rig = MakeRig();
  REQUIRE(rig.source->Restore(FormatIso8601(RealClock().Now() - 1h)).ok());
  const auto a = AddPosts(*rig.fake, 1, "a");
  rig.fake->AddRawPost(R"({"uri":"$URI","cid":"x","author":{"did":"did:plc:rawposter"},)"
                       R"("record":{"text":"acmeair"},"indexedAt":"2026-01-01T00:00:00Z"})",
                       "acmeair");
  const auto b = AddPosts(*rig.fake, 1, "b");
  const auto got = Drain(rig);
  CHECK(std::set<std::string>(got.begin(), got.end()) == std::set<std::string>{a[0], b[0]});
  CHECK(rig.bsky().stats().bad_items == 1);
}

TEST_CASE("BlueskySource: author reach comes from getProfiles, 25 per call, cached",
          "[sources][bluesky]") {
  BskyRig rig = MakeRig({}, [](BlueskySourceConfig& c) { c.limit = 40; });
  REQUIRE(rig.source->Restore(FormatIso8601(RealClock().Now() - 1h)).ok());
  AddPosts(*rig.fake, 30, "post", RealClock().Now(), 30);
  FakeBskyPost gone;
  gone.handle = "gone.bsky.social";
  gone.text = "acmeair from a deleted account";
  gone.account_gone = true;
  rig.fake->AddPost(gone);
  const auto got = Drain(rig);
  CHECK(got.size() == 31);
  CHECK(rig.fake->profile_calls() == 2);  // 31 authors: 25 + 6
  for (const auto& r : rig.fake->requests()) {
    if (r.path == "/xrpc/app.bsky.actor.getProfiles") {
      size_t actors = 0;
      for (const auto& [k, v] : r.params) actors += k == "actors";
      CHECK(actors <= 25);
    }
  }
  // The same authors again: no new lookups.
  AddPosts(*rig.fake, 30, "again", RealClock().Now() + 1min, 30);
  CHECK(Drain(rig).size() == 30);
  CHECK(rig.fake->profile_calls() == 2);
}

TEST_CASE("BlueskySource: the rate budget keeps a busy poller under the quota for an hour",
          "[sources][bluesky]") {
  ManualClock clock(*ParseIso8601("2026-01-01T00:00:00Z"));
  FakeBlueskyOptions o;
  o.rate_limit = 20;  // per 5 minutes: 240 per hour
  o.clock = &clock;
  BskyRig rig = MakeRig(
      o, [](BlueskySourceConfig& c) { c.poll_interval = 1000ms; }, clock);
  AddPosts(*rig.fake, 3, "post", clock.Now());
  const int calls = testing::PollForAnHour(*rig.source, *rig.http, clock);
  CHECK(rig.fake->rate_limited() == 0);
  CHECK(rig.bsky().stats().rate_limited == 0);
  CHECK(rig.fake->logins() == 1);
  CHECK(calls <= 12 * 20 + 2);
  CHECK(calls >= 200);
}

TEST_CASE("BlueskySource: a batch says whether the network answered", "[sources][bluesky]") {
  BskyRig rig = MakeRig();
  SourceBatch login;
  REQUIRE(rig.source->Next(std::stop_token(), *rig.http, &login).ok());
  CHECK_FALSE(login.fetched);  // logging in fetches nothing
  testing::CheckFetchedFlag(*rig.source, *rig.http, [&] {
    rig.fake->InjectFault({FakeFault::Kind::kServerError, 1});
  });

  // The same for the mentions mode: its notification pages vouch for the source.
  BskyRig mentions = MakeRig({}, [](BlueskySourceConfig& c) {
    c.query.clear();
    c.mentions = true;
  });
  SourceBatch first;
  REQUIRE(mentions.source->Next(std::stop_token(), *mentions.http, &first).ok());
  CHECK_FALSE(first.fetched);
  SourceBatch notifications;
  REQUIRE(mentions.source->Next(std::stop_token(), *mentions.http, &notifications).ok());
  CHECK(notifications.fetched);
}

TEST_CASE("BlueskySource: Create refuses configs that cannot work", "[sources][bluesky]") {
  auto make = [](std::function<void(BlueskySourceConfig&)> tweak) {
    BlueskySourceConfig c;
    c.name = "n";
    c.query = "q";
    c.identifier = "me.bsky.social";
    c.app_password = "p";
    tweak(c);
    return BlueskySource::Create(std::move(c), RealClock()).status();
  };
  CHECK(make([](BlueskySourceConfig&) {}).ok());
  CHECK(make([](BlueskySourceConfig& c) { c.query.clear(); }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](BlueskySourceConfig& c) { c.identifier.clear(); }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](BlueskySourceConfig& c) { c.app_password.clear(); }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](BlueskySourceConfig& c) { c.limit = 101; }).code() ==
        Status::Code::kInvalidArgument);
  CHECK(make([](BlueskySourceConfig& c) { c.service_url = "bsky.social"; }).code() ==
        Status::Code::kInvalidArgument);
}


// --- Mentions mode: app.bsky.notification.listNotifications ---------------------------------

void Mentions(BlueskySourceConfig& c) {
  c.query.clear();
  c.mentions = true;
}

// n posts mentioning the session account (acme.bsky.social), a second apart, ending a minute
// before `end`; after each, a like of `liked` (a notification to skip) when given.
std::vector<std::string> AddMentionPosts(FakeBluesky& fake, int n, const std::string& prefix,
                                         SystemTime end, const std::string& liked = "") {
  std::vector<std::string> uris;
  for (int i = 0; i < n; ++i) {
    FakeBskyPost p;
    p.handle = fmt::format("user{}.bsky.social", i % 2);
    p.followers = 100 + i % 2;
    p.text = fmt::format("{} {} @acme.bsky.social lost my bag", prefix, i);
    p.created_at = end - std::chrono::seconds(60 + n - i);
    p.indexed_at = p.created_at;
    uris.push_back(fake.AddPost(p));
    FakeBskyPost other;  // not about the account: no notification
    other.text = fmt::format("{} {} acme lost my bag", prefix, i);
    other.created_at = p.created_at;
    other.indexed_at = p.created_at;
    fake.AddPost(other);
    if (!liked.empty()) fake.AddLike(fmt::format("fan{}.bsky.social", i), liked);
  }
  return uris;
}

TEST_CASE("BlueskySource mentions: mentions, replies and quotes become posts, likes and follows "
          "are skipped and counted",
          "[sources][bluesky]") {
  BskyRig rig = MakeRig({}, Mentions);
  const SystemTime now = RealClock().Now();
  FakeBskyPost own;
  own.handle = "acme.bsky.social";
  own.text = "Our summer schedule is out";
  own.created_at = own.indexed_at = now - 10min;
  const std::string root = rig.fake->AddPost(own);

  FakeBskyPost reply;
  reply.handle = "jane.bsky.social";
  reply.display_name = "Jane";
  reply.followers = 4200;
  reply.text = "my flight was cancelled twice";
  reply.reply_to = root;
  reply.created_at = reply.indexed_at = now - 9min;
  const std::string reply_uri = rig.fake->AddPost(reply);

  FakeBskyPost quote;
  quote.handle = "gus.bsky.social";
  quote.text = "🧳 où est mon sac ? this schedule is fiction #Bagage";
  quote.quote_of = root;
  quote.created_at = quote.indexed_at = now - 8min;
  const std::string quote_uri = rig.fake->AddPost(quote);

  FakeBskyPost mention;
  mention.handle = "jane.bsky.social";
  mention.followers = 4200;
  mention.text = "😤 trois heures d'attente @acme.bsky.social ✈️ #Délai";
  mention.created_at = mention.indexed_at = now - 7min;
  const std::string mention_uri = rig.fake->AddPost(mention);

  rig.fake->AddLike("fan.bsky.social", root);
  rig.fake->AddFollow("newfan.bsky.social");
  FakeBskyPost elsewhere;  // mentions someone else: no notification
  elsewhere.text = "@other.bsky.social hello";
  rig.fake->AddPost(elsewhere);

  std::vector<Post> posts;
  std::optional<std::string> cursor;
  for (int i = 0; i < 6 && posts.empty(); ++i) {  // login, the page, its authors' profiles
    BCall call = NextOk(rig);
    posts = std::move(call.posts);
    cursor = call.cursor;
  }
  REQUIRE(posts.size() == 3);
  CHECK(posts[0].id == reply_uri);  // oldest first
  CHECK(posts[1].id == quote_uri);
  CHECK(posts[2].id == mention_uri);
  CHECK(posts[0].thread_key == root);
  CHECK(posts[0].reply_to == root);
  CHECK(posts[0].author.followers == 4200);  // from getProfiles
  CHECK(posts[0].author.display_name == "Jane");
  CHECK(posts[1].thread_key == quote_uri);
  CHECK(posts[1].hashtags == std::vector<std::string>{"bagage"});
  CHECK(posts[2].text == mention.text);
  CHECK(posts[2].mentions == std::vector<std::string>{"acme.bsky.social"});
  CHECK(posts[2].hashtags == std::vector<std::string>{"délai"});
  CHECK(rig.bsky().stats().notifications_skipped == 2);
  CHECK(cursor.has_value());  // the first run is one page: its watermark goes out with it
  CHECK(rig.fake->logins() == 1);
  CHECK(rig.fake->profile_calls() == 1);

  bool listed = false;
  for (const RecordedRequest& r : rig.fake->requests()) {
    if (r.path != "/xrpc/app.bsky.notification.listNotifications") continue;
    listed = true;
    CHECK(r.Header("authorization").value_or("").starts_with("Bearer eyJ"));
    CHECK(QueryParam(r, "limit") == "10");
  }
  CHECK(listed);
  for (const RecordedRequest& r : rig.fake->requests()) {
    CHECK(r.path != "/xrpc/app.bsky.feed.searchPosts");
    CHECK(r.path != "/xrpc/app.bsky.notification.updateSeen");
  }
}

TEST_CASE("BlueskySource mentions: the first run reads one page, later runs page back to the "
          "watermark, a restart from the cursor loses nothing",
          "[sources][bluesky]") {
  // No lookback: the test asserts exactly where runs stop (a lookback only re-reads a margin).
  auto config = [](const FakeBluesky& fake) {
    BlueskySourceConfig c = Config(fake);
    Mentions(c);
    c.limit = 5;
    c.lookback = 0ms;
    return c;
  };
  BskyRig rig = MakeRig({}, [](BlueskySourceConfig& c) {
    Mentions(c);
    c.limit = 5;
    c.lookback = 0ms;
  });
  const SystemTime now = RealClock().Now();
  const auto old = AddMentionPosts(*rig.fake, 8, "old", now - 1h);

  // First run: the newest page only, and its watermark.
  std::vector<std::string> first;
  std::optional<std::string> mark;
  for (int i = 0; i < 6 && !mark; ++i) {
    BCall call = NextOk(rig);
    for (const Post& p : call.posts) first.push_back(p.id);
    mark = call.cursor;
  }
  CHECK(first == std::vector<std::string>(old.begin() + 3, old.end()));
  REQUIRE(mark == FormatIso8601(now - 1h - 61s));

  // Later mentions, with likes between them: several pages back to the watermark.
  const auto fresh = AddMentionPosts(*rig.fake, 12, "new", now, old.front());
  std::set<std::string> delivered(first.begin(), first.end());
  std::vector<std::string> got = first;
  for (int i = 0; i < 3; ++i) {  // a part of the run: some pages handed to the poller
    for (const Post& p : NextOk(rig).posts) {
      got.push_back(p.id);
      delivered.insert(p.id);
    }
  }
  REQUIRE(rig.bsky().paging());
  CHECK(rig.bsky().cursor() == mark);  // not moved while the run goes on
  CHECK(got.size() > first.size());

  // The process restarts from the stored cursor. What arrives again is only what the poller
  // had already handled (its seen-ids drop it); nothing is missing.
  auto restarted = BlueskySource::Create(config(*rig.fake), RealClock());
  REQUIRE(restarted.ok());
  rig.source = std::move(restarted).value();
  REQUIRE(rig.source->Restore(*mark).ok());
  const auto again = Drain(rig);
  for (const std::string& id : again) {
    if (!delivered.insert(id).second) CHECK(std::find(got.begin(), got.end(), id) != got.end());
  }
  std::set<std::string> expected(fresh.begin(), fresh.end());
  expected.insert(first.begin(), first.end());
  CHECK(delivered == expected);
  for (const std::string& id : again) CHECK(std::count(again.begin(), again.end(), id) == 1);
  CHECK(rig.bsky().stats().notifications_skipped >= 12);
  const auto cursor = rig.bsky().cursor();
  REQUIRE(cursor.has_value());
  CHECK(*cursor > *mark);

  // A restart after a finished run: only what came since.
  auto later_source = BlueskySource::Create(config(*rig.fake), RealClock());
  REQUIRE(later_source.ok());
  rig.source = std::move(later_source).value();
  REQUIRE(rig.source->Restore(*cursor).ok());
  const auto later = AddMentionPosts(*rig.fake, 3, "later", now + 10min);
  const auto tail = Drain(rig);
  std::set<std::string> tail_set(tail.begin(), tail.end());
  for (const auto& uri : later) CHECK(tail_set.count(uri) == 1);
  for (const auto& uri : tail) {
    // Anything else is the notification at exactly the watermark, which the poller has seen.
    if (std::find(later.begin(), later.end(), uri) == later.end()) CHECK(delivered.count(uri) == 1);
  }
  CHECK(tail.size() <= later.size() + 1);
}

TEST_CASE("BlueskySource mentions: a 401 renews the session once, never logs in again, a 429 "
          "waits for ratelimit-reset",
          "[sources][bluesky]") {
  ManualClock clock(*ParseIso8601("2026-01-01T00:00:00Z"));
  FakeBlueskyOptions o;
  o.clock = &clock;
  BskyRig rig = MakeRig(o, Mentions, clock);
  const auto uris = AddMentionPosts(*rig.fake, 3, "post", clock.Now());
  REQUIRE(NextOk(rig).wait < kPoll);  // login

  rig.fake->InjectFault({FakeFault::Kind::kUnauthorized, 2});
  CHECK(NextOk(rig).wait < kPoll);  // 401: renew with the refresh token
  CHECK(NextOk(rig).wait < kPoll);  // the refresh
  BCall refused = NextOk(rig);      // the renewed token refused too: a long wait, no loop
  CHECK(refused.posts.empty());
  CHECK(refused.wait >= kBackoffMax);
  CHECK(rig.bsky().stats().auth_errors == 1);
  clock.Advance(refused.wait);
  std::vector<std::string> got;
  for (int i = 0; i < 4 && got.empty(); ++i) {
    BCall call = NextOk(rig);
    for (const Post& p : call.posts) got.push_back(p.id);
    clock.Advance(call.wait);
  }
  CHECK(got == uris);
  CHECK(rig.fake->logins() == 1);  // app passwords' logins are scarce: never spent on a 401
  CHECK(rig.fake->refreshes() == 2);

  // 429: the next request waits for the window's reset (the fake's 300 s window began with the
  // first app request; the clock has moved past the long wait since, so a new window is open).
  AddMentionPosts(*rig.fake, 1, "more", clock.Now());
  rig.fake->InjectFault({FakeFault::Kind::kTooManyRequests});
  const size_t before = rig.fake->requests().size();
  BCall limited = NextOk(rig);
  CHECK(limited.posts.empty());
  CHECK(rig.bsky().stats().rate_limited == 1);
  CHECK(limited.wait >= 200000ms);
  CHECK(limited.wait <= 301000ms);
  CHECK(rig.fake->requests().size() == before + 1);
}

TEST_CASE("BlueskySource mentions: Create wants query or mentions, not both",
          "[sources][bluesky]") {
  auto make = [](std::function<void(BlueskySourceConfig&)> tweak) {
    BlueskySourceConfig c;
    c.name = "n";
    c.identifier = "acme.bsky.social";
    c.app_password = "pw";
    c.mentions = true;
    tweak(c);
    return BlueskySource::Create(std::move(c), RealClock()).status();
  };
  CHECK(make([](BlueskySourceConfig&) {}).ok());
  const Status both = make([](BlueskySourceConfig& c) { c.query = "acmeair"; });
  CHECK(both.code() == Status::Code::kInvalidArgument);
  CHECK(both.message().find("not both") != std::string::npos);
  const Status neither = make([](BlueskySourceConfig& c) { c.mentions = false; });
  CHECK(neither.code() == Status::Code::kInvalidArgument);
  CHECK(neither.message().find("mentions") != std::string::npos);
}

}  // namespace
}  // namespace earshot
