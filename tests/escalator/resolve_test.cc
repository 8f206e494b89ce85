// Resolutions by hand (`earshot resolve`): the escalator reads the pending record the command
// wrote, resolves the incident as it resolves any (one `resolve` to the receivers, reason
// "resolved by NAME"), and a later complaint on the key reopens it. Real SQLite, manual clock;
// the command's words and exit codes are tested in tests/cli.
#include <catch2/catch.hpp>

#include "daemon/escalator/escalator.h"
#include "daemon/escalator/incident_key.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using Kind = Escalation::Kind;

// What `earshot resolve ID --by NAME` writes, through the store's operator role.
Status ResolveByHand(EscalatorRig& rig, std::string_view id, std::string_view by) {
  OperatorStore& store = rig.store();
  return store.ResolveIncident(id, by, rig.clock().Now());
}

TEST_CASE("Escalator: a resolution by hand is one resolve to the receivers, naming who",
          "[escalator]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  const std::string id = open[0].incident_id;

  rig.clock().Advance(std::chrono::minutes(5));
  REQUIRE(ResolveByHand(rig, id, "dana").ok());
  CHECK(HasEvent(rig.store(), id, "resolved", "resolved by dana"));
  // Until the escalator reads it, the incident is active, and a batch working from the
  // escalator's cache neither loses the resolution nor pages.
  CHECK((*rig.store().LoadIncident(id))->status == IncidentStatus::kOpen);
  CHECK(rig.Process(Batch({MakePost({.id = "2", .thread = "1"}, {Complaint()})})).empty());

  auto told = rig.Tick();
  REQUIRE(told.size() == 1);
  CHECK(told[0].kind == Kind::kResolve);
  CHECK(told[0].incident_id == id);
  CHECK(told[0].reason == "resolved by dana");
  CHECK(told[0].severity == open[0].severity);
  CHECK(told[0].rule_id == open[0].rule_id);
  CHECK(told[0].labels == open[0].labels);
  CHECK(told[0].seq == open[0].seq + 1);
  CHECK_FALSE(told[0].posts.empty());
  CHECK(*rig.store().MaxOutboxSeq() == told[0].seq);
  auto stored = *rig.store().LoadIncident(id);
  CHECK(stored->status == IncidentStatus::kResolved);
  CHECK(stored->resolved_at == rig.clock().Now());
  CHECK(HasEvent(rig.store(), id, "resolve", "resolved by dana"));
  CHECK(rig.store().LoadPendingResolves()->empty());
  CHECK(rig.escalator().active_incidents() == 0);
  CHECK(rig.Tick().empty());  // told once

  // Resolving again is Ok and tells nothing.
  REQUIRE(ResolveByHand(rig, id, "dana").ok());
  CHECK(rig.Tick().empty());

  // The customer writes again: a new incident under the key, as after any resolution.
  auto again = rig.Process(Batch({MakePost({.id = "3", .thread = "1"}, {Complaint()})}));
  REQUIRE(again.size() == 1);
  CHECK(again[0].kind == Kind::kOpen);
  CHECK(again[0].incident_id == id);
  CHECK(again[0].reason == "reopened");
  CHECK(rig.escalator().active_incidents() == 1);
}

TEST_CASE("Escalator: a resolution by hand made while the daemon was down is carried out at start",
          "[escalator]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  REQUIRE(ResolveByHand(rig, open[0].incident_id, "ana").ok());
  rig.Restart();
  auto told = rig.Tick();
  REQUIRE(told.size() == 1);
  CHECK(told[0].kind == Kind::kResolve);
  CHECK(told[0].reason == "resolved by ana");
  CHECK(told[0].seq == open[0].seq + 1);
  CHECK(rig.escalator().active_incidents() == 0);
  rig.Restart();
  CHECK(rig.Tick().empty());  // carried out once, also across a restart
  CHECK(rig.store().LoadPendingResolves()->empty());
}

TEST_CASE("Escalator: an incident never paged is resolved by hand without telling anyone",
          "[escalator]") {
  EscalatorOptions o;
  o.group_wait = std::chrono::seconds(60);
  EscalatorRig rig(o);
  CHECK(rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})})).empty());
  const std::string id = IncidentIdFor("mastodon|jane@air.example|1");
  REQUIRE(ResolveByHand(rig, id, "ana").ok());
  CHECK(rig.Tick().empty());
  CHECK((*rig.store().LoadIncident(id))->status == IncidentStatus::kResolved);
  CHECK(HasEvent(rig.store(), id, "resolve", "resolved by ana (never paged)"));
  // The open it held never goes out.
  rig.clock().Advance(std::chrono::seconds(120));
  CHECK(rig.Tick().empty());
}

