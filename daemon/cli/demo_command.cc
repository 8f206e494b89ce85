// `earshot demo`: the whole pipeline, for real, against fakes of the four networks' APIs on
// loopback. It starts a fake Mastodon, X, Bluesky and Reddit, runs an App configured like a
// production one (two Mastodon sources and one source on each other network, each with its real
// authentication; the shipped rule pack and lexicon, SQLite state, the console and JSONL sinks),
// publishes a scripted morning of posts about AcmeAir and lets on-call staff watch the
// escalations appear. Both paths of "answer in minutes" are in it: the care team answers one
// complaint in its thread, and one is left unanswered until the routes' level pages the team
// lead too. Nothing leaves 127.0.0.1.
#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <random>
#include <sstream>
#include <thread>

#include "daemon/app/app.h"
#include "daemon/app/metrics_server.h"
#include "daemon/app/signals.h"
#include "daemon/base/log.h"
#include "daemon/base/paths.h"
#include "daemon/cli/commands.h"
#include "daemon/cli/demo_outcomes.h"
#include "daemon/cli/demo_pager.h"
#include "daemon/cli/demo_routing.h"
#include "daemon/cli/demo_scenario.h"
#include "daemon/cli/silence_command.h"
#include "daemon/console/app_console.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/sources/fake/fake_bluesky.h"
#include "daemon/sources/fake/fake_jetstream.h"
#include "daemon/sources/fake/fake_mastodon.h"
#include "daemon/sources/fake/fake_reddit.h"
#include "daemon/sources/fake/fake_x.h"
#include "daemon/state/state_store.h"

namespace earshot {
namespace {

constexpr const char* kDemoToken = "demo-token-not-a-secret";

// The fake networks the demo runs, each expecting the demo's own (not secret) credentials.
struct DemoNetworks {
  std::unique_ptr<FakeMastodon> mastodon;
  std::unique_ptr<FakeX> x;
  std::unique_ptr<FakeBluesky> bluesky;
  // Bluesky's firehose: every post published on the fake Bluesky streams out here too.
  std::unique_ptr<FakeJetstream> jetstream;
  std::unique_ptr<FakeReddit> reddit;

