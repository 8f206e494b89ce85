// OperatorStore::ResolveIncident on both stores: what `earshot resolve` writes (the history line
// and the pending record, not the status, which is the escalator's), twice, on unknown and
// resolved incidents; for SQLite, that the pending record survives a reopen and that a
// version-11 database (before resolutions by hand) upgrades. What the escalator does with the
// record: tests/escalator/resolve_test.cc.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "daemon/state/memory_store.h"
#include "daemon/state/schema.h"
#include "daemon/state/state_store.h"
#include "tests/state/temp_dir.h"

namespace earshot {
namespace {

using testing::TempDir;

const SystemTime kT0 = FromUnixMillis(1'795'000'000'000);

IncidentRecord Paged(std::string id, IncidentStatus status) {
  IncidentRecord r;
  r.id = std::move(id);
  r.group_key = "mastodon|jane@air.example|" + r.id;
  r.rule_id = "lost-baggage";
  r.category = IncidentKind::kComplaint;
  r.severity = Severity::kHigh;
  r.notified_severity = Severity::kHigh;
  r.status = status;
  if (status == IncidentStatus::kResolved) r.resolved_at = kT0;
  r.summary = "lost my bag";
  r.opened_at = kT0;
  r.last_post_at = kT0;
  r.last_notified_at = kT0;
  r.post_count = 1;
  return r;
}

size_t CountEvents(OperatorStore& store, const std::string& id, IncidentEventKind kind) {
  auto events = store.LoadIncidentEvents(id);
  REQUIRE(events.ok());
  size_t n = 0;
  for (const IncidentEvent& e : *events) n += e.kind == kind ? 1 : 0;
  return n;
}

// The contract, on one store.
void CheckResolve(IncidentStore& incidents, OperatorStore& ops) {
  EscalatorCommit c;
  c.incidents = {Paged("inc-open", IncidentStatus::kOpen),
                 Paged("inc-acked", IncidentStatus::kAcknowledged),
                 Paged("inc-done", IncidentStatus::kResolved)};
  REQUIRE(incidents.Commit(c).ok());
  const SystemTime at = kT0 + std::chrono::milliseconds(90'500);

  REQUIRE(ops.ResolveIncident("inc-open", "dana", at).ok());
  auto events = ops.LoadIncidentEvents("inc-open");
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].kind == IncidentEventKind::kResolved);
  CHECK((*events)[0].reason == "resolved by dana");
  CHECK((*events)[0].at == at);
  CHECK((*events)[0].severity == Severity::kHigh);
  CHECK((*events)[0].seq == 0);  // not an escalation: the escalator's resolve will be
  auto pending = incidents.LoadPendingResolves();
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].incident_id == "inc-open");
  CHECK((*pending)[0].by == "dana");
  CHECK((*pending)[0].at == at);
  // The escalator resolves it when it reads the record; until then the status is untouched.
  CHECK((*incidents.LoadIncident("inc-open"))->status == IncidentStatus::kOpen);
  // Acknowledging what waits to be resolved is refused, as for what is resolved.
  CHECK(ops.AcknowledgeIncident("inc-open", "sam", at).code() == Status::Code::kInvalidArgument);

  // Twice records nothing new.
  REQUIRE(ops.ResolveIncident("inc-open", "sam", at + Seconds(1)).ok());
  CHECK(CountEvents(ops, "inc-open", IncidentEventKind::kResolved) == 1);
  CHECK(incidents.LoadPendingResolves()->size() == 1);

  // An acknowledged incident can be resolved; a resolved one is Ok and records nothing.
  REQUIRE(ops.ResolveIncident("inc-acked", "dana", at).ok());
  REQUIRE(ops.ResolveIncident("inc-done", "dana", at).ok());
  CHECK(CountEvents(ops, "inc-done", IncidentEventKind::kResolved) == 0);
  pending = incidents.LoadPendingResolves();
  REQUIRE(pending->size() == 2);
  CHECK((*pending)[1].incident_id == "inc-acked");
  CHECK((*pending)[1].id > (*pending)[0].id);

  const Status unknown = ops.ResolveIncident("inc-zz", "dana", at);
  CHECK(unknown.code() == Status::Code::kNotFound);
  CHECK(unknown.message().find("no such incident") != std::string::npos);

  // The commit that carries one out removes its record, and only it.
  EscalatorCommit done;
  IncidentRecord resolved = Paged("inc-open", IncidentStatus::kResolved);
  done.incidents = {resolved};
  done.resolves_done = {(*pending)[0].id};
  REQUIRE(incidents.Commit(done).ok());
  pending = incidents.LoadPendingResolves();
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].incident_id == "inc-acked");
  // Resolved now: resolving again is still Ok and still quiet.
  REQUIRE(ops.ResolveIncident("inc-open", "dana", at).ok());
  CHECK(incidents.LoadPendingResolves()->size() == 1);
}

