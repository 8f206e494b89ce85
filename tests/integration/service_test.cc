// earshot as systemd runs it: the notify protocol (READY, WATCHDOG, RELOADING, STOPPING,
// STATUS), reload keeping the old rules (and the silences file's entries) on a broken file, SIGTERM losing nothing, and the
// metrics and health endpoints, all against `earshot run` as a separate process.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "daemon/net/curl_http_client.h"
#include "daemon/state/state_store.h"
#include "tests/fakes/notify_listener.h"
#include "tests/integration/daemon_rig.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;

TEST_CASE("Service: READY, watchdog pings, RELOADING then READY, STOPPING", "[integration]") {
  DaemonRig rig;
  NotifyListener& notify = rig.notify();
  REQUIRE(rig.StartDaemon({"WATCHDOG_USEC=400000"}));
  CHECK(notify.Any("STATUS="));
  REQUIRE(WaitUntil([&] { return notify.Count("WATCHDOG=1") >= 3; }, 30s));

  rig.daemon().Signal(SIGHUP);
  REQUIRE(WaitUntil([&] { return notify.Find("RELOADING=1") >= 0; }, 30s));
  const int reloading = notify.Find("RELOADING=1");
  REQUIRE(WaitUntil([&] { return notify.Find("READY=1", reloading) > reloading; }, 30s));

  CHECK(rig.StopDaemon() == 0);
  const int stopping = notify.Find("STOPPING=1");
  CHECK(stopping > reloading);
}

TEST_CASE("Service: a stuck thread stops the watchdog pings and fails /healthz", "[integration]") {
  const uint16_t port = FreeLoopbackPort();
  // A sink whose command never returns within its timeout: its runner thread is stuck inside
  // one delivery, as it would be behind a hung receiver.
  DaemonRig rig(fmt::format(R"(  - name: hung
    type: exec
    command: [/bin/sleep, "600"]
    timeout: 10m
shutdown_grace: 1s
watchdog:
  stale_after: 1500ms
metrics:
  address: 127.0.0.1:{}
)",
                            port));
  NotifyListener& notify = rig.notify();
  REQUIRE(rig.StartDaemon({"WATCHDOG_USEC=200000"}));
  REQUIRE(WaitUntil([&] { return notify.Count("WATCHDOG=1") >= 3; }, 30s));

  rig.fake().AddStatus(Toot("kim", 30, "#AcmeAirSucks lost my bag and no refund"));
  REQUIRE(WaitUntil([&] { return notify.Any("STATUS=stuck: sink:hung"); }, 30s));
  // From here on no ping: count, wait several watchdog intervals, count again.
  const size_t pings = notify.Count("WATCHDOG=1");
  std::this_thread::sleep_for(1s);
  CHECK(notify.Count("WATCHDOG=1") == pings);

  auto client = CurlHttpClient::Create({.user_agent = "earshot-test"});
  REQUIRE(client.ok());
  HttpRequest req;
  req.url = fmt::format("http://127.0.0.1:{}/healthz", port);
  auto health = (*client)->Send(req, std::stop_token());
  REQUIRE(health.ok());
  CHECK(health->status == 503);
  CHECK(health->body.find("sink:hung") != std::string::npos);
  CHECK(rig.DaemonLog().find("no heartbeat from sink:hung") != std::string::npos);
  // SIGTERM still stops it: the stuck delivery is cancelled after the grace period (its child
  // killed) and the escalation stays in the outbox.
  CHECK(rig.StopDaemon() == 0);
}

TEST_CASE("Service: a broken rule file on reload keeps the running rules", "[integration]") {
  DaemonRig rig;
  NotifyListener& notify = rig.notify();
  REQUIRE(rig.StartDaemon());

  // An analyst's bad edit: the config now points at a rule file with a broken regex.
  {
    std::ofstream(rig.dir() + "/broken.yaml") << "- rule: broken\n  match:\n    regex: '(unclosed'\n";
    std::ifstream in(rig.config_path());
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    const std::string files = "  files: [";
    config.insert(config.find(files) + files.size(), rig.dir() + "/broken.yaml, ");
    std::ofstream(rig.config_path()) << config;
  }
  rig.daemon().Signal(SIGHUP);
  REQUIRE(WaitUntil([&] { return notify.Any("STATUS=reload failed"); }, 30s));

  // The old rules still page.
  const std::string id = rig.fake().AddStatus(
      Toot("ivy", 40, "#AcmeAirSucks they lost my bag and nobody answers the phone"));
  REQUIRE(rig.WaitForEscalations(1));
  CHECK(rig.Escalations()[0].posts[0].id == id);
  CHECK(rig.StopDaemon() == 0);
  CHECK(rig.DaemonLog().find("broken.yaml:3:") != std::string::npos);
}

