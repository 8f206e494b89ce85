// The spine end to end: `earshot run` as its own process, polling a fake Mastodon over loopback
// HTTP, detecting with the shipped rule pack and lexicon, committing to SQLite and delivering
// to the JSONL file sink. These tests are what an operator would check by hand.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "daemon/net/http_server.h"
#include "tests/integration/daemon_rig.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;

const Escalation* FindIncident(const std::vector<Escalation>& all, const std::string& post_id,
                               Escalation::Kind kind) {
  for (const Escalation& e : all) {
    if (e.kind != kind) continue;
    for (const PostRef& p : e.posts) {
      if (p.id == post_id) return &e;
    }
  }
  return nullptr;
}

TEST_CASE("Daemon: a complaint pages once, its thread joins quietly, a thank-you resolves it",
          "[integration]") {
  DaemonRig rig;
  REQUIRE(rig.StartDaemon());

  const std::string jane = rig.fake().AddStatus(Toot(
      "jane@travel.example", 152000,
      "#AcmeAirSucks @AcmeAir lost my bag in Denver, two hours on hold and nobody answers"));
  REQUIRE(rig.WaitForEscalations(1));
  std::vector<Escalation> all = rig.Escalations();
  REQUIRE(all.size() == 1);
  const Escalation open = all[0];  // a copy: `all` is re-read below
  CHECK(open.kind == Escalation::Kind::kOpen);
  CHECK(open.category == "complaint");
  CHECK(open.severity >= Severity::kHigh);  // 152k followers raise it
  REQUIRE(!open.posts.empty());
  CHECK(open.posts[0].id == jane);
  CHECK(open.posts[0].author == "jane@travel.example");
  CHECK(open.posts[0].followers == 152000);
  CHECK(open.posts[0].sentiment < 0);
  CHECK(open.labels.at("brand") == "acmeair");

  // Same author, same thread, same severity: recorded, not paged. Praise never pages. A second
  // customer's complaint does page, and is the proof that the pipeline went past the others.
  rig.fake().AddStatus(Toot("jane@travel.example", 152000,
                            "@AcmeAir still waiting for my bag #AcmeAirSucks", jane));
  rig.fake().AddStatus(Toot("hal@social.example", 2400,
                            "@AcmeAir best crew ever on the Lisbon flight, thank you!"));
  const std::string gus = rig.fake().AddStatus(
      Toot("gus", 310, "Flight cancelled, no rebooking, rude gate agent #AcmeAirSucks"));
  REQUIRE(rig.WaitForEscalations(2));
  all = rig.Escalations();
  REQUIRE(all.size() == 2);
  CHECK(FindIncident(all, gus, Escalation::Kind::kOpen) != nullptr);
  CHECK(all[1].incident_id != open.incident_id);

  rig.fake().AddStatus(Toot("jane@travel.example", 152000,
                            "@AcmeAir found my bag and delivered it, sorted! #ThanksAcmeAir", jane));
  REQUIRE(rig.WaitForEscalations(3));
  all = rig.Escalations();
  CHECK(all[2].kind == Escalation::Kind::kResolve);
  CHECK(all[2].incident_id == open.incident_id);
  for (size_t i = 0; i < all.size(); ++i) CHECK(all[i].seq == i + 1);

  CHECK(rig.StopDaemon() == 0);
}

TEST_CASE("Daemon: a post deleted where no event tells is found by re-check and resolves",
          "[integration]") {
  // A polling source never hears of deletions; its re-check round asks for each open
  // incident's post and a 404 resolves the incident.
  DaemonRig rig("", R"(  - name: acmeair-fail
    type: mastodon
    base_url: {fake}
    hashtag: AcmeAirFail
    poll_interval: 100ms
    recheck_every: 300ms)");
  REQUIRE(rig.StartDaemon());
  const std::string gus = rig.fake().AddStatus(
      Toot("gus", 310, "Flight cancelled without notice, no rebooking #AcmeAirFail"));
  const std::string ivy = rig.fake().AddStatus(
      Toot("ivy@social.example", 800, "Lost my bag in Lisbon and no answer #AcmeAirFail"));
  REQUIRE(rig.WaitForEscalations(2));

  rig.fake().DeleteStatus(gus);
  REQUIRE(rig.WaitForEscalations(3));
  const std::vector<Escalation> all = rig.Escalations();
  REQUIRE(all.size() == 3);
  CHECK(all[2].kind == Escalation::Kind::kResolve);
  CHECK(all[2].reason == "post deleted");
  const Escalation* open = FindIncident(all, gus, Escalation::Kind::kOpen);
  REQUIRE(open != nullptr);
  CHECK(all[2].incident_id == open->incident_id);
  // Ivy's post is still there: her incident stays open through further rounds.
  const auto gets = [&] {
    int n = 0;
    for (const RecordedRequest& r : rig.fake().requests()) {
      n += r.path == "/api/v1/statuses/" + ivy ? 1 : 0;
    }
    return n;
  };
  const int before = gets();
  REQUIRE(WaitUntil([&] { return gets() >= before + 2; }, 20s));
  CHECK(rig.Escalations().size() == 3);
  CHECK(rig.StopDaemon() == 0);
}

