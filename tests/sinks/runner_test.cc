// SinkRunner with its real parts: a SQLite StateStore in a temp dir, a ZeroMQ context and
// publisher, and a ScriptedSink whose answers each test chooses.
#include "sinks/runner.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <map>

#include "daemon/base/log.h"
#include "daemon/bus/publisher.h"
#include "sinks/rate_limiter.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;
using testing::CommitToOutbox;
using testing::Range;
using testing::SampleEscalation;
using testing::ScriptedSink;
using testing::SinkRef;
using testing::SinkTempDir;
using testing::WaitFor;

struct Rig {
  SinkTempDir dir;
  std::unique_ptr<StateStore> store;
  zmq::context_t context{1};
  std::unique_ptr<bus::Publisher> publisher;
  ScriptedSink sink;

  Rig() {
    auto s = StateStore::Open(dir.path() / "earshot.db");
    REQUIRE(s.ok());
    store = *std::move(s);
    auto p = bus::Publisher::Create(context, {});
    REQUIRE(p.ok());
    publisher = *std::move(p);
  }
  ~Rig() { publisher.reset(); }

  SinkRunnerOptions Options(milliseconds check_interval = milliseconds(200)) {
    SinkRunnerOptions o;
    o.policy.retry_initial = milliseconds(5);
    o.policy.retry_max = milliseconds(50);
    o.outbox_check_interval = check_interval;
    o.new_sink_starts_at_end = false;
    return o;
  }
  std::unique_ptr<SinkRunner> Runner(SinkRunnerOptions o, std::string name = "s") {
    return std::make_unique<SinkRunner>(std::move(name), std::make_unique<SinkRef>(sink), *store,
                                        context, std::move(o));
  }
  void Commit(uint64_t first, uint64_t last, bool publish,
              SystemTime at = std::chrono::time_point_cast<milliseconds>(
                  std::chrono::system_clock::now())) {
    std::vector<Escalation> es;
    for (uint64_t s = first; s <= last; ++s) es.push_back(SampleEscalation(s, at));
    REQUIRE(CommitToOutbox(*store, es).ok());
    if (publish) {
      for (const Escalation& e : es) REQUIRE(publisher->Publish(EscalationToJson(e)).ok());
    }
  }
  uint64_t SavedCursor(std::string_view name = "s") {
    auto c = store->LoadSinkCursor(name);
    REQUIRE(c.ok());
    return c->value_or(0);
  }
};

