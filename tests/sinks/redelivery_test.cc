// Dead letters put back for delivery (`earshot deadletter retry`): a real SinkRunner with a real
// StateStore and bus sends them again, with their original seq and idempotency key, without
// moving its cursor.
#include <catch2/catch.hpp>

#include "daemon/bus/publisher.h"
#include "sinks/registry.h"
#include "sinks/runner.h"
#include "tests/sinks/receiver.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;
using testing::CommitToOutbox;
using testing::Receiver;
using testing::SampleEscalation;
using testing::SinkTempDir;
using testing::WaitFor;

struct Rig {
  SinkTempDir dir;
  std::unique_ptr<StateStore> store;
  zmq::context_t context{1};
  std::unique_ptr<bus::Publisher> publisher;

  Rig() {
    auto s = StateStore::Open(dir.path() / "earshot.db");
    REQUIRE(s.ok());
    store = *std::move(s);
    auto p = bus::Publisher::Create(context, {});
    REQUIRE(p.ok());
    publisher = *std::move(p);
  }
  std::unique_ptr<SinkRunner> Start(const SinkConfig& config) {
    SinkRegistry registry;
    RegisterBuiltinSinks(registry);
    Result<ConfiguredSink> sink = registry.Create(config);
    INFO(sink.status().ToString());
    REQUIRE(sink.ok());
    SinkRunnerOptions o;
    o.new_sink_starts_at_end = false;
    o.outbox_check_interval = milliseconds(50);
    auto r = std::make_unique<SinkRunner>(config.name, *std::move(sink), *store, context, o);
    r->Start();
    return r;
  }
  void Publish(uint64_t first, uint64_t last) {
    std::vector<Escalation> es;
    for (uint64_t s = first; s <= last; ++s) es.push_back(SampleEscalation(s));
    REQUIRE(CommitToOutbox(*store, es).ok());
    for (const Escalation& e : es) REQUIRE(publisher->Publish(EscalationToJson(e)).ok());
  }
};

std::string Key(uint64_t seq) {
  return SampleEscalation(seq).incident_id + "-" + std::to_string(seq);
}

TEST_CASE("StateStore: requeueing dead letters flags them, unknown seqs change nothing",
          "[sinks]") {
  SinkTempDir dir;
  auto opened = StateStore::Open(dir.path() / "earshot.db");
  REQUIRE(opened.ok());
  StateStore& store = **opened;
  const SystemTime now = RealClock().Now();
  for (uint64_t seq : {3, 5, 8}) REQUIRE(store.AddDeadLetter({"hook", seq, "HTTP 404", now}).ok());
  REQUIRE(store.AddDeadLetter({"chat", 4, "HTTP 404", now}).ok());
  CHECK(store.LoadRedeliveries("hook")->empty());

  // One unknown seq: nothing flagged at all.
  Status bad = store.RequeueDeadLetters("hook", {3, 4});
  CHECK(bad.code() == Status::Code::kNotFound);
  CHECK_THAT(bad.message(), Catch::Contains("seq 4"));
  CHECK(store.LoadRedeliveries("hook")->empty());
  CHECK(store.RequeueDeadLetters("nobody", {}).code() == Status::Code::kNotFound);

  REQUIRE(store.RequeueDeadLetters("hook", {5, 8}).ok());
  CHECK(*store.LoadRedeliveries("hook") == std::vector<uint64_t>{5, 8});
  CHECK(store.LoadRedeliveries("chat")->empty());
  REQUIRE(store.RequeueDeadLetters("hook", {}).ok());
  CHECK(*store.LoadRedeliveries("hook") == std::vector<uint64_t>{3, 5, 8});
  auto letters = *store.ListDeadLetters("hook");
  REQUIRE(letters.size() == 3);
  CHECK(letters[0].redeliver);

  REQUIRE(store.ClearDeadLetter("hook", 5).ok());
  REQUIRE(store.UpdateDeadLetter({"hook", 8, "HTTP 410", now}).ok());
  CHECK(*store.LoadRedeliveries("hook") == std::vector<uint64_t>{3});
  letters = *store.ListDeadLetters("hook");
  REQUIRE(letters.size() == 2);
  CHECK(letters[1].seq == 8);
  CHECK(letters[1].reason == "HTTP 410");
  CHECK_FALSE(letters[1].redeliver);
}

