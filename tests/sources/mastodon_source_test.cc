// MastodonSource against FakeMastodon over real loopback HTTP. Tests call Next directly and
// assert on the Pace it returns; they never sleep on a Pace (except one short Retry-After).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "daemon/config/diagnostics.h"
#include "daemon/config/yaml_reader.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/sources/fake/fake_mastodon.h"
#include "daemon/sources/mastodon/mastodon_factory.h"
#include "daemon/sources/mastodon/mastodon_source.h"
#include "daemon/sources/source_options.h"
#include "tests/sources/captured_log.h"
#include "tests/sources/manual_clock.h"
#include "tests/sources/source_rig.h"
#include "tests/sources/source_test_util.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

constexpr milliseconds kPoll = 15000ms;
constexpr milliseconds kBackoffMax = 300000ms;

struct Rig {
  std::unique_ptr<FakeMastodon> fake;
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<Source> source;

  MastodonSource& mastodon() { return static_cast<MastodonSource&>(*source); }
};

MastodonSourceConfig Config(const FakeMastodon& fake) {
  MastodonSourceConfig c;
  c.name = "airline";
  c.base_url = fake.base_url();
  c.kind = MastodonSourceConfig::Kind::kHashtag;
  c.tag = "#AcmeAir";
  c.limit = 3;
  c.poll_interval = kPoll;
  c.request_timeout = 5000ms;
  c.backoff.seed = 1234;
  c.backoff.backoff_initial = 1000ms;
  c.backoff.backoff_max = kBackoffMax;
  return c;
}

// A budget so large that its spacing (~1 ms) never masks a backoff.
FakeMastodonOptions Generous() {
  FakeMastodonOptions o;
  o.rate_limit = 1000000;
  return o;
}

Rig MakeRig(FakeMastodonOptions fake_options = {},
            std::function<void(MastodonSourceConfig&)> tweak = nullptr,
            Clock& clock = RealClock()) {
  Rig rig;
  testing::StartRig<MastodonSource>(rig, std::move(fake_options), Config, tweak, clock);
  return rig;
}

std::vector<std::string> AddTagged(FakeMastodon& fake, int n, const std::string& prefix) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    FakeStatus s;
    s.acct = i % 2 ? "jane@travel.example" : "gus";
    s.text = fmt::format("{} {} #AcmeAir lost my bag", prefix, i);
    ids.push_back(fake.AddStatus(s));
    FakeStatus other;
    other.text = "unrelated #cats";
    fake.AddStatus(other);
  }
  return ids;
}

using Call = testing::NextCall;

Call NextOk(Rig& rig) {
  Call call = testing::NextOk(rig);
  CHECK(call.wait.count() > 0);  // never a busy loop
  return call;
}

// Calls Next until a call comes back caught up (empty, paced at the poll interval).
std::vector<std::string> Drain(Rig& rig, int max_calls = 50) {
  std::vector<std::string> ids;
  for (int i = 0; i < max_calls; ++i) {
    Call call = NextOk(rig);
    for (const Post& p : call.posts) ids.push_back(p.id);
    if (call.posts.empty() && call.wait >= kPoll) return ids;
  }
  FAIL("source never caught up");
  return ids;
}