TEST_CASE("ResolveIncident: SQLite store", "[state]") {
  TempDir dir;
  auto store = StateStore::Open(dir.File("state.db"));
  REQUIRE(store.ok());
  CheckResolve(**store, **store);
}

TEST_CASE("ResolveIncident: memory store", "[state]") {
  MemoryStore store;
  CheckResolve(store, store);
}

TEST_CASE("StateStore: a pending resolution survives a reopen", "[state]") {
  TempDir dir;
  {
    auto store = StateStore::Open(dir.File("state.db"));
    REQUIRE(store.ok());
    EscalatorCommit c;
    c.incidents = {Paged("inc-1", IncidentStatus::kOpen)};
    REQUIRE((*store)->Commit(c).ok());
    REQUIRE((*store)->ResolveIncident("inc-1", "dana", kT0 + Seconds(5)).ok());
  }
  auto store = StateStore::Open(dir.File("state.db"));
  REQUIRE(store.ok());
  auto pending = (*store)->LoadPendingResolves();
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0] == PendingResolve{(*pending)[0].id, "inc-1", "dana", kT0 + Seconds(5)});
  // Still known after the reopen: a second `earshot resolve` adds nothing.
  REQUIRE((*store)->ResolveIncident("inc-1", "sam", kT0 + Seconds(6)).ok());
  CHECK((*store)->LoadPendingResolves()->size() == 1);
}

TEST_CASE("StateStore: a version-11 database gains pending resolutions", "[state]") {
  TempDir dir;
  const auto path = dir.File("state.db");
  {
    // The file as earshot wrote it before `earshot resolve`: migrations 1..11, an open incident
    // and an acknowledgement still pending.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
    std::string v11;
    for (int i = 0; i < 11; ++i) v11 += std::string(state::Migrations()[i]);
    v11 += "CREATE TABLE schema_version(version INTEGER NOT NULL);"
           "INSERT INTO schema_version VALUES(11);"
           "INSERT INTO incidents(id, group_key, status, rule_id, category, severity, "
           "notified_severity, labels, summary, opened_at, last_post_at, last_notified_at, "
           "post_count) VALUES('inc-11','k','open','r','complaint',2,2,'{}','s',1000,2000,3000,1);"
           "INSERT INTO pending_acks(incident_id, by, at) VALUES('inc-11', 'sam', 4000);";
    char* error = nullptr;
    const int rc = sqlite3_exec(raw, v11.c_str(), nullptr, nullptr, &error);
    INFO((error != nullptr ? error : ""));
    sqlite3_free(error);
    REQUIRE(rc == SQLITE_OK);
    // Proves the fixture is the old shape.
    sqlite3_stmt* stmt = nullptr;
    CHECK(sqlite3_prepare_v2(raw, "SELECT id FROM pending_resolves", -1, &stmt, nullptr) ==
          SQLITE_ERROR);
    sqlite3_finalize(stmt);
    sqlite3_close(raw);
  }
  {
    auto store = StateStore::Open(path);
    REQUIRE(store.ok());
    CHECK(*(*store)->SchemaVersion() == StateStore::LatestSchemaVersion());
    CHECK(StateStore::LatestSchemaVersion() >= 12);
    CHECK((*store)->LoadPendingResolves()->empty());
    CHECK((*store)->LoadPendingAcks()->size() == 1);  // the older rows are kept
    REQUIRE((*store)->ResolveIncident("inc-11", "dana", FromUnixMillis(5000)).ok());
  }
  // A reopen migrates nothing more and reads the pending resolution back.
  auto store = StateStore::Open(path);
  REQUIRE(store.ok());
  auto pending = (*store)->LoadPendingResolves();
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].incident_id == "inc-11");
  CHECK((*pending)[0].at == FromUnixMillis(5000));
}

}  // namespace
}  // namespace earshot
