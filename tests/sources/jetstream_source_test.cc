// JetstreamSource against FakeJetstream over real loopback WebSockets: posts, deletions and
// handles from the firehose, poison frames, a message cut off mid-way, a stall, refusals,
// failover between instances and a restart from the saved cursor. Tests call Next directly;
// they never sleep on a Pace.
#include "daemon/sources/bluesky/jetstream_source.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "daemon/net/curl_http_client.h"
#include "daemon/net/url.h"
#include "daemon/sources/fake/fake_bluesky.h"
#include "daemon/sources/fake/fake_jetstream.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

std::unique_ptr<FakeJetstream> StartFake() {
  auto fake = FakeJetstream::Start();
  REQUIRE(fake.ok());
  return *std::move(fake);
}

JetstreamSourceConfig Config(std::vector<std::string> instances) {
  JetstreamSourceConfig c;
  c.name = "firehose";
  c.instances = std::move(instances);
  c.slice = 100ms;
  c.idle_timeout = 5000ms;
  c.connect_timeout = 5000ms;
  c.backoff.seed = 3;
  return c;
}

std::unique_ptr<Source> MakeSource(JetstreamSourceConfig config) {
  auto source = JetstreamSource::Create(std::move(config), RealClock());
  REQUIRE(source.ok());
  return *std::move(source);
}

using Kind = FakeJetstreamFault::Kind;

FakeJetstreamFault Fault(Kind kind, const std::function<void(FakeJetstreamFault&)>& set = {}) {
  FakeJetstreamFault f;
  f.kind = kind;
  if (set) set(f);
  return f;
}

JetstreamSource& Js(Source& s) { return static_cast<JetstreamSource&>(s); }

std::unique_ptr<HttpClient> Http() {
  auto http = CurlHttpClient::Create();
  REQUIRE(http.ok());
  return *std::move(http);
}

std::string Record(const std::string& text) {
  return fmt::format(
      "{{\"$type\":\"app.bsky.feed.post\",\"text\":\"{}\",\"createdAt\":\"2026-12-07T10:00:00."
      "000Z\",\"langs\":[\"en\"]}}",
      text);
}

int64_t AddPost(FakeJetstream& fake, int n, const std::string& did = "did:plc:alice") {
  return fake.AddCommit(did, fmt::format("3kpost{:06}", n), "create",
                        Record(fmt::format("post {} about @acmeair", n)));
}

std::string PostId(int n, const std::string& did = "did:plc:alice") {
  return fmt::format("at://{}/app.bsky.feed.post/3kpost{:06}", did, n);
}

// What a run of Next calls delivered, as the poller would hand it on.
struct Heard {
  std::vector<Post> posts;
  std::vector<std::string> deleted;
  std::optional<std::string> cursor;
  std::vector<Pace> paces;
  int ok_calls = 0;

  std::multiset<std::string> ids() const {
    std::multiset<std::string> out;
    for (const Post& p : posts) out.insert(p.id);
    return out;
  }
};

// Calls Next until `done` says so (or 300 calls: about 30 s at the tests' slice).
void Listen(Source& source, HttpClient& http, Heard* heard,
            const std::function<bool(const Heard&)>& done) {
  for (int i = 0; i < 300 && !done(*heard); ++i) {
    SourceBatch batch;
    Result<Pace> pace = source.Next(std::stop_token(), http, &batch);
    REQUIRE(pace.ok());
    ++heard->ok_calls;
    heard->paces.push_back(*pace);
    for (Post& p : batch.posts) heard->posts.push_back(std::move(p));
    for (auto& d : batch.deleted_ids) heard->deleted.push_back(d);
    if (batch.cursor) heard->cursor = batch.cursor;
  }
  REQUIRE(done(*heard));
}

auto Posts(size_t n) {
  return [n](const Heard& h) { return h.posts.size() >= n; };
}

// Connects (the first Next) so events added afterwards are at the head the source follows.
void Connect(Source& source, HttpClient& http, FakeJetstream& fake) {
  const int before = fake.connections();
  Heard h;
  Listen(source, http, &h, [&](const Heard&) { return fake.connections() > before; });
}

