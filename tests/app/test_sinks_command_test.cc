// `earshot test sinks` against a webhook receiver on loopback and a real JSONL file.
#include "daemon/app/test_sinks_command.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/sinks/receiver.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

using testing::Receiver;
using testing::SinkTempDir;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("test sinks: one marked test escalation per sink, one line each", "[app]") {
  SinkTempDir dir;
  Receiver rx;
  REQUIRE(rx.ok());
  const SystemTime now = *ParseIso8601("2026-11-23T12:00:00Z");
  const std::string id = "test-1795435200";
  const std::vector<SinkConfig> sinks = {
      {"hook", "webhook", {{"url", rx.url("/hook")}}},
      {"archive", "file", {{"path", (dir.path() / "escalations.jsonl").string()}}},
  };
  std::ostringstream out, err;
  CHECK(TestSinks(sinks, out, err, now) == 0);
  CHECK(out.str() == "sink hook (webhook): delivered\nsink archive (file): delivered\n");
  CHECK(err.str().empty());

  const std::vector<HttpServerRequest> accepted = rx.accepted();
  REQUIRE(accepted.size() == 1);
  const HttpServerRequest& r = accepted[0];
  CHECK(*r.Header("idempotency-key") == id + "-1");
  CHECK_THAT(r.body, Catch::Contains("\"incident_id\":\"" + id + "\""));
  CHECK_THAT(r.body, Catch::Contains("[earshot test]"));
  CHECK_THAT(r.body, Catch::Contains("\"test\":\"true\""));

  const std::string line = ReadFile(dir.path() / "escalations.jsonl");
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
  CHECK_THAT(line, Catch::Contains("\"summary\":\"[earshot test] "));
  CHECK_THAT(line, Catch::Contains(id));
}

TEST_CASE("test sinks: retry, failure and bad configuration are each reported, exit 1",
          "[app]") {
  SinkTempDir dir;
  Receiver busy, gone;
  REQUIRE(busy.ok());
  REQUIRE(gone.ok());
  busy.SetMode(Receiver::Mode::kError);
  gone.SetMode(Receiver::Mode::kNotFound);
  const std::string secret = "T0psecretQueryToken";
  const std::vector<SinkConfig> sinks = {
      {"busy", "webhook", {{"url", busy.url("/hook")}}},
      {"gone", "webhook", {{"url", gone.url("/hook?token=" + secret)}}},
      {"archive", "file", {{"path", (dir.path() / "escalations.jsonl").string()}}},
      {"typo", "webhok", {}},
  };
  std::ostringstream out, err;
  CHECK(TestSinks(sinks, out, err, RealClock().Now()) == 1);
  std::istringstream lines(out.str());
  std::vector<std::string> got;
  for (std::string l; std::getline(lines, l);) got.push_back(l);
  REQUIRE(got.size() == 4);
  CHECK_THAT(got[0], Catch::StartsWith("sink busy (webhook): retry: HTTP 500 from 127.0.0.1"));
  CHECK_THAT(got[1], Catch::StartsWith("sink gone (webhook): failed: HTTP 404 from 127.0.0.1"));
  CHECK(got[2] == "sink archive (file): delivered");
  CHECK_THAT(got[3], Catch::StartsWith("sink typo (webhok): failed: "));
  CHECK_THAT(got[3], Catch::Contains("did you mean 'webhook'"));
  CHECK_THAT(out.str(), !Catch::Contains(secret));
  CHECK_THAT(err.str(), Catch::Contains("1 of 4 sinks delivered"));

  std::ostringstream out2, err2;
  CHECK(TestSinks({}, out2, err2, RealClock().Now()) == 1);
  CHECK_THAT(err2.str(), Catch::Contains("no sinks configured"));
}

TEST_CASE("TestEscalation: marked as a test in every field a receiver shows", "[app]") {
  const Escalation e = TestEscalation(*ParseIso8601("2026-11-23T12:00:00Z"));
  CHECK(e.incident_id == "test-1795435200");
  CHECK_THAT(e.summary, Catch::StartsWith("[earshot test]"));
  CHECK(e.labels == Labels{{"test", "true"}});
  REQUIRE(e.posts.size() == 1);
}

}  // namespace
}  // namespace earshot