TEST_CASE("MastodonSource: first run reads the newest page only, then pages forward",
          "[sources][mastodon]") {
  Rig rig = MakeRig();
  const auto old_ids = AddTagged(*rig.fake, 7, "old");

  Call first = NextOk(rig);
  REQUIRE(first.posts.size() == 3);  // limit=3: the newest page, not the whole history
  CHECK(first.posts[0].id == old_ids[4]);  // oldest first
  CHECK(first.posts[2].id == old_ids[6]);
  CHECK(first.cursor == old_ids[6]);
  CHECK(first.posts[0].source.empty());  // the poller fills it in
  CHECK(first.posts[0].network == "mastodon");
  CHECK(first.posts[0].hashtags == std::vector<std::string>{"acmeair"});
  CHECK(Drain(rig).empty());

  const auto new_ids = AddTagged(*rig.fake, 8, "new");
  std::vector<milliseconds> waits;
  std::vector<std::string> got;
  for (int i = 0; i < 20; ++i) {
    Call call = NextOk(rig);
    waits.push_back(call.wait);
    for (const Post& p : call.posts) got.push_back(p.id);
    if (!call.posts.empty()) CHECK(call.cursor == call.posts.back().id);
    if (call.posts.empty()) break;
  }
  CHECK(got == new_ids);  // every new post, once, in order
  REQUIRE(waits.size() == 4);  // pages of 3, 3, 2, then an empty one
  CHECK(waits[0] < kPoll);     // full page: keep going
  CHECK(waits[1] < kPoll);
  CHECK(waits[2] == kPoll);    // short page: caught up
  CHECK(waits[3] == kPoll);
  CHECK(rig.mastodon().cursor() == new_ids.back());

  // The source asked with min_id and followed the fake's Link rel="prev".
  const auto reqs = rig.fake->requests();
  for (size_t i = 1; i < reqs.size(); ++i) {
    CHECK(reqs[i].path == "/api/v1/timelines/tag/AcmeAir");
    bool has_min_id = false;
    for (const auto& [k, v] : reqs[i].params) has_min_id = has_min_id || k == "min_id";
    CHECK(has_min_id);
  }
}

TEST_CASE("MastodonSource: Restore resumes right after the cursor", "[sources][mastodon]") {
  Rig rig = MakeRig();
  const auto ids = AddTagged(*rig.fake, 9, "post");
  REQUIRE(rig.source->Restore(ids[4]).ok());
  CHECK(Drain(rig) == std::vector<std::string>(ids.begin() + 5, ids.end()));

  CHECK(rig.source->Restore("").code() == Status::Code::kInvalidArgument);
  CHECK(rig.source->Restore("1&max_id=2").code() == Status::Code::kInvalidArgument);
}

TEST_CASE("MastodonSource: every failure is paced, keeps the cursor, and loses nothing",
          "[sources][mastodon]") {
  struct Case {
    const char* name;
    FakeFault fault;
    milliseconds min_wait, max_wait;
    std::function<int64_t(const MastodonSourceStats&)> counter;
  } cases[] = {
      {"401", {FakeFault::Kind::kUnauthorized}, kBackoffMax, kBackoffMax,
       [](auto& s) { return s.auth_errors.load(); }},
      {"429 Retry-After: 7", {FakeFault::Kind::kTooManyRequests, 1, 7}, 7000ms, 7000ms,
       [](auto& s) { return s.rate_limited.load(); }},
      {"500", {FakeFault::Kind::kServerError}, 100ms, 1000ms,
       [](auto& s) { return s.server_errors.load(); }},
      {"slow past the timeout", {FakeFault::Kind::kSlow, 1, 1, 3000ms}, 100ms, 1000ms,
       [](auto& s) { return s.transport_errors.load(); }},
      {"truncated body", {FakeFault::Kind::kTruncated}, 100ms, 1000ms,
       [](auto& s) { return s.transport_errors.load(); }},
      {"malformed JSON", {FakeFault::Kind::kMalformedJson}, 100ms, 1000ms,
       [](auto& s) { return s.malformed_pages.load(); }},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      Rig rig = MakeRig(Generous(), [](MastodonSourceConfig& cfg) { cfg.request_timeout = 500ms; });
      const auto ids = AddTagged(*rig.fake, 5, "post");
      REQUIRE(rig.source->Restore(ids[0]).ok());
      rig.fake->InjectFault(c.fault);

      Call failed = NextOk(rig);
      CHECK(failed.posts.empty());
      CHECK_FALSE(failed.cursor.has_value());
      CHECK(rig.mastodon().cursor() == ids[0]);
      CHECK(failed.wait >= c.min_wait);
      CHECK(failed.wait <= c.max_wait);
      CHECK(c.counter(rig.mastodon().stats()) == 1);

      // The next call succeeds and brings everything after the cursor.
      CHECK(Drain(rig) == std::vector<std::string>(ids.begin() + 1, ids.end()));
    }
  }
}