TEST_CASE("JetstreamSource: posts, deletions and identities from the firehose", "[jetstream]") {
  auto fake = StartFake();
  auto http = Http();
  auto source = MakeSource(Config({fake->url()}));
  Connect(*source, *http, *fake);
  CHECK(fake->cursors() == std::vector<std::optional<int64_t>>{std::nullopt});  // from now

  fake->AddIdentity("did:plc:alice", "alice.example.com");
  AddPost(*fake, 1);
  fake->AddCommit("did:plc:alice", "3klike", "create", "{\"subject\":{}}", "app.bsky.feed.like");
  AddPost(*fake, 2, "did:plc:bob");
  fake->AddCommit("did:plc:alice", "3kpost000001", "delete", "");
  const int64_t last = fake->AddAccount("did:plc:bob", false, "deactivated");

  Heard heard;
  Listen(*source, *http, &heard,
         [](const Heard& h) { return h.posts.size() >= 2 && !h.deleted.empty(); });
  // Give the account event a moment to arrive: it moves the cursor though it carries no post.
  Listen(*source, *http, &heard, [&](const Heard& h) {
    return h.cursor == fmt::format("{}@{}", last, UrlHost(fake->url()));
  });

  REQUIRE(heard.posts.size() == 2);
  const Post& first = heard.posts[0];
  CHECK(first.id == PostId(1));
  CHECK(first.network == "bluesky");
  CHECK(first.text == "post 1 about @acmeair");
  CHECK(first.author.id == "did:plc:alice");
  CHECK(first.author.handle == "alice.example.com");  // from the identity event
  CHECK(first.url == "https://bsky.app/profile/did:plc:alice/post/3kpost000001");
  CHECK(heard.posts[1].author.handle.empty());  // bob announced no handle
  CHECK(heard.deleted == std::vector<std::string>{PostId(1)});
  const auto& stats = Js(*source).stats();
  CHECK(stats.posts == 2);
  CHECK(stats.deletes == 1);
  CHECK(stats.identities == 1);
  CHECK(stats.accounts == 1);
  CHECK(stats.bad_items == 0);
  CHECK(Js(*source).HandleOf("did:plc:alice") == "alice.example.com");
  CHECK(stats.lag_ms < 60000);
}

TEST_CASE("JetstreamSource: poison frames are skipped and counted, the stream goes on",
          "[jetstream]") {
  auto fake = StartFake();
  auto http = Http();
  auto source = MakeSource(Config({fake->url()}));
  Connect(*source, *http, *fake);

  fake->AddRaw("{not json");
  fake->AddRaw("{\"did\":\"did:plc:x\",\"kind\":\"commit\"}");  // no time_us
  fake->AddRaw("[1,2,3]");
  fake->AddCommit("did:plc:x", "3kbad", "create", "{\"text\":42,\"createdAt\":\"x\"}");
  fake->Inject(Fault(Kind::kMalformed, [](auto& f) { f.frame = "garbage"; }));
  AddPost(*fake, 1);

  Heard heard;
  Listen(*source, *http, &heard, Posts(1));
  CHECK(heard.posts[0].id == PostId(1));
  const auto& stats = Js(*source).stats();
  CHECK(stats.bad_items == 5);
  CHECK(stats.transport_errors == 0);  // no reconnect for a bad frame
  CHECK(fake->connections() == 1);
}

TEST_CASE("JetstreamSource: a text message that is not UTF-8 fails the connection, which resumes",
          "[jetstream]") {
  auto fake = StartFake();
  auto http = Http();
  auto source = MakeSource(Config({fake->url()}));
  Connect(*source, *http, *fake);
  AddPost(*fake, 1);
  Heard heard;
  Listen(*source, *http, &heard, Posts(1));
  // RFC 6455 8.1: the client must fail the connection (close 1007); the cursor brings back
  // everything after the last event consumed.
  fake->Inject(Fault(Kind::kMalformed, [](auto& f) { f.frame = "{\"did\":\"\xff\xfe\"}"; }));
  AddPost(*fake, 2);
  Listen(*source, *http, &heard, Posts(2));
  CHECK(heard.ids() == std::multiset<std::string>{PostId(1), PostId(2)});
  CHECK(Js(*source).stats().transport_errors == 1);
  CHECK(fake->connections() == 2);
}

