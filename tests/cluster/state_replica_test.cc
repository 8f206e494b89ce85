// StateLog, StateReplica and ReplicatedStore against a real nats-server, each "node" with its
// own SQLite file: what one node commits or changes, every node applies; the leader's commits
// are fenced; a restarted replica applies each message once; an unreadable one is passed over.
#include <catch2/catch.hpp>
#include <filesystem>

#include "daemon/cluster/replicated_store.h"
#include "daemon/cluster/state_log.h"
#include "daemon/cluster/state_replica.h"
#include "daemon/nats/jetstream.h"
#include "daemon/state/state_store.h"
#include "tests/cluster/cluster_fixture.h"
#include "tests/state/temp_dir.h"

namespace earshot::cluster {
namespace {

using earshot::testing::kPatience;
using earshot::testing::NatsServer;
using earshot::testing::TempDir;
using earshot::testing::WaitUntil;

const SystemTime kT0 = FromUnixMillis(1'795'000'000'000);
const ClusterNames kNames("earshot");

// One cluster node's state: its SQLite file, its replica of the log, and its store.
struct StateNode {
  StateNode(const NatsServer& server, const std::filesystem::path& file, std::string name)
      : connection(nats::ConnectForTest({server.url()})),
        log(*connection, kNames, 1),
        path(file),
        name(std::move(name)) {
    REQUIRE(log.Ensure().ok());
    auto opened = StateStore::Open(path);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    local = std::move(opened).value();
    StartReplica();
  }
  // A replica of its own over the same file, as after a restart of the node.
  void StartReplica() {
    store.reset();
    replica.reset();
    replica = std::make_unique<StateReplica>(log, *local);
    REQUIRE(replica->Start().ok());
    store = std::make_unique<ReplicatedStore>(*local, log, *replica, name,
                                              std::chrono::seconds(10));
  }
  void CatchUp() {
    Status s = replica->CatchUp(kPatience);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  std::unique_ptr<nats::Connection> connection;
  StateLog log;
  std::filesystem::path path;
  std::string name;
  std::unique_ptr<StateStore> local;
  std::unique_ptr<StateReplica> replica;
  std::unique_ptr<ReplicatedStore> store;
};

IncidentRecord Incident(const std::string& id) {
  IncidentRecord r;
  r.id = id;
  r.group_key = "mastodon|jane@air.example|" + id;
  r.rule_id = "lost-baggage";
  r.category = IncidentKind::kComplaint;
  r.severity = Severity::kHigh;
  r.summary = "lost my bag";
  r.receiver = "oncall";
  r.opened_at = kT0;
  r.last_post_at = kT0;
  r.post_count = 1;
  return r;
}

// One escalator step: opens incident `id` from post `post`, with one escalation at `seq`.
EscalatorCommit Step(const std::string& id, const std::string& post, uint64_t seq) {
  EscalatorCommit c;
  c.source = "mastodon:acme";
  c.cursor = "cursor-" + post;
  c.seen = {{"mastodon:acme", post, kT0}};
  c.incidents = {Incident(id)};
  c.events = {{id, kT0, IncidentEventKind::kOpen, Severity::kHigh, "new incident", seq}};
  c.outbox = {{seq, "{\"seq\":" + std::to_string(seq) + "}", kT0}};
  c.input_seq = seq * 10;
  return c;
}

// Waits until `node` has applied all the log holds, then checks it carries incident `id`.
void CheckHasIncident(StateNode& node, const std::string& id) {
  node.CatchUp();
  auto loaded = node.store->LoadIncident(id);
  REQUIRE(loaded.ok());
  INFO(node.name << " " << id);
  REQUIRE(loaded->has_value());
  CHECK((*loaded)->rule_id == "lost-baggage");
}

TEST_CASE("ReplicatedStore: a commit on one node is applied on every node", "[cluster][nats]") {
  NatsServer server;
  TempDir dir;
  StateNode a(server, dir.File("a.db"), "node-a"), b(server, dir.File("b.db"), "node-b");
  a.store->SetLeaderEpoch(7);
  REQUIRE(a.store->Commit(Step("inc-1", "p1", 1)).ok());
  // Read-your-writes on the committing node, at once.
  CHECK(a.store->LoadIncident("inc-1")->has_value());
  REQUIRE(a.store->Commit(Step("inc-2", "p2", 2)).ok());
  for (StateNode* n : {&a, &b}) {
    CheckHasIncident(*n, "inc-1");
    CheckHasIncident(*n, "inc-2");
    CHECK(*n->store->MaxOutboxSeq() == 2);
    CHECK(n->store->ReadOutbox(0, 10)->size() == 2);
    CHECK(*n->store->IsPostSeen("mastodon:acme", "p2"));
    CHECK(*n->store->LoadCursor("mastodon:acme") == std::optional<std::string>("cursor-p2"));
    CHECK(n->store->LoadIncidentEvents("inc-1")->size() == 1);
    CHECK(*n->local->LoadPosition("batch_input") == 20);
    CHECK(n->replica->last_commit() == *a.log.LastSeq());
  }
}

TEST_CASE("ReplicatedStore: operators' and sinks' changes apply on every node",
          "[cluster][nats]") {
  NatsServer server;
  TempDir dir;
  StateNode a(server, dir.File("a.db"), "node-a"), b(server, dir.File("b.db"), "node-b");
  a.store->SetLeaderEpoch(1);
  REQUIRE(a.store->Commit(Step("inc-1", "p1", 1)).ok());
  b.CatchUp();

  // An ack served by node-b, the other node's copy changes too.
  REQUIRE(b.store->AcknowledgeIncident("inc-1", "jane", kT0).ok());
  a.CatchUp();
  for (StateNode* n : {&a, &b}) {
    CHECK((*n->store->LoadIncident("inc-1"))->status == IncidentStatus::kAcknowledged);
    CHECK(n->store->LoadPendingAcks()->size() == 1);
  }
  // An ack of an incident nobody has: kNotFound to the caller, as on one node.
  Status unknown = a.store->AcknowledgeIncident("inc-none", "jane", kT0);
  INFO(unknown.ToString());
  CHECK(unknown.code() == Status::Code::kNotFound);

  SilenceRecord silence;
  silence.matchers = "brand=\"acmeair\"";
  silence.comment = "maintenance";
  silence.created_by = "jane";
  silence.starts_at = kT0;
  silence.ends_at = kT0 + std::chrono::hours(2);
  auto id = a.store->AddSilence(silence);
  REQUIRE(id.ok());
  CHECK(id->rfind("sil-", 0) == 0);
  b.CatchUp();
  for (StateNode* n : {&a, &b}) {
    auto listed = n->store->ListSilences(kT0 + std::chrono::minutes(1), true);
    REQUIRE(listed.ok());
    REQUIRE(listed->size() == 1);
    CHECK((*listed)[0].id == *id);
    CHECK((*listed)[0].comment == "maintenance");
  }
  REQUIRE(b.store->ExpireSilence(*id, kT0 + std::chrono::minutes(2)).ok());
  a.CatchUp();
  for (StateNode* n : {&a, &b}) {
    CHECK(n->store->ListSilences(kT0 + std::chrono::minutes(3), true)->empty());
  }

  REQUIRE(a.store->SaveSinkCursor("pager", 1).ok());
  DeadLetter letter{"slack", 1, "HTTP 500", kT0, false};
  REQUIRE(b.store->AddDeadLetter(letter).ok());
  REQUIRE(b.store->AddDeadLetter(letter).ok());  // logged twice, parked once
  a.CatchUp();
  for (StateNode* n : {&a, &b}) {
    CHECK(*n->store->LoadSinkCursor("pager") == std::optional<uint64_t>(1));
    auto letters = n->store->ListDeadLetters("slack");
    REQUIRE(letters.ok());
    REQUIRE(letters->size() == 1);
    CHECK((*letters)[0].reason == "HTTP 500");
    CHECK_FALSE((*letters)[0].redeliver);
  }
  REQUIRE(a.store->RequeueDeadLetters("slack", {1}).ok());
  b.CatchUp();
  for (StateNode* n : {&a, &b}) {
    CHECK(*n->store->LoadRedeliveries("slack") == std::vector<uint64_t>{1});
  }
}

TEST_CASE("ReplicatedStore: a sink cursor logged late never moves the cursor back",
          "[cluster][nats]") {
  NatsServer server;
  TempDir dir;
  StateNode a(server, dir.File("a.db"), "node-a"), b(server, dir.File("b.db"), "node-b");
  // node-a delivered seq 3 and was paused before logging it; node-b took the sink over and
  // delivered up to 5. node-a, resumed, logs its 3 after node-b's 5.
  REQUIRE(b.store->SaveSinkCursor("archive", 5).ok());
  REQUIRE(a.store->SaveSinkCursor("archive", 3).ok());
  a.CatchUp();
  b.CatchUp();
  for (StateNode* n : {&a, &b}) {
    INFO(n->name);
    CHECK(*n->store->LoadSinkCursor("archive") == std::optional<uint64_t>(5));
  }
  // Forward still moves it.
  REQUIRE(b.store->SaveSinkCursor("archive", 6).ok());
  a.CatchUp();
  CHECK(*a.store->LoadSinkCursor("archive") == std::optional<uint64_t>(6));
}

TEST_CASE("ReplicatedStore: a leader whose replica is behind is fenced", "[cluster][nats]") {
  NatsServer server;
  TempDir dir;
  StateNode a(server, dir.File("a.db"), "node-a"), b(server, dir.File("b.db"), "node-b");
  b.store->SetLeaderEpoch(3);  // node-b led, and was paused with its replica
  b.replica->Stop();
  a.store->SetLeaderEpoch(5);  // node-a took the escalator over
  REQUIRE(a.store->Commit(Step("inc-a", "pa", 1)).ok());

  Status stale = b.store->Commit(Step("inc-b", "pb", 1));
  INFO(stale.ToString());
  CHECK(stale.code() == Status::Code::kAborted);
  b.StartReplica();
  for (StateNode* n : {&a, &b}) {
    CheckHasIncident(*n, "inc-a");
    CHECK_FALSE(n->store->LoadIncident("inc-b")->has_value());
    CHECK(*n->store->MaxOutboxSeq() == 1);
  }
}

TEST_CASE("ReplicatedStore: a deposed leader is fenced even once its replica has caught up",
          "[cluster][nats]") {
  NatsServer server;
  TempDir dir;
  StateNode a(server, dir.File("a.db"), "node-a"), b(server, dir.File("b.db"), "node-b");
  b.store->SetLeaderEpoch(3);
  a.store->SetLeaderEpoch(5);
  REQUIRE(a.store->Commit(Step("inc-a", "pa", 1)).ok());
  // node-b's replica applies node-a's commit, but node-b's escalator decided without it.
  b.CatchUp();
  Status stale = b.store->Commit(Step("inc-b", "pb", 2));
  INFO(stale.ToString());
  CHECK(stale.code() == Status::Code::kAborted);
  // The leader's own commits chain: its second commit lands after its first.
  REQUIRE(a.store->Commit(Step("inc-a2", "pa2", 2)).ok());
  for (StateNode* n : {&a, &b}) {
    n->CatchUp();
    CHECK_FALSE(n->store->LoadIncident("inc-b")->has_value());
    CHECK(n->store->LoadIncident("inc-a2")->has_value());
  }
  // A new term of node-b, from the state it has now, commits again.
  b.store->SetLeaderEpoch(9);
  REQUIRE(b.store->Commit(Step("inc-b", "pb", 3)).ok());
  a.CatchUp();
  CHECK(a.store->LoadIncident("inc-b")->has_value());
}

TEST_CASE("StateReplica: a restart resumes after the stored position, applying nothing twice",
          "[cluster][nats]") {
  NatsServer server;
  TempDir dir;
  StateNode a(server, dir.File("a.db"), "node-a"), b(server, dir.File("b.db"), "node-b");
  a.store->SetLeaderEpoch(1);
  REQUIRE(a.store->Commit(Step("inc-1", "p1", 1)).ok());
  REQUIRE(a.store->SaveSinkCursor("pager", 1).ok());
  b.CatchUp();
  const uint64_t applied = b.replica->applied();
  CHECK(applied == *a.log.LastSeq());

  b.StartReplica();  // a new replica over the same file
  CHECK(b.replica->applied() == applied);
  CHECK(b.replica->last_commit() == a.replica->last_commit());
  REQUIRE(a.store->Commit(Step("inc-2", "p2", 2)).ok());
  b.CatchUp();
  CHECK(b.store->LoadIncidentEvents("inc-1")->size() == 1);
  CHECK(b.store->LoadIncidentEvents("inc-2")->size() == 1);
  auto outbox = b.store->ReadOutbox(0, 10);
  REQUIRE(outbox.ok());
  REQUIRE(outbox->size() == 2);
  CHECK((*outbox)[0].seq == 1);
  CHECK((*outbox)[1].seq == 2);

  // Applying an old message again by hand changes nothing either.
  auto first = nats::GetMessage(*a.connection, kNames.state_stream, 1);
  REQUIRE(first.ok());
  REQUIRE(first->has_value());
  REQUIRE(b.replica->Apply(**first).ok());
  CHECK(b.store->LoadIncidentEvents("inc-1")->size() == 1);
  CHECK(*b.store->MaxOutboxSeq() == 2);
}

TEST_CASE("StateReplica: an unreadable message is passed over and later ones still apply",
          "[cluster][nats]") {
  NatsServer server;
  TempDir dir;
  StateNode a(server, dir.File("a.db"), "node-a"), b(server, dir.File("b.db"), "node-b");
  auto garbage = nats::Publish(*a.connection, kNames.commit_subject, "{not a commit", {});
  REQUIRE(garbage.ok());
  auto bad_op = nats::Publish(*a.connection, kNames.op_subject, "[]", {});
  REQUIRE(bad_op.ok());
  a.CatchUp();
  b.CatchUp();
  CHECK(a.replica->skipped() == 2);
  CHECK(b.replica->skipped() == 2);
  CHECK(b.replica->last_commit() == garbage->seq);  // still what the next leader names
  CHECK_FALSE(b.replica->OutcomeOf(bad_op->seq).ok());

  a.store->SetLeaderEpoch(1);
  REQUIRE(a.store->Commit(Step("inc-1", "p1", 1)).ok());
  REQUIRE(a.store->SaveSinkCursor("pager", 1).ok());
  b.CatchUp();
  CheckHasIncident(b, "inc-1");
  CHECK(*b.store->LoadSinkCursor("pager") == std::optional<uint64_t>(1));
  CHECK(b.replica->skipped() == 2);
}

}  // namespace
}  // namespace earshot::cluster
