// The generated firehose (fake_jetstream_firehose.h) and FakeJetstream playing it: every event
// a pure function of its position, cursors mapped back to positions, real-time pacing by the
// fake's clock, and JetstreamSource hearing exactly what the plan says was sent, from the start
// and from a cursor in the middle.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <set>

#include "daemon/net/curl_http_client.h"
#include "daemon/net/url.h"
#include "daemon/sources/bluesky/jetstream_event.h"
#include "daemon/sources/bluesky/jetstream_source.h"
#include "daemon/sources/fake/fake_jetstream.h"
#include "tests/sources/manual_clock.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;
using Position = JetstreamFirehose::Position;
using EventKind = JetstreamFirehose::EventKind;

constexpr int64_t kStart = 1'765'100'000'000'000;  // 2025-12-07, in microseconds

FirehosePlan Plan(int64_t posts, int64_t rate = 0) {
  FirehosePlan plan;
  plan.posts = posts;
  plan.posts_per_second = rate;
  plan.brands = FirehoseBrands(5);
  plan.brand_every = 10;
  plan.extra_every = 7;
  plan.poison_every = 50;
  plan.seed = 42;
  return plan;
}

TEST_CASE("Firehose: brand names are stable and distinct", "[firehose]") {
  const std::vector<std::string> brands = FirehoseBrands(100);
  REQUIRE(brands.size() == 100);
  CHECK(brands[0] == "AcmeAir");
  CHECK(std::set<std::string>(brands.begin(), brands.end()).size() == 100);
  CHECK(FirehoseBrands(3) == std::vector<std::string>(brands.begin(), brands.begin() + 3));
}

TEST_CASE("Firehose: each event is a pure function of its position and parses as it says",
          "[firehose]") {
  const JetstreamFirehose a(Plan(2000), kStart), b(Plan(2000), kStart);
  bluesky::JetstreamParser parser;
  bluesky::JetstreamEvent event;
  FirehoseTally seen;
  std::set<std::string> ids;
  std::set<std::string> langs;
  int64_t last_time = 0;
  for (Position p{}; p != a.end(); p = a.After(p)) {
    const std::string frame = a.Frame(p);
    CHECK(frame == b.Frame(p));
    ++seen.events;
    const Status parsed = parser.Parse(frame, &event);
    if (a.Kind(p) == EventKind::kPoison) {
      CHECK_FALSE(parsed.ok());
      ++seen.poison;
      continue;
    }
    INFO(frame);
    REQUIRE(parsed.ok());
    CHECK(event.time_us == a.TimeUs(p));
    CHECK(event.time_us > last_time);
    last_time = event.time_us;
    switch (a.Kind(p)) {
      case EventKind::kPost: {
        REQUIRE(event.kind == bluesky::JetstreamEvent::Kind::kPost);
        CHECK(event.post_id == a.PostId(p.slot));
        ids.insert(event.post_id);
        langs.insert(event.post.language);
        ++seen.posts;
        if (a.MentionsBrand(p.slot)) {
          ++seen.brand_posts;
          bool named = false;
          for (const std::string& brand : a.plan().brands) {
            std::string lower = brand;
            for (char& c : lower)
              c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            named = named || event.post.text.find(brand) != std::string::npos ||
                    event.post.text.find("@" + lower) != std::string::npos;
          }
          CHECK(named);
        }
        if (a.Complains(p.slot)) ++seen.complaint_posts;
        break;
      }
      case EventKind::kIdentity:
        CHECK(event.kind == bluesky::JetstreamEvent::Kind::kIdentity);
        CHECK_FALSE(event.handle.empty());
        ++seen.identities;
        break;
      case EventKind::kDelete:
        CHECK(event.kind == bluesky::JetstreamEvent::Kind::kDelete);
        CHECK(event.post_id == a.PostId(p.slot >= 7 ? p.slot - 7 : 0));
        ++seen.deletes;
        break;
      case EventKind::kAccount:
        CHECK(event.kind == bluesky::JetstreamEvent::Kind::kAccount);
        ++seen.accounts;
        break;
      case EventKind::kPoison:
        break;
    }
  }
  const FirehoseTally tally = a.Tally(2000);
  CHECK(seen.events == tally.events);
  CHECK(seen.posts == 2000);
  CHECK(tally.posts == 2000);
  CHECK(seen.brand_posts == tally.brand_posts);
  CHECK(seen.complaint_posts == tally.complaint_posts);
  CHECK(seen.identities == tally.identities);
  CHECK(seen.deletes == tally.deletes);
  CHECK(seen.accounts == tally.accounts);
  CHECK(seen.poison == tally.poison);
  CHECK(tally.poison == 40);
  CHECK(ids.size() == 2000);  // every post its own id
  // About one in ten names a brand; several languages.
  CHECK(tally.brand_posts > 120);
  CHECK(tally.brand_posts < 280);
  CHECK(tally.complaint_posts > 0);
  CHECK(langs.size() >= 5);
}

