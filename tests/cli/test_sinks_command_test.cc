// `earshot test sinks` against a webhook receiver on loopback and a real JSONL file.
#include "daemon/cli/test_sinks_command.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "daemon/model/escalation_json.h"
#include "sinks/file_sink.h"
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
  CHECK(out.str() == "sink hook (webhook): delivered\nsink archive (file): delivered (" +
                         (dir.path() / "escalations.jsonl").string() +
                         " is writable; a test escalation is not archived)\n");
  CHECK(err.str().empty());

  const std::vector<HttpServerRequest> accepted = rx.accepted();
  REQUIRE(accepted.size() == 1);
  const HttpServerRequest& r = accepted[0];
  // seq 0: a test escalation has no place in the outbox's order.
  CHECK(*r.Header("idempotency-key") == id + "-0");
  CHECK_THAT(r.body, Catch::Contains("\"incident_id\":\"" + id + "\""));
  CHECK_THAT(r.body, Catch::Contains("[earshot test]"));
  CHECK_THAT(r.body, Catch::Contains("\"test\":\"true\""));

  // The file sink checks that it can append to its path but archives nothing: the archive holds
  // only outbox escalations, in seq order.
  CHECK(std::filesystem::exists(dir.path() / "escalations.jsonl"));
  CHECK(ReadFile(dir.path() / "escalations.jsonl").empty());
}

TEST_CASE("test sinks: the file archive keeps its strictly increasing seq order", "[app]") {
  SinkTempDir dir;
  const std::filesystem::path archive = dir.path() / "escalations.jsonl";
  {
    FileSink sink(archive.string());
    std::stop_source stop;
    for (uint64_t seq = 1; seq <= 4; ++seq) {
      REQUIRE(sink.Deliver(testing::SampleEscalation(seq), stop.get_token()).delivered());
    }
  }
  std::ostringstream out, err;
  CHECK(TestSinks({{"archive", "file", {{"path", archive.string()}}}}, out, err,
                  RealClock().Now()) == 0);
  CHECK_THAT(out.str(), Catch::StartsWith("sink archive (file): delivered"));

  // Later escalations from the outbox append after the test, still in order.
  {
    FileSink sink(archive.string());
    std::stop_source stop;
    REQUIRE(sink.Deliver(testing::SampleEscalation(5), stop.get_token()).delivered());
  }
  std::istringstream lines(ReadFile(archive));
  std::vector<uint64_t> seqs;
  for (std::string l; std::getline(lines, l);) {
    Result<Escalation> e = EscalationFromJson(l);
    REQUIRE(e.ok());
    CHECK(e->incident_id.rfind("test-", 0) == std::string::npos);
    seqs.push_back(e->seq);
  }
  CHECK(seqs == std::vector<uint64_t>{1, 2, 3, 4, 5});
}

TEST_CASE("test sinks: a file sink that cannot append to its path is reported", "[app]") {
  SinkTempDir dir;
  const std::string path = (dir.path() / "missing-dir" / "escalations.jsonl").string();
  std::ostringstream out, err;
  CHECK(TestSinks({{"archive", "file", {{"path", path}}}}, out, err, RealClock().Now()) == 1);
  CHECK_THAT(out.str(), Catch::StartsWith("sink archive (file): retry: " + path + ": cannot open"));
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
  CHECK_THAT(got[2], Catch::StartsWith("sink archive (file): delivered"));
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
  CHECK(e.seq == 0);  // no outbox seq: the file sink does not archive it
  CHECK_THAT(e.summary, Catch::StartsWith("[earshot test]"));
  CHECK(e.labels == Labels{{"test", "true"}});
  REQUIRE(e.posts.size() == 1);
}

}  // namespace
}  // namespace earshot
