// Silences: the matcher language, and the escalator holding a silenced page until the silence
// ends. (`earshot silence add|list|expire` is tested in tests/cli.)
#include <catch2/catch.hpp>

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

// What `earshot silence add MATCHERS --for DURATION` stores, through the store's operator role;
// `matchers` as the command writes them (LabelMatchers::ToString). Returns the silence's id.
std::string AddSilence(EscalatorRig& rig, std::string matchers, std::chrono::seconds duration) {
  SilenceRecord silence;
  silence.matchers = std::move(matchers);
  silence.created_by = "ops";
  silence.starts_at = rig.clock().Now();
  silence.ends_at = silence.starts_at + duration;
  OperatorStore& store = rig.store();
  auto id = store.AddSilence(silence);
  INFO(id.status().ToString());
  REQUIRE(id.ok());
  return *id;
}

TEST_CASE("Escalator: a silence mutes matching pages until it ends, then they go out",
          "[escalator]") {
  EscalatorRig rig;
  REQUIRE(AddSilence(rig, R"(brand="acmeair",team="baggage")", hours(1)) == "sil-1");
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
  const std::string silence = AddSilence(rig, R"(severity=~"low|medium")", hours(24));
  CHECK(rig.Process(Batch({MakePost({.id = "1"}, {Complaint(Severity::kMedium)})})).empty());
  // A critical post escapes a silence that covers low and medium only.
  auto loud = rig.Process(Batch({MakePost({.id = "2", .thread = "1", .sentiment = -0.9},
                                          {Complaint(Severity::kHigh)})}));
  REQUIRE(loud.size() == 1);
  CHECK(loud[0].severity == Severity::kCritical);
  CHECK(loud[0].kind == Escalation::Kind::kOpen);
  REQUIRE(rig.Process(Batch({MakePost({.id = "3", .author = "bob"}, {Complaint()})})).empty());
  REQUIRE(rig.store().ExpireSilence(silence, rig.clock().Now()).ok());
  auto released = rig.Tick();
  REQUIRE(released.size() == 1);
  CHECK(released[0].posts[0].author == "bob");
}

}  // namespace
}  // namespace earshot