  void Stop() {
    mastodon->Stop();
    x->Stop();
    bluesky->Stop();
    jetstream->Stop();
    reddit->Stop();
  }
};

Result<DemoNetworks> StartNetworks() {
  DemoNetworks n;
  FakeMastodonOptions mastodon;
  mastodon.account = "AcmeAir";
  mastodon.token = kDemoToken;
  auto m = FakeMastodon::Start(mastodon);
  if (!m.ok()) return Status::Unavailable("fake Mastodon: " + m.status().message());
  n.mastodon = *std::move(m);
  auto x = FakeX::Start({});  // X's app-only quota: 450 searches per 15 minutes
  if (!x.ok()) return Status::Unavailable("fake X: " + x.status().message());
  n.x = *std::move(x);
  auto jetstream = FakeJetstream::Start({});
  if (!jetstream.ok())
    return Status::Unavailable("fake Jetstream: " + jetstream.status().message());
  n.jetstream = *std::move(jetstream);
  FakeBlueskyOptions bluesky_options;
  bluesky_options.relay = [firehose = n.jetstream.get()](const std::string& did,
                                                         const std::string& rkey,
                                                         const std::string& record) {
    firehose->AddCommit(did, rkey, "create", record);
  };
  auto bluesky = FakeBluesky::Start(bluesky_options);
  if (!bluesky.ok()) return Status::Unavailable("fake Bluesky: " + bluesky.status().message());
  n.bluesky = *std::move(bluesky);
  auto reddit = FakeReddit::Start({});
  if (!reddit.ok()) return Status::Unavailable("fake Reddit: " + reddit.status().message());
  n.reddit = *std::move(reddit);
  return n;
}

std::filesystem::path MakeStateDir() {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / fmt::format("earshot-demo-{:08x}", rd());
  std::filesystem::create_directories(dir);
  return dir;
}

// A source of `type` against a fake network, polled every 200 ms.
SourceSettings DemoSource(std::string name, std::string type, std::string base_url,
                          std::string secret) {
  SourceSettings s;
  s.name = std::move(name);
  s.type = std::move(type);
  s.options.Set("base_url", std::move(base_url));
  s.secret = std::move(secret);
  s.poll_interval = std::chrono::milliseconds(200);
  return s;
}

AppConfig DemoConfig(const DemoNetworks& networks, const std::filesystem::path& state_dir) {
  const std::string base_url = networks.mastodon->base_url();
  const std::filesystem::path rules = DefaultRulesDir();
  AppConfig c;
  c.file = "(demo)";
  c.brands = {kDemoBrand};
  c.state_dir = state_dir;
  c.rule_files = DefaultRuleFiles();
  c.lexicon_dir = rules / "lexicon";
  SourceSettings tag = DemoSource("acmeair-sucks", "mastodon", base_url, "");
  tag.options.Set("hashtag", "AcmeAirSucks");
  tag.options.Set("local_domain", "mastodon.example");  // the fake plays this instance
  tag.options.Set("recheck_every", std::chrono::milliseconds(600000));
  SourceSettings mentions = tag;
  mentions.name = "acmeair-mentions";
  mentions.options.Set("hashtag", "");
  mentions.options.Set("mentions", true);
  mentions.secret = kDemoToken;
  // One source on each other network, configured as an operator would, with the credentials
  // the fakes check (the fakes' defaults). The rate budget spaces each to its network's quota.
  SourceSettings x =
      DemoSource("acmeair", "x", networks.x->base_url(), FakeXOptions{}.bearer_token);
  x.options.Set("query", "acmeair -is:retweet");
  // Bluesky: the whole firehose, filtered here (Bluesky asks monitors not to poll its search);
  // authors of matched posts are looked up on the fake's public AppView.
  SourceSettings bluesky;
  bluesky.name = "bluesky-firehose";
  bluesky.type = "jetstream";
  bluesky.options.Set("instances", std::vector<std::string>{networks.jetstream->url()});
  bluesky.options.Set("idle_timeout", std::chrono::milliseconds(30000));
  bluesky.options.Set("rewind", std::chrono::milliseconds(5000));
  bluesky.options.Set("profiles_url", networks.bluesky->base_url());
  bluesky.options.Set("resolve_within", std::chrono::milliseconds(2000));
  SourceSettings reddit = DemoSource("acmeair", "reddit", networks.reddit->base_url(),
                                     FakeRedditOptions{}.client_secret);
  reddit.options.Set("listing", "new");
  reddit.options.Set("subreddit", "acmeair");
  reddit.options.Set("client_id", FakeRedditOptions{}.client_id);
  reddit.options.Set("reddit_user", "acmeair-support");
  c.sources = {tag, mentions, x, bluesky, reddit};
  c.sinks = {{"console", "console", {}, "(demo)"},
             {"archive", "file", {{"path", (state_dir / "escalations.jsonl").string()}}, "(demo)"},
             // The team lead's pager: a file of its own, so the demo can show what reached it.
             {kDemoLevelSink, "file", {{"path", DemoLevelFile(state_dir).string()}}, "(demo)"}};
  c.escalation.sentiment_raise = -0.6;  // as in the shipped earshot.yaml
  // A storm the size of a demo: 5 posts from 4 customers within a minute is a surge (and a
  // minute after the storm it is over: `demo --serve` goes on paging).
  c.escalation.surge_window = std::chrono::minutes(1);
  c.escalation.surge_min_count = 5;
  c.escalation.surge_min_distinct_authors = 4;
  // Handles as the source spells them: a local account gets the instance's domain.
  c.escalation.staff_authors = {
      fmt::format("{}@{}", kDemoStaffAccount, tag.options.String("local_domain"))};
  c.shutdown_grace = std::chrono::milliseconds(3000);
  return c;
}

// Publishes one scripted post on the fake and narrates it.
std::string Publish(FakeMastodon& fake, std::ostream& out, const ScriptedPost& post,
                    const std::vector<std::string>& earlier_ids) {
  FakeStatus status;
  status.acct = post.acct;
  status.display_name = post.display_name;
  status.followers = post.followers;
  status.html = post.html;
  status.tags = post.tags;
  status.mentions = post.mentions;
  if (post.reply_to >= 0) status.in_reply_to_id = earlier_ids[post.reply_to];
  const std::string id = fake.AddStatus(status);
  out << fmt::format("-- @{} posts ({}); expect: {}\n", post.acct, id, post.expect);
  out.flush();
  return id;
}

// The lines of a real scrape that tell the demo's story; never a secret in any of them.
std::string MetricsExcerpt(const std::string& base_url) {
  auto client = CurlHttpClient::Create({.user_agent = "earshot-demo"});
  if (!client.ok()) return client.status().ToString() + "\n";
  HttpRequest req;
  req.url = base_url + "/metrics";
  auto resp = (*client)->Send(req, std::stop_token());
  if (!resp.ok()) return resp.status().ToString() + "\n";
  std::string excerpt;
  std::istringstream lines(resp->body);
  for (std::string line; std::getline(lines, line);) {
    for (std::string_view family :
         {"earshot_posts_fetched_total", "earshot_rule_matches_total", "earshot_escalations_total",
          "earshot_notifications_total", "earshot_incidents_open", "earshot_sink_delivered_total",
          "earshot_sink_skipped_total", "earshot_first_response_seconds_count",
          "earshot_first_response_seconds_sum", "earshot_response_target_breaches_total",
          "earshot_sink_backlog", "earshot_detect_seconds_count", "earshot_detect_seconds_sum"}) {
      if (line.rfind(family, 0) == 0 && line.size() > family.size() &&
          (line[family.size()] == '{' || line[family.size()] == ' ')) {
        excerpt += line + "\n";
      }
    }
  }
  return excerpt;
}

// Waits at most `limit` for the file sink at `path` to have written an escalation, and returns
// the first. A level fires at the escalator's next tick after its delay and the sink writes it a
// moment later; polling waits no longer than this machine needs.
std::optional<Escalation> AwaitEscalation(const std::filesystem::path& path,
                                          std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    // A line caught half-written does not parse: it is read whole at the next try.
    auto written = ReadEscalationFile(path);
    if (written.ok() && !written->empty()) return written->front();
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

int RunDemoCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::filesystem::path keep;
  bool serve = false;
  std::string listen = "127.0.0.1:0";
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--keep" && i + 1 < args.size()) {
      keep = args[++i];
    } else if (args[i] == "--serve") {
      serve = true;
    } else if (args[i] == "--listen" && i + 1 < args.size()) {
      listen = args[++i];
    } else {
      err << fmt::format(
          "earshot demo: unexpected argument '{}'\nusage: earshot demo [--keep DIR] [--serve "
          "[--listen HOST:PORT]]\n",
          args[i]);
      return kExitUsage;
    }
  }
  // --serve waits for Ctrl-C: block the signals before any thread starts, as `run` does.
  std::optional<SignalWaiter> signals;
  if (serve) signals.emplace();
  log::SetLevel(log::Level::kWarn);  // the console sink and the narration tell the story