TEST_CASE("SinkRunner: catches up from the outbox, then delivers live, in order, once",
          "[sinks]") {
  Rig rig;
  rig.Commit(1, 5, /*publish=*/false);  // written while no runner was listening
  auto runner = rig.Runner(rig.Options());
  const int64_t beat = runner->heartbeat_ms();
  runner->Start();
  REQUIRE(WaitFor([&] { return rig.sink.delivered().size() == 5; }));
  for (uint64_t s = 6; s <= 60; ++s) rig.Commit(s, s, /*publish=*/true);
  REQUIRE(WaitFor([&] { return rig.sink.delivered().size() >= 60; }));
  CHECK(WaitFor([&] { return runner->heartbeat_ms() > beat; }));
  runner->Drain(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  runner->Join();
  CHECK(rig.sink.delivered() == Range(1, 60));
  CHECK(rig.sink.attempts() == Range(1, 60));
  CHECK(rig.SavedCursor() == 60);
  CHECK(runner->delivered() == 60);
  CHECK(runner->cursor() == 60);
}

TEST_CASE("SinkRunner: what the routes send elsewhere is passed over, no token spent, counted as skipped",
          "[sinks]") {
  Rig rig;
  rig.Commit(1, 4, /*publish=*/false);
  rig.sink.RouteElsewhere({1, 3});
  // One token a minute: had the passed-over ones spent one, 4 would wait a minute.
  SinkRunnerOptions o = rig.Options();
  o.policy.rate_limit = 2;
  o.policy.rate_period = std::chrono::minutes(1);
  auto runner = rig.Runner(o);
  runner->Start();
  REQUIRE(WaitFor([&] { return runner->cursor() == 4; }));
  runner->Drain(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  runner->Join();
  CHECK(rig.sink.attempts() == std::vector<uint64_t>{2, 4});  // never asked to deliver 1 or 3
  CHECK(runner->delivered() == 2);
  CHECK(runner->skipped() == 2);
  CHECK(rig.SavedCursor() == 4);
}

TEST_CASE("SinkRunner: a gap in seq on the bus is filled from the outbox", "[sinks]") {
  Rig rig;
  rig.Commit(1, 3, false);
  // The periodic outbox check is out of the picture: only the gap can explain 4..7.
  auto runner = rig.Runner(rig.Options(std::chrono::hours(1)));
  runner->Start();
  REQUIRE(WaitFor([&] { return rig.sink.delivered() == Range(1, 3); }));
  rig.Commit(4, 8, false);
  const std::string eight = EscalationToJson(SampleEscalation(8));
  // Republishing 8 is harmless (a seq at or below the cursor is skipped); it also rides out the
  // subscription's propagation delay.
  REQUIRE(WaitFor([&] {
    REQUIRE(rig.publisher->Publish(eight).ok());
    std::this_thread::sleep_for(milliseconds(20));
    return rig.sink.delivered().size() == 8;
  }));
  runner->Join();
  CHECK(rig.sink.delivered() == Range(1, 8));
}

TEST_CASE("SinkRunner: transient failures are retried, Retry-After honoured", "[sinks]") {
  Rig rig;
  rig.sink.Script({DeliveryResult::Retry("HTTP 429 from hooks.example", milliseconds(30)),
                   DeliveryResult::Retry("HTTP 503 from hooks.example"),
                   DeliveryResult::Delivered(),
                   DeliveryResult::Retry("timed out")});
  rig.Commit(1, 2, false);
  auto runner = rig.Runner(rig.Options());
  runner->Start();
  REQUIRE(WaitFor([&] { return rig.sink.delivered().size() == 2; }));
  runner->Join();
  CHECK(rig.sink.attempts() == std::vector<uint64_t>{1, 1, 1, 2, 2});
  CHECK(rig.sink.delivered() == Range(1, 2));
  CHECK(runner->retries() == 3);
  CHECK(runner->dead_lettered() == 0);
  CHECK(rig.SavedCursor() == 2);
}

TEST_CASE("SinkRunner: a permanent failure is dead-lettered after one try", "[sinks]") {
  Rig rig;
  rig.sink.Script({DeliveryResult::Permanent("HTTP 404 from hooks.example: webhook revoked")});
  rig.Commit(1, 3, false);
  auto runner = rig.Runner(rig.Options());
  runner->Start();
  REQUIRE(WaitFor([&] { return rig.sink.delivered().size() == 2; }));
  runner->Join();
  CHECK(rig.sink.attempts() == Range(1, 3));
  CHECK(rig.sink.delivered() == Range(2, 3));
  auto letters = rig.store->ListDeadLetters("s");
  REQUIRE(letters.ok());
  REQUIRE(letters->size() == 1);
  CHECK((*letters)[0].seq == 1);
  CHECK((*letters)[0].reason == "HTTP 404 from hooks.example: webhook revoked");
  CHECK(rig.SavedCursor() == 3);
}

TEST_CASE("SinkRunner: past max_age a failing escalation is dead-lettered with the reason",
          "[sinks]") {
  Rig rig;
  rig.sink.Always(DeliveryResult::Retry("HTTP 500 from hooks.example"));
  rig.Commit(1, 1, false, std::chrono::system_clock::now() - std::chrono::hours(2));
  SinkRunnerOptions o = rig.Options();
  o.policy.max_age = std::chrono::hours(1);
  auto runner = rig.Runner(o);
  runner->Start();
  REQUIRE(WaitFor([&] { return runner->dead_lettered() == 1; }));
  runner->Join();
  CHECK(rig.sink.attempts() == std::vector<uint64_t>{1});
  auto letters = rig.store->ListDeadLetters("s");
  REQUIRE(letters.ok());
  REQUIRE(letters->size() == 1);
  CHECK_THAT((*letters)[0].reason,
             Catch::StartsWith("undelivered 2.0h after it was raised (1 attempts, max_age 1.0h): "
                               "HTTP 500 from hooks.example"));
}

TEST_CASE("SinkRunner: an unreadable outbox record is parked, the rest delivered", "[sinks]") {
  Rig rig;
  EscalatorCommit c;
  c.outbox.push_back(OutboxRecord{1, "{\"seq\":1,\"incident_id\":7}", std::chrono::system_clock::now()});
  REQUIRE(rig.store->Commit(c).ok());
  rig.Commit(2, 2, false);
  auto runner = rig.Runner(rig.Options());
  runner->Start();
  REQUIRE(WaitFor([&] { return rig.sink.delivered().size() == 1; }));
  runner->Join();
  CHECK(rig.sink.delivered() == std::vector<uint64_t>{2});
  auto letters = rig.store->ListDeadLetters("s");
  REQUIRE(letters.ok());
  REQUIRE(letters->size() == 1);
  CHECK((*letters)[0].reason ==
        "unreadable escalation in the outbox: escalation JSON: field 'incident_id': wrong type");
}

TEST_CASE("SinkRunner: drain delivers what the outbox holds, a failing sink leaves it there",
          "[sinks]") {
  Rig rig;
  rig.Commit(1, 20, false);  // never published: only the drain's catch-up can deliver them
  {
    auto runner = rig.Runner(rig.Options(std::chrono::hours(1)), "healthy");
    runner->Start();
    runner->Drain(std::chrono::steady_clock::now() + std::chrono::seconds(20));
    runner->Join();
    CHECK(rig.SavedCursor("healthy") == 20);
  }
  ScriptedSink& down = rig.sink;
  down.Always(DeliveryResult::Retry("connection refused by hooks.example", std::chrono::hours(1)));
  {
    auto runner = rig.Runner(rig.Options(), "flaky");
    runner->Start();
    REQUIRE(WaitFor([&] { return !down.attempts().empty(); }));
    // The runner sits in an hour-long Retry-After: the drain must cut it short.
    runner->Drain(std::chrono::steady_clock::now() + milliseconds(100));
    runner->Join();
    CHECK(rig.SavedCursor("flaky") == 0);
  }
  down.Always(std::nullopt);  // the receiver is back
  {
    auto runner = rig.Runner(rig.Options(), "flaky");
    runner->Start();
    runner->Drain(std::chrono::steady_clock::now() + std::chrono::seconds(20));
    runner->Join();
    CHECK(rig.SavedCursor("flaky") == 20);
  }
  // "healthy" took 1..20, "flaky" delivered 1..20 once after its restart.
  std::vector<uint64_t> expected = Range(1, 20);
  expected.insert(expected.end(), expected.begin(), expected.end());
  CHECK(down.delivered() == expected);
}

TEST_CASE("SinkRunner: a new sink starts after the newest outbox record", "[sinks]") {
  Rig rig;
  rig.Commit(1, 4, false);
  SinkRunnerOptions o = rig.Options();
  o.new_sink_starts_at_end = true;
  auto runner = rig.Runner(o);
  runner->Start();
  REQUIRE(WaitFor([&] { return rig.SavedCursor() == 4; }));
  rig.Commit(5, 5, false);
  REQUIRE(WaitFor([&] { return rig.sink.delivered().size() == 1; }));
  runner->Join();
  CHECK(rig.sink.delivered() == std::vector<uint64_t>{5});
}

TEST_CASE("RateLimiter: a burst of `limit`, then one token per period/limit", "[sinks]") {
  RateLimiter limiter(2, milliseconds(1000));
  const SteadyTime t0 = SteadyTime(std::chrono::seconds(100));
  for (int i = 0; i < 2; ++i) {
    CHECK(limiter.Wait(t0) == milliseconds(0));
    limiter.Take(t0);
  }
  const milliseconds wait = limiter.Wait(t0);
  CHECK(wait > milliseconds(490));
  CHECK(wait <= milliseconds(501));
  CHECK(limiter.Wait(t0 + milliseconds(501)) == milliseconds(0));
  RateLimiter unlimited(0, milliseconds(1000));
  for (int i = 0; i < 100; ++i) {
    CHECK(unlimited.Wait(t0) == milliseconds(0));
    unlimited.Take(t0);
  }
}

// What a log pipeline filters on: each delivery, retry and dead letter is a JSON line whose sink,
// seq, incident id and outcome are keys of their own, not only words in msg.
TEST_CASE("SinkRunner: delivery, retry and dead-letter log lines carry their fields as keys",
          "[sinks]") {
  std::FILE* captured = std::tmpfile();
  log::SetOutputForTesting(captured, false);
  log::SetFormat(log::Format::kJson);
  Rig rig;
  rig.sink.Script({DeliveryResult::Retry("HTTP 503 from hooks.example"),
                   DeliveryResult::Permanent("HTTP 404 from hooks.example: webhook revoked")});
  rig.Commit(1, 2, false);
  auto runner = rig.Runner(rig.Options(), "oncall");
  runner->Start();
  REQUIRE(WaitFor([&] { return rig.sink.delivered().size() == 1; }));
  runner->Join();
  log::SetFormat(log::Format::kKeyValue);
  log::SetOutputForTesting(nullptr, false);

  std::rewind(captured);
  std::map<std::string, std::pair<uint64_t, std::string>> by_outcome;  // outcome: seq, incident
  simdjson::dom::parser parser;
  char buf[8192];
  while (std::fgets(buf, sizeof buf, captured) != nullptr) {
    INFO(buf);
    simdjson::dom::element line;
    REQUIRE(parser.parse(std::string_view(buf)).get(line) == simdjson::SUCCESS);
    std::string_view outcome, sink, incident;
    uint64_t seq = 0;
    if (line["outcome"].get(outcome) != simdjson::SUCCESS) continue;
    REQUIRE(line["sink"].get(sink) == simdjson::SUCCESS);
    CHECK(sink == "oncall");
    REQUIRE(line["seq"].get(seq) == simdjson::SUCCESS);
    REQUIRE(line["incident_id"].get(incident) == simdjson::SUCCESS);
    by_outcome[std::string(outcome)] = {seq, std::string(incident)};
  }
  std::fclose(captured);
  CHECK(by_outcome["retry"] == std::make_pair(uint64_t{1}, SampleEscalation(1).incident_id));
  CHECK(by_outcome["dead_letter"] == std::make_pair(uint64_t{1}, SampleEscalation(1).incident_id));
  CHECK(by_outcome["delivered"] == std::make_pair(uint64_t{2}, SampleEscalation(2).incident_id));
}

}  // namespace
}  // namespace earshot