TEST_CASE("JetstreamSource: a message cut off mid-way resumes from the cursor, none lost or twice",
          "[jetstream]") {
  auto fake = StartFake();
  auto http = Http();
  auto source = MakeSource(Config({fake->url()}));
  Connect(*source, *http, *fake);

  AddPost(*fake, 1);
  AddPost(*fake, 2);
  Heard heard;
  Listen(*source, *http, &heard, Posts(2));
  // The next connection sends one post, then half of the next one, and is cut.
  fake->Inject(Fault(Kind::kDisconnect, [](auto& f) { f.after_events = 1; }));
  const int64_t third = AddPost(*fake, 3);
  for (int i = 4; i <= 6; ++i) AddPost(*fake, i);
  Listen(*source, *http, &heard, Posts(6));

  std::multiset<std::string> want;
  for (int i = 1; i <= 6; ++i) want.insert(PostId(i));
  CHECK(heard.ids() == want);
  const auto& stats = Js(*source).stats();
  CHECK(stats.transport_errors == 1);
  CHECK(stats.duplicates == 1);  // post 3 again: the cursor is inclusive
  // Same instance: resume exactly at the last event consumed, no rewind.
  REQUIRE(fake->cursors().size() == 2);
  CHECK(fake->cursors()[1] == third);
  // The reconnect waited a backoff first, as every failure does.
  bool waited = false;
  for (const Pace& p : heard.paces) waited = waited || p.wait >= 100ms;
  CHECK(waited);
}

TEST_CASE("JetstreamSource: a restart from the saved cursor hears what came while it was down",
          "[jetstream]") {
  auto fake = StartFake();
  auto http = Http();
  std::string saved;
  {
    auto source = MakeSource(Config({fake->url()}));
    Connect(*source, *http, *fake);
    AddPost(*fake, 1);
    AddPost(*fake, 2);
    Heard heard;
    Listen(*source, *http, &heard, Posts(2));
    REQUIRE(heard.cursor);
    saved = *heard.cursor;
  }  // killed here: whatever it did not hand on is in the saved cursor's future
  for (int i = 3; i <= 5; ++i) AddPost(*fake, i);

  auto restarted = MakeSource(Config({fake->url()}));
  REQUIRE(restarted->Restore(saved).ok());
  Heard heard;
  Listen(*restarted, *http, &heard, Posts(3));
  // A little longer: nothing else (no repeat of posts 1 and 2) may come.
  for (int i = 0; i < 3; ++i) {
    SourceBatch batch;
    REQUIRE(restarted->Next(std::stop_token(), *http, &batch).ok());
    for (Post& p : batch.posts) heard.posts.push_back(std::move(p));
  }
  CHECK(heard.ids() == std::multiset<std::string>{PostId(3), PostId(4), PostId(5)});
  CHECK(fake->cursors().back() == std::stoll(saved.substr(0, saved.find('@'))));

  SECTION("a cursor of an instance no longer configured rewinds instead") {
    auto other = StartFake();
    auto moved = MakeSource(Config({other->url()}));
    REQUIRE(moved->Restore(saved).ok());
    Heard h;
    Listen(*moved, *http, &h, [&](const Heard&) { return other->connections() == 1; });
    const int64_t at = std::stoll(saved.substr(0, saved.find('@')));
    CHECK(other->cursors()[0] == at - 5'000'000);
  }
  SECTION("a cursor that is not one is refused") {
    auto fresh = MakeSource(Config({fake->url()}));
    CHECK(fresh->Restore("yesterday").code() == Status::Code::kInvalidArgument);
    CHECK(fresh->Restore("").code() == Status::Code::kInvalidArgument);
    CHECK(fresh->Restore("-5@x").code() == Status::Code::kInvalidArgument);
  }
}