TEST_CASE("Runner: a dead letter put back is delivered again with its original idempotency key",
          "[sinks]") {
  Rig rig;
  Receiver rx;
  REQUIRE(rx.ok());
  rx.SetMode(Receiver::Mode::kNotFound);  // webhook revoked: 1 and 2 go to dead letters
  auto runner = rig.Start(SinkConfig{"hook", "webhook", {{"url", rx.url("/hook")}}});
  rig.Publish(1, 2);
  REQUIRE(WaitFor([&] { return runner->dead_lettered() == 2; }));
  rx.SetMode(Receiver::Mode::kOk);  // fixed on the receiver's side
  rig.Publish(3, 4);
  REQUIRE(WaitFor([&] { return rx.accepted().size() == 2; }));
  // The receiver answers before the runner saves its cursor: wait for the save, not the answer.
  CHECK(WaitFor([&] { return rig.store->LoadSinkCursor("hook")->value_or(0) == 4; }));

  REQUIRE(rig.store->RequeueDeadLetters("hook", {2}).ok());
  REQUIRE(WaitFor([&] { return rx.accepted().size() == 3; }));
  REQUIRE(WaitFor([&] { return rig.store->LoadRedeliveries("hook")->empty(); }));
  auto letters = *rig.store->ListDeadLetters("hook");
  REQUIRE(letters.size() == 1);
  CHECK(letters[0].seq == 1);  // not asked for: still parked

  REQUIRE(rig.store->RequeueDeadLetters("hook", {}).ok());
  REQUIRE(WaitFor([&] { return rx.accepted().size() == 4; }));
  REQUIRE(WaitFor([&] { return rig.store->ListDeadLetters("hook")->empty(); }));
  runner->Join();

  std::vector<std::string> keys;
  for (const HttpServerRequest& r : rx.accepted()) keys.emplace_back(*r.Header("idempotency-key"));
  CHECK(keys == std::vector<std::string>{Key(3), Key(4), Key(2), Key(1)});
  // The cursor never went back: nothing after it was sent twice.
  CHECK(rig.store->LoadSinkCursor("hook")->value_or(0) == 4);
}

TEST_CASE("Runner: a retried dead letter refused again stays parked with the new reason",
          "[sinks]") {
  Rig rig;
  Receiver rx;
  REQUIRE(rx.ok());
  rx.SetMode(Receiver::Mode::kNotFound);
  auto runner = rig.Start(SinkConfig{"hook", "webhook", {{"url", rx.url("/hook")}}});
  rig.Publish(1, 1);
  REQUIRE(WaitFor([&] { return runner->dead_lettered() == 1; }));
  const size_t tries = rx.seen().size();
  REQUIRE(rig.store->RequeueDeadLetters("hook", {1}).ok());
  REQUIRE(WaitFor([&] { return rx.seen().size() == tries + 1; }));
  REQUIRE(WaitFor([&] { return rig.store->LoadRedeliveries("hook")->empty(); }));
  runner->Join();
  auto letters = *rig.store->ListDeadLetters("hook");
  REQUIRE(letters.size() == 1);
  CHECK_FALSE(letters[0].redeliver);
  CHECK_THAT(letters[0].reason, Catch::Contains("404"));
  CHECK(rx.seen().size() == tries + 1);  // one attempt per retry request, no loop
}

TEST_CASE("Runner: a retried dead letter that fails for a while is tried again until delivered",
          "[sinks]") {
  Rig rig;
  Receiver rx;
  REQUIRE(rx.ok());
  rx.SetMode(Receiver::Mode::kNotFound);
  auto runner = rig.Start(SinkConfig{
      "hook",
      "webhook",
      {{"url", rx.url("/hook")}, {"retry_initial", "10ms"}, {"retry_max", "40ms"}}});
  rig.Publish(1, 1);
  REQUIRE(WaitFor([&] { return runner->dead_lettered() == 1; }));
  rx.SetMode(Receiver::Mode::kError);
  const size_t before = rx.seen().size();
  REQUIRE(rig.store->RequeueDeadLetters("hook", {1}).ok());
  REQUIRE(WaitFor([&] { return rx.seen().size() >= before + 3; }));
  CHECK(*rig.store->LoadRedeliveries("hook") == std::vector<uint64_t>{1});  // still flagged
  rx.SetMode(Receiver::Mode::kOk);
  const bool cleared = WaitFor([&] { return rig.store->ListDeadLetters("hook")->empty(); });
  runner->Join();
  REQUIRE(cleared);
  REQUIRE(rx.accepted().size() == 1);
  CHECK(*rx.accepted()[0].Header("idempotency-key") == Key(1));
}

TEST_CASE("Runner: a retry asked for while the daemon was down is sent at the next start",
          "[sinks]") {
  Rig rig;
  Receiver rx;
  REQUIRE(rx.ok());
  rx.SetMode(Receiver::Mode::kNotFound);
  {
    auto runner = rig.Start(SinkConfig{"hook", "webhook", {{"url", rx.url("/hook")}}});
    rig.Publish(1, 3);
    REQUIRE(WaitFor([&] { return runner->dead_lettered() == 3; }));
    runner->Join();
  }
  REQUIRE(rig.store->RequeueDeadLetters("hook", {1, 3}).ok());
  rx.SetMode(Receiver::Mode::kOk);
  auto runner = rig.Start(SinkConfig{"hook", "webhook", {{"url", rx.url("/hook")}}});
  REQUIRE(WaitFor([&] { return rx.accepted().size() == 2; }));
  REQUIRE(WaitFor([&] { return rig.store->ListDeadLetters("hook")->size() == 1; }));
  runner->Join();
  std::vector<std::string> keys;
  for (const HttpServerRequest& r : rx.accepted()) keys.emplace_back(*r.Header("idempotency-key"));
  CHECK(keys == std::vector<std::string>{Key(1), Key(3)});
  CHECK(rig.store->ListDeadLetters("hook")->front().seq == 2);
}

}  // namespace
}  // namespace earshot