TEST_CASE("Firehose: a cursor maps back to the first event at or after it", "[firehose]") {
  for (int64_t rate : {0, 3, 5000, 7919, 500000}) {
    const JetstreamFirehose f(Plan(500, rate), kStart);
    INFO("rate " << rate);
    CHECK(f.FromCursor(0) == Position{0, 0});
    CHECK(f.FromCursor(kStart) == Position{0, 0});
    Position prev{};
    bool first = true;
    for (Position p{}; p != f.end(); p = f.After(p)) {
      CHECK(f.FromCursor(f.TimeUs(p)) == p);
      if (!first) CHECK(f.FromCursor(f.TimeUs(prev) + 1) == p);
      prev = p;
      first = false;
    }
    CHECK(f.FromCursor(f.TimeUs(prev) + 1) == f.end());
    CHECK(f.FromCursor(INT64_MAX) == f.end());
  }
}

JetstreamSourceConfig SourceConfig(const std::string& url) {
  JetstreamSourceConfig c;
  c.name = "firehose";
  c.instances = {url};
  c.slice = 100ms;
  c.idle_timeout = 10000ms;
  c.connect_timeout = 5000ms;
  return c;
}

struct Heard {
  std::set<std::string> ids;
  int64_t posts = 0, deletes = 0;
  std::optional<std::string> cursor;
};

void Listen(Source& source, Heard* heard, const std::function<bool()>& done) {
  auto http = CurlHttpClient::Create();
  REQUIRE(http.ok());
  for (int i = 0; i < 3000 && !done(); ++i) {
    SourceBatch batch;
    REQUIRE(source.Next(std::stop_token(), **http, &batch).ok());
    for (const Post& p : batch.posts) heard->ids.insert(p.id);
    heard->posts += static_cast<int64_t>(batch.posts.size());
    heard->deletes += static_cast<int64_t>(batch.deleted_ids.size());
    if (batch.cursor) heard->cursor = batch.cursor;
  }
  REQUIRE(done());
}

TEST_CASE("FakeJetstream: a generated firehose is heard whole, and again from a cursor",
          "[firehose]") {
  auto fake = FakeJetstream::Start();
  REQUIRE(fake.ok());
  REQUIRE((*fake)->PlayGenerated(Plan(20000)).ok());
  // The log is not played alongside, and a second plan is refused.
  CHECK((*fake)->AddIdentity("did:plc:x", "x.example") == 0);
  CHECK_FALSE((*fake)->PlayGenerated(Plan(1)).ok());
  CHECK((*fake)->firehose() == nullptr);  // waits for its first subscriber

  auto source = JetstreamSource::Create(SourceConfig((*fake)->url()), RealClock());
  REQUIRE(source.ok());
  const auto& stats = static_cast<JetstreamSource&>(**source).stats();
  Heard heard;
  Listen(**source, &heard, [&] { return stats.posts + stats.bad_items >= 20000 + 400; });
  const auto firehose = (*fake)->firehose();
  REQUIRE(firehose != nullptr);
  const FirehoseTally tally = firehose->Tally(20000);
  CHECK(heard.posts == 20000);
  CHECK(heard.ids.size() == 20000);
  CHECK(heard.ids.count(firehose->PostId(0)) == 1);
  CHECK(heard.ids.count(firehose->PostId(19999)) == 1);
  CHECK(stats.bad_items == tally.poison);
  CHECK(stats.deletes == tally.deletes);
  CHECK(stats.identities == tally.identities);
  CHECK(stats.accounts == tally.accounts);
  CHECK(stats.transport_errors == 0);
  CHECK((*fake)->events_sent() == tally.events);
  CHECK((*fake)->connections() == 1);

  // A restart from a cursor in the middle hears exactly the rest.
  const Position mid{12345, 0};
  auto again = JetstreamSource::Create(SourceConfig((*fake)->url()), RealClock());
  REQUIRE(again.ok());
  REQUIRE((*again)
              ->Restore(fmt::format("{}@{}", firehose->TimeUs(mid) - 1, UrlHost((*fake)->url())))
              .ok());
  const auto& again_stats = static_cast<JetstreamSource&>(**again).stats();
  Heard rest;
  Listen(**again, &rest, [&] { return again_stats.posts >= 20000 - 12345; });
  CHECK(rest.posts == 20000 - 12345);
  CHECK(rest.ids.count(firehose->PostId(12344)) == 0);
  CHECK(rest.ids.count(firehose->PostId(12345)) == 1);
  CHECK((*fake)->cursors().back() == firehose->TimeUs(mid) - 1);
}

