// An incident's first response: the first staff reply in its thread, when and by whom, kept by
// the incident through later replies, reopenings and restarts. Real SQLite, manual clock.
#include <catch2/catch.hpp>

#include "daemon/escalator/escalator.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using Kind = Escalation::Kind;
using std::chrono::minutes;

constexpr std::string_view kStaff = "care@acmeair.example";
constexpr std::string_view kOtherStaff = "desk@acmeair.example";

EscalatorOptions StaffOptions() {
  EscalatorOptions o;
  o.staff_authors = {std::string(kStaff), std::string(kOtherStaff)};
  return o;
}

// The customer's complaint "1" opens the incident at kStart; returns its id.
std::string OpenIncident(EscalatorRig& rig) {
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  REQUIRE(open[0].kind == Kind::kOpen);
  CHECK(!open[0].first_response.has_value());
  return open[0].incident_id;
}

DetectedPost StaffReply(std::string id, std::string author = std::string(kStaff)) {
  return MakePost({.id = std::move(id),
                   .author = std::move(author),
                   .text = "so sorry, DM us your file number",
                   .thread = "1",
                   .reply_to = "1"},
                  {});
}

IncidentRecord Stored(EscalatorRig& rig, const std::string& id) {
  auto inc = rig.store().LoadIncident(id);
  REQUIRE(inc.ok());
  REQUIRE(inc->has_value());
  return **inc;
}

TEST_CASE("First response: a staff reply after 12 minutes is the incident's first response",
          "[escalator][first-response]") {
  EscalatorRig rig(StaffOptions());
  const std::string id = OpenIncident(rig);
  CHECK(!Stored(rig, id).first_response.has_value());

  rig.clock().Advance(minutes(12));
  auto out = rig.Process(Batch({StaffReply("2")}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kResolve);
  CHECK(out[0].reason == "staff replied (@care@acmeair.example)");  // as it always read
  const FirstResponse expected{kStart + minutes(12), std::string(kStaff), minutes(12)};
  CHECK(out[0].first_response == expected);
  CHECK(Stored(rig, id).first_response == expected);

  // A second staff reply finds the incident resolved: the first response stays.
  rig.clock().Advance(minutes(3));
  CHECK(rig.Process(Batch({StaffReply("3", std::string(kOtherStaff))})).empty());
  CHECK(Stored(rig, id).first_response == expected);
}

TEST_CASE("First response: the clock is the escalator's, not the reply's created_at",
          "[escalator][first-response]") {
  EscalatorRig rig(StaffOptions());
  const std::string id = OpenIncident(rig);
  rig.clock().Advance(minutes(5));
  // The network stamps the reply an hour before the complaint (a skewed clock, or an old post
  // read again): the wait is still the escalator's 5 minutes.
  DetectedPost reply = StaffReply("2");
  reply.post.created_at = kStart - minutes(60);
  auto out = rig.Process(Batch({reply}));
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].first_response.has_value());
  CHECK(out[0].first_response->at == kStart + minutes(5));
  CHECK(out[0].first_response->after == minutes(5));
}

TEST_CASE("First response: a thank-you or quiet resolves an incident with none",
          "[escalator][first-response]") {
  EscalatorOptions o = StaffOptions();
  o.resolve_after_quiet = std::chrono::hours(1);
  EscalatorRig rig(o);
  const std::string id = OpenIncident(rig);
  rig.clock().Advance(minutes(10));
  auto thanks = rig.Process(Batch({MakePost(
      {.id = "2", .text = "found it, thanks", .thread = "1", .reply_to = "1"}, {Thanks()})}));
  REQUIRE(thanks.size() == 1);
  CHECK(thanks[0].kind == Kind::kResolve);
  CHECK(!thanks[0].first_response.has_value());
  CHECK(!Stored(rig, id).first_response.has_value());

  auto other =
      rig.Process(Batch({MakePost({.id = "9", .author = "bob@x.example"}, {Complaint()})}));
  REQUIRE(other.size() == 1);
  rig.clock().Advance(std::chrono::hours(2));
  auto quiet = rig.Tick();
  REQUIRE(quiet.size() == 1);
  CHECK(quiet[0].kind == Kind::kResolve);
  CHECK(!quiet[0].first_response.has_value());
  CHECK(!Stored(rig, other[0].incident_id).first_response.has_value());
}