TEST_CASE("Service: the silences file mutes, a broken one on reload keeps it, an empty one "
          "releases the held page", "[integration]") {
  DaemonRig rig("escalation:\n  silences_file: silences.yaml\n");
  const std::string silences = rig.dir() + "/silences.yaml";
  std::ofstream(silences) << "- matchers: category=complaint\n  ends_at: 2099-01-01T00:00:00Z\n"
                             "  comment: known outage, ops on it\n";
  NotifyListener& notify = rig.notify();
  REQUIRE(rig.StartDaemon());
  const std::string id = rig.fake().AddStatus(
      Toot("ivy", 40, "#AcmeAirSucks they lost my bag and nobody answers the phone"));

  // Muted: the incident opens and its history names the file entry; nothing pages.
  auto store = StateStore::Open(rig.dir() + "/state/earshot.db");
  REQUIRE(store.ok());
  std::vector<IncidentEvent> events;
  REQUIRE(WaitUntil(
      [&] {
        auto active = (*store)->LoadActiveIncidents();
        if (!active.ok() || active->empty()) return false;
        auto e = (*store)->LoadIncidentEvents(active->front().id);
        if (e.ok()) events = *e;
        return !events.empty();
      },
      30s));
  CHECK(events.front().kind == IncidentEventKind::kSilenced);
  CHECK(events.front().reason == "new incident (by file:silences.yaml:1)");

  // A broken edit: the reload fails and the running silence stays.
  std::ofstream(silences) << "- matchers: category=complaint\n  ends_at: tomorrow\n"
                             "  comment: typo\n";
  rig.daemon().Signal(SIGHUP);
  REQUIRE(WaitUntil([&] { return notify.Any("STATUS=reload failed"); }, 30s));
  CHECK(rig.Escalations().empty());

  // The entry removed: the held page goes out once.
  std::ofstream(silences) << "# no silences\n";
  rig.daemon().Signal(SIGHUP);
  REQUIRE(rig.WaitForEscalations(1));
  CHECK(rig.StopDaemon() == 0);
  const std::vector<Escalation> all = rig.Escalations();
  REQUIRE(all.size() == 1);
  CHECK(all[0].posts[0].id == id);
  const std::string log = rig.DaemonLog();
  CHECK(log.find("silences.yaml:2:12: error: ends_at of silence #1: 'tomorrow'") !=
        std::string::npos);
  CHECK(log.find("0 silence(s) from silences.yaml") != std::string::npos);
}

TEST_CASE("Service: SIGTERM at any moment loses nothing and repeats nothing", "[integration]") {
  DaemonRig rig;
  REQUIRE(rig.StartDaemon());
  for (int i = 0; i < 6; ++i) {
    rig.fake().AddStatus(Toot(fmt::format("user{}", i), 10 + i,
                              fmt::format("#AcmeAirSucks lost bag number {} and no refund", i)));
  }
  // Stop while the batch may be anywhere between fetch and delivery.
  REQUIRE(WaitUntil([&] { return !rig.fake().requests().empty(); }, 30s));
  CHECK(rig.StopDaemon() == 0);
  REQUIRE(rig.StartDaemon());
  REQUIRE(rig.WaitForEscalations(6));
  CHECK(rig.StopDaemon() == 0);
  const std::vector<Escalation> all = rig.Escalations();
  INFO(rig.DaemonLog());
  REQUIRE(all.size() == 6);
  for (size_t i = 0; i < all.size(); ++i) CHECK(all[i].seq == i + 1);
}

