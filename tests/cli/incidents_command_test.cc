// `earshot incidents` against a real state store holding incidents the escalator opened and
// resolved: one aligned line each, with who answered and after how long, or how long it waits.
#include "daemon/cli/incidents_command.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using std::chrono::minutes;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Run(EscalatorRig& rig, const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CHECK(RunIncidentsOnStore(args, rig.store(), rig.clock(), out, err) == 0);
  CHECK(err.str().empty());
  return out.str();
}

TEST_CASE("earshot incidents: who answered and after how long, or how long it waits", "[cli]") {
  EscalatorOptions o;
  o.staff_authors = {"acme_care"};
  EscalatorRig rig(o);
  auto jane = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(jane.size() == 1);
  rig.clock().Advance(minutes(1));
  auto bob = rig.Process(Batch({MakePost({.id = "2", .author = "bob@x.example"}, {Complaint()})}));
  REQUIRE(bob.size() == 1);
  rig.clock().Advance(minutes(1));
  auto eve = rig.Process(Batch({MakePost({.id = "3", .author = "eve@x.example"}, {Complaint()})}));
  REQUIRE(eve.size() == 1);
  // Support answers jane 12 minutes after her complaint; eve thanks nobody in particular.
  rig.clock().Advance(minutes(10));
  REQUIRE(rig.Process(Batch({MakePost({.id = "4", .author = "acme_care", .thread = "1"}, {})}))
              .size() == 1);
  REQUIRE(rig.Process(Batch({MakePost({.id = "5", .author = "eve@x.example", .thread = "3"},
                                      {Thanks()})}))
              .size() == 1);
  rig.clock().Advance(minutes(29));  // bob has waited 40 minutes

  const std::string active = Run(rig, {});
  INFO(active);
  REQUIRE(Lines(active).size() == 1);
  CHECK(active == fmt::format("{}  open         medium      1 post(s)  last {}  unanswered for "
                              "40m00s  {}\n",
                              bob[0].incident_id, FormatIso8601(kStart + minutes(1)),
                              bob[0].summary));

  const std::string all = Run(rig, {"--all"});
  INFO(all);
  const std::vector<std::string> lines = Lines(all);
  REQUIRE(lines.size() == 3);
  size_t summary_column = std::string::npos;
  for (const auto& [escalation, response] :
       {std::pair{jane[0], "answered by @acme_care after 12m00s"},
        std::pair{bob[0], "unanswered for 40m00s"}, std::pair{eve[0], "unanswered"}}) {
    const auto line = std::find_if(lines.begin(), lines.end(), [&](const std::string& l) {
      return l.starts_with(escalation.incident_id);
    });
    REQUIRE(line != lines.end());
    CHECK_THAT(*line, Catch::Contains("  " + std::string(response) + " "));
    // The response column is padded: every summary starts in the same column.
    const size_t at = line->rfind("  " + escalation.summary);
    REQUIRE(at != std::string::npos);
    if (summary_column == std::string::npos) summary_column = at;
    CHECK(at == summary_column);
  }
}

TEST_CASE("earshot incidents: a restart of the daemon keeps the answer", "[cli]") {
  EscalatorOptions o;
  o.staff_authors = {"acme_care"};
  EscalatorRig rig(o);
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  rig.clock().Advance(minutes(90) + std::chrono::seconds(30));
  REQUIRE(rig.Process(Batch({MakePost({.id = "2", .author = "acme_care", .thread = "1"}, {})}))
              .size() == 1);
  rig.Restart();
  CHECK_THAT(Run(rig, {"--status", "resolved"}),
             Catch::Contains("  answered by @acme_care after 1h30m  "));
}

TEST_CASE("earshot incidents: usage errors name the fix", "[cli]") {
  EscalatorRig rig;
  std::ostringstream out, err;
  CHECK(RunIncidentsOnStore({"--json"}, rig.store(), rig.clock(), out, err) == 2);
  CHECK_THAT(err.str(), Catch::Contains("unexpected argument '--json'"));
  CHECK(Run(rig, {}) == "no incidents\n");
}

}  // namespace
}  // namespace earshot