TEST_CASE("Daemon: a SIGKILL loses no page and repeats none after restart", "[integration]") {
  DaemonRig rig;
  REQUIRE(rig.StartDaemon());
  rig.fake().AddStatus(Toot("ann", 50, "#AcmeAirSucks lost my luggage again"));
  rig.fake().AddStatus(Toot("bob", 70, "#AcmeAirSucks three hour delay and no food vouchers"));
  REQUIRE(rig.WaitForEscalations(2));
  rig.KillDaemon();

  // Posts published while the daemon is down are fetched from the committed cursor.
  rig.fake().AddStatus(Toot("cat", 90, "#AcmeAirSucks cancelled my flight and no refund"));
  rig.fake().AddStatus(Toot("dan", 40, "#AcmeAirSucks broke my suitcase, terrible service"));
  REQUIRE(rig.StartDaemon());
  REQUIRE(rig.WaitForEscalations(4));
  // Give a wrongly repeated page time to show up behind the expected ones.
  rig.fake().AddStatus(Toot("eve", 30, "#AcmeAirSucks worst airline, lost my bag"));
  REQUIRE(rig.WaitForEscalations(5));
  CHECK(rig.StopDaemon() == 0);

  const std::vector<Escalation> all = rig.Escalations();
  INFO(rig.DaemonLog());
  REQUIRE(all.size() == 5);
  std::set<std::string> incidents;
  std::set<std::string> authors;
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].seq == i + 1);
    CHECK(all[i].kind == Escalation::Kind::kOpen);
    incidents.insert(all[i].incident_id);
    REQUIRE(!all[i].posts.empty());
    authors.insert(all[i].posts[0].author);
  }
  CHECK(incidents.size() == 5);
  CHECK(authors.size() == 5);
}

TEST_CASE("Daemon: a 429 is waited out as Retry-After asks, and nothing is lost", "[integration]") {
  DaemonRig rig;
  rig.fake().InjectFault({FakeFault::Kind::kTooManyRequests, 1, 2, {}});
  REQUIRE(rig.StartDaemon());
  const std::string id =
      rig.fake().AddStatus(Toot("fay", 20, "#AcmeAirSucks lost my bag and nobody calls back"));
  REQUIRE(rig.WaitForEscalations(1));
  CHECK(rig.Escalations()[0].posts[0].id == id);

  // The source that got the 429 asked again only after Retry-After (2 s) had passed.
  std::vector<RecordedRequest> requests;
  std::vector<RecordedRequest>::iterator limited, next;
  auto asked_again = [&] {
    requests = rig.fake().requests();
    limited = std::find_if(requests.begin(), requests.end(),
                           [](const RecordedRequest& r) { return r.status == 429; });
    if (limited == requests.end()) return false;
    next = std::find_if(limited + 1, requests.end(),
                        [&](const RecordedRequest& r) { return r.path == limited->path; });
    return next != requests.end();
  };
  REQUIRE(WaitUntil(asked_again, 30s));
  CHECK(rig.StopDaemon() == 0);
  CHECK(next->at - limited->at >= 2s);
}

TEST_CASE("Daemon: a malformed page is retried, not skipped past", "[integration]") {
  DaemonRig rig;
  REQUIRE(rig.StartDaemon());
  rig.fake().InjectFault({FakeFault::Kind::kMalformedJson, 2, 1, {}});
  rig.fake().InjectFault({FakeFault::Kind::kServerError, 1, 1, {}});
  const std::string id =
      rig.fake().AddStatus(Toot("gil", 20, "#AcmeAirSucks my bag is lost, terrible"));
  REQUIRE(rig.WaitForEscalations(1));
  CHECK(rig.Escalations()[0].posts[0].id == id);
  CHECK(rig.StopDaemon() == 0);
  const std::string log = rig.DaemonLog();
  CHECK(log.find("malformed") != std::string::npos);
}