TEST_CASE("MastodonSource: a rejected token re-reads its file, retries soon, then backs off",
          "[sources][mastodon]") {
  FakeMastodonOptions options = Generous();
  options.token = "old-token";
  const std::string path = fmt::format("/tmp/earshot-token-{}", ::getpid());
  std::ofstream(path) << "old-token\n";
  Rig rig = MakeRig(options, [&](MastodonSourceConfig& cfg) {
    cfg.token = "old-token";
    cfg.token_file = {path, "token_file"};
  });
  AddTagged(*rig.fake, 1, "post");
  REQUIRE(NextOk(rig).posts.size() == 1);

  // Revoked, and the file not yet replaced: short first retry, then 4 times longer each time.
  rig.fake->SetToken("new-token");
  SourceBatch batch;
  auto pace = rig.source->Next(std::stop_token(), *rig.http, &batch);
  REQUIRE(pace.ok());
  CHECK(pace->wait == 10000ms);
  CHECK(pace->credentials_rejected);
  CHECK_FALSE(batch.fetched);
  CHECK(NextOk(rig).wait == 40000ms);
  CHECK(NextOk(rig).wait == 160000ms);
  CHECK(NextOk(rig).wait == kBackoffMax);

  // The operator replaces the file: the retry reads it again and carries the new token.
  std::ofstream(path) << "new-token\n";
  AddTagged(*rig.fake, 1, "later");
  Call ok = NextOk(rig);
  CHECK(ok.posts.size() == 1);
  CHECK(rig.fake->requests().back().Header("authorization") == "Bearer new-token");

  // A reload re-reads it too, before any 401.
  std::ofstream(path) << "newer-token\n";
  rig.fake->SetToken("newer-token");
  rig.source->ReloadCredentials();
  AddTagged(*rig.fake, 1, "after reload");
  CHECK(NextOk(rig).posts.size() == 1);
  CHECK(rig.fake->requests().back().Header("authorization") == "Bearer newer-token");
  CHECK(rig.mastodon().stats().auth_errors == 4);
  std::remove(path.c_str());
}

TEST_CASE("MastodonSource: 5xx backoff grows while failures last and resets on success",
          "[sources][mastodon]") {
  Rig rig = MakeRig(Generous());
  AddTagged(*rig.fake, 1, "post");
  rig.fake->InjectFault({FakeFault::Kind::kServerError, 5});
  milliseconds longest{0};
  for (int i = 0; i < 5; ++i) {
    Call call = NextOk(rig);
    CHECK(call.posts.empty());
    CHECK(call.wait <= milliseconds(1000 << i));
    longest = std::max(longest, call.wait);
  }
  CHECK(longest > 1000ms);  // with this seed the draws grow past the first ceiling
  CHECK(NextOk(rig).posts.size() == 1);
  rig.fake->InjectFault({FakeFault::Kind::kServerError, 1});
  CHECK(NextOk(rig).wait <= 1000ms);  // the streak was reset
}

