// `earshot demo`: the whole pipeline, for real, against a fake Mastodon on loopback. It starts the
// fake, runs an App configured like a production one (two Mastodon sources, the shipped rule pack
// and lexicon, SQLite state, the console and JSONL sinks), publishes a scripted morning of posts
// about AcmeAir and lets on-call staff watch the escalations appear. Nothing leaves 127.0.0.1.
#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <ostream>
#include <random>
#include <sstream>
#include <thread>

#include "daemon/app/app.h"
#include "daemon/app/commands.h"
#include "daemon/app/demo_scenario.h"
#include "daemon/app/metrics_server.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/base/log.h"
#include "daemon/base/paths.h"
#include "daemon/escalator/silence_command.h"
#include "daemon/state/state_store.h"
#include "daemon/sources/fake/fake_mastodon.h"

namespace earshot {
namespace {

constexpr const char* kDemoToken = "demo-token-not-a-secret";

std::filesystem::path MakeStateDir() {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / fmt::format("earshot-demo-{:08x}", rd());
  std::filesystem::create_directories(dir);
  return dir;
}

AppConfig DemoConfig(const std::string& base_url, const std::filesystem::path& state_dir) {
  const std::filesystem::path rules = DefaultRulesDir();
  AppConfig c;
  c.file = "(demo)";
  c.brands = {kDemoBrand};
  c.state_dir = state_dir;
  c.rule_files = DefaultRuleFiles();
  c.lexicon_dir = rules / "lexicon";
  SourceSettings tag;
  tag.name = "acmeair-sucks";
  tag.type = "mastodon";
  tag.base_url = base_url;
  tag.hashtag = "AcmeAirSucks";
  tag.poll_interval = std::chrono::milliseconds(200);
  tag.local_domain = "mastodon.example";  // the fake plays this instance
  SourceSettings mentions = tag;
  mentions.name = "acmeair-mentions";
  mentions.hashtag.clear();
  mentions.mentions = true;
  mentions.secret = kDemoToken;
  c.sources = {tag, mentions};
  c.sinks = {{"console", "console", {}, "(demo)"},
             {"archive", "file", {{"path", (state_dir / "escalations.jsonl").string()}}, "(demo)"}};
  c.escalation.sentiment_raise = -0.6;  // as in the shipped earshot.yaml
  // A storm the size of a demo: 5 posts from 4 customers within two minutes is a surge.
  c.escalation.surge_window = std::chrono::minutes(2);
  c.escalation.surge_min_count = 5;
  c.escalation.surge_min_distinct_authors = 4;
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
          "earshot_sink_backlog", "earshot_detect_seconds_count", "earshot_detect_seconds_sum"}) {
      if (line.rfind(family, 0) == 0 && line.size() > family.size() &&
          (line[family.size()] == '{' || line[family.size()] == ' ')) {
        excerpt += line + "\n";
      }
    }
  }
  return excerpt;
}

}  // namespace

int RunDemoCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::filesystem::path keep;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--keep" && i + 1 < args.size()) {
      keep = args[++i];
    } else {
      err << fmt::format("earshot demo: unexpected argument '{}'\nusage: earshot demo [--keep DIR]\n",
                         args[i]);
      return kExitUsage;
    }
  }
  log::SetLevel(log::Level::kWarn);  // the console sink and the narration tell the story

  FakeMastodonOptions fake_options;
  fake_options.account = "AcmeAir";
  fake_options.token = kDemoToken;
  auto fake = FakeMastodon::Start(fake_options);
  if (!fake.ok()) {
    err << fmt::format("earshot demo: cannot start the fake Mastodon: {}\n", fake.status().message());
    return kExitFailure;
  }
  const std::filesystem::path state_dir = keep.empty() ? MakeStateDir() : keep;
  std::filesystem::create_directories(state_dir);

  Diagnostics diags;
  auto app = App::Create(DemoConfig((*fake)->base_url(), state_dir), &diags);
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
  auto metrics = MetricsServer::Start("127.0.0.1:0", std::move(handlers));
  if (!metrics.ok()) {
    err << fmt::format("earshot demo: {}\n", metrics.status().message());
    return kExitFailure;
  }
  const std::string metrics_url = fmt::format("http://127.0.0.1:{}", (*metrics)->port());
  out << fmt::format(
      "earshot demo: a fake Mastodon at {} and earshot polling #AcmeAirSucks and @AcmeAir's "
      "mentions.\nState in {}; metrics at {}/metrics\n\n",
      (*fake)->base_url(), state_dir.string(), metrics_url);
  out.flush();

  const std::vector<ScriptedPost> script = DemoScenario();
  std::vector<std::string> ids;
  for (const ScriptedPost& post : script) {
    std::this_thread::sleep_for(std::chrono::milliseconds(post.delay_ms));
    ids.push_back(Publish(**fake, out, post, ids));
    // Let the pollers pick it up before the next post, so the story reads in order.
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  }
  // Act two: ops mutes a known problem, then a storm. The silence goes through the same command
  // operators use, on the running daemon's store (WAL lets both write).
  out << "\n-- ops: earshot silence add rule=hours-on-hold --for 1h "
         "--comment 'phone lines down, known'\n";
  {
    auto store = StateStore::Open(state_dir / "earshot.db");
    std::ostringstream silenced, silence_err;
    if (store.ok()) {
      (void)RunSilenceCommand({"add", "rule=hours-on-hold", "--for", "1h", "--comment",
                               "phone lines down, known", "--by", "demo"},
                              **store, RealClock(), silenced, silence_err);
    }
    out << silenced.str() << silence_err.str();
    out.flush();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the daemon re-reads silences
  Publish(**fake, out,
          {0, "ivy@social.example", "Ivy", 800,
           "<p><span class=\"h-card\"><a href=\"https://mastodon.example/@AcmeAir\" "
           "class=\"u-url mention\">@<span>AcmeAir</span></a></span> 3 hours on hold and still "
           "nobody answers. Terrible.</p>",
           {}, {"AcmeAir"}, -1, "hours on hold, but silenced: recorded, no page"},
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
    (*fake)->AddStatus(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));

  // What Prometheus would scrape right now, over real HTTP, the families on-call staff watch.
  out << fmt::format("\n-- GET {}/metrics (excerpt)\n", metrics_url);
  out << MetricsExcerpt(metrics_url);
  (*metrics)->Stop();
  (*app)->Stop();
  (*fake)->Stop();
  out << fmt::format(
      "\nearshot demo: done. Every escalation is also in {} (one JSON object per line).\n",
      (state_dir / "escalations.jsonl").string());
  return kExitOk;
}

}  // namespace earshot
