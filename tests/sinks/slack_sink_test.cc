// The Slack sink: each kind of escalation rendered as what it is, and the Web API (bot token)
// against a real loopback server that answers as slack.com/api does: chat.postMessage with a
// channel id and ts, chat.update, and {"ok":false,"error":...} with HTTP 200 for failures.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/net/curl_http_client.h"
#include "daemon/net/http_server.h"
#include "sinks/registry.h"
#include "sinks/runner.h"
#include "sinks/slack_sink.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;
using testing::SampleEscalation;
using testing::SinkTempDir;
using testing::WaitFor;
using Kind = Escalation::Kind;

std::unique_ptr<HttpClient> Http() {
  auto h = CurlHttpClient::Create();
  REQUIRE(h.ok());
  return *std::move(h);
}

// The message's header text and its top-level fallback text.
struct Rendered {
  std::string header, text;
  std::vector<std::string> types;
};

Rendered Render(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  Rendered r;
  std::string_view v;
  REQUIRE(doc["text"].get(v) == simdjson::SUCCESS);
  r.text = v;
  simdjson::dom::array blocks;
  REQUIRE(doc["blocks"].get(blocks) == simdjson::SUCCESS);
  for (simdjson::dom::element b : blocks) {
    REQUIRE(b["type"].get(v) == simdjson::SUCCESS);
    r.types.emplace_back(v);
    if (r.types.back() == "header") {
      REQUIRE(b["text"]["text"].get(v) == simdjson::SUCCESS);
      r.header = v;
    }
    if (r.types.back() == "section") {
      REQUIRE(b["text"]["text"].get(v) == simdjson::SUCCESS);
      CHECK(std::string(v).find('<') == std::string::npos);  // escaped for mrkdwn
    }
  }
  return r;
}

Escalation Critical(Kind kind, std::string reason) {
  Escalation e = SampleEscalation(1);
  e.kind = kind;
  e.severity = Severity::kCritical;
  e.reason = std::move(reason);
  e.summary = "@jane: <!channel> lost bag & <https://evil.example|refund here>";
  return e;
}

TEST_CASE("SlackSink: only an open wears the alarm, resolve, acknowledge and update say what they are",
          "[sinks]") {
  const Rendered open = Render(SlackPayload(Critical(Kind::kOpen, "new incident")));
  CHECK(open.header == ":rotating_light: CRITICAL open: lost-baggage");

  const Escalation resolve_e = Critical(Kind::kResolve, "resolved by author");
  const Rendered resolve = Render(SlackPayload(resolve_e));
  CHECK(resolve.header == ":white_check_mark: Resolved: lost-baggage — " + resolve_e.incident_id);
  CHECK_THAT(resolve.text, Catch::StartsWith("Resolved: lost-baggage — " + resolve_e.incident_id));

  const Rendered ack = Render(SlackPayload(Critical(Kind::kAcknowledge, "acknowledged by sam")));
  CHECK(ack.header == ":eyes: Acknowledged by sam");
  CHECK_THAT(ack.text, Catch::StartsWith("Acknowledged by sam: "));
  // An acknowledgement repeats no post: nothing new was said.
  CHECK(ack.types == std::vector<std::string>{"header", "section", "context"});

  const Rendered raised = Render(SlackPayload(Critical(Kind::kUpdate, "severity raised")));
  CHECK(raised.header == ":arrow_up: Severity raised to CRITICAL: lost-baggage");
  const Rendered repeat = Render(SlackPayload(Critical(Kind::kUpdate, "repeat")));
  CHECK(repeat.header == ":speech_balloon: New posts: lost-baggage");
  CHECK_THAT(repeat.text, Catch::StartsWith("New posts (repeat): "));

  for (const Rendered* r : {&resolve, &ack, &raised, &repeat}) {
    INFO(r->header);
    CHECK_THAT(r->header, !Catch::Contains(":rotating_light:"));
    CHECK_THAT(r->text, !Catch::Contains(":rotating_light:"));
    CHECK_THAT(r->text, !Catch::StartsWith("CRITICAL"));
  }
  // Every fallback text is mrkdwn-escaped: a stranger's summary pings nobody, hides no link.
  for (const Rendered* r : {&open, &resolve, &ack, &raised, &repeat}) {
    INFO(r->text);
    CHECK(r->text.find('<') == std::string::npos);
    CHECK_THAT(r->text, Catch::Contains("&lt;!channel&gt; lost bag &amp; &lt;https://evil"));
  }
}