TEST_CASE("MastodonSource: a re-check reports deleted statuses, and only those",
          "[sources][mastodon]") {
  Rig rig = MakeRig(Generous());
  const auto ids = AddTagged(*rig.fake, 3, "post");
  rig.fake->DeleteStatus(ids[1]);
  REQUIRE(rig.source->can_recheck());

  auto recheck = [&](const std::string& id) {
    SourceBatch batch;
    auto pace = rig.source->Recheck(std::stop_token(), *rig.http, id, &batch);
    REQUIRE(pace.ok());
    CHECK(pace->wait.count() > 0);  // paced like Next: never a busy loop
    return batch.deleted_ids;
  };
  CHECK(recheck(ids[0]).empty());
  CHECK(recheck(ids[1]) == std::vector<std::string>{ids[1]});
  CHECK(recheck("999999999999999999").size() == 1);  // never there: gone as well
  CHECK(rig.mastodon().stats().rechecks == 3);
  CHECK(rig.mastodon().stats().rechecks_gone == 2);
  const auto requests = rig.fake->requests();
  CHECK(requests.back().path == "/api/v1/statuses/999999999999999999");

  // A failed check proves nothing: a 500 deletes nothing and backs off.
  rig.fake->InjectFault({FakeFault::Kind::kServerError});
  SourceBatch failed;
  auto pace = rig.source->Recheck(std::stop_token(), *rig.http, ids[1], &failed);
  REQUIRE(pace.ok());
  CHECK(failed.deleted_ids.empty());
  CHECK(pace->wait >= 100ms);
  CHECK(rig.mastodon().stats().server_errors == 1);

  // An id that cannot be Mastodon's never reaches a URL.
  const size_t before = rig.fake->requests().size();
  CHECK(recheck("../admin").empty());
  CHECK(rig.fake->requests().size() == before);
}

TEST_CASE("MastodonSource: Retry-After is honoured", "[sources][mastodon]") {
  Rig rig = MakeRig();
  AddTagged(*rig.fake, 2, "post");
  rig.fake->InjectFault({FakeFault::Kind::kTooManyRequests, 1, 1});
  Call limited = NextOk(rig);
  CHECK(limited.wait == 1000ms);
  std::this_thread::sleep_for(limited.wait);  // what the poller does
  CHECK(NextOk(rig).posts.size() == 2);
  const auto reqs = rig.fake->requests();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[0].status == 429);
  CHECK(reqs[1].at - reqs[0].at >= 1000ms);
}

TEST_CASE("MastodonSource: the fake's rate budget spreads requests", "[sources][mastodon]") {
  FakeMastodonOptions options;
  options.rate_limit = 10;
  options.rate_window = std::chrono::seconds(100);
  Rig rig = MakeRig(options);
  Call call = NextOk(rig);  // 9 left for ~100 s: ~11 s apart
  CHECK(call.wait >= 10000ms);
  CHECK(call.wait <= kPoll);
  auto budget_wait = [&] {
    SourceBatch batch;
    return rig.source->Next(std::stop_token(), *rig.http, &batch)->wait;
  };
  for (int i = 0; i < 9; ++i) (void)budget_wait();
  // Budget spent: the fake answers 429 and the source waits for the reset.
  Call limited = NextOk(rig);
  CHECK(rig.mastodon().stats().rate_limited == 1);
  CHECK(limited.wait > 80000ms);
}

TEST_CASE("MastodonSource: a stop request cancels a slow request promptly",
          "[sources][mastodon]") {
  Rig rig = MakeRig({}, [](MastodonSourceConfig& cfg) { cfg.request_timeout = 60000ms; });
  rig.fake->InjectFault({FakeFault::Kind::kSlow, 1, 1, 30000ms});
  std::stop_source stop;
  std::jthread stopper([&] {
    std::this_thread::sleep_for(200ms);
    stop.request_stop();
  });
  SourceBatch batch;
  // The fake would answer after 30 s; Cancelled (not a timeout or a page) proves the stop cut it.
  auto pace = rig.source->Next(stop.get_token(), *rig.http, &batch);
  CHECK(pace.status().code() == Status::Code::kCancelled);
  CHECK(rig.source->Next(stop.get_token(), *rig.http, &batch).status().code() ==
        Status::Code::kCancelled);
}

