// Reloads as an operator sees them from outside: `earshot run` as a separate process, SIGHUP, and
// /metrics. Every failed reload, whichever file broke it (earshot.yaml itself, a rule file, the
// silences file), counts in earshot_reloads_total{result="failed"} and turns the
// earshot_config_last_reload_successful gauge to 0, which the shipped alerts watch; and a reload
// that would leave nothing able to page is refused under rules.require_complaint_rules.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "daemon/net/curl_http_client.h"
#include "tests/fakes/notify_listener.h"
#include "tests/integration/daemon_rig.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;

// Every sample of one scrape of /metrics, `name{labels}` -> value; empty when it failed.
std::map<std::string, double> Scrape(uint16_t port) {
  std::map<std::string, double> samples;
  auto client = CurlHttpClient::Create({.user_agent = "earshot-test"});
  if (!client.ok()) return samples;
  HttpRequest req;
  req.url = fmt::format("http://127.0.0.1:{}/metrics", port);
  auto got = (*client)->Send(req, std::stop_token());
  if (!got.ok() || got->status != 200) return samples;
  std::istringstream lines(got->body);
  const std::regex sample(R"(^([a-z_]+(\{[^}]*\})?) ([-+0-9.eE]+)$)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!line.empty() && line[0] != '#' && std::regex_match(line, m, sample)) {
      samples[m[1]] = std::stod(m[3]);
    }
  }
  return samples;
}

double Value(const std::map<std::string, double>& samples, const std::string& name) {
  auto it = samples.find(name);
  return it == samples.end() ? -1 : it->second;
}

std::string ReadConfig(const DaemonRig& rig) {
  std::ifstream in(rig.config_path());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

constexpr const char* kFailed = "earshot_reloads_total{result=\"failed\"}";
constexpr const char* kOk = "earshot_reloads_total{result=\"ok\"}";
constexpr const char* kSuccessful = "earshot_config_last_reload_successful";
constexpr const char* kSuccessTime = "earshot_config_last_reload_success_timestamp_seconds";

TEST_CASE("Reload: a broken earshot.yaml counts as a failed reload and clears the success gauge",
          "[integration]") {
  const uint16_t port = FreeLoopbackPort();
  DaemonRig rig(fmt::format("metrics:\n  address: 127.0.0.1:{}\n", port));
  NotifyListener& notify = rig.notify();
  REQUIRE(rig.StartDaemon());
  std::map<std::string, double> m;
  REQUIRE(WaitUntil([&] { return !(m = Scrape(port)).empty(); }, 30s));
  // The start loaded the configuration: that is the first successful load.
  CHECK(Value(m, kSuccessful) == 1);
  const double started_at = Value(m, kSuccessTime);
  CHECK(started_at > 0);
  CHECK(Value(m, kFailed) == 0);

  // An operator's bad edit of earshot.yaml itself (not of a rule file): a key the loader refuses.
  const std::string good = ReadConfig(rig);
  std::ofstream(rig.config_path()) << good << "escalaton:\n  repeat_interval: 4h\n";
  rig.daemon().Signal(SIGHUP);
  REQUIRE(WaitUntil([&] { return notify.Any("STATUS=reload failed"); }, 30s));
  m = Scrape(port);
  INFO(rig.DaemonLog());
  CHECK(Value(m, kFailed) == 1);
  CHECK(Value(m, kOk) == 0);
  CHECK(Value(m, kSuccessful) == 0);
  CHECK(Value(m, kSuccessTime) == started_at);  // the last success is still the start

  // Fixed: the next reload is ok and the gauge is back to 1.
  std::ofstream(rig.config_path()) << good;
  rig.daemon().Signal(SIGHUP);
  REQUIRE(WaitUntil([&] { return Value(Scrape(port), kOk) == 1; }, 30s));
  m = Scrape(port);
  CHECK(Value(m, kFailed) == 1);
  CHECK(Value(m, kSuccessful) == 1);
  CHECK(Value(m, kSuccessTime) >= started_at);
  CHECK(rig.StopDaemon() == 0);
  CHECK(rig.DaemonLog().find("earshot.yaml:") != std::string::npos);
}

TEST_CASE("Reload: a broken rule file clears the success gauge too", "[integration]") {
  const uint16_t port = FreeLoopbackPort();
  DaemonRig rig(fmt::format("metrics:\n  address: 127.0.0.1:{}\n", port));
  NotifyListener& notify = rig.notify();
  REQUIRE(rig.StartDaemon());
  const std::string good = ReadConfig(rig);
  std::ofstream(rig.dir() + "/broken.yaml") << "- rule: broken\n  match:\n    regex: '(unclosed'\n";
  std::string config = good;
  const std::string files = "  files: [";
  config.insert(config.find(files) + files.size(), rig.dir() + "/broken.yaml, ");
  std::ofstream(rig.config_path()) << config;
  rig.daemon().Signal(SIGHUP);
  REQUIRE(WaitUntil([&] { return notify.Any("STATUS=reload failed"); }, 30s));
  const std::map<std::string, double> m = Scrape(port);
  CHECK(Value(m, kFailed) == 1);
  CHECK(Value(m, kSuccessful) == 0);
  CHECK(rig.StopDaemon() == 0);
}

// The shipped pack's complaint rules, as ids ("- rule: lost-baggage" lines).
std::vector<std::string> ShippedComplaintRules() {
  std::ifstream in(std::string(EARSHOT_SOURCE_DIR) + "/rules/complaints.yaml");
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("- rule: ")) ids.push_back(line.substr(8));
  }
  return ids;
}