TEST_CASE(
    "FakeJetstream: a firehose cut mid-message resumes from the cursor, nothing lost or "
    "twice",
    "[firehose]") {
  auto fake = FakeJetstream::Start();
  REQUIRE(fake.ok());
  FakeJetstreamFault cut;
  cut.kind = FakeJetstreamFault::Kind::kDisconnect;
  cut.after_events = 3000;
  (*fake)->Inject(cut);
  REQUIRE((*fake)->PlayGenerated(Plan(5000)).ok());
  JetstreamSourceConfig config = SourceConfig((*fake)->url());
  config.backoff.seed = 3;
  auto source = JetstreamSource::Create(config, RealClock());
  REQUIRE(source.ok());
  const auto& stats = static_cast<JetstreamSource&>(**source).stats();
  Heard heard;
  Listen(**source, &heard, [&] { return stats.posts >= 5000; });
  CHECK(heard.posts == 5000);
  CHECK(heard.ids.size() == 5000);
  CHECK(stats.transport_errors == 1);
  CHECK((*fake)->connections() == 2);
  REQUIRE((*fake)->cursors().size() == 2);
  CHECK((*fake)->cursors()[1].has_value());
}

TEST_CASE("FakeJetstream: a paced firehose sends each event when the fake's clock says it is due",
          "[firehose]") {
  ManualClock clock{SystemTime(std::chrono::microseconds(kStart))};
  FakeJetstreamOptions options;
  options.clock = &clock;
  auto fake = FakeJetstream::Start(options);
  REQUIRE(fake.ok());
  FirehosePlan plan = Plan(100, 1000);  // a post every millisecond
  plan.extra_every = 0;
  plan.poison_every = 0;
  REQUIRE((*fake)->PlayGenerated(plan, FakeJetstream::FirehoseStart::kNow).ok());
  REQUIRE((*fake)->firehose() != nullptr);

  // Connected at the start: slot 0 is due. The source keeps its own (real) clock.
  JetstreamSourceConfig config = SourceConfig((*fake)->url());
  auto source = JetstreamSource::Create(config, RealClock());
  REQUIRE(source.ok());
  const auto& stats = static_cast<JetstreamSource&>(**source).stats();
  Heard heard;
  Listen(**source, &heard, [&] { return stats.posts >= 1; });
  clock.Advance(9ms);  // slots 1..9 fall due
  Listen(**source, &heard, [&] { return stats.posts >= 10; });
  // Slot 10 is not due yet: a few more slices bring nothing.
  Listen(**source, &heard, [&, calls = 0]() mutable { return ++calls > 3; });
  CHECK(stats.posts == 10);
  CHECK((*fake)->events_sent() == 10);
  clock.Advance(1000ms);  // all of it
  Listen(**source, &heard, [&] { return stats.posts >= 100; });
  CHECK(heard.posts == 100);
}

}  // namespace
}  // namespace earshot
