// Poison input from outside, against the real daemon and the fake networks: one bad post never
// blinds a source. A raw invalid UTF-8 byte or a lone surrogate escape ("\ud83d", which
// JavaScript servers emit) arrives as U+FFFD; a malformed item is skipped, counted and passed;
// complaints posted after either are escalated; and a source whose pages keep failing shows in
// /readyz and /metrics.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "daemon/net/curl_http_client.h"
#include "daemon/sources/fake/fake_bluesky.h"
#include "tests/integration/daemon_rig.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;

const std::string kFffd = "\xEF\xBF\xBD";

std::optional<HttpResponse> Get(uint16_t port, std::string_view path) {
  auto client = CurlHttpClient::Create({.user_agent = "earshot-test"});
  if (!client.ok()) return std::nullopt;
  HttpRequest req;
  req.url = fmt::format("http://127.0.0.1:{}{}", port, path);
  auto got = (*client)->Send(req, std::stop_token());
  if (!got.ok()) return std::nullopt;
  return *std::move(got);
}

// One sample of /metrics by its exact `name{labels}`; -1 when absent.
double Metric(uint16_t port, const std::string& sample) {
  auto got = Get(port, "/metrics");
  if (!got || got->status != 200) return -1;
  std::istringstream lines(got->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(sample + " ")) return std::stod(line.substr(sample.size() + 1));
  }
  return -1;
}

// The escalated post by `author` (a handle prefix), or nullopt.
std::optional<PostRef> EscalatedPost(const DaemonRig& rig, std::string_view author) {
  for (const Escalation& e : rig.Escalations()) {
    for (const PostRef& p : e.posts) {
      if (p.author.starts_with(author)) return p;
    }
  }
  return std::nullopt;
}

bool WaitForPost(const DaemonRig& rig, std::string_view author) {
  if (WaitUntil([&] { return EscalatedPost(rig, author).has_value(); }, 60s)) return true;
  UNSCOPED_INFO(rig.DaemonLog());
  return false;
}

TEST_CASE("Poison: a Mastodon status with invalid UTF-8 or a lone surrogate arrives with U+FFFD",
          "[integration][poison]") {
  DaemonRig rig;
  REQUIRE(rig.StartDaemon());
  FakeStatus raw = Toot("ann", 500, "#AcmeAirSucks lost my bag in Denver and nobody answers");
  raw.content_json = "\"<p>#AcmeAirSucks lost my bag in Denver \xFF and nobody answers</p>\"";
  rig.fake().AddStatus(raw);
  FakeStatus lone = Toot("bob", 500, "#AcmeAirSucks cancelled my flight, no refund at all");
  lone.content_json = R"("<p>#AcmeAirSucks cancelled my flight \ud83d no refund at all</p>")";
  rig.fake().AddStatus(lone);
  // Posted after the poison: before, the page never parsed and this was never heard.
  rig.fake().AddStatus(Toot("cat", 500, "#AcmeAirSucks lost my bag in Denver and nobody answers"));

  REQUIRE(WaitForPost(rig, "cat@"));
  REQUIRE(WaitForPost(rig, "ann@"));
  REQUIRE(WaitForPost(rig, "bob@"));
  CHECK(EscalatedPost(rig, "ann@")->text.find("Denver " + kFffd + " and") != std::string::npos);
  CHECK(EscalatedPost(rig, "bob@")->text.find("flight " + kFffd + " no") != std::string::npos);
  CHECK(rig.StopDaemon() == 0);
}

TEST_CASE("Poison: a malformed Mastodon item is skipped, counted by reason, and passed",
          "[integration][poison]") {
  const uint16_t port = FreeLoopbackPort();
  DaemonRig rig(fmt::format("metrics:\n  address: 127.0.0.1:{}\n", port));
  REQUIRE(rig.StartDaemon());
  rig.fake().AddRawStatus(
      R"({"id":"$ID","created_at":12,"account":{"id":"7","acct":"dan"},)"
      R"("content":"<p>#AcmeAirSucks lost my bag</p>","tags":[{"name":"acmeairsucks"}]})",
      {"acmeairsucks"});
  rig.fake().AddStatus(Toot("eve", 500, "#AcmeAirSucks lost my bag in Denver and nobody answers"));
  REQUIRE(WaitForPost(rig, "eve@"));
  CHECK_FALSE(EscalatedPost(rig, "dan@"));
  CHECK(Metric(port, R"(earshot_items_skipped_total{source="mastodon:acmeair-sucks",)"
                     R"(reason="wrong_type"})") == 1);
  CHECK(Metric(port, R"(earshot_source_failing{source="mastodon:acmeair-sucks"})") == 0);
  const std::string log = rig.DaemonLog();
  CHECK(log.find("'created_at': wrong type") != std::string::npos);
  CHECK(rig.StopDaemon() == 0);
}