TEST_CASE("Escalator: a resolution by hand and the quiet timer in one step resolve once",
          "[escalator]") {
  EscalatorOptions o;
  o.resolve_after_quiet = std::chrono::seconds(60);
  EscalatorRig rig(o);
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  REQUIRE(ResolveByHand(rig, open[0].incident_id, "dana").ok());
  rig.clock().Advance(std::chrono::seconds(90));  // quiet long enough too
  auto told = rig.Tick();
  REQUIRE(told.size() == 1);
  CHECK(told[0].kind == Kind::kResolve);
  CHECK(told[0].reason == "resolved by dana");
}

TEST_CASE("Escalator: an acknowledgement and a resolution by hand in one step, in that order",
          "[escalator]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  const std::string id = open[0].incident_id;
  OperatorStore& store = rig.store();
  REQUIRE(store.AcknowledgeIncident(id, "sam", rig.clock().Now()).ok());
  REQUIRE(ResolveByHand(rig, id, "dana").ok());
  auto told = rig.Tick();
  REQUIRE(told.size() == 2);
  CHECK(told[0].kind == Kind::kAcknowledge);
  CHECK(told[1].kind == Kind::kResolve);
  CHECK(told[1].reason == "resolved by dana");
  CHECK(told[1].seq == told[0].seq + 1);
}

TEST_CASE("Escalator: a resolution by hand of an incident resolved meanwhile tells nothing more",
          "[escalator]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  const std::string id = open[0].incident_id;
  REQUIRE(ResolveByHand(rig, id, "dana").ok());
  // The author's thanks resolves it before the escalator's next tick.
  auto thanked = rig.Process(Batch({MakePost({.id = "2", .thread = "1"}, {Thanks()})}));
  REQUIRE(thanked.size() == 1);
  CHECK(thanked[0].reason == "resolved by author");
  CHECK(rig.Tick().empty());
  CHECK(rig.store().LoadPendingResolves()->empty());

  // Resolved and reopened after the operator's word: the reopened incident is news the
  // operator has not seen, and stays open.
  auto again = rig.Process(Batch({MakePost({.id = "3", .thread = "1"}, {Complaint()})}));
  REQUIRE(again.size() == 1);
  REQUIRE(ResolveByHand(rig, id, "dana").ok());
  rig.clock().Advance(std::chrono::seconds(1));
  CHECK(rig.Process(Batch({MakePost({.id = "4", .thread = "1"}, {Thanks()})})).size() == 1);
  rig.clock().Advance(std::chrono::seconds(1));
  auto reopened = rig.Process(Batch({MakePost({.id = "5", .thread = "1"}, {Complaint()})}));
  REQUIRE(reopened.size() == 1);
  CHECK(reopened[0].reason == "reopened");
  CHECK(rig.Tick().empty());
  CHECK(rig.escalator().active_incidents() == 1);
  CHECK((*rig.store().LoadIncident(id))->status == IncidentStatus::kOpen);
}

TEST_CASE("Escalator: a silent source resolved by hand does not page again for the same silence",
          "[escalator]") {
  EscalatorOptions o;
  o.source_silent_after = std::chrono::minutes(30);
  EscalatorRig rig(o);
  PostBatch alive = Batch({});
  alive.fetch_ok = true;
  CHECK(rig.Process(alive).empty());
  rig.clock().Advance(std::chrono::minutes(30));
  auto silent = rig.Tick();
  REQUIRE(silent.size() == 1);
  CHECK(silent[0].category == "source-silent");
  REQUIRE(ResolveByHand(rig, silent[0].incident_id, "dana").ok());
  auto told = rig.Tick();
  REQUIRE(told.size() == 1);
  CHECK(told[0].kind == Kind::kResolve);
  CHECK(told[0].reason == "resolved by dana");
  // Still silent: the operator knows, and the same silence does not page again.
  rig.clock().Advance(std::chrono::minutes(5));
  CHECK(rig.Tick().empty());
  CHECK(rig.escalator().active_incidents() == 0);
  // It fetches, then falls silent again: a new silence, a new page.
  CHECK(rig.Process(alive).empty());
  rig.clock().Advance(std::chrono::minutes(31));
  auto again = rig.Tick();
  REQUIRE(again.size() == 1);
  CHECK(again[0].kind == Kind::kOpen);
  CHECK(again[0].incident_id != silent[0].incident_id);
}

}  // namespace
}  // namespace earshot
