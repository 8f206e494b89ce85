// The HTTP sinks (webhook, Slack, PagerDuty) against a real receiver on loopback, alone and
// under a SinkRunner with a real StateStore and bus.
#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "daemon/base/log.h"
#include "daemon/bus/publisher.h"
#include "daemon/net/curl_http_client.h"
#include "sinks/http_delivery.h"
#include "sinks/pagerduty_sink.h"
#include "sinks/registry.h"
#include "sinks/runner.h"
#include "sinks/slack_sink.h"
#include "sinks/webhook_sink.h"
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

std::unique_ptr<HttpClient> Http() {
  auto h = CurlHttpClient::Create();
  REQUIRE(h.ok());
  return *std::move(h);
}

// Redirects this process's stderr (where earshot logs) into a file while alive.
class CaptureStderr {
 public:
  explicit CaptureStderr(std::filesystem::path path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~CaptureStderr() { Restore(); }
  std::string Restore() {
    if (saved_ >= 0) {
      std::fflush(stderr);
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
      saved_ = -1;
    }
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::filesystem::path path_;
  int saved_ = -1;
};

TEST_CASE("WebhookSink: JSON body, idempotency key, HMAC signature, custom headers", "[sinks]") {
  Receiver rx;
  REQUIRE(rx.ok());
  WebhookSinkConfig c;
  c.name = "hook";
  c.url = rx.url("/hooks/earshot?token=t0k3n");
  c.secret = "s3cr3t-hmac-key";
  c.headers = {{"X-Team", "care"}};
  WebhookSink sink(c, Http(), RealClock());
  const Escalation e = SampleEscalation(42);
  std::stop_source never;
  REQUIRE(sink.Deliver(e, never.get_token()).delivered());
  auto seen = rx.accepted();
  REQUIRE(seen.size() == 1);
  const HttpServerRequest& r = seen[0];
  CHECK(r.method == "POST");
  CHECK(r.path == "/hooks/earshot");
  CHECK(r.body == EscalationToJson(e));
  CHECK(r.Header("content-type") == std::optional<std::string_view>("application/json"));
  CHECK(r.Header("idempotency-key") == std::optional<std::string_view>("inc-1000-42"));
  CHECK(r.Header("x-earshot-incident") == std::optional<std::string_view>("inc-1000"));
  CHECK(r.Header("x-earshot-seq") == std::optional<std::string_view>("42"));
  CHECK(r.Header("x-team") == std::optional<std::string_view>("care"));
  REQUIRE(r.Header("x-earshot-timestamp").has_value());
  const std::string ts(*r.Header("x-earshot-timestamp"));
  CHECK(r.Header("x-earshot-signature") ==
        std::optional<std::string_view>(WebhookSignature(c.secret, ts, r.body)));
  // A known answer, so the signature is HMAC-SHA256 and not merely self-consistent:
  // printf '1700000000.{}' | openssl dgst -sha256 -hmac key
  CHECK(WebhookSignature("key", "1700000000", "{}") ==
        "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae");
}

TEST_CASE("ClassifyHttpResponse: transient versus permanent", "[sinks]") {
  const SystemTime now = FromUnixMillis(1445412480000);  // Wed, 21 Oct 2015 07:28:00 GMT
  struct Case {
    long status;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    DeliveryResult::Kind kind;
    int64_t retry_after_ms;
    std::string detail;
  } cases[] = {
      {200, {}, "ok", DeliveryResult::Kind::kDelivered, 0, ""},
      {202, {}, "", DeliveryResult::Kind::kDelivered, 0, ""},
      {429, {{"retry-after", "7"}}, "", DeliveryResult::Kind::kRetry, 7000, "HTTP 429 from h"},
      {503, {{"retry-after", "Wed, 21 Oct 2015 07:28:30 GMT"}}, "busy\nmore",
       DeliveryResult::Kind::kRetry, 30000, "HTTP 503 from h: busy"},
      {500, {}, "", DeliveryResult::Kind::kRetry, 0, "HTTP 500 from h"},
      {408, {}, "", DeliveryResult::Kind::kRetry, 0, "HTTP 408 from h"},
      {404, {}, "no_service", DeliveryResult::Kind::kPermanent, 0,
       "HTTP 404 from h: no_service; the endpoint is gone (webhook revoked?): replace the secret "
       "URL"},
      {403, {}, "invalid_token", DeliveryResult::Kind::kPermanent, 0,
       "HTTP 403 from h: invalid_token; the credential was refused: replace it"},
      {400, {}, "key SECRET is invalid", DeliveryResult::Kind::kPermanent, 0,
       "HTTP 400 from h: key [secret] is invalid"},
  };
  for (const Case& c : cases) {
    INFO(c.status);
    HttpResponse resp;
    resp.status = c.status;
    resp.headers = c.headers;
    resp.body = c.body;
    DeliveryResult r = ClassifyHttpResponse(resp, "h", {"SECRET"}, now);
    CHECK(r.kind == c.kind);
    CHECK(r.retry_after.count() == c.retry_after_ms);
    CHECK(r.detail == c.detail);
  }
}

struct Runner {
  SinkTempDir dir;
  std::unique_ptr<StateStore> store;
  zmq::context_t context{1};
  std::unique_ptr<bus::Publisher> publisher;

  Runner() {
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
    o.outbox_check_interval = milliseconds(100);
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

TEST_CASE("Webhook under a runner: receiver down, then back: all delivered, in order, once",
          "[sinks]") {
  Runner rig;
  uint16_t port = 0;
  {
    Receiver probe;  // learn a free port, then leave it closed: connection refused
    REQUIRE(probe.ok());
    port = probe.port();
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  auto runner = rig.Start(SinkConfig{
      "hook", "webhook", {{"url", url}, {"retry_initial", "10ms"}, {"retry_max", "100ms"}}});
  rig.Publish(1, 10);
  REQUIRE(WaitFor([&] { return runner->retries() >= 3; }));
  CHECK(runner->delivered() == 0);

  Receiver rx(port);  // back, first answering 500 and 429, then 200
  REQUIRE(rx.ok());
  rx.SetMode(Receiver::Mode::kError);
  REQUIRE(WaitFor([&] { return rx.seen().size() >= 2; }));
  rx.SetMode(Receiver::Mode::kTooMany);
  REQUIRE(WaitFor([&] { return rx.seen().size() >= 4; }));
  rx.SetMode(Receiver::Mode::kOk);
  rig.Publish(11, 20);
  REQUIRE(WaitFor([&] { return rx.accepted().size() >= 20; }));
  runner->Drain(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  runner->Join();

  std::vector<std::string> keys;
  for (const HttpServerRequest& r : rx.accepted()) {
    keys.emplace_back(*r.Header("idempotency-key"));
  }
  std::vector<std::string> expected;
  for (uint64_t s = 1; s <= 20; ++s) {
    expected.push_back(SampleEscalation(s).incident_id + "-" + std::to_string(s));
  }
  CHECK(keys == expected);  // in order, each acknowledged exactly once
  CHECK(rig.store->LoadSinkCursor("hook")->value_or(0) == 20);
  CHECK(rig.store->ListDeadLetters("hook")->empty());
}

TEST_CASE("Webhook under a runner: 404 is dead-lettered after the first try", "[sinks]") {
  Runner rig;
  Receiver rx;
  REQUIRE(rx.ok());
  rx.SetMode(Receiver::Mode::kNotFound, "no_service");
  auto runner = rig.Start(SinkConfig{"hook", "webhook", {{"url", rx.url("/gone")}}});
  rig.Publish(1, 1);
  REQUIRE(WaitFor([&] { return runner->dead_lettered() == 1; }));
  rx.SetMode(Receiver::Mode::kOk);
  rig.Publish(2, 2);
  REQUIRE(WaitFor([&] { return runner->delivered() == 1; }));
  runner->Join();
  CHECK(rx.seen().size() == 2);  // one try for seq 1, one for seq 2
  auto letters = rig.store->ListDeadLetters("hook");
  REQUIRE(letters->size() == 1);
  CHECK((*letters)[0].seq == 1);
  CHECK_THAT((*letters)[0].reason, Catch::StartsWith("HTTP 404 from 127.0.0.1:"));
}

TEST_CASE("HTTP sinks: secrets stay out of logs, errors and dead letters", "[sinks]") {
  SinkTempDir dir;
  const std::string slack_secret = "B0AAAAAAA/XoxbSecretPath123";
  const std::string pd_secret = "R0utingKeyVerySecret0123456789ab";
  const std::string hmac_secret = "HmacKeyNeverLogged";
  std::ofstream(dir.path() / "pd") << pd_secret << "\n";
  std::ofstream(dir.path() / "hmac") << hmac_secret;

  Runner rig;
  Receiver rx;
  REQUIRE(rx.ok());
  // A careless receiver that echoes what it was sent, secrets included.
  rx.SetMode(Receiver::Mode::kEchoError);
  std::string logs;
  std::vector<DeadLetter> letters;
  {
    CaptureStderr capture(dir.path() / "stderr.log");
    log::SetLevel(log::Level::kDebug);
    auto slack = rig.Start(SinkConfig{"chat", "slack",
                                      {{"webhook_url", rx.url("/services/T0/" + slack_secret)},
                                       {"retry_initial", "5ms"}, {"max_age", "50ms"}}});
    auto pd = rig.Start(SinkConfig{"oncall", "pagerduty",
                                   {{"routing_key_file", (dir.path() / "pd").string()},
                                    {"url", rx.url("/v2/enqueue")},
                                    {"retry_initial", "5ms"}, {"max_age", "50ms"}}});
    auto hook = rig.Start(SinkConfig{"hook", "webhook",
                                     {{"url", rx.url("/h?key=" + hmac_secret)},
                                      {"secret_file", (dir.path() / "hmac").string()},
                                      {"retry_initial", "5ms"}, {"max_age", "50ms"}}});
    rig.Publish(1, 2);
    const bool parked = WaitFor([&] {
      return slack->dead_lettered() == 2 && pd->dead_lettered() == 2 && hook->dead_lettered() == 2;
    });
    slack->Join();
    pd->Join();
    hook->Join();
    log::SetLevel(log::Level::kInfo);
    logs = capture.Restore();
    REQUIRE(parked);
    letters = *rig.store->ListDeadLetters();
  }
  REQUIRE(letters.size() == 6);
  CHECK_THAT(logs, Catch::Contains("HTTP 500 from 127.0.0.1"));
  CHECK_THAT(logs, Catch::Contains("[secret]"));
  for (const std::string& secret : {slack_secret, pd_secret, hmac_secret}) {
    CHECK_THAT(logs, !Catch::Contains(secret));
    for (const DeadLetter& d : letters) CHECK_THAT(d.reason, !Catch::Contains(secret));
  }
  // The receiver did get them: the secrets were used, just never shown.
  bool saw_key = false;
  for (const auto& s : rx.seen()) saw_key |= s.request.body.find(pd_secret) != std::string::npos;
  CHECK(saw_key);
}

TEST_CASE("SlackSink: Block Kit payload per the documented schema, updates collapsed",
          "[sinks]") {
  Escalation e = SampleEscalation(3);
  e.summary = "Lost bag <script> & \"quotes\"";
  const std::string json = SlackPayload(e);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  std::string_view text;
  REQUIRE(doc["text"].get(text) == simdjson::SUCCESS);
  CHECK_THAT(std::string(text), Catch::Contains("inc-1003"));
  // The fallback is mrkdwn too: the summary's '<' must not open a mention or a link there.
  CHECK(std::string(text).find('<') == std::string::npos);
  CHECK_THAT(std::string(text), Catch::Contains("&lt;script&gt; &amp;"));
  simdjson::dom::array blocks;
  REQUIRE(doc["blocks"].get(blocks) == simdjson::SUCCESS);
  std::vector<std::string> types;
  for (simdjson::dom::element b : blocks) {
    std::string_view type;
    REQUIRE(b["type"].get(type) == simdjson::SUCCESS);
    types.emplace_back(type);
    if (type == "header") {
      std::string_view t, h;
      REQUIRE(b["text"]["type"].get(t) == simdjson::SUCCESS);
      CHECK(t == "plain_text");
      REQUIRE(b["text"]["text"].get(h) == simdjson::SUCCESS);
      CHECK(h.size() <= 150);
    }
    if (type == "section") {
      std::string_view t, body;
      REQUIRE(b["text"]["type"].get(t) == simdjson::SUCCESS);
      CHECK(t == "mrkdwn");
      REQUIRE(b["text"]["text"].get(body) == simdjson::SUCCESS);
      CHECK(std::string(body).find('<') == std::string::npos);  // escaped for mrkdwn
    }
  }
  CHECK(types == std::vector<std::string>{"header", "section", "section", "context"});
  std::string_view button_url;
  REQUIRE(blocks.at(2)["accessory"]["url"].get(button_url) == simdjson::SUCCESS);
  CHECK(button_url == "https://air.example/@jane/109003");

  Receiver rx;
  REQUIRE(rx.ok());
  SlackSinkConfig config;
  config.name = "chat";
  config.webhook_url = rx.url("/services/x");
  config.timeout = std::chrono::seconds(5);
  SlackSink sink(config, Http(), RealClock());
  std::stop_source never;
  Escalation open = SampleEscalation(1);
  open.kind = Escalation::Kind::kOpen;
  Escalation update = open;
  update.seq = 2;
  update.kind = Escalation::Kind::kUpdate;
  Escalation raised = update;
  raised.seq = 3;
  raised.severity = Severity::kCritical;
  Escalation resolved = open;
  resolved.seq = 4;
  resolved.kind = Escalation::Kind::kResolve;
  for (const Escalation* x : {&open, &update, &raised, &resolved}) {
    REQUIRE(sink.Deliver(*x, never.get_token()).delivered());
  }
  CHECK(rx.seen().size() == 3);  // the same-severity update was collapsed
  CHECK(sink.collapsed() == 1);
}

TEST_CASE("PagerDutySink: Events v2 trigger, acknowledge and resolve with dedup_key = incident id",
          "[sinks]") {
  Receiver rx;
  REQUIRE(rx.ok());
  rx.SetMode(Receiver::Mode::kAccepted, R"({"status":"success","dedup_key":"inc-1001"})");
  PagerDutySinkConfig c;
  c.name = "oncall";
  c.routing_key = "R0UTINGKEY";
  c.url = rx.url("/v2/enqueue");
  PagerDutySink sink(c, Http(), RealClock());
  std::stop_source never;
  Escalation open = SampleEscalation(1);
  open.severity = Severity::kHigh;
  Escalation ack = open;
  ack.seq = 2;
  ack.kind = Escalation::Kind::kAcknowledge;
  ack.reason = "acknowledged by sam";
  Escalation resolve = open;
  resolve.seq = 3;
  resolve.kind = Escalation::Kind::kResolve;
  REQUIRE(sink.Deliver(open, never.get_token()).delivered());
  REQUIRE(sink.Deliver(ack, never.get_token()).delivered());
  REQUIRE(sink.Deliver(resolve, never.get_token()).delivered());
  auto seen = rx.accepted();
  REQUIRE(seen.size() == 3);
  simdjson::dom::parser parser;
  simdjson::dom::element t;
  REQUIRE(parser.parse(seen[0].body).get(t) == simdjson::SUCCESS);
  auto str = [](simdjson::dom::element el) {
    std::string_view s;
    REQUIRE(el.get(s) == simdjson::SUCCESS);
    return std::string(s);
  };
  CHECK(str(t["routing_key"]) == "R0UTINGKEY");
  CHECK(str(t["event_action"]) == "trigger");
  CHECK(str(t["dedup_key"]) == open.incident_id);
  CHECK(str(t["payload"]["summary"]) == open.summary);
  CHECK(str(t["payload"]["source"]) == "earshot");
  CHECK(str(t["payload"]["severity"]) == "error");
  CHECK(ParseIso8601(str(t["payload"]["timestamp"])).has_value());
  CHECK(str(t["links"].at(0)["href"]) == open.posts[0].url);
  // The newest post's scores, side by side, for whoever triages in PagerDuty.
  double sentiment = 0, complaint = 0;
  REQUIRE(t["payload"]["custom_details"]["sentiment"].get(sentiment) == simdjson::SUCCESS);
  REQUIRE(t["payload"]["custom_details"]["complaint_score"].get(complaint) == simdjson::SUCCESS);
  CHECK(sentiment == open.posts[0].sentiment);
  CHECK(complaint == open.posts[0].complaint);
  // The acknowledgement acts on the same alert, by its dedup_key, and pages nobody.
  simdjson::dom::parser parser_ack;
  simdjson::dom::element a;
  REQUIRE(parser_ack.parse(seen[1].body).get(a) == simdjson::SUCCESS);
  CHECK(str(a["routing_key"]) == "R0UTINGKEY");
  CHECK(str(a["event_action"]) == "acknowledge");
  CHECK(str(a["dedup_key"]) == open.incident_id);
  CHECK(a["payload"].error() == simdjson::NO_SUCH_FIELD);
  simdjson::dom::parser parser2;
  simdjson::dom::element r;
  REQUIRE(parser2.parse(seen[2].body).get(r) == simdjson::SUCCESS);
  CHECK(str(r["event_action"]) == "resolve");
  CHECK(str(r["dedup_key"]) == open.incident_id);
  CHECK(r["payload"].error() == simdjson::NO_SUCH_FIELD);

  rx.SetMode(Receiver::Mode::kTooMany);
  CHECK(sink.Deliver(open, never.get_token()).kind == DeliveryResult::Kind::kRetry);
}

}  // namespace
}  // namespace earshot
