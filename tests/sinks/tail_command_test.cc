// `earshot tail` against a real publisher on a loopback tcp endpoint, as an outside process
// would see it (its own ZeroMQ context).
#include "daemon/cli/tail_command.h"

#include <catch2/catch.hpp>
#include <sstream>
#include <thread>

#include "daemon/bus/publisher.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

// Runs tail on its own thread, publishing `json` until tail has printed something, then stops
// it. Returns tail's exit code, stdout and stderr (read only after the thread ended).
struct TailRun {
  int code = -1;
  std::string out, err;
};

TailRun RunTail(std::vector<std::string> extra, const std::string& json) {
  zmq::context_t ctx(1);
  auto pub = bus::Publisher::Create(ctx, {.external_endpoint = "tcp://127.0.0.1:*"});
  REQUIRE(pub.ok());
  std::vector<std::string> args = {(*pub)->external_endpoint()};
  args.insert(args.end(), extra.begin(), extra.end());
  std::ostringstream out, err;
  std::atomic<bool> printed{false};
  TailRun run;
  {
    // A streambuf that notes the first write, so the test knows when to stop publishing
    // without reading `out` while tail's thread writes it.
    struct Watch : std::stringbuf {
      std::atomic<bool>* flag;
      int sync() override {
        flag->store(true);
        return std::stringbuf::sync();
      }
    } watch;
    watch.flag = &printed;
    std::ostream watched(&watch);
    std::jthread tail(
        [&](std::stop_token stop) { run.code = RunTailUntilStopped(args, stop, watched, err); });
    const bool got = testing::WaitFor([&] {
      REQUIRE((*pub)->Publish(json).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return printed.load();
    });
    tail.request_stop();
    tail.join();
    CHECK(got);
    run.out = watch.str();
  }
  run.err = err.str();
  return run;
}

TEST_CASE("earshot tail: prints escalations from the bus, readable or JSON", "[sinks]") {
  const Escalation e = testing::SampleEscalation(9, FromUnixMillis(1795342500000));
  const std::string json = EscalationToJson(e);

  TailRun readable = RunTail({}, json);
  CHECK(readable.code == 0);
  CHECK_THAT(readable.out, Catch::StartsWith("HIGH     open    inc-1002  Lost bag in Denver"));
  CHECK_THAT(readable.err, Catch::StartsWith("earshot tail: listening on tcp://127.0.0.1:"));

  TailRun raw = RunTail({"--json"}, json);
  CHECK(raw.code == 0);
  CHECK_THAT(raw.out, Catch::StartsWith(json + "\n"));
}

TEST_CASE("earshot tail: bad usage exits 2 with the reason", "[sinks]") {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  } cases[] = {
      {{"tcp://0.0.0.0:5561"},
       "earshot tail: bus endpoint 'tcp://0.0.0.0:5561': earshot publishes escalations on "
       "loopback only"},
      {{"--jsn"}, "earshot tail: unexpected argument '--jsn'\nusage: earshot tail"},
  };
  for (const Case& c : cases) {
    std::ostringstream out, err;
    std::stop_source stop;
    CHECK(RunTailUntilStopped(c.args, stop.get_token(), out, err) == 2);
    CHECK_THAT(err.str(), Catch::StartsWith(c.err));
  }
}

}  // namespace
}  // namespace earshot