TEST_CASE("Service: /metrics, /healthz and /readyz while running", "[integration]") {
  const uint16_t port = FreeLoopbackPort();
  DaemonRig rig(fmt::format("metrics:\n  address: 127.0.0.1:{}\n", port));
  REQUIRE(rig.StartDaemon());
  rig.fake().AddStatus(Toot("jon", 25000, "#AcmeAirSucks lost my bag in Denver, no refund"));
  REQUIRE(rig.WaitForEscalations(1));

  auto client = CurlHttpClient::Create({.user_agent = "earshot-test"});
  REQUIRE(client.ok());
  auto get = [&](const std::string& path) {
    HttpRequest req;
    req.url = fmt::format("http://127.0.0.1:{}{}", port, path);
    return (*client)->Send(req, std::stop_token());
  };
  auto health = get("/healthz");
  REQUIRE(health.ok());
  CHECK(health->status == 200);
  auto ready = get("/readyz");
  REQUIRE(ready.ok());
  CHECK(ready->status == 200);

  // Parse the exposition: every sample line is `name{labels} value`.
  std::map<std::string, double> samples;
  REQUIRE(WaitUntil(
      [&] {
        auto metrics = get("/metrics");
        if (!metrics.ok() || metrics->status != 200) return false;
        samples.clear();
        std::istringstream lines(metrics->body);
        const std::regex sample(R"(^([a-z_]+(\{[^}]*\})?) ([-+0-9.eInaN]+)$)");
        for (std::string line; std::getline(lines, line);) {
          if (line.empty() || line[0] == '#') continue;
          std::smatch m;
          if (!std::regex_match(line, m, sample)) {
            samples["unparsable: " + line] = 1;
            continue;
          }
          samples[m[1]] = std::stod(m[3]);
        }
        return samples.count("earshot_escalations_total{severity=\"high\"}") +
                   samples.count("earshot_escalations_total{severity=\"critical\"}") >
               0;
      },
      30s));
  for (const auto& [name, value] : samples) {
    INFO(name);
    CHECK(name.rfind("unparsable", 0) != 0);
  }
  CHECK(samples.at("earshot_posts_fetched_total{source=\"mastodon:acmeair-sucks\"}") >= 1);
  CHECK(samples.count("earshot_detect_seconds_count{source=\"mastodon:acmeair-sucks\"}") == 1);
  CHECK(samples.count("earshot_sink_delivered_total{sink=\"archive\"}") == 1);
  CHECK(samples.count("earshot_queue_depth{queue=\"batches\"}") == 1);
  CHECK(samples.count("earshot_source_rechecks_total{source=\"mastodon:acmeair-sucks\"}") == 1);
  // The source's credential's budget, as the fake instance reported it; named, never the token.
  CHECK(samples.at("earshot_rate_budget_limit{network=\"mastodon\",budget=\"mastodon:acmeair-"
                   "sucks\"}") == 300);
  CHECK(samples.count("earshot_rate_budget_remaining{network=\"mastodon\",budget=\"mastodon:"
                      "acmeair-sucks\"}") == 1);

  // earshot_incidents_open is the escalator's count as of its last commit: it is the count of
  // active incidents a second process reads from the store.
  auto store = StateStore::Open(rig.dir() + "/state/earshot.db");
  REQUIRE(store.ok());
  double gauge = -1;
  size_t active = 0;
  const bool agree = WaitUntil(
      [&] {
        auto metrics = get("/metrics");
        auto incidents = (*store)->LoadActiveIncidents();
        if (!metrics.ok() || metrics->status != 200 || !incidents.ok()) return false;
        std::smatch m;
        if (!std::regex_search(metrics->body, m,
                               std::regex(R"((^|\n)earshot_incidents_open ([0-9]+)\n)"))) {
          return false;
        }
        gauge = std::stod(m[2]);
        active = incidents->size();
        return active >= 1 && gauge == static_cast<double>(active);
      },
      30s);
  INFO("earshot_incidents_open " << gauge << ", active in the store " << active);
  CHECK(agree);
  store->reset();
  CHECK(rig.StopDaemon() == 0);
}

}  // namespace
}  // namespace earshot::testing