TEST_CASE("MastodonSource: a bad status is skipped, counted, and paged past",
          "[sources][mastodon]") {
  Rig rig = MakeRig();
  const auto before = AddTagged(*rig.fake, 1, "before");
  REQUIRE(rig.source->Restore(before[0]).ok());
  const std::string bad = rig.fake->AddRawStatus(
      R"({"id":"$ID","created_at":"not a time","content":"<p>x</p>","account":{"id":"1","acct":"x"}})",
      {"acmeair"});
  const auto after = AddTagged(*rig.fake, 2, "after");
  CHECK(Drain(rig) == after);
  CHECK(rig.mastodon().stats().bad_items == 1);
  CHECK(rig.mastodon().cursor() == after.back());
}

TEST_CASE("MastodonSource: mentions with a bearer token", "[sources][mastodon]") {
  FakeMastodonOptions options;
  options.account = "acmeair";
  options.token = "s3cret-token";
  Rig rig = MakeRig(options, [](MastodonSourceConfig& cfg) {
    cfg.kind = MastodonSourceConfig::Kind::kMentions;
    cfg.token = "s3cret-token";
    cfg.tag.clear();
  });
  FakeStatus s;
  s.acct = "jane@travel.example";
  s.followers = 25000;
  s.text = "@acmeair where is my bag?";
  const std::string id1 = rig.fake->AddStatus(s);
  s.text = "@someoneelse hello";
  rig.fake->AddStatus(s);
  s.text = "@AcmeAir still waiting https://www.example.com/a/very/long/tracking/page/123456";
  const std::string id2 = rig.fake->AddStatus(s);

  Call call = NextOk(rig);
  REQUIRE(call.posts.size() == 2);
  CHECK(call.posts[0].id == id1);
  CHECK(call.posts[1].id == id2);
  CHECK(call.posts[0].author.followers == 25000);
  CHECK(call.posts[0].text == "@acmeair where is my bag?");
  CHECK(call.posts[1].text == "@AcmeAir still waiting example.com/a/very/long/tracki");
  CHECK(call.posts[0].mentions == std::vector<std::string>{"acmeair@127.0.0.1"});
  const auto reqs = rig.fake->requests();
  REQUIRE_FALSE(reqs.empty());
  CHECK(reqs[0].path == "/api/v1/notifications");
  CHECK(reqs[0].Header("authorization") == "Bearer s3cret-token");
  bool mention_only = false;
  for (const auto& [k, v] : reqs[0].params) mention_only = mention_only || (k == "types[]" && v == "mention");
  CHECK(mention_only);
}

TEST_CASE("MastodonSource: a rejected token is an auth error with a long wait",
          "[sources][mastodon]") {
  FakeMastodonOptions options;
  options.token = "right";
  Rig rig = MakeRig(options, [](MastodonSourceConfig& cfg) {
    cfg.kind = MastodonSourceConfig::Kind::kMentions;
    cfg.token = "wrong";
  });
  Call call = NextOk(rig);
  CHECK(call.wait == kBackoffMax);
  CHECK(rig.mastodon().stats().auth_errors == 1);
}

TEST_CASE("MastodonSource: the rate budget keeps a busy poller under the quota for an hour",
          "[sources][mastodon]") {
  ManualClock clock(*ParseIso8601("2026-01-01T00:00:00Z"));
  FakeMastodonOptions o;
  // Mastodon allows 300 per 5 minutes per account; scaled down tenfold: 360 per hour.
  o.rate_limit = 30;
  o.rate_window = std::chrono::minutes(5);
  o.clock = &clock;
  Rig rig = MakeRig(
      o, [](MastodonSourceConfig& c) { c.poll_interval = 1000ms; }, clock);
  AddTagged(*rig.fake, 3, "post");
  const int calls = testing::PollForAnHour(*rig.source, *rig.http, clock);
  CHECK(rig.fake->rate_limited() == 0);
  CHECK(rig.mastodon().stats().rate_limited == 0);
  CHECK(static_cast<int>(rig.fake->requests().size()) == calls);
  CHECK(calls <= 12 * 30 + 1);  // a window may start mid-way through the hour
  CHECK(calls >= 300);          // and it does use the quota (a 1 s poll would want 3600)
}