  auto networks = StartNetworks();
  if (!networks.ok()) {
    err << fmt::format("earshot demo: cannot start {}\n", networks.status().message());
    return kExitFailure;
  }
  FakeMastodon* fake = networks->mastodon.get();
  const std::filesystem::path state_dir = keep.empty() ? MakeStateDir() : keep;
  std::filesystem::create_directories(state_dir);

  AppConfig config = DemoConfig(*networks, state_dir);
  // --serve adds the on-call pager, a loopback PagerDuty, so an acknowledgement made in the
  // console can be watched reaching it.
  std::unique_ptr<DemoPager> pager;
  if (serve) {
    auto started = DemoPager::Start();
    if (!started.ok()) {
      err << fmt::format("earshot demo: cannot start the pager: {}\n", started.status().message());
      return kExitFailure;
    }
    pager = *std::move(started);
    config.sinks.push_back({std::string(kDemoPagerSink),
                            "pagerduty",
                            {{"url", pager->enqueue_url()},
                             {"routing_key", "demo0routing0key0not0a0secret000"},
                             {"retry_initial", "200ms"}},
                            "(demo)"});
  }
  if (Status s = ApplyDemoRouting(config, serve); !s.ok()) {
    err << fmt::format("earshot demo: {}\n", s.message());
    return kExitFailure;
  }
  Diagnostics diags;
  auto app = App::Create(config, &diags);
  if (!app.ok()) {
    for (const Diagnostic& d : diags.all()) err << d.ToString() << "\n";
    err << fmt::format("earshot demo: {}\n", app.status().message());
    return kExitFailure;
  }
  if (Status s = (*app)->Start(); !s.ok()) {
    err << fmt::format("earshot demo: {}\n", s.message());
    return kExitFailure;
  }
  MetricsHandlers handlers;
  App* running = app->get();
  handlers.metrics = [running] { return running->RenderMetrics(); };
  handlers.stale = [running] { return running->Stale(std::chrono::seconds(90)); };
  handlers.ready = [] { return true; };
  std::unique_ptr<Console> console;
  if (serve) {
    console = MakeAppConsole(*running, config);
    handlers.other = [c = console.get()](const HttpServerRequest& req) { return c->Handle(req); };
  }
  auto metrics = MetricsServer::Start(serve ? listen : "127.0.0.1:0", std::move(handlers));
  if (!metrics.ok()) {
    err << fmt::format("earshot demo: {}\n", metrics.status().message());
    return kExitFailure;
  }
  const std::string metrics_url = fmt::format("http://127.0.0.1:{}", (*metrics)->port());
  out << fmt::format(
      "earshot demo: a fake Mastodon at {}, X at {}, Bluesky at {} (its Jetstream firehose at "
      "{}) and Reddit at {};\n"
      "earshot reads #AcmeAirSucks and @AcmeAir's mentions on Mastodon, searches X for AcmeAir, "
      "hears every post on Bluesky's firehose and reads r/acmeair.\nState in {}; metrics at "
      "{}/metrics\n\n",
      fake->base_url(), networks->x->base_url(), networks->bluesky->base_url(),
      networks->jetstream->url(), networks->reddit->base_url(), state_dir.string(), metrics_url);
  out.flush();