TEST_CASE("JetstreamSource: fails over to the next instance and rewinds its cursor",
          "[jetstream]") {
  auto a = StartFake();
  auto b = StartFake();
  auto http = Http();
  auto source = MakeSource(Config({a->url(), b->url()}));
  Connect(*source, *http, *a);
  // Both instances carry the same network; each stamps events with its own clock.
  auto both = [&](int n) {
    AddPost(*a, n);
    return AddPost(*b, n);
  };
  both(1);
  both(2);
  Heard heard;
  Listen(*source, *http, &heard, Posts(2));
  const std::string cursor_on_a = *heard.cursor;
  CHECK(cursor_on_a.ends_with("@" + UrlHost(a->url())));

  a->Stop();  // the instance goes away mid-stream
  both(3);
  Listen(*source, *http, &heard, Posts(3));
  CHECK(heard.ids() == std::multiset<std::string>{PostId(1), PostId(2), PostId(3)});
  CHECK(Js(*source).instance() == b->url());
  CHECK(Js(*source).stats().failovers == 1);
  // b was asked to replay from a's cursor minus the rewind, and posts 1-2 were dropped by id.
  REQUIRE(b->cursors().size() == 1);
  const int64_t at = std::stoll(cursor_on_a.substr(0, cursor_on_a.find('@')));
  CHECK(b->cursors()[0] == at - 5'000'000);
  CHECK(Js(*source).stats().duplicates == 2);
  CHECK(heard.cursor->ends_with("@" + UrlHost(b->url())));
}

TEST_CASE("JetstreamSource: a stalled stream is dropped after idle_timeout and reopened",
          "[jetstream]") {
  auto fake = StartFake();
  auto http = Http();
  JetstreamSourceConfig config = Config({fake->url()});
  config.idle_timeout = 300ms;
  auto source = MakeSource(config);
  Connect(*source, *http, *fake);
  AddPost(*fake, 1);
  Heard heard;
  Listen(*source, *http, &heard, Posts(1));
  fake->Inject(Fault(Kind::kStall, [](auto& f) { f.duration = 10s; }));
  AddPost(*fake, 2);  // held back by the stall
  Listen(*source, *http, &heard, [&](const Heard&) { return Js(*source).stats().stalls == 1; });
  Listen(*source, *http, &heard, Posts(2));  // the new connection sends it
  CHECK(heard.posts[1].id == PostId(2));
  CHECK(fake->connections() == 2);
}

TEST_CASE("JetstreamSource: a refused upgrade backs off, honouring Retry-After", "[jetstream]") {
  auto fake = StartFake();
  auto http = Http();
  auto source = MakeSource(Config({fake->url()}));

  fake->Inject(Fault(Kind::kRefuse, [](auto& f) {
    f.http_status = 429;
    f.retry_after_s = 30;
  }));
  SourceBatch batch;
  Result<Pace> pace = source->Next(std::stop_token(), *http, &batch);
  REQUIRE(pace.ok());
  CHECK(pace->wait >= 30s);
  CHECK_FALSE(batch.fetched);
  CHECK(Js(*source).stats().rate_limited == 1);

  fake->Inject(Fault(Kind::kRefuse, [](auto& f) { f.http_status = 503; }));
  pace = source->Next(std::stop_token(), *http, &batch);
  REQUIRE(pace.ok());
  CHECK(pace->wait >= 100ms);
  CHECK(Js(*source).stats().server_errors == 1);

  fake->Stop();  // nothing listens any more
  pace = source->Next(std::stop_token(), *http, &batch);
  REQUIRE(pace.ok());
  CHECK(pace->wait >= 100ms);
  CHECK(Js(*source).stats().transport_errors == 1);
}

TEST_CASE("JetstreamSource: stops promptly when asked, mid-read", "[jetstream]") {
  auto fake = StartFake();
  auto http = Http();
  JetstreamSourceConfig config = Config({fake->url()});
  config.slice = 60s;
  auto source = MakeSource(config);
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(200ms);
    stop.request_stop();
  });
  SourceBatch batch;
  Result<Pace> pace = source->Next(stop.get_token(), *http, &batch);
  stopper.join();
  CHECK(pace.status().code() == Status::Code::kCancelled);
}