TEST_CASE("MastodonSource: a batch says whether the network answered", "[sources][mastodon]") {
  Rig rig = MakeRig(Generous());
  testing::CheckFetchedFlag(*rig.source, *rig.http, [&] {
    rig.fake->InjectFault({FakeFault::Kind::kServerError, 1});
  });
}

// Publishes `n` rounds of: a local post, a remote one, and a local reply to the remote one
// (which Mastodon keeps off its public timelines). Returns the ids of the first two kinds, and
// of the local ones alone, oldest first.
struct PublicPosts {
  std::vector<std::string> all, local;
};
PublicPosts AddPublic(FakeMastodon& fake, int n, const std::string& prefix) {
  PublicPosts out;
  for (int i = 0; i < n; ++i) {
    FakeStatus local;
    local.acct = "gus";
    local.text = fmt::format("{} {}: the lounge was closed", prefix, i);
    out.all.push_back(fake.AddStatus(local));
    out.local.push_back(out.all.back());
    FakeStatus remote;
    remote.acct = "jane@travel.example";
    remote.text = fmt::format("{} {}: my flight is late", prefix, i);
    out.all.push_back(fake.AddStatus(remote));
    FakeStatus reply;
    reply.acct = "gus";
    reply.text = "@jane@travel.example sorry to hear";
    reply.in_reply_to_id = out.all.back();
    fake.AddStatus(reply);
  }
  return out;
}

TEST_CASE("MastodonSource: the public timelines, and the local one without remote posts",
          "[sources][mastodon]") {
  const bool local = GENERATE(false, true);
  INFO((local ? "local" : "public"));
  Rig rig = MakeRig(Generous(), [local](MastodonSourceConfig& c) {
    c.kind = local ? MastodonSourceConfig::Kind::kLocal : MastodonSourceConfig::Kind::kPublic;
    c.tag.clear();
  });
  const PublicPosts old = AddPublic(*rig.fake, 4, "old");
  const std::vector<std::string>& old_ids = local ? old.local : old.all;

  // First run: the newest page only (limit 3).
  Call first = NextOk(rig);
  std::vector<std::string> got;
  for (const Post& p : first.posts) got.push_back(p.id);
  CHECK(got == std::vector<std::string>(old_ids.end() - 3, old_ids.end()));
  CHECK(Drain(rig).empty());

  // Later posts come page by page (limit 3), oldest first, each once; a local source never
  // sees a remote one, not on the pages it reaches through the Link header either.
  const PublicPosts later = AddPublic(*rig.fake, 5, "new");
  const std::vector<std::string> got_later = Drain(rig);
  CHECK(got_later == (local ? later.local : later.all));
  CHECK(rig.mastodon().cursor() == got_later.back());
  CHECK(rig.mastodon().stats().bad_items == 0);

  const auto reqs = rig.fake->requests();
  REQUIRE(reqs.size() >= 4);  // the first page, caught up, then at least 2 pages of 3
  for (const RecordedRequest& r : reqs) {
    CHECK(r.path == "/api/v1/timelines/public");
    CHECK(testing::QueryParam(r, "local") ==
          (local ? std::optional<std::string>("true") : std::nullopt));
    CHECK_FALSE(testing::QueryParam(r, "remote").has_value());
  }
}

TEST_CASE("MastodonSource: on the federated timeline, local handles get the instance's domain",
          "[sources][mastodon]") {
  Rig rig = MakeRig(Generous(), [](MastodonSourceConfig& c) {
    c.kind = MastodonSourceConfig::Kind::kPublic;
    c.tag.clear();
  });
  REQUIRE(rig.source->Restore("1").ok());
  AddPublic(*rig.fake, 1, "post");
  Call call = NextOk(rig);
  REQUIRE(call.posts.size() == 2);
  CHECK(call.posts[0].author.handle == "gus@127.0.0.1");  // local: the instance's domain added
  CHECK(call.posts[1].author.handle == "jane@travel.example");
}