// slack.com/api on loopback: chat.postMessage answers a channel id and a fresh ts, chat.update
// the same ts; `error` makes every call answer {"ok":false,"error":error} with HTTP `status`.
class FakeSlackApi {
 public:
  struct Call {
    std::string method, authorization, channel, thread_ts, ts, header;
  };

  FakeSlackApi() {
    auto s = HttpServer::Start([this](const HttpServerRequest& r) { return Handle(r); }, {});
    REQUIRE(s.ok());
    server_ = *std::move(s);
  }
  std::string api_url() const { return server_->base_url() + "/api"; }
  void Fail(std::string error, int status = 200, std::string retry_after = "",
            std::string only_method = "") {
    std::lock_guard lock(mu_);
    error_ = std::move(error);
    status_ = status;
    retry_after_ = std::move(retry_after);
    only_method_ = std::move(only_method);
  }
  void Succeed() { Fail(""); }
  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  HttpServerResponse Handle(const HttpServerRequest& r) {
    std::lock_guard lock(mu_);
    Call c;
    c.method = r.path.rfind("/api/", 0) == 0 ? r.path.substr(5) : r.path;
    c.authorization = std::string(r.Header("authorization").value_or(""));
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(r.body).get(doc) == simdjson::SUCCESS) {
      std::string_view v;
      if (doc["channel"].get(v) == simdjson::SUCCESS) c.channel = v;
      if (doc["thread_ts"].get(v) == simdjson::SUCCESS) c.thread_ts = v;
      if (doc["ts"].get(v) == simdjson::SUCCESS) c.ts = v;
      if (doc["blocks"].at(0)["text"]["text"].get(v) == simdjson::SUCCESS) c.header = v;
    }
    HttpServerResponse resp;
    resp.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    calls_.push_back(c);
    if (!error_.empty() && (only_method_.empty() || only_method_ == c.method)) {
      resp.status = status_;
      resp.body = fmt::format(R"({{"ok":false,"error":"{}"}})", error_);
      if (!retry_after_.empty()) resp.headers.emplace_back("Retry-After", retry_after_);
      return resp;
    }
    if (c.method == "chat.postMessage") {
      resp.body = fmt::format(R"({{"ok":true,"channel":"C0CARE","ts":"1700000000.{:06}"}})",
                              ++next_ts_);
    } else if (c.method == "chat.update") {
      resp.body = fmt::format(R"({{"ok":true,"channel":"{}","ts":"{}"}})", c.channel, c.ts);
    } else {
      resp.status = 404;
      resp.body = "unknown method";
    }
    return resp;
  }

  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::string error_, retry_after_, only_method_;
  int status_ = 200;
  int next_ts_ = 0;
  std::unique_ptr<HttpServer> server_;
};

const std::string kToken = "xoxb-1111-2222-SecretBotToken";

SlackSinkConfig BotConfig(const FakeSlackApi& api) {
  SlackSinkConfig c;
  c.name = "care";
  c.bot_token = kToken;
  c.channel = "#care";
  c.api_url = api.api_url();
  c.timeout = std::chrono::seconds(5);
  return c;
}

