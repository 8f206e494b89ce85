// `earshot resolve` against a running daemon: a second process writes the state store, and
// PagerDuty (a real loopback HTTP receiver) must hear a `resolve` for the incident's dedup_key
// without a restart; the customer writing again then triggers a new page under the same key.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/daemon_rig.h"
#include "tests/sinks/receiver.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;

// The event_action PagerDuty received in each request, in order ("?" when none is known).
std::vector<std::string> PagerDutyActions(const Receiver& pd) {
  std::vector<std::string> out;
  for (const HttpServerRequest& r : pd.accepted()) {
    std::string action = "?";
    for (const char* a : {"trigger", "acknowledge", "resolve"}) {
      if (r.body.find(fmt::format(R"("event_action":"{}")", a)) != std::string::npos) action = a;
    }
    out.push_back(action);
  }
  return out;
}

TEST_CASE("Daemon: earshot resolve sends PagerDuty a resolve, and a new complaint pages again",
          "[integration]") {
  Receiver pd;
  REQUIRE(pd.ok());
  pd.SetMode(Receiver::Mode::kAccepted);
  DaemonRig rig(fmt::format(R"(  - name: oncall
    type: pagerduty
    routing_key_file: pd.key
    url: {}
    retry_initial: 100ms
    retry_max: 300ms
)",
                            pd.url("/v2/enqueue")));
  std::ofstream(rig.dir() + "/pd.key") << "R0UT1NGKEY0000000000000000000000\n";
  REQUIRE(rig.StartDaemon());

  const std::string jane = rig.fake().AddStatus(Toot(
      "jane@travel.example", 152000,
      "#AcmeAirSucks @AcmeAir lost my bag in Denver, two hours on hold and nobody answers"));
  REQUIRE(rig.WaitForEscalations(1));
  const std::string id = rig.Escalations()[0].incident_id;
  REQUIRE(WaitUntil([&] { return pd.accepted().size() >= 1; }, 30s));

  // The on-call person resolves it from a shell while the daemon runs.
  const std::string log = rig.dir() + "/resolve.log";
  ChildProcess resolve(
      {EARSHOT_BINARY, "resolve", "--config", rig.config_path(), id, "--by", "dana"}, {}, log,
      log);
  REQUIRE(resolve.Wait(30s) == std::optional<int>(0));
  CHECK(ReadFile(log).find(id + " resolved by dana") != std::string::npos);

  const bool resolved = WaitUntil([&] { return pd.accepted().size() >= 2; }, 15s);
  INFO(rig.DaemonLog());
  REQUIRE(resolved);
  CHECK(PagerDutyActions(pd) == std::vector<std::string>{"trigger", "resolve"});
  const std::string dedup = fmt::format(R"("dedup_key":"{}")", id);
  CHECK(pd.accepted()[1].body.find(dedup) != std::string::npos);

  // Every sink hears of it once, as the next seq.
  REQUIRE(rig.WaitForEscalations(2));
  std::vector<Escalation> all = rig.Escalations();
  CHECK(all[1].kind == Escalation::Kind::kResolve);
  CHECK(all[1].incident_id == id);
  CHECK(all[1].reason == "resolved by dana");
  CHECK(all[1].seq == all[0].seq + 1);

  // Resolving again is not news.
  ChildProcess again({EARSHOT_BINARY, "resolve", "--config", rig.config_path(), id}, {}, log, log);
  REQUIRE(again.Wait(30s) == std::optional<int>(0));

  // Jane writes again in her thread: a new page for the key.
  rig.fake().AddStatus(Toot("jane@travel.example", 152000,
                            "@AcmeAir still no bag, lost my bag and nobody answers", jane));
  REQUIRE(rig.WaitForEscalations(3));
  all = rig.Escalations();
  REQUIRE(all.size() == 3);
  CHECK(all[2].kind == Escalation::Kind::kOpen);
  CHECK(all[2].incident_id == id);
  CHECK(all[2].reason == "reopened");
  REQUIRE(WaitUntil([&] { return pd.accepted().size() >= 3; }, 30s));
  CHECK(PagerDutyActions(pd) == std::vector<std::string>{"trigger", "resolve", "trigger"});
  CHECK(rig.StopDaemon() == 0);
}

}  // namespace
}  // namespace earshot::testing