TEST_CASE("Reload: switching every complaint rule off is refused under "
          "rules.require_complaint_rules, and the old rules keep paging", "[integration]") {
  const uint16_t port = FreeLoopbackPort();
  DaemonRig rig(fmt::format("metrics:\n  address: 127.0.0.1:{}\n", port));
  {
    std::string config = ReadConfig(rig);
    const std::string lexicon = "  lexicon_dir: ";
    const size_t at = config.find('\n', config.find(lexicon)) + 1;
    config.insert(at, "  require_complaint_rules: true\n");
    std::ofstream(rig.config_path()) << config;
  }
  NotifyListener& notify = rig.notify();
  REQUIRE(rig.StartDaemon());

  // An override file that switches off every complaint rule of the pack, the way an analyst
  // silences a noisy rule, applied to all of them by a careless edit.
  const std::vector<std::string> ids = ShippedComplaintRules();
  REQUIRE(ids.size() >= 5);
  {
    std::ofstream off(rig.dir() + "/off.yaml");
    for (const std::string& id : ids) off << "- rule: " << id << "\n  enabled: false\n";
  }
  std::string config = ReadConfig(rig);
  const std::string resolution = "/resolution.yaml";
  config.insert(config.find(resolution) + resolution.size(), ", " + rig.dir() + "/off.yaml");
  std::ofstream(rig.config_path()) << config;
  rig.daemon().Signal(SIGHUP);
  REQUIRE(WaitUntil([&] { return notify.Any("STATUS=reload failed"); }, 30s));
  const std::map<std::string, double> m = Scrape(port);
  CHECK(Value(m, kFailed) == 1);
  CHECK(Value(m, kSuccessful) == 0);

  // The previous rules still page.
  const std::string id = rig.fake().AddStatus(
      Toot("ivy", 40, "#AcmeAirSucks they lost my bag and nobody answers the phone"));
  REQUIRE(rig.WaitForEscalations(1));
  CHECK(rig.Escalations()[0].posts[0].id == id);
  CHECK(rig.StopDaemon() == 0);
  CHECK(rig.DaemonLog().find("error: rules.require_complaint_rules is true, but the rule files "
                             "hold no live complaint rule") != std::string::npos);
}

// Escalations of category `category` whose labels carry hashtag `tag`.
size_t CountHashtagSignals(const std::vector<Escalation>& all, const std::string& tag) {
  return std::count_if(all.begin(), all.end(), [&](const Escalation& e) {
    auto it = e.labels.find("hashtag");
    return e.category == "new-hashtag" && it != e.labels.end() && it->second == tag;
  });
}

// A reload that adds a rule naming a hashtag makes that hashtag known, as a start would: the
// analyst wrote a rule for it, so its posts page through the rule and it is no "new hashtag".
TEST_CASE("Reload: a hashtag a reloaded rule names is known, not signalled as new",
          "[integration]") {
  const uint16_t port = FreeLoopbackPort();
  DaemonRig rig(fmt::format("metrics:\n  address: 127.0.0.1:{}\n", port));
  REQUIRE(rig.StartDaemon());

  // The rig's proof that new-hashtag signals are on: a brand hashtag no rule names opens one.
  rig.fake().AddStatus(
      Toot("kim", 120, "@AcmeAir lost my bag in Denver and nobody answers #AcmeAirLate"));
  REQUIRE(
      WaitUntil([&] { return CountHashtagSignals(rig.Escalations(), "acmeairlate") == 1; }, 30s));

  // The analyst's rule for #AcmeAirDelays, added by a reload.
  std::ofstream(rig.dir() + "/delays.yaml") << R"(- rule: acmeair-delays-campaign
  description: "the #AcmeAirDelays campaign"
  category: complaint
  severity: medium
  match:
    any:
      - hashtag: "{{brand}}delays"
)";
  std::string config = ReadConfig(rig);
  const std::string resolution = "/resolution.yaml";
  config.insert(config.find(resolution) + resolution.size(), ", " + rig.dir() + "/delays.yaml");
  std::ofstream(rig.config_path()) << config;
  rig.daemon().Signal(SIGHUP);
  REQUIRE(WaitUntil([&] { return Value(Scrape(port), kOk) == 1; }, 30s));

  const std::string tagged = rig.fake().AddStatus(Toot(
      "lou", 80, "@AcmeAir four hours late again and nobody at the gate answers #AcmeAirDelays"));
  // A later complaint that pages: once it is in, the escalator went past the tagged post.
  const std::string later = rig.fake().AddStatus(
      Toot("mo", 50, "#AcmeAirSucks flight cancelled, no rebooking, rude gate agent"));
  auto paged = [&](const std::string& id) {
    for (const Escalation& e : rig.Escalations()) {
      for (const auto& p : e.posts) {
        if (p.id == id) return true;
      }
    }
    return false;
  };
  REQUIRE(WaitUntil([&] { return paged(tagged) && paged(later); }, 30s));
  const std::vector<Escalation> all = rig.Escalations();
  INFO(rig.DaemonLog());
  CHECK(CountHashtagSignals(all, "acmeairdelays") == 0);
  CHECK(CountHashtagSignals(all, "acmeairlate") == 1);
  CHECK(rig.StopDaemon() == 0);
}

}  // namespace
}  // namespace earshot::testing