TEST_CASE("Poison: a source whose pages keep failing shows in /readyz and a metric",
          "[integration][poison]") {
  const uint16_t port = FreeLoopbackPort();
  DaemonRig rig(fmt::format("metrics:\n  address: 127.0.0.1:{}\n", port));
  FakeFault fault;
  fault.kind = FakeFault::Kind::kMalformedJson;
  fault.count = 1000000;
  rig.fake().InjectFault(fault);
  REQUIRE(rig.StartDaemon());
  const std::string failing = R"(earshot_source_failing{source="mastodon:acmeair-sucks"})";
  REQUIRE(WaitUntil([&] { return Metric(port, failing) == 1; }, 90s));
  auto ready = Get(port, "/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 503);
  CHECK(ready->body.find("mastodon:acmeair-sucks") != std::string::npos);
  CHECK(Metric(port, R"(earshot_source_consecutive_failures{source="mastodon:acmeair-sucks"})") >=
        5);

  // The network heals: the source is ready again at its next good page.
  rig.fake().ClearFaults();
  REQUIRE(WaitUntil([&] { return Metric(port, failing) == 0; }, 120s));
  CHECK(WaitUntil(
      [&] {
        auto r = Get(port, "/readyz");
        return r && r->status == 200;
      },
      120s));
  CHECK(rig.StopDaemon() == 0);
}

TEST_CASE("Poison: a Bluesky post with invalid UTF-8 or a lone surrogate arrives with U+FFFD",
          "[integration][poison]") {
  auto bluesky = FakeBluesky::Start({});
  REQUIRE(bluesky.ok());
  DaemonRig rig("", fmt::format(R"(  - name: acme-bsky
    type: bluesky
    base_url: {}
    query: acmeair
    identifier: acme.bsky.social
    app_password_file: bsky.password
    poll_interval: 100ms
)",
                                (*bluesky)->base_url()));
  std::ofstream(rig.dir() + "/bsky.password") << "abcd-efgh-ijkl-mnop\n";
  REQUIRE(rig.StartDaemon());
  FakeBskyPost raw;
  raw.handle = "fay.bsky.social";
  raw.text = "#AcmeAirSucks cancelled my flight without notice, no refund";
  raw.text_json = "\"#AcmeAirSucks cancelled my flight \xFF without notice, no refund\"";
  (*bluesky)->AddPost(raw);
  FakeBskyPost lone;
  lone.handle = "gil.bsky.social";
  lone.text = "#AcmeAirSucks lost my bag in Denver and nobody answers";
  lone.text_json = R"("#AcmeAirSucks lost my bag in Denver \ud83d and nobody answers")";
  (*bluesky)->AddPost(lone);
  FakeBskyPost after;
  after.handle = "hal.bsky.social";
  after.text = "#AcmeAirSucks cancelled my flight without notice, no refund";
  (*bluesky)->AddPost(after);

  REQUIRE(WaitForPost(rig, "hal."));
  REQUIRE(WaitForPost(rig, "fay."));
  REQUIRE(WaitForPost(rig, "gil."));
  CHECK(EscalatedPost(rig, "fay.")->text.find("flight " + kFffd + " without") !=
        std::string::npos);
  CHECK(EscalatedPost(rig, "gil.")->text.find("Denver " + kFffd + " and") != std::string::npos);
  CHECK(rig.StopDaemon() == 0);
}

TEST_CASE("Poison: replay reads a corpus line with invalid UTF-8 or a lone surrogate",
          "[integration][poison]") {
  const std::string dir = MakeTempDir("earshot-poison-replay");
  const std::string corpus = dir + "/corpus.jsonl";
  std::ofstream(corpus) << "{\"id\":\"1\",\"text\":\"#AcmeAirSucks lost my bag \xFF again\"}\n"
                        << R"({"id":"2","text":"#AcmeAirSucks lost my bag \ud83d again"})" << "\n";
  const std::string rules = std::string(EARSHOT_SOURCE_DIR) + "/rules";
  const std::string out = dir + "/out.jsonl";
  ChildProcess replay({EARSHOT_BINARY, "replay", "--rules", rules + "/complaints.yaml", "--brand",
                       "AcmeAir", "--lexicon", rules + "/lexicon", corpus},
                      {}, out, dir + "/err.log");
  REQUIRE(replay.Wait(60s) == 0);
  const std::string text = ReadFile(out);
  INFO(text << ReadFile(dir + "/err.log"));
  CHECK(text.find("\"error\"") == std::string::npos);
  CHECK(text.find("\"id\":\"1\"") != std::string::npos);
  CHECK(text.find("\"id\":\"2\"") != std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace earshot::testing