TEST_CASE("SlackSink with a bot token: an open starts a thread, the rest reply in it and update it",
          "[sinks]") {
  FakeSlackApi api;
  SlackSink sink(BotConfig(api), Http(), RealClock());
  std::stop_source never;
  Escalation open = SampleEscalation(1);
  open.kind = Kind::kOpen;
  open.severity = Severity::kHigh;
  Escalation ack = open;
  ack.seq = 2;
  ack.kind = Kind::kAcknowledge;
  ack.reason = "acknowledged by sam";
  Escalation raised = open;
  raised.seq = 3;
  raised.kind = Kind::kUpdate;
  raised.severity = Severity::kCritical;
  raised.reason = "severity raised";
  Escalation resolve = open;
  resolve.seq = 4;
  resolve.kind = Kind::kResolve;
  resolve.severity = Severity::kCritical;
  resolve.reason = "resolved by author";
  for (const Escalation* e : {&open, &ack, &raised, &resolve}) {
    INFO(e->seq);
    REQUIRE(sink.Deliver(*e, never.get_token()).delivered());
  }
  const std::vector<FakeSlackApi::Call> calls = api.calls();
  REQUIRE(calls.size() == 7);
  for (const auto& c : calls) CHECK(c.authorization == "Bearer " + kToken);
  // The open: a message of its own in the configured channel.
  CHECK(calls[0].method == "chat.postMessage");
  CHECK(calls[0].channel == "#care");
  CHECK(calls[0].thread_ts.empty());
  CHECK(calls[0].header == ":red_circle: HIGH open: lost-baggage");
  const std::string ts = "1700000000.000001";
  // Each later escalation: a reply under the open (in the channel id Slack answered), then the
  // open rewritten to show where the incident stands.
  const std::vector<std::string> replies = {":eyes: Acknowledged by sam",
                                            ":arrow_up: Severity raised to CRITICAL: lost-baggage",
                                            ":white_check_mark: Resolved: lost-baggage — " +
                                                open.incident_id};
  const std::vector<std::string> heads = {
      ":eyes: :red_circle: HIGH: lost-baggage · Acknowledged by sam",
      ":eyes: :rotating_light: CRITICAL: lost-baggage · Acknowledged by sam",
      ":white_check_mark: Resolved: lost-baggage — " + open.incident_id};
  for (size_t i = 0; i < 3; ++i) {
    const auto& reply = calls[1 + 2 * i];
    const auto& update = calls[2 + 2 * i];
    INFO(i);
    CHECK(reply.method == "chat.postMessage");
    CHECK(reply.channel == "C0CARE");
    CHECK(reply.thread_ts == ts);
    CHECK(reply.header == replies[i]);
    CHECK(update.method == "chat.update");
    CHECK(update.channel == "C0CARE");
    CHECK(update.ts == ts);
    CHECK(update.header == heads[i]);
  }

  // Reopened after the resolve: a new message and a new thread.
  Escalation reopen = open;
  reopen.seq = 5;
  reopen.reason = "reopened";
  REQUIRE(sink.Deliver(reopen, never.get_token()).delivered());
  Escalation again = raised;
  again.seq = 6;
  REQUIRE(sink.Deliver(again, never.get_token()).delivered());
  const auto more = api.calls();
  REQUIRE(more.size() == 10);
  CHECK(more[7].thread_ts.empty());
  CHECK(more[8].thread_ts == "1700000000.000005");
  CHECK(more[9].ts == "1700000000.000005");
}

TEST_CASE("SlackSink with a bot token: a failed chat.update is retried without posting the reply twice",
          "[sinks]") {
  FakeSlackApi api;
  SlackSink sink(BotConfig(api), Http(), RealClock());
  std::stop_source never;
  Escalation open = SampleEscalation(1);
  open.kind = Kind::kOpen;
  REQUIRE(sink.Deliver(open, never.get_token()).delivered());
  Escalation ack = open;
  ack.seq = 2;
  ack.kind = Kind::kAcknowledge;
  ack.reason = "acknowledged by sam";
  api.Fail("internal_error", 200, "", "chat.update");
  DeliveryResult r = sink.Deliver(ack, never.get_token());
  CHECK(r.kind == DeliveryResult::Kind::kRetry);
  CHECK_THAT(r.detail, Catch::Contains("chat.update") && Catch::Contains("internal_error"));
  api.Succeed();
  REQUIRE(sink.Deliver(ack, never.get_token()).delivered());
  std::vector<std::string> methods;
  for (const auto& c : api.calls()) methods.push_back(c.method);
  CHECK(methods == std::vector<std::string>{"chat.postMessage", "chat.postMessage", "chat.update",
                                            "chat.update"});
  // A first message Slack will not edit (deleted by hand) does not make the reply a dead letter.
  Escalation resolve = open;
  resolve.seq = 3;
  resolve.kind = Kind::kResolve;
  api.Fail("message_not_found", 200, "", "chat.update");
  CHECK(sink.Deliver(resolve, never.get_token()).delivered());
}

