// `earshot deadletter list|retry` against a real state store, and a retry that a real
// SinkRunner then delivers to a webhook receiver on loopback.
#include "daemon/cli/deadletter_command.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "daemon/bus/publisher.h"
#include "sinks/registry.h"
#include "sinks/runner.h"
#include "tests/sinks/receiver.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

using testing::CommitToOutbox;
using testing::Receiver;
using testing::SampleEscalation;
using testing::SinkTempDir;
using testing::WaitFor;

struct Outcome {
  int code;
  std::string out, err;
};

Outcome Run(StateStore& store, std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = RunDeadLetterOnStore(args, store, out, err);
  return {code, out.str(), err.str()};
}

std::unique_ptr<StateStore> OpenStore(const SinkTempDir& dir) {
  auto s = StateStore::Open(dir.path() / "earshot.db");
  REQUIRE(s.ok());
  return *std::move(s);
}

TEST_CASE("deadletter list: one line per dead letter, or JSON lines", "[app]") {
  SinkTempDir dir;
  auto store = OpenStore(dir);
  const SystemTime at = *ParseIso8601("2026-11-22T10:00:00Z");
  REQUIRE(store->AddDeadLetter({"hook", 7, "HTTP 404 from 127.0.0.1; webhook revoked", at}).ok());
  REQUIRE(store->AddDeadLetter({"chat", 3, "HTTP 410 \"gone\"", at}).ok());

  Outcome empty_sink = Run(*store, {"list", "--sink", "mail"});
  CHECK(empty_sink.code == 0);
  CHECK(empty_sink.out.empty());
  CHECK_THAT(empty_sink.err, Catch::Contains("sink 'mail' has no dead letters"));

  Outcome text = Run(*store, {"list"});
  CHECK(text.code == 0);
  CHECK(text.out ==
        "chat 3 2026-11-22T10:00:00.000Z HTTP 410 \"gone\"\n"
        "hook 7 2026-11-22T10:00:00.000Z HTTP 404 from 127.0.0.1; webhook revoked\n");

  Outcome json = Run(*store, {"list", "--json", "--sink", "chat"});
  CHECK(json.code == 0);
  CHECK(json.out == R"({"sink":"chat","seq":3,"at":"2026-11-22T10:00:00.000Z",)"
                    R"("reason":"HTTP 410 \"gone\"","retry_pending":false})" "\n");

  REQUIRE(Run(*store, {"retry", "hook", "7"}).code == 0);
  CHECK_THAT(Run(*store, {"list", "--sink", "hook"}).out, Catch::Contains("hook 7 "));
  CHECK_THAT(Run(*store, {"list", "--sink", "hook"}).out, Catch::Contains("[retry pending]"));
}

TEST_CASE("deadletter: usage errors exit 2, unknown seqs exit 1 and flag nothing", "[app]") {
  SinkTempDir dir;
  auto store = OpenStore(dir);
  REQUIRE(store->AddDeadLetter({"hook", 7, "HTTP 404", RealClock().Now()}).ok());
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string err;
  };
  const Case cases[] = {
      {{}, 2, "say list or retry"},
      {{"purge"}, 2, "unknown subcommand 'purge'"},
      {{"list", "--color"}, 2, "unknown argument '--color'"},
      {{"retry"}, 2, "name the sink"},
      {{"retry", "hook"}, 2, "give the seqs to retry, or --all"},
      {{"retry", "hook", "7", "--all"}, 2, "give the seqs to retry, or --all"},
      {{"retry", "hook", "seven"}, 2, "'seven' is not a seq"},
      {{"retry", "hook", "7", "8"}, 1, "sink 'hook': seq 8 is not a dead letter"},
      {{"retry", "chat", "--all"}, 1, "sink 'chat': no dead letters to retry"},
  };
  for (const Case& c : cases) {
    Outcome o = Run(*store, c.args);
    INFO(o.err);
    CHECK(o.code == c.code);
    CHECK_THAT(o.err, Catch::Contains(c.err));
  }
  CHECK(store->LoadRedeliveries("hook")->empty());
}

TEST_CASE("deadletter retry: a real runner delivers the retried escalations", "[app]") {
  SinkTempDir dir;
  auto store = OpenStore(dir);
  zmq::context_t context(1);
  auto publisher = bus::Publisher::Create(context, {});
  REQUIRE(publisher.ok());
  Receiver rx;
  REQUIRE(rx.ok());
  rx.SetMode(Receiver::Mode::kNotFound);

  SinkRegistry registry;
  RegisterBuiltinSinks(registry);
  auto sink = registry.Create(SinkConfig{"hook", "webhook", {{"url", rx.url("/hook")}}});
  REQUIRE(sink.ok());
  SinkRunnerOptions o;
  o.new_sink_starts_at_end = false;
  o.outbox_check_interval = std::chrono::milliseconds(50);
  SinkRunner runner("hook", *std::move(sink), *store, context, o);
  runner.Start();
  std::vector<Escalation> es = {SampleEscalation(1), SampleEscalation(2), SampleEscalation(3)};
  REQUIRE(CommitToOutbox(*store, es).ok());
  for (const Escalation& e : es) REQUIRE((*publisher)->Publish(EscalationToJson(e)).ok());
  REQUIRE(WaitFor([&] { return runner.dead_lettered() == 3; }));

  rx.SetMode(Receiver::Mode::kOk);
  Outcome retried = Run(*store, {"retry", "hook", "--all"});
  CHECK(retried.code == 0);
  CHECK_THAT(retried.out, Catch::Contains("sink 'hook': 3 dead letters queued for redelivery"));
  const bool all = WaitFor([&] { return store->ListDeadLetters("hook")->empty(); });
  runner.Join();
  REQUIRE(all);
  std::vector<std::string> keys;
  for (const HttpServerRequest& r : rx.accepted()) keys.emplace_back(*r.Header("idempotency-key"));
  std::vector<std::string> expected;
  for (const Escalation& e : es) expected.push_back(e.incident_id + "-" + std::to_string(e.seq));
  CHECK(keys == expected);
  CHECK(Run(*store, {"list"}).out.empty());
}

}  // namespace
}  // namespace earshot
