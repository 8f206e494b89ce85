// The silences file: read strictly (every mistake at file:line:col with its fix), muting through
// the escalator's one silence list from starts_at to ends_at. (Listed by `earshot silence list`
// and refused by `earshot silence expire`: tests/cli/silence_command_test.cc.)
#include <catch2/catch.hpp>
#include <fstream>

#include "daemon/escalator/incident_key.h"
#include "daemon/escalator/silence_file.h"
#include "tests/escalator/escalator_fixture.h"
#include "tests/escalator/example_files.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using std::chrono::hours;
using std::chrono::minutes;

constexpr const char* kGoodFile = kSilencesFile;  // kStart is 2026-11-18T11:06:40Z.

TEST_CASE("Silences file: entries load with stable ids, ended ones are warnings", "[escalator]") {
  TempDir dir;
  Diagnostics diags;
  auto silences = LoadSilenceFile(dir.Write("silences.yaml", kGoodFile), "silences.yaml",
                                  kStart, &diags);
  INFO(diags.ToText());
  REQUIRE(silences);
  REQUIRE(silences->size() == 2);
  const FileSilence& a = (*silences)[0];
  CHECK(a.id == "file:silences.yaml:2");
  CHECK(a.matchers.ToString() == "brand=\"acmeair\",team=\"baggage\"");
  CHECK(a.ActiveAt(kStart));
  CHECK(!a.ActiveAt(kStart + hours(1)));  // ends_at is exclusive
  CHECK(a.created_by == "ops");
  CHECK(a.comment == "baggage migration, ops on it");
  const FileSilence& b = (*silences)[1];
  CHECK(b.id == "file:silences.yaml:6");
  CHECK(b.created_by.empty());
  CHECK(!b.ActiveAt(kStart));  // pending until starts_at
  CHECK(b.ActiveAt(ParseIso8601("2026-11-18T14:00:00Z").value()));
  REQUIRE(diags.warning_count() == 1);
  CHECK(!diags.has_errors());
  CHECK_THAT(diags.all()[0].ToString(),
             Catch::Contains("silences.yaml:10:3: warning: silence #3 ended at "
                             "2026-11-01T00:00:00.000Z and is ignored; delete it from the file"));

  Diagnostics empty_diags;
  auto none = LoadSilenceFile(dir.Write("empty.yaml", "# nothing muted\n"), "empty.yaml",
                              kStart, &empty_diags);
  REQUIRE(none);
  CHECK(none->empty());
  CHECK(empty_diags.empty());
}

TEST_CASE("Silences file: every mistake is reported at its position with the fix",
          "[escalator]") {
  TempDir dir;
  const auto path = dir.Write("silences.yaml", R"(- matchers: ['brand="acmeair"', 'team=~"("']
  ends_at: 2026-11-19T00:00:00Z
  comment: regex typo
- matchers: brand=acmeair
  ends_at: tomorrow
  comment: not a time
- matchers: brand=acmeair
  starts_at: 2026-11-19T00:00:00Z
  ends_at: 2026-11-18T00:00:00Z
  comment: backwards
- matchers: brand=acmeair
  ends_at: 2026-11-19T00:00:00Z
  comnent: a typo in a key
- matchers: []
  ends_at: 2026-11-19T00:00:00Z
  comment: ''
)");
  Diagnostics diags;
  auto silences = LoadSilenceFile(path, "silences.yaml", kStart, &diags);
  CHECK(!silences);
  const std::string text = diags.ToText();
  INFO(text);
  const std::string f = path.string();
  for (const std::string& expected : {
           f + ":1:33: error: matchers of silence #1: matchers 'team=~\"(\"': regex of 'team': "
               "missing )",
           f + ":5:12: error: ends_at of silence #2: 'tomorrow' is not an ISO-8601 UTC time; "
               "write it as 2026-11-22T18:00:00Z",
           f + ":9:12: error: ends_at of silence #3 (2026-11-18T00:00:00.000Z) is not after its "
               "starts_at (2026-11-19T00:00:00.000Z); swap them or fix the date",
           f + ":11:3: error: silence #4: missing required key 'comment'",
           f + ":13:3: error: unknown key 'comnent' in silence #4 (did you mean 'comment'?)",
           f + ":14:13: error: matchers of silence #5: the list is empty",
           f + ":16:12: error: comment of silence #5 is empty",
       }) {
    CHECK_THAT(text, Catch::Contains(expected));
  }
  CHECK_THAT(text, Catch::Contains("write e.g. brand=\"acmeair\",severity=~\"low|medium\""));
  CHECK(diags.error_count() == 7);

  Diagnostics shape;
  CHECK(!LoadSilenceFile(dir.Write("map.yaml", "matchers: brand=acmeair\n"), "map.yaml",
                         kStart, &shape));
  CHECK_THAT(shape.ToText(), Catch::Contains("map.yaml:1:1: error: the silences file is a list "
                                             "of silences"));
}

TEST_CASE("Escalator: a file silence mutes like a stored one, from starts_at to ends_at",
          "[escalator]") {
  EscalatorRig rig;
  TempDir dir;
  Diagnostics diags;
  auto silences = LoadSilenceFile(dir.Write("silences.yaml", kGoodFile), "silences.yaml",
                                  rig.clock().Now(), &diags);
  REQUIRE(silences);
  rig.escalator().SetFileSilences(*silences);
  CHECK(rig.escalator().file_silence_count() == 2);
  CHECK(rig.Tick().empty());  // the escalator picks the file's silences up on its tick

  // Muted: the incident opens, records which file entry keeps it quiet, and pages nobody.
  CHECK(rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})})).empty());
  const std::string id = IncidentIdFor("mastodon|jane@air.example|1");
  auto events = rig.store().LoadIncidentEvents(id);
  REQUIRE(events->size() == 1);
  CHECK(events->front().kind == IncidentEventKind::kSilenced);
  CHECK(events->front().reason == "new incident (by file:silences.yaml:2)");
  // The second entry is pending: a refund complaint pages now.
  auto refund = rig.Process(Batch({MakePost(
      {.id = "2", .author = "bob"},
      {Rule("refund-delay", Category::kComplaint, Severity::kMedium, {{"brand", "acmeair"}})})}));
  CHECK(refund.size() == 1);

  rig.clock().Advance(minutes(59));
  CHECK(rig.Tick().empty());
  rig.clock().Advance(minutes(1));  // ends_at: the held page goes out once
  auto released = rig.Tick();
  REQUIRE(released.size() == 1);
  CHECK(released[0].incident_id == id);
  CHECK(released[0].kind == Escalation::Kind::kOpen);
  CHECK(rig.Tick().empty());

  // From starts_at on, the second entry mutes refund complaints.
  rig.clock().Advance(std::chrono::duration_cast<std::chrono::milliseconds>(
      ParseIso8601("2026-11-18T14:00:00Z").value() - rig.clock().Now()));
  CHECK(rig.Tick().empty());
  CHECK(rig.Process(Batch({MakePost(
                      {.id = "3", .author = "carol"},
                      {Rule("refund-delay", Category::kComplaint, Severity::kMedium,
                            {{"brand", "otherair"}})})}))
            .empty());

  // A reload that empties the file lifts its silences at the next tick.
  rig.escalator().SetFileSilences({});
  CHECK(rig.escalator().file_silence_count() == 0);
  auto lifted = rig.Tick();
  REQUIRE(lifted.size() == 1);
  CHECK(lifted[0].posts[0].author == "carol");
}

}  // namespace
}  // namespace earshot