TEST_CASE("MastodonSource: a public timeline kept for signed-in users names token_file",
          "[sources][mastodon]") {
  FakeMastodonOptions options = Generous();
  options.timeline_preview = false;
  options.token = "s3cret-token";
  testing::CapturedLog log;
  Rig rig = MakeRig(options, [](MastodonSourceConfig& c) {
    c.kind = MastodonSourceConfig::Kind::kLocal;
    c.tag.clear();
  });
  AddPublic(*rig.fake, 1, "post");
  Call refused = NextOk(rig);
  CHECK(refused.posts.empty());
  CHECK(refused.wait == kBackoffMax);
  CHECK(rig.mastodon().stats().client_errors == 1);
  CHECK_THAT(log.Text(), Catch::Contains("HTTP 422") &&
                             Catch::Contains("signed-in users only; set token_file"));

  // With the token, the same timeline reads.
  Rig with_token = MakeRig(options, [](MastodonSourceConfig& c) {
    c.kind = MastodonSourceConfig::Kind::kLocal;
    c.tag.clear();
    c.token = "s3cret-token";
  });
  AddPublic(*with_token.fake, 2, "post");
  CHECK(NextOk(with_token).posts.size() == 2);
}

// The YAML of one mastodon source's own keys, read and checked as earshot.yaml's loader does.
struct CheckedEntry {
  SourceSettings settings;
  std::string diagnostics;
};
CheckedEntry CheckMastodonEntry(const std::string& yaml) {
  auto factory = NewMastodonSourceFactory();
  Diagnostics diags;
  auto file = YamlFile::Parse("earshot.yaml", yaml, &diags);
  REQUIRE(file);
  MapReader map(file->root(), "source");
  CheckedEntry out;
  out.settings.name = "brand";
  out.settings.type = "mastodon";
  ReadSourceOptions(map, factory->options(), &out.settings.options);
  factory->Check(SourceCheck(map, file->root()), &out.settings);
  out.diagnostics = diags.ToText();
  return out;
}

TEST_CASE("Mastodon config: one of hashtag, mentions or timeline, with the fix named",
          "[sources][mastodon][config]") {
  struct Case {
    std::string yaml;      // after a first line "base_url: https://m.example"
    std::string expected;  // a substring of the diagnostics; "" = none at all
  } cases[] = {
      {"timeline: public\n", ""},
      {"timeline: local\nmode: stream\n", ""},
      {"hashtag: cats\ntimeline: local\n",
       "earshot.yaml:1:1: error: source 'brand': choose one of hashtag: TAG, mentions: true or "
       "timeline: public|local, not hashtag and timeline; one source reads one of them, so give "
       "each its own source"},
      {"mentions: true\ntimeline: public\n", "not mentions and timeline"},
      {"hashtag: cats\nmentions: true\ntimeline: public\n",
       "not hashtag and mentions and timeline"},
      {"",
       "earshot.yaml:1:1: error: source 'brand': say what to read: hashtag: TAG, mentions: true "
       "or timeline: public|local"},
      {"mentions: false\n", "say what to read"},
      {"timeline: federated\n",
       "earshot.yaml:2:11: error: timeline of source: unknown value 'federated'"},
      {"timeline: federated\n", "known: public, local"},
      {"timeline: true\n", "unknown value 'true'"},
  };
  for (const Case& c : cases) {
    INFO(c.yaml);
    const CheckedEntry entry = CheckMastodonEntry("base_url: https://m.example\n" + c.yaml);
    INFO(entry.diagnostics);
    if (c.expected.empty()) {
      CHECK(entry.diagnostics.empty());
    } else {
      CHECK_THAT(entry.diagnostics, Catch::Contains(c.expected));
    }
  }
  // No token is needed for a public timeline (it is sent when given).
  CHECK_FALSE(NewMastodonSourceFactory()->SecretRequired(
      CheckMastodonEntry("base_url: https://m.example\ntimeline: local\n").settings));
}