  const std::vector<ScriptedPost> script = DemoScenario();
  std::vector<std::string> ids;
  for (const ScriptedPost& post : script) {
    std::this_thread::sleep_for(std::chrono::milliseconds(post.delay_ms));
    ids.push_back(Publish(*fake, out, post, ids));
    // Let the pollers pick it up before the next post, so the story reads in order.
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  }
  // The same morning on the other networks: each complaint pages with its network's link.
  out << "\n-- meanwhile on X, Bluesky and Reddit\n";
  // The firehose carries the whole network, nearly all of it about something else.
  const char* const chatter[] = {
      "my cat learned to open the fridge",   "anyone watching the match tonight?",
      "new blog post on sourdough starters", "rain again in Seattle, shocking",
      "just finished a 10k, legs are jelly", "this album is so good on repeat"};
  constexpr int kChatter = 60;
  for (int i = 0; i < kChatter; ++i) {
    FakeBskyPost post;
    post.handle = fmt::format("someone{}.bsky.social", i);
    post.text = chatter[i % std::size(chatter)];
    networks->bluesky->AddPost(post);
  }
  out << fmt::format(
      "-- Bluesky's firehose: {} posts about anything else; expect: heard, judged, no page\n",
      kChatter);
  {
    FakeTweet tweet;
    tweet.username = "dana_flies";
    tweet.name = "Dana";
    tweet.followers = 8200;
    tweet.text = "@AcmeAir charged me twice for one seat and the chat bot just loops. Fix it.";
    const std::string id = networks->x->AddTweet(tweet);
    out << fmt::format("-- X: @dana_flies tweets ({}); expect: a double charge: pages\n", id);
    FakeBskyPost skeet;
    skeet.handle = "lee.bsky.social";
    skeet.display_name = "Lee";
    skeet.followers = 1900;
    skeet.text =
        "My AcmeAir flight to Boston was cancelled and nobody rebooked me. 🙃 Stuck at the "
        "gate all night.";
    const std::string uri = networks->bluesky->AddPost(skeet);
    out << fmt::format(
        "-- Bluesky: @lee.bsky.social posts ({}), heard on the firehose; expect: a cancelled "
        "flight: pages, with the author looked up (handle, 1,900 followers)\n",
        uri);
    FakeRedditPost thread;
    thread.subreddit = "acmeair";
    thread.author = "suitcase_sam";
    thread.title = "AcmeAir lost my luggage, 5 days and counting";
    thread.selftext = "Landed in Denver on Monday, bag never arrived. Three claims, no answer.";
    const std::string fullname = networks->reddit->AddPost(thread);
    out << fmt::format(
        "-- Reddit: u/suitcase_sam posts in r/acmeair ({}); expect: a lost bag: pages; nobody "
        "answers it, so 3s later the baggage route's level 1 tells {} too\n",
        fullname, kDemoLevelReceiver);
    out.flush();
  }
  // X's quota (450 per 15 min) spaces its searches 2 s apart: give every network two turns.
  std::this_thread::sleep_for(std::chrono::milliseconds(4500));
  // By now the lost bag has waited its 3 s; the level must be out before the storm, whose surge
  // would hold it back as it holds back any page for the brand.
  if (auto level = AwaitEscalation(DemoLevelFile(state_dir), std::chrono::milliseconds(4000))) {
    out << fmt::format("-- {}'s pager (its own sink) rings: {} [{}]\n", kDemoLevelReceiver,
                       level->incident_id, level->reason);
  } else {
    out << fmt::format("-- {}'s pager has not rung\n", kDemoLevelReceiver);
  }
  out.flush();

