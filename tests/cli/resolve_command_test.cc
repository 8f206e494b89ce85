// `earshot resolve` against a real state store holding an incident the escalator opened: what it
// prints, and the usage errors and exit codes that name the fix. (What the escalator does with a
// resolution by hand: tests/escalator/resolve_test.cc.)
#include "daemon/cli/resolve_command.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT

TEST_CASE("earshot resolve: usage and errors name the fix", "[cli]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  struct Row {
    std::vector<std::string> args;
    int code;
    std::string err;
  };
  const std::vector<Row> rows = {
      {{}, 2, "which incident? give its id (inc-...), see `earshot incidents`"},
      {{"--by"}, 2, "--by needs a name"},
      {{open[0].incident_id, "--by", ""}, 2, "--by needs a name"},
      {{"--force", open[0].incident_id}, 2, "unknown option '--force'"},
      {{"inc-1", "inc-2"}, 2, "'inc-2': one incident id at a time"},
      {{"inc-0000000000000000"}, 1, "incident 'inc-0000000000000000': no such incident"},
  };
  for (const Row& row : rows) {
    std::ostringstream out, err;
    CHECK(RunResolveOnStore(row.args, rig.store(), rig.clock(), out, err) == row.code);
    INFO(err.str());
    CHECK(err.str().starts_with("earshot resolve: "));
    CHECK(err.str().find(row.err) != std::string::npos);
    if (row.code == 2) CHECK(err.str().find("usage: earshot resolve") != std::string::npos);
    CHECK(out.str().empty());
  }
  // Nothing above wrote anything.
  CHECK(rig.store().LoadPendingResolves()->empty());
}

TEST_CASE("earshot resolve: says who resolved it, and twice is Ok", "[cli]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  const std::string id = open[0].incident_id;

  rig.clock().Advance(std::chrono::minutes(5));
  std::ostringstream out, err;
  REQUIRE(RunResolveOnStore({"--by", "sam", id}, rig.store(), rig.clock(), out, err) == 0);
  CHECK(out.str() == id + " resolved by sam\n");
  CHECK(err.str().empty());
  CHECK(HasEvent(rig.store(), id, "resolved", "resolved by sam"));
  REQUIRE(rig.store().LoadPendingResolves()->size() == 1);
  CHECK(rig.store().LoadPendingResolves()->front().by == "sam");
  const size_t events = rig.store().LoadIncidentEvents(id)->size();
  // Twice is fine, and records nothing new; so is after the daemon carried it out.
  CHECK(RunResolveOnStore({id, "--by", "sam"}, rig.store(), rig.clock(), out, err) == 0);
  CHECK(rig.store().LoadIncidentEvents(id)->size() == events);
  REQUIRE(rig.Tick().size() == 1);
  std::ostringstream again;
  CHECK(RunResolveOnStore({id, "--by", "ana"}, rig.store(), rig.clock(), again, err) == 0);
  CHECK(again.str() == id + " resolved by ana\n");
  CHECK(rig.store().LoadPendingResolves()->empty());
  // `earshot ack` after it is refused: there is nothing left to acknowledge.
  OperatorStore& store = rig.store();
  CHECK(store.AcknowledgeIncident(id, "sam", rig.clock().Now()).code() ==
        Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace earshot
