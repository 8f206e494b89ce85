// `earshot ack` against a running daemon: the acknowledgement is a second process writing the
// state store, and PagerDuty (a real loopback HTTP receiver) must hear of it as an
// `acknowledge` event for the incident's dedup_key, in order between the trigger and the
// resolve, without a restart.
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

// The event_action values PagerDuty received, in order, and whether each named `dedup_key`.
std::vector<std::string> Actions(const Receiver& pd, const std::string& dedup_key) {
  std::vector<std::string> out;
  for (const HttpServerRequest& r : pd.accepted()) {
    std::string action = "?";
    for (const char* a : {"trigger", "acknowledge", "resolve"}) {
      if (r.body.find(fmt::format(R"("event_action":"{}")", a)) != std::string::npos) action = a;
    }
    if (r.body.find(fmt::format(R"("dedup_key":"{}")", dedup_key)) == std::string::npos) {
      action += " (other dedup_key)";
    }
    out.push_back(action);
  }
  return out;
}

TEST_CASE("Daemon: earshot ack sends PagerDuty an acknowledge with the incident's dedup_key",
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
  CHECK(Actions(pd, id) == std::vector<std::string>{"trigger"});

  // The on-call person acknowledges from a shell while the daemon runs.
  const std::string ack_log = rig.dir() + "/ack.log";
  ChildProcess ack({EARSHOT_BINARY, "ack", "--config", rig.config_path(), id, "--by", "sam"}, {},
                   ack_log, ack_log);
  REQUIRE(ack.Wait(30s) == std::optional<int>(0));
  CHECK(ReadFile(ack_log).find(id + " acknowledged by sam") != std::string::npos);

  const bool acknowledged = WaitUntil([&] { return pd.accepted().size() >= 2; }, 15s);
  INFO(rig.DaemonLog());
  REQUIRE(acknowledged);
  CHECK(Actions(pd, id) == std::vector<std::string>{"trigger", "acknowledge"});
  const std::string body = pd.accepted()[1].body;
  CHECK(body.find(R"("routing_key":"R0UT1NGKEY0000000000000000000000")") != std::string::npos);

  // Every sink hears of it, in order: the file sink has it as the next seq.
  REQUIRE(rig.WaitForEscalations(2));
  std::vector<Escalation> all = rig.Escalations();
  CHECK(KindName(all[1].kind) == "acknowledge");
  CHECK(all[1].incident_id == id);
  CHECK(all[1].reason == "acknowledged by sam");
  CHECK(all[1].seq == all[0].seq + 1);

  // Acknowledging again is not news.
  ChildProcess again({EARSHOT_BINARY, "ack", "--config", rig.config_path(), id, "--by", "sam"},
                     {}, ack_log, ack_log);
  REQUIRE(again.Wait(30s) == std::optional<int>(0));

  // The customer's thank-you resolves it; PagerDuty gets the resolve after the acknowledge.
  rig.fake().AddStatus(Toot("jane@travel.example", 152000,
                            "@AcmeAir found my bag and delivered it, sorted! #ThanksAcmeAir", jane));
  REQUIRE(rig.WaitForEscalations(3));
  REQUIRE(WaitUntil([&] { return pd.accepted().size() >= 3; }, 30s));
  CHECK(Actions(pd, id) == std::vector<std::string>{"trigger", "acknowledge", "resolve"});
  all = rig.Escalations();
  REQUIRE(all.size() == 3);
  CHECK(all[2].kind == Escalation::Kind::kResolve);
  CHECK(rig.StopDaemon() == 0);
  CHECK(rig.DaemonLog().find("R0UT1NGKEY") == std::string::npos);
}

}  // namespace
}  // namespace earshot::testing
