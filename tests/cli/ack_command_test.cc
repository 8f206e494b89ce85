// `earshot ack` against a real state store holding an incident the escalator opened: what it
// prints, and the usage errors and exit codes that name the fix. (What the escalator does with an
// acknowledgement: tests/escalator/lifecycle_test.cc.)
#include "daemon/cli/ack_command.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT

TEST_CASE("earshot ack: usage and errors name the fix", "[cli]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  struct Row {
    std::vector<std::string> args;
    int code;
    std::string err;
  };
  const std::vector<Row> rows = {
      {{}, 2, "which incident?"},
      {{"--by"}, 2, "--by needs a name"},
      {{"--force", open[0].incident_id}, 2, "unknown option '--force'"},
      {{"inc-1", "inc-2"}, 2, "one incident id at a time"},
      {{"inc-0000000000000000"}, 1, "incident 'inc-0000000000000000': no such incident"},
  };
  for (const Row& row : rows) {
    std::ostringstream out, err;
    CHECK(RunAckOnStore(row.args, rig.store(), rig.clock(), out, err) == row.code);
    INFO(err.str());
    CHECK(err.str().find(row.err) != std::string::npos);
    CHECK(out.str().empty());
  }
  // A resolved incident cannot be acknowledged.
  REQUIRE(rig.Process(Batch({MakePost({.id = "2", .thread = "1"}, {Thanks()})})).size() == 1);
  std::ostringstream out, err;
  CHECK(RunAckOnStore({open[0].incident_id}, rig.store(), rig.clock(), out, err) == 1);
  CHECK(err.str().find("already resolved") != std::string::npos);
}

TEST_CASE("earshot ack: says who acknowledged, and twice is Ok", "[cli]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  const std::string id = open[0].incident_id;

  rig.clock().Advance(std::chrono::minutes(5));
  std::ostringstream out, err;
  REQUIRE(RunAckOnStore({id, "--by", "sam"}, rig.store(), rig.clock(), out, err) == 0);
  CHECK(out.str() == id + " acknowledged by sam\n");
  CHECK(HasEvent(rig.store(), id, "acknowledged", "acknowledged by sam"));
  // Twice is fine, and records nothing new.
  CHECK(RunAckOnStore({id, "--by", "sam"}, rig.store(), rig.clock(), out, err) == 0);
  CHECK(rig.store().LoadIncidentEvents(id)->size() == 2);
}

}  // namespace
}  // namespace earshot