  // Act two: ops mutes a known problem, then a storm. The silence goes through the same command
  // operators use, on the running daemon's store (WAL lets both write).
  out << "\n-- ops: earshot silence add rule=hours-on-hold --for 1h "
         "--comment 'phone lines down, known'\n";
  {
    auto store = StateStore::Open(state_dir / "earshot.db");
    std::ostringstream silenced, silence_err;
    if (store.ok()) {
      (void)RunSilenceOnStore({"add", "rule=hours-on-hold", "--for", "1h", "--comment",
                               "phone lines down, known", "--by", "demo"},
                              **store, RealClock(), silenced, silence_err);
    }
    out << silenced.str() << silence_err.str();
    out.flush();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the daemon re-reads silences
  Publish(*fake, out,
          {0,
           "ivy@social.example",
           "Ivy",
           800,
           "<p><span class=\"h-card\"><a href=\"https://mastodon.example/@AcmeAir\" "
           "class=\"u-url mention\">@<span>AcmeAir</span></a></span> 3 hours on hold and still "
           "nobody answers. Terrible.</p>",
           {},
           {"AcmeAir"},
           -1,
           "hours on hold, but silenced: recorded, no page"},
          {});
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));

  out << "-- a storm: the check-in app is down and 7 customers post within a second; expect: a "
         "page or two, then ONE surge incident that mutes the rest\n";
  out.flush();
  const char* const storm[] = {"kai", "lou", "mo", "nia", "oz", "pat", "quin"};
  for (const char* who : storm) {
    FakeStatus status;
    status.acct = who;
    status.followers = 120;
    status.text = "#AcmeAirSucks check-in app down again, missed my flight";
    fake->AddStatus(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));

  // What Prometheus would scrape right now, over real HTTP, the families on-call staff watch.
  out << fmt::format("\n-- GET {}/metrics (excerpt)\n", metrics_url);
  out << MetricsExcerpt(metrics_url);
  if (serve) {
    out << fmt::format(
        "\n-- the console: {}/incidents (this host only, no sign-in)\n"
        "   post more: curl -d status='@AcmeAir my bag is lost again' -H 'Authorization: Bearer "
        "kim' {}/api/v1/statuses\n"
        "   the on-call pager (a loopback PagerDuty) heard: {}\n"
        "earshot demo: serving until Ctrl-C\n",
        metrics_url, fake->base_url(), pager->events_url());
    out.flush();
    while (!signals->Wait(std::chrono::seconds(1))) {
    }
    out << "\n-- Ctrl-C: stopping\n";
  }
  (*metrics)->Stop();
  (*app)->Stop();
  networks->Stop();
  if (pager) pager->Stop();

  // Read back from what the sinks wrote once they had drained: the outcome, not the plan.
  out << fmt::format("\n-- answer in minutes: what happened (from the archive and {}'s sink)\n",
                     kDemoLevelReceiver);
  auto seen = ReadEscalationFile(state_dir / "escalations.jsonl");
  auto heard = ReadEscalationFile(DemoLevelFile(state_dir));
  if (seen.ok() && heard.ok()) {
    out << AnswerOutcomes(*seen, *heard, kDemoLevelReceiver);
  } else {
    out << (seen.ok() ? heard.status() : seen.status()).ToString() << "\n";
  }
  out << fmt::format(
      "\nearshot demo: done. Every escalation is also in {} (one JSON object per line).\n",
      (state_dir / "escalations.jsonl").string());
  return kExitOk;
}

}  // namespace earshot