TEST_CASE("JetstreamSource: authors of matched posts are looked up in batches, cached, on time",
          "[jetstream]") {
  auto jet = StartFake();
  FakeBlueskyOptions bsky_options;
  // The network's posts reach the firehose as Bluesky's relay feeds Jetstream.
  bsky_options.relay = [j = jet.get()](const std::string& did, const std::string& rkey,
                                       const std::string& record) {
    j->AddCommit(did, rkey, "create", record);
  };
  auto bsky = FakeBluesky::Start(bsky_options);
  REQUIRE(bsky.ok());
  auto http = Http();
  JetstreamSourceConfig config = Config({jet->url()});
  config.profiles_url = (*bsky)->base_url();
  auto source = MakeSource(config);
  Connect(*source, *http, *jet);

  // 30 authors: two getProfiles requests of at most 25 actors.
  for (int i = 0; i < 30; ++i) {
    FakeBskyPost p;
    p.handle = fmt::format("flyer{}.bsky.social", i);
    p.display_name = fmt::format("Flyer {}", i);
    p.followers = 1000 + i;
    p.text = fmt::format("@acmeair lost bag number {}", i);
    (*bsky)->AddPost(p);
  }
  Heard heard;
  Listen(*source, *http, &heard, Posts(30));
  for (const Post& p : heard.posts) CHECK(p.author.handle.empty());  // the firehose has DIDs only
  std::vector<Post*> posts;
  for (Post& p : heard.posts) posts.push_back(&p);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  CHECK(source->CompleteAuthors(std::stop_token(), *http, posts, deadline));
  for (int i = 0; i < 30; ++i) {
    INFO(i);
    CHECK(heard.posts[i].author.handle == fmt::format("flyer{}.bsky.social", i));
    CHECK(heard.posts[i].author.display_name == fmt::format("Flyer {}", i));
    CHECK(heard.posts[i].author.followers == 1000 + i);
  }
  CHECK((*bsky)->profile_calls() == 2);
  CHECK(Js(*source).profile_stats().resolved == 30);

  SECTION("a second post of a known author needs no request, and its handle comes with it") {
    FakeBskyPost again;
    again.handle = "flyer3.bsky.social";
    again.followers = 1003;
    again.text = "@acmeair still no bag";
    (*bsky)->AddPost(again);
    Heard more;
    Listen(*source, *http, &more, Posts(1));
    CHECK(more.posts[0].author.handle == "flyer3.bsky.social");  // from the cache, in Next
    std::vector<Post*> one{&more.posts[0]};
    CHECK(source->CompleteAuthors(std::stop_token(), *http, one, deadline));
    CHECK(more.posts[0].author.followers == 1003);
    CHECK((*bsky)->profile_calls() == 2);
  }
  SECTION("a lookup that fails lets the posts go on and holds further lookups back") {
    FakeBskyPost stranger;
    stranger.handle = "new.bsky.social";
    stranger.text = "@acmeair hello?";
    (*bsky)->AddPost(stranger);
    Heard more;
    Listen(*source, *http, &more, Posts(1));
    FakeFault fault;
    fault.kind = FakeFault::Kind::kServerError;
    (*bsky)->InjectFault(fault);
    std::vector<Post*> one{&more.posts[0]};
    CHECK_FALSE(source->CompleteAuthors(std::stop_token(), *http, one, deadline));
    CHECK(more.posts[0].author.handle.empty());
    CHECK(Js(*source).profile_stats().failures == 1);
    CHECK(Js(*source).profile_stats().unresolved == 1);
    // Within the backoff no request is made at all.
    CHECK_FALSE(source->CompleteAuthors(std::stop_token(), *http, one, deadline));
    CHECK((*bsky)->profile_calls() == 2);
  }
  SECTION("an identity event renames a cached author") {
    jet->AddIdentity(heard.posts[0].author.id, "renamed.example.com");
    Listen(*source, *http, &heard,
           [&](const Heard&) { return Js(*source).stats().identities == 1; });
    CHECK(Js(*source).HandleOf(heard.posts[0].author.id) == "renamed.example.com");
  }
}

TEST_CASE("JetstreamSource: configuration errors name the field", "[jetstream]") {
  CHECK(JetstreamSource::Create(Config({}), RealClock()).status().message().find("instances") !=
        std::string::npos);
  CHECK(JetstreamSource::Create(Config({"https://jetstream.example"}), RealClock())
            .status()
            .message()
            .find("not a ws://") != std::string::npos);
}

}  // namespace
}  // namespace earshot
