// ExecSink with real child processes (/bin/sh scripts).
#include "sinks/exec_sink.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

using testing::SampleEscalation;
using testing::SinkTempDir;

DeliveryResult Run(const std::string& script, std::chrono::milliseconds timeout =
                                                  std::chrono::seconds(20)) {
  ExecSink sink(ExecSinkConfig{"x", {"/bin/sh", "-c", script}, timeout});
  std::stop_source never;
  return sink.Deliver(SampleEscalation(7, FromUnixMillis(1795342500000)), never.get_token());
}

TEST_CASE("ExecSink: JSON on stdin, incident in the environment", "[sinks]") {
  SinkTempDir dir;
  const std::string out = (dir.path() / "got").string();
  REQUIRE(Run("cat > " + out + "; echo \"$EARSHOT_INCIDENT_ID $EARSHOT_SEQ $EARSHOT_KIND "
              "$EARSHOT_SEVERITY\" >> " + out).delivered());
  std::ifstream in(out);
  std::string json, env;
  std::getline(in, json);
  std::getline(in, env);
  CHECK(json == EscalationToJson(SampleEscalation(7, FromUnixMillis(1795342500000))));
  CHECK(env == "inc-1000 7 open high");
}

TEST_CASE("ExecSink: exit status decides retry or permanent", "[sinks]") {
  struct Case {
    std::string script;
    DeliveryResult::Kind kind;
    std::string detail;
  } cases[] = {
      {"exit 0", DeliveryResult::Kind::kDelivered, ""},
      {"true", DeliveryResult::Kind::kDelivered, ""},  // never reads stdin: no SIGPIPE for us
      {"echo 'ticket API down' >&2; exit 75", DeliveryResult::Kind::kRetry,
       "/bin/sh: exit 75: ticket API down"},
      {"exit 1", DeliveryResult::Kind::kRetry, "/bin/sh: exit 1"},
      {"exit 127", DeliveryResult::Kind::kPermanent, "/bin/sh: exit 127"},
      {"kill -9 $$", DeliveryResult::Kind::kRetry, "/bin/sh: killed by signal 9"},
  };
  for (const Case& c : cases) {
    INFO(c.script);
    DeliveryResult r = Run(c.script);
    CHECK(r.kind == c.kind);
    CHECK(r.detail == c.detail);
  }
  DeliveryResult slow = Run("sleep 30", std::chrono::milliseconds(100));
  CHECK(slow.kind == DeliveryResult::Kind::kRetry);
  CHECK(slow.detail == "/bin/sh: killed after the 100 ms timeout");
}

}  // namespace
}  // namespace earshot
