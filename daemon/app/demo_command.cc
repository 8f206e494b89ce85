// `earshot demo`: the whole pipeline, for real, against a fake Mastodon on loopback. It starts the
// fake, runs an App configured like a production one (two Mastodon sources, the shipped rule pack
// and lexicon, SQLite state, the console and JSONL sinks), publishes a scripted morning of posts
// about AcmeAir and lets on-call staff watch the escalations appear. Nothing leaves 127.0.0.1.
#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <ostream>
#include <random>
#include <thread>

#include "daemon/app/app.h"
#include "daemon/app/commands.h"
#include "daemon/app/demo_scenario.h"
#include "daemon/base/log.h"
#include "daemon/base/paths.h"
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
  c.rule_files = {rules / "complaints.yaml"};
  c.lexicon_dir = rules / "lexicon";
  SourceSettings tag;
  tag.name = "acmeair-sucks";
  tag.type = "mastodon";
  tag.base_url = base_url;
  tag.hashtag = "AcmeAirSucks";
  tag.poll_interval = std::chrono::milliseconds(200);
  SourceSettings mentions = tag;
  mentions.name = "acmeair-mentions";
  mentions.hashtag.clear();
  mentions.mentions = true;
  mentions.token = kDemoToken;
  c.sources = {tag, mentions};
  c.sinks = {{"console", "console", {}, "(demo)"},
             {"archive", "file", {{"path", (state_dir / "escalations.jsonl").string()}}, "(demo)"}};
  c.shutdown_grace = std::chrono::milliseconds(3000);
  return c;
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
  out << fmt::format(
      "earshot demo: a fake Mastodon at {} and earshot polling #AcmeAirSucks and @AcmeAir's "
      "mentions.\nState in {}\n\n",
      (*fake)->base_url(), state_dir.string());
  out.flush();

  const std::vector<ScriptedPost> script = DemoScenario();
  std::vector<std::string> ids;
  for (const ScriptedPost& post : script) {
    std::this_thread::sleep_for(std::chrono::milliseconds(post.delay_ms));
    FakeStatus status;
    status.acct = post.acct;
    status.display_name = post.display_name;
    status.followers = post.followers;
    status.html = post.html;
    status.tags = post.tags;
    status.mentions = post.mentions;
    if (post.reply_to >= 0) status.in_reply_to_id = ids[post.reply_to];
    ids.push_back((*fake)->AddStatus(status));
    out << fmt::format("-- @{} posts ({}); expect: {}\n", post.acct, ids.back(), post.expect);
    out.flush();
    // Let the pollers pick it up before the next post, so the story reads in order.
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  }
  (*app)->Stop();
  (*fake)->Stop();
  out << fmt::format(
      "\nearshot demo: done. Every escalation is also in {} (one JSON object per line).\n",
      (state_dir / "escalations.jsonl").string());
  return kExitOk;
}

}  // namespace earshot