TEST_CASE("Mastodon config: timeline: local builds a source that reads the local timeline",
          "[sources][mastodon][config]") {
  const std::string mode = GENERATE(std::string("poll"), std::string("stream"));
  INFO(mode);
  auto fake = FakeMastodon::Start(Generous());
  REQUIRE(fake.ok());
  auto http = CurlHttpClient::Create();
  REQUIRE(http.ok());
  CheckedEntry entry = CheckMastodonEntry(
      fmt::format("base_url: {}\ntimeline: local\nmode: {}\n", (*fake)->base_url(), mode));
  REQUIRE(entry.diagnostics.empty());
  SourceEnv env;
  env.user_agent = "earshot-test";
  auto built = NewMastodonSourceFactory()->Create(entry.settings, env);
  REQUIRE(built.ok());
  Source& source = *built->source;
  CHECK(source.name() == "mastodon:brand");
  const std::string wanted =
      mode == "poll" ? "/api/v1/timelines/public" : "/api/v1/streaming/public/local";
  bool asked = false;
  for (int i = 0; i < 20 && !asked; ++i) {
    SourceBatch batch;
    REQUIRE(source.Next(std::stop_token(), **http, &batch).ok());
    for (const RecordedRequest& r : (*fake)->requests()) {
      if (r.path != wanted) continue;
      asked = true;
      if (mode == "poll") CHECK(testing::QueryParam(r, "local") == "true");
    }
  }
  CHECK(asked);
}

TEST_CASE("MastodonSource::Create rejects configs that cannot work", "[sources][mastodon]") {
  struct Case {
    const char* name;
    std::function<void(MastodonSourceConfig&)> tweak;
    const char* field;
  } cases[] = {
      {"no name", [](auto& c) { c.name.clear(); }, "'name'"},
      {"no scheme", [](auto& c) { c.base_url = "mastodon.social"; }, "'base_url'"},
      {"query in base_url", [](auto& c) { c.base_url = "https://m.example?x=1"; }, "'base_url'"},
      {"no tag", [](auto& c) { c.tag = "#"; }, "'tag'"},
      {"mentions without token",
       [](auto& c) {
         c.kind = MastodonSourceConfig::Kind::kMentions;
         c.token.clear();
       },
       "token"},
      {"limit 0", [](auto& c) { c.limit = 0; }, "'limit'"},
      {"limit 41", [](auto& c) { c.limit = 41; }, "'limit'"},
      {"poll 0", [](auto& c) { c.poll_interval = 0ms; }, "'poll_interval'"},
  };
  MastodonSourceConfig base;
  base.name = "airline";
  base.base_url = "https://mastodon.social/";
  base.tag = "AcmeAir";
  for (const auto& c : cases) {
    INFO(c.name);
    MastodonSourceConfig config = base;
    c.tweak(config);
    auto source = MastodonSource::Create(config, RealClock());
    REQUIRE_FALSE(source.ok());
    CHECK(source.status().code() == Status::Code::kInvalidArgument);
    CHECK_THAT(source.status().message(), Catch::Contains(c.field));
  }
  auto ok = MastodonSource::Create(base, RealClock());
  REQUIRE(ok.ok());
  CHECK((*ok)->name() == "mastodon:airline");
  // The public timelines need neither a tag nor a token.
  for (auto kind : {MastodonSourceConfig::Kind::kPublic, MastodonSourceConfig::Kind::kLocal}) {
    MastodonSourceConfig config = base;
    config.kind = kind;
    config.tag.clear();
    config.token.clear();
    CHECK(MastodonSource::Create(config, RealClock()).ok());
  }
}

}  // namespace
}  // namespace earshot
