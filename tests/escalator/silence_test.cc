// Silences: the matcher language, `earshot silence add|list|expire`, and the escalator holding a
// silenced page until the silence ends.
#include <catch2/catch.hpp>
#include <sstream>

#include "daemon/cli/silence_command.h"
#include "daemon/escalator/incident_key.h"
#include "daemon/escalator/label_matcher.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using std::chrono::hours;
using std::chrono::minutes;

TEST_CASE("LabelMatchers: Alertmanager syntax matches labels", "[escalator]") {
  const Labels labels = {{"brand", "acmeair"}, {"severity", "medium"}, {"team", "baggage"}};
  struct Case {
    const char* text;
    bool match;
  };
  for (const Case& c : {Case{"brand=\"acmeair\"", true}, Case{"brand=acmeair", true},
                        Case{"{brand=\"acmeair\", team=\"baggage\"}", true},
                        Case{"brand=\"acmeair\",team=\"refunds\"", false},
                        Case{"brand!=\"acmeair\"", false}, Case{"severity=~\"low|medium\"", true},
                        Case{"severity=~\"med\"", false},  // anchored, as in Alertmanager
                        Case{"severity!~\"high|critical\"", true},
                        Case{"missing=\"\"", true}, Case{"missing!=\"\"", false}}) {
    auto m = LabelMatchers::Parse(c.text);
    INFO(c.text << " " << m.status().ToString());
    REQUIRE(m.ok());
    CHECK(m->Matches(labels) == c.match);
    // The canonical text parses to the same matchers.
    auto again = LabelMatchers::Parse(m->ToString());
    REQUIRE(again.ok());
    CHECK(again->Matches(labels) == c.match);
  }
  CHECK(LabelMatchers::Parse("note=\"say \\\"hi\\\"\"")->Matches({{"note", "say \"hi\""}}));
}

TEST_CASE("LabelMatchers: errors name the matcher and the problem", "[escalator]") {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {Case{"", "no matchers"}, Case{"=x", "expected a label name"},
                        Case{"brand", "expected = != =~ or !~ after 'brand'"},
                        Case{"brand=\"acme", "unterminated quoted value"},
                        Case{"brand=~\"(\"", "regex of 'brand': missing )"},
                        Case{"{brand=x", "missing }"}}) {
    auto m = LabelMatchers::Parse(c.text);
    REQUIRE(!m.ok());
    CHECK(m.status().code() == Status::Code::kInvalidArgument);
    CHECK_THAT(m.status().message(), Catch::Contains(c.message));
    CHECK_THAT(m.status().message(), Catch::Contains(std::string("'") + c.text + "'"));
  }
}

TEST_CASE("Silence command: add, list, expire", "[escalator]") {
  TempDir dir;
  auto store = StateStore::Open(dir.File("state.db"));
  REQUIRE(store.ok());
  ManualClock clock(kStart);
  std::ostringstream out, err;
  auto run = [&](std::vector<std::string> args) {
    out.str("");
    err.str("");
    return RunSilenceOnStore(args, **store, clock, out, err);
  };
  REQUIRE(run({"add", "brand=acmeair", "severity=~low|medium", "--for", "2h", "--comment",
               "storm handled by PR", "--by", "ops"}) == 0);
  CHECK(out.str() == "sil-1 silences brand=\"acmeair\",severity=~\"low|medium\" until "
                     "2026-11-18T13:06:40.000Z\n");
  REQUIRE(run({"list"}) == 0);
  CHECK(out.str() == "sil-1  brand=\"acmeair\",severity=~\"low|medium\"  active until "
                     "2026-11-18T13:06:40.000Z  by ops  # storm handled by PR\n");
  REQUIRE(run({"expire", "sil-1"}) == 0);
  CHECK(out.str() == "expired sil-1\n");
  REQUIRE(run({"list"}) == 0);
  CHECK(out.str() == "no active silences\n");
  REQUIRE(run({"list", "--all"}) == 0);
  CHECK_THAT(out.str(), Catch::Contains("sil-1  brand=\"acmeair\""));
  CHECK_THAT(out.str(), Catch::Contains("expired until"));

  struct Bad {
    std::vector<std::string> args;
    int code;
    const char* message;
  };
  for (const Bad& b : {Bad{{}, 2, "missing subcommand"},
                       Bad{{"add", "brand=x"}, 2, "a silence needs an end"},
                       Bad{{"add", "brand=x", "--for", "soon"}, 2, "--for needs a duration"},
                       Bad{{"add", "--for", "1h"}, 2, "no matchers"},
                       Bad{{"add", "brand=x", "--until", "2020-01-01T00:00:00Z"}, 2, "in the past"},
                       Bad{{"expire", "sil-42"}, 2, "silence 'sil-42': no such silence"},
                       Bad{{"mute"}, 2, "unknown subcommand 'mute'"}}) {
    CHECK(run(b.args) == b.code);
    CHECK_THAT(err.str(), Catch::Contains(b.message));
  }
  CHECK(ParseShortDuration("90s") == std::chrono::seconds(90));
  CHECK(ParseShortDuration("1d") == std::chrono::seconds(86400));
  CHECK(!ParseShortDuration("0h"));
  CHECK(!ParseShortDuration("h"));
}