TEST_CASE("Daemon: the token never reaches a log line, even at debug level", "[integration]") {
  DaemonRig rig;
  REQUIRE(rig.StartDaemon());
  rig.fake().AddStatus(Toot("hana", 20, "@AcmeAir #AcmeAirSucks you lost my bag"));
  REQUIRE(rig.WaitForEscalations(1));
  CHECK(rig.StopDaemon() == 0);
  const std::string log = rig.DaemonLog();
  CHECK(log.find("acmeair-mentions") != std::string::npos);  // the source did log
  CHECK(log.find("rig-secret-token") == std::string::npos);
}

TEST_CASE("Daemon: a broken config exits 78 and names file, line and column", "[integration]") {
  DaemonRig rig;
  {
    std::ofstream f(rig.config_path(), std::ios::app);
    f << "escalation:\n  repeat_intreval: 4h\n";
  }
  const std::string log = rig.dir() + "/check.log";
  ChildProcess check({EARSHOT_BINARY, "run", "--config", rig.config_path()}, {}, log, log);
  CHECK(check.Wait(60s) == 78);
  const std::string text = ReadFile(log);
  INFO(text);
  CHECK(text.find("earshot.yaml:") != std::string::npos);
  CHECK(text.find("repeat_intreval") != std::string::npos);
  CHECK(text.find("did you mean 'repeat_interval'") != std::string::npos);
}

}  // namespace
}  // namespace earshot::testing

namespace earshot::testing {
namespace {

// A webhook receiver that can be told to fail, recording every request it answered 2xx.
struct Receiver {
  std::atomic<int> status{500};
  std::mutex mu;
  std::vector<std::string> keys;  // Idempotency-Key of each accepted delivery, in order
  std::unique_ptr<HttpServer> server;

  Receiver() {
    auto started = HttpServer::Start([this](const HttpServerRequest& req) {
      HttpServerResponse resp;
      resp.status = status.load();
      if (resp.status == 200) {
        std::lock_guard lock(mu);
        keys.emplace_back(req.Header("idempotency-key").value_or(""));
      }
      return resp;
    });
    if (!started.ok()) throw std::runtime_error(started.status().ToString());
    server = *std::move(started);
  }
  std::vector<std::string> Keys() {
    std::lock_guard lock(mu);
    return keys;
  }
};

TEST_CASE("Daemon: a SIGKILL while a webhook is failing loses nothing after restart",
          "[integration]") {
  Receiver receiver;
  DaemonRig rig(R"(  - name: hook
    type: webhook
    url_file: hook.url
    retry_initial: 100ms
    retry_max: 300ms
)");
  std::ofstream(rig.dir() + "/hook.url") << receiver.server->base_url() << "/earshot\n";
  REQUIRE(rig.StartDaemon());
  for (int i = 0; i < 4; ++i) {
    rig.fake().AddStatus(
        Toot(fmt::format("hook{}", i), 20, fmt::format("#AcmeAirSucks lost bag {} no refund", i)));
  }
  // The file sink shows the four were committed; the webhook keeps failing meanwhile.
  REQUIRE(rig.WaitForEscalations(4));
  rig.KillDaemon();
  CHECK(receiver.Keys().empty());

  receiver.status = 200;  // the receiver is back
  REQUIRE(rig.StartDaemon());
  REQUIRE(WaitUntil([&] { return receiver.Keys().size() >= 4; }, 60s));
  CHECK(rig.StopDaemon() == 0);

  // Every escalation, in order, each once: the keys are "<incident>-<seq>" for seq 1..4.
  const std::vector<std::string> keys = receiver.Keys();
  const std::vector<Escalation> sent = rig.Escalations();
  REQUIRE(keys.size() == 4);
  REQUIRE(sent.size() == 4);
  for (size_t i = 0; i < keys.size(); ++i) {
    CHECK(keys[i] == fmt::format("{}-{}", sent[i].incident_id, sent[i].seq));
  }
}

}  // namespace
}  // namespace earshot::testing