TEST_CASE("First response: an acknowledged incident is answered too",
          "[escalator][first-response]") {
  EscalatorRig rig(StaffOptions());
  const std::string id = OpenIncident(rig);
  OperatorStore& store = rig.store();
  REQUIRE(store.AcknowledgeIncident(id, "sam", rig.clock().Now()).ok());
  rig.clock().Advance(minutes(2));
  REQUIRE(rig.Tick().size() == 1);  // the acknowledgement told
  REQUIRE(Stored(rig, id).status == IncidentStatus::kAcknowledged);
  rig.clock().Advance(minutes(7));
  auto out = rig.Process(Batch({StaffReply("2")}));
  REQUIRE(out.size() == 1);
  REQUIRE(out[0].first_response.has_value());
  CHECK(out[0].first_response->after == minutes(9));
}

TEST_CASE("First response: a reopening and a restart keep it", "[escalator][first-response]") {
  EscalatorRig rig(StaffOptions());
  const std::string id = OpenIncident(rig);
  rig.clock().Advance(minutes(12));
  REQUIRE(rig.Process(Batch({StaffReply("2")})).size() == 1);
  const FirstResponse expected{kStart + minutes(12), std::string(kStaff), minutes(12)};

  // A restart reads it back from the store.
  rig.Restart();
  CHECK(Stored(rig, id).first_response == expected);

  // The customer writes again: the incident reopens, answered as before.
  rig.clock().Advance(minutes(30));
  auto reopened =
      rig.Process(Batch({MakePost({.id = "4", .thread = "1", .reply_to = "2"}, {Complaint()})}));
  REQUIRE(reopened.size() == 1);
  CHECK(reopened[0].reason == "reopened");
  CHECK(!reopened[0].first_response.has_value());  // a page, not news of an answer
  IncidentRecord inc = Stored(rig, id);
  CHECK(inc.status == IncidentStatus::kOpen);
  CHECK(inc.opened_at == kStart + minutes(42));
  CHECK(inc.first_response == expected);

  // Support answers the reopened incident: it resolves, and the first response is still the
  // first one, so this resolve carries none.
  rig.clock().Advance(minutes(4));
  auto again = rig.Process(Batch({StaffReply("5", std::string(kOtherStaff))}));
  REQUIRE(again.size() == 1);
  CHECK(again[0].kind == Kind::kResolve);
  CHECK(again[0].reason == "staff replied (@desk@acmeair.example)");
  CHECK(!again[0].first_response.has_value());
  CHECK(Stored(rig, id).first_response == expected);
}

TEST_CASE("First response: a staff apology that reads as a complaint answers, never opens",
          "[escalator][first-response]") {
  EscalatorRig rig(StaffOptions());
  const std::string id = OpenIncident(rig);
  rig.clock().Advance(minutes(4));
  // The rules see "lost", "bag", the brand: a complaint. From staff, it is the answer.
  DetectedPost apology = MakePost({.id = "2",
                                   .author = std::string(kStaff),
                                   .text = "so sorry your bag is lost, @AcmeAir will DM you",
                                   .thread = "1",
                                   .reply_to = "1"},
                                  {Complaint(Severity::kHigh)});
  auto out = rig.Process(Batch({apology}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kResolve);
  CHECK(out[0].incident_id == id);
  REQUIRE(out[0].first_response.has_value());
  CHECK(out[0].first_response->after == minutes(4));
  auto active = rig.store().LoadActiveIncidents();
  REQUIRE(active.ok());
  CHECK(active->empty());
}

}  // namespace
}  // namespace earshot