TEST_CASE("Escalator: a silence mutes matching pages until it ends, then they go out",
          "[escalator]") {
  EscalatorRig rig;
  std::ostringstream out, err;
  REQUIRE(RunSilenceOnStore({"add", "brand=acmeair", "team=baggage", "--for", "1h"}, rig.store(),
                            rig.clock(), out, err) == 0);
  // Silenced: nothing pages, the incident still opens and records why it is quiet.
  CHECK(rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})})).empty());
  // Another brand is not silenced.
  auto other = rig.Process(Batch({MakePost(
      {.id = "2", .author = "bob"}, {Rule("r", Category::kComplaint, Severity::kLow,
                                          {{"brand", "otherair"}})})}));
  CHECK(other.size() == 1);
  const std::string id = IncidentIdFor("mastodon|jane@air.example|1");
  auto events = rig.store().LoadIncidentEvents(id);
  REQUIRE(events->size() == 1);
  CHECK(events->front().kind == IncidentEventKind::kSilenced);
  CHECK(events->front().reason == "new incident (by sil-1)");
  rig.clock().Advance(minutes(30));
  CHECK(rig.Tick().empty());
  rig.clock().Advance(minutes(30));
  auto out2 = rig.Tick();  // the silence ended: the held page goes out once
  REQUIRE(out2.size() == 1);
  CHECK(out2[0].incident_id == id);
  CHECK(out2[0].kind == Escalation::Kind::kOpen);
  CHECK(rig.Tick().empty());
}

TEST_CASE("Escalator: expiring a silence by hand releases the held page", "[escalator]") {
  EscalatorRig rig;
  std::ostringstream out, err;
  REQUIRE(RunSilenceOnStore({"add", "severity=~\"low|medium\"", "--for", "1d"}, rig.store(),
                            rig.clock(), out, err) == 0);
  CHECK(rig.Process(Batch({MakePost({.id = "1"}, {Complaint(Severity::kMedium)})})).empty());
  // A critical post escapes a silence that covers low and medium only.
  auto loud = rig.Process(Batch({MakePost({.id = "2", .thread = "1", .sentiment = -0.9},
                                          {Complaint(Severity::kHigh)})}));
  REQUIRE(loud.size() == 1);
  CHECK(loud[0].severity == Severity::kCritical);
  CHECK(loud[0].kind == Escalation::Kind::kOpen);
  REQUIRE(rig.Process(Batch({MakePost({.id = "3", .author = "bob"}, {Complaint()})})).empty());
  REQUIRE(RunSilenceOnStore({"expire", "sil-1"}, rig.store(), rig.clock(), out, err) == 0);
  auto released = rig.Tick();
  REQUIRE(released.size() == 1);
  CHECK(released[0].posts[0].author == "bob");
}

}  // namespace
}  // namespace earshot