TEST_CASE("SlackSink with a bot token: ratelimited waits for Retry-After, invalid_auth and "
          "channel_not_found are permanent, the token is never shown",
          "[sinks]") {
  FakeSlackApi api;
  SlackSink sink(BotConfig(api), Http(), RealClock());
  std::stop_source never;
  const Escalation open = SampleEscalation(1);

  api.Fail("ratelimited", 429, "7");
  DeliveryResult r = sink.Deliver(open, never.get_token());
  CHECK(r.kind == DeliveryResult::Kind::kRetry);
  CHECK(r.retry_after == milliseconds(7000));
  api.Fail("ratelimited", 200, "3");
  r = sink.Deliver(open, never.get_token());
  CHECK(r.kind == DeliveryResult::Kind::kRetry);
  CHECK(r.retry_after == milliseconds(3000));
  api.Fail("service_unavailable");
  CHECK(sink.Deliver(open, never.get_token()).kind == DeliveryResult::Kind::kRetry);

  api.Fail("invalid_auth");
  r = sink.Deliver(open, never.get_token());
  CHECK(r.kind == DeliveryResult::Kind::kPermanent);
  CHECK_THAT(r.detail, Catch::StartsWith("Slack API chat.postMessage on 127.0.0.1:"));
  CHECK_THAT(r.detail, Catch::Contains("invalid_auth") && Catch::Contains("replace bot_token"));
  api.Fail("channel_not_found");
  r = sink.Deliver(open, never.get_token());
  CHECK(r.kind == DeliveryResult::Kind::kPermanent);
  CHECK_THAT(r.detail, Catch::Contains("channel_not_found") && Catch::Contains("channel"));
  // A server that echoes the token in its error still never gets it into a detail.
  api.Fail(kToken);
  r = sink.Deliver(open, never.get_token());
  CHECK(r.kind == DeliveryResult::Kind::kPermanent);
  CHECK_THAT(r.detail, !Catch::Contains("SecretBotToken") && Catch::Contains("[secret]"));
}

TEST_CASE("SlackSink with a bot token under a runner: invalid_auth is a dead letter naming it",
          "[sinks]") {
  FakeSlackApi api;
  api.Fail("invalid_auth");
  SinkTempDir dir;
  auto store = StateStore::Open(dir.path() / "earshot.db");
  REQUIRE(store.ok());
  zmq::context_t context{1};
  SinkRegistry registry;
  RegisterBuiltinSinks(registry);
  Result<ConfiguredSink> sink = registry.Create(SinkConfig{
      "care",
      "slack",
      {{"bot_token", kToken}, {"channel", "C0CARE"}, {"api_url", api.api_url()}}});
  INFO(sink.status().ToString());
  REQUIRE(sink.ok());
  SinkRunnerOptions o;
  o.new_sink_starts_at_end = false;
  o.outbox_check_interval = milliseconds(100);
  SinkRunner runner("care", *std::move(sink), **store, context, o);
  runner.Start();
  REQUIRE(testing::CommitToOutbox(**store, {SampleEscalation(1)}).ok());
  REQUIRE(WaitFor([&] { return runner.dead_lettered() == 1; }));
  runner.Join();
  auto letters = (*store)->ListDeadLetters("care");
  REQUIRE(letters->size() == 1);
  CHECK_THAT((*letters)[0].reason, Catch::Contains("invalid_auth"));
  CHECK_THAT((*letters)[0].reason, !Catch::Contains("SecretBotToken"));
  CHECK(api.calls().size() == 1);  // permanent: tried once
}

TEST_CASE("SlackSink options: exactly one of webhook_url and bot_token, channel with the token",
          "[sinks]") {
  SinkRegistry registry;
  RegisterBuiltinSinks(registry);
  struct Row {
    std::map<std::string, std::string> options;
    std::string error;  // "" = builds
  };
  const std::vector<Row> rows = {
      {{{"webhook_url", "https://hooks.slack.example/services/T/B/X"}}, ""},
      {{{"bot_token", kToken}, {"channel", "C0CARE"}}, ""},
      {{}, "give exactly one of webhook_url"},
      {{{"webhook_url", "https://hooks.slack.example/services/T/B/X"}, {"bot_token", kToken}},
       "give exactly one of webhook_url"},
      {{{"bot_token", kToken}}, "option 'channel': required with bot_token"},
      {{{"bot_token", kToken}, {"channel", "C0"}, {"api_url", "ftp://x"}}, "option 'api_url'"},
      {{{"webhook_url", "https://hooks.slack.example/services/T/B/X"}, {"channel", "C0"}},
       "option 'channel': only with bot_token"},
  };
  for (const Row& row : rows) {
    Result<ConfiguredSink> built = registry.Create(SinkConfig{"care", "slack", row.options});
    INFO(row.error);
    if (row.error.empty()) {
      CHECK(built.ok());
    } else {
      REQUIRE_FALSE(built.ok());
      CHECK_THAT(built.status().message(), Catch::Contains(row.error));
      CHECK_THAT(built.status().message(), !Catch::Contains("SecretBotToken"));
    }
  }
}

}  // namespace
}  // namespace earshot
