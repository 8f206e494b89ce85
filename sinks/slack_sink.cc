#include "sinks/slack_sink.h"

#include <fmt/format.h>

#include <simdjson.h>

#include "daemon/base/json_escape.h"
#include "daemon/base/log.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/net/url.h"
#include "sinks/http_delivery.h"

namespace earshot {
namespace {

constexpr size_t kMaxPosted = 10000;

std::string_view SeverityEmoji(Severity s) {
  switch (s) {
    case Severity::kCritical: return ":rotating_light:";
    case Severity::kHigh: return ":red_circle:";
    case Severity::kMedium: return ":large_orange_circle:";
    case Severity::kLow: return ":large_yellow_circle:";
    case Severity::kInfo: return ":white_circle:";
  }
  return ":white_circle:";
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Slack's mrkdwn treats &, < and > as control characters.
std::string Mrkdwn(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out.push_back(c);
  }
  return out;
}

// At most `max` bytes, cut on a UTF-8 boundary.
std::string Cut(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "…";
}

std::string Str(std::string_view s) { return JsonQuoted(s); }

// "acknowledged by sam" -> "Acknowledged by sam".
std::string Capitalized(std::string_view s) {
  std::string out(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

// Every line of a post quoted: a line break in a stranger's text must not end the quote and
// make the rest read as earshot's own words.
std::string Quoted(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\r') continue;  // CRLF is one break; a bare CR is no line of its own in Slack
    out.push_back(c);
    if (c == '\n') out.push_back('>');
  }
  return out;
}

// A JSON object's members without its braces, to add the Web API's own keys beside them.
std::string Inner(const std::string& object) { return object.substr(1, object.size() - 2); }

std::string RuleOf(const Escalation& e) { return e.rule_id.empty() ? e.category : e.rule_id; }

// The header (plain text, never parsed as mrkdwn) and the one-line fallback (escaped below) of
// a message about `e`. Only an open wears the severity's alarm.
struct Headline {
  std::string header, text;
};

Headline HeadlineOf(const Escalation& e) {
  const std::string rule = RuleOf(e);
  const std::string sev = Upper(SeverityName(e.severity));
  switch (e.kind) {
    case Escalation::Kind::kOpen:
      return {fmt::format("{} {} open: {}", SeverityEmoji(e.severity), sev, rule),
              fmt::format("{} open {} {}: {}", sev, e.incident_id, e.rule_id, e.summary)};
    case Escalation::Kind::kUpdate:
      if (e.reason == "severity raised") {
        return {fmt::format(":arrow_up: Severity raised to {}: {}", sev, rule),
                fmt::format("Severity raised to {}: {} {}: {}", sev, e.incident_id, e.rule_id,
                            e.summary)};
      }
      return {fmt::format(":speech_balloon: New posts: {}", rule),
              fmt::format("New posts ({}): {} {}: {}", e.reason, e.incident_id, e.rule_id,
                          e.summary)};
    case Escalation::Kind::kAcknowledge: {
      const std::string who = e.reason.empty() ? "Acknowledged" : Capitalized(e.reason);
      return {fmt::format(":eyes: {}", who),
              fmt::format("{}: {} {}: {}", who, e.incident_id, e.rule_id, e.summary)};
    }
    case Escalation::Kind::kResolve:
      return {fmt::format(":white_check_mark: Resolved: {} — {}", rule, e.incident_id),
              fmt::format("Resolved: {} — {} ({}): {}", rule, e.incident_id, e.reason,
                          e.summary)};
  }
  return {rule, e.summary};
}

// "text" and "blocks" (without the braces), so the Web API's calls can add their own keys.
std::string MessageFields(const Headline& h, const Escalation& e, bool with_post,
                          std::string_view status) {
  std::string blocks;
  // Header blocks take plain_text of at most 150 characters.
  blocks += fmt::format(R"({{"type":"header","text":{{"type":"plain_text","text":{},"emoji":true}}}})",
                        Str(Cut(h.header, 140)));
  blocks += fmt::format(R"(,{{"type":"section","text":{{"type":"mrkdwn","text":{}}}}})",
                        Str(Cut("*" + Mrkdwn(e.summary) + "*", 2900)));
  if (with_post && !e.posts.empty()) {
    const PostRef& p = e.posts.front();
    const std::string handle = Mrkdwn(Cut(AuthorHandle(p.network, p.author), 200));
    std::string who = p.author_name.empty()
                          ? handle
                          : fmt::format("{} ({})", Mrkdwn(Cut(p.author_name, 200)), handle);
    if (HasFollowerCounts(p.network)) who += fmt::format(" · {} followers", p.followers);
    std::string section = fmt::format(
        R"(,{{"type":"section","text":{{"type":"mrkdwn","text":{}}})",
        Str(Cut(fmt::format("{}\n>{}", who, Quoted(Mrkdwn(Cut(p.text, 600)))), 2900)));
    // A button opens whatever URL it holds: only a plain http(s) link from the network, never
    // a stranger's "javascript:" or a value that is not a URL at all.
    const bool linkable = (p.url.rfind("https://", 0) == 0 || p.url.rfind("http://", 0) == 0) &&
                          p.url.size() <= 3000 &&
                          p.url.find_first_of(" <>\"\\") == std::string::npos;
    if (linkable) {
      section += fmt::format(
          R"(,"accessory":{{"type":"button","text":{{"type":"plain_text","text":"Open post"}},"url":{}}})",
          Str(Cut(p.url, 3000)));
    }
    blocks += section + "}";
  }
  blocks += fmt::format(
      R"(,{{"type":"context","elements":[{{"type":"mrkdwn","text":{}}}]}})",
      Str(fmt::format("incident `{}` · seq {} · {}{}{}{}", Mrkdwn(e.incident_id), e.seq,
                      Mrkdwn(e.reason), e.first_response ? " · " + Mrkdwn(AnsweredText(e)) : "",
                      e.posts.size() > 1 ? fmt::format(" · {} posts", e.posts.size()) : "",
                      status.empty() ? "" : fmt::format(" · *{}*", Mrkdwn(status)))));
  // The top-level text is the notification and fallback Slack shows; it is parsed as mrkdwn like
  // any block, so a summary quoting `<!channel>` or `<https://evil|click>` must be escaped here
  // too or a stranger's post pings the channel or disguises a link.
  return fmt::format(R"("text":{},"blocks":[{}])", Str(Cut(Mrkdwn(h.text), 3000)), blocks);
}

// What a Web API error means for the escalation, named so an operator knows what to fix.
DeliveryResult ClassifyApiError(std::string_view method, std::string_view host,
                                std::string_view error, const HttpResponse& response,
                                SystemTime now) {
  const std::string detail = fmt::format("Slack API {} on {}: {}", method, host, error);
  if (error == "ratelimited") {
    std::chrono::milliseconds after(0);
    if (auto h = response.Header("retry-after")) {
      if (auto d = ParseRetryAfterValue(*h, now)) after = *d;
    }
    return DeliveryResult::Retry(detail, after);
  }
  if (error == "internal_error" || error == "fatal_error" || error == "service_unavailable" ||
      error == "request_timeout") {
    return DeliveryResult::Retry(detail);
  }
  if (error == "invalid_auth" || error == "not_authed" || error == "account_inactive" ||
      error == "token_revoked" || error == "token_expired" || error == "missing_scope" ||
      error == "not_allowed_token_type" || error == "no_permission") {
    return DeliveryResult::Permanent(
        detail + "; the bot token was refused (it needs chat:write): replace bot_token");
  }
  if (error == "channel_not_found" || error == "not_in_channel" || error == "is_archived") {
    return DeliveryResult::Permanent(
        detail + "; check the sink's channel and invite the bot to it");
  }
  return DeliveryResult::Permanent(detail);
}

class SlackSinkFactory final : public SinkFactory {
 public:
  std::string_view type() const override { return "slack"; }
  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption(
            "webhook_url", OptionKind::kString,
            "the incoming webhook URL (https://hooks.slack.com/services/...); or bot_token")
            .Secret(),
        ConfigOption("bot_token", OptionKind::kString,
                     "a bot token (xoxb-...) with chat:write, for threads through the Web API; "
                     "or webhook_url")
            .Secret(),
        ConfigOption("channel", OptionKind::kString,
                     "with bot_token: the channel's id (C0123...) or name"),
        ConfigOption("api_url", OptionKind::kString, "with bot_token: the Web API's base URL")
            .Default("https://slack.com/api"),
        ConfigOption(
            "collapse", OptionKind::kDuration,
            "skip an incident's updates this soon after its last post unless severity rose")
            .Default("10m"),
        ConfigOption("timeout", OptionKind::kDuration, "whole request, TLS included")
            .Default("10s"),
    };
    return *spec;
  }
  Result<SinkPtr> Create(const SinkOptions& o) const override {
    SlackSinkConfig c;
    c.name = o.name();
    c.webhook_url = o.String("webhook_url");
    c.bot_token = o.String("bot_token");
    c.channel = o.String("channel");
    c.api_url = o.String("api_url");
    if (c.webhook_url.empty() == c.bot_token.empty()) {
      return Status::InvalidArgument(
          "give exactly one of webhook_url (an incoming webhook) and bot_token (the Web API, "
          "with channel)");
    }
    if (!c.webhook_url.empty()) {
      if (c.webhook_url.rfind("https://", 0) != 0 && c.webhook_url.rfind("http://", 0) != 0) {
        return Status::InvalidArgument("option 'webhook_url': must start with https://");
      }
      if (!c.channel.empty()) {
        return Status::InvalidArgument(
            "option 'channel': only with bot_token; an incoming webhook posts to its own channel");
      }
    } else {
      if (c.channel.empty()) {
        return Status::InvalidArgument(
            "option 'channel': required with bot_token (the channel's id, C0123..., or name)");
      }
      if (c.api_url.rfind("https://", 0) != 0 && c.api_url.rfind("http://", 0) != 0) {
        return Status::InvalidArgument(
            fmt::format("option 'api_url': '{}' must start with https://", c.api_url));
      }
      while (!c.api_url.empty() && c.api_url.back() == '/') c.api_url.pop_back();
    }
    c.collapse = o.Duration("collapse");
    c.timeout = o.Duration("timeout");
    EARSHOT_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> http, CurlHttpClient::Create());
    return SinkPtr(std::make_unique<SlackSink>(std::move(c), std::move(http), RealClock()));
  }
};

}  // namespace

std::string SlackPayload(const Escalation& e) {
  return "{" +
         MessageFields(HeadlineOf(e), e, /*with_post=*/e.kind != Escalation::Kind::kAcknowledge,
                       "") +
         "}";
}

std::string SlackThreadHeadPayload(const Escalation& e, std::string_view acknowledged) {
  const std::string rule = RuleOf(e);
  const std::string sev = Upper(SeverityName(e.severity));
  Headline h;
  std::string status;
  if (e.kind == Escalation::Kind::kResolve) {
    h = {fmt::format(":white_check_mark: Resolved: {} — {}", rule, e.incident_id),
         fmt::format("Resolved: {} — {}: {}", rule, e.incident_id, e.summary)};
    status = "Resolved: " + e.reason;
  } else if (!acknowledged.empty()) {
    h = {fmt::format(":eyes: {} {}: {} · {}", SeverityEmoji(e.severity), sev, rule,
                     Capitalized(acknowledged)),
         fmt::format("{} {} {}: {} ({})", sev, e.incident_id, e.rule_id, e.summary, acknowledged)};
    status = Capitalized(acknowledged);
  } else {
    h = {fmt::format("{} {}: {}", SeverityEmoji(e.severity), sev, rule),
         fmt::format("{} {} {}: {}", sev, e.incident_id, e.rule_id, e.summary)};
    status = "Open";
  }
  return "{" + MessageFields(h, e, /*with_post=*/true, status) + "}";
}

SlackSink::SlackSink(SlackSinkConfig config, std::unique_ptr<HttpClient> http, Clock& clock)
    : config_(std::move(config)), http_(std::move(http)), clock_(clock) {}

void SlackSink::Remember(const Escalation& e, SteadyTime now) {
  if (e.kind == Escalation::Kind::kResolve) {
    posted_.erase(e.incident_id);
    return;
  }
  if (e.kind == Escalation::Kind::kAcknowledge) return;  // not a page: collapsing ignores it
  if (posted_.size() >= kMaxPosted) {
    for (auto it = posted_.begin(); it != posted_.end();) {
      it = now - it->second.at >= config_.collapse ? posted_.erase(it) : std::next(it);
    }
    if (posted_.size() >= kMaxPosted) posted_.clear();
  }
  posted_[e.incident_id] = Posted{now, e.severity};
}

DeliveryResult SlackSink::Deliver(const Escalation& e, std::stop_token stop) {
  const SteadyTime now = clock_.SteadyNow();
  auto last = posted_.find(e.incident_id);
  if (e.kind == Escalation::Kind::kUpdate && last != posted_.end() &&
      now - last->second.at < config_.collapse && e.severity <= last->second.severity) {
    ++collapsed_;
    return DeliveryResult::Delivered();
  }
  DeliveryResult r = config_.bot_token.empty() ? DeliverWebhook(e, stop) : DeliverApi(e, stop);
  if (r.delivered()) Remember(e, now);
  return r;
}

DeliveryResult SlackSink::DeliverWebhook(const Escalation& e, std::stop_token stop) {
  HttpRequest req;
  req.method = "POST";
  req.url = config_.webhook_url;
  req.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  req.body = SlackPayload(e);
  req.total_timeout = config_.timeout;
  req.connect_timeout = std::min(config_.timeout, std::chrono::milliseconds(5000));
  req.max_response_bytes = 64 << 10;
  return SendForDelivery(*http_, req, stop, UrlSecrets(config_.webhook_url), clock_.Now());
}

DeliveryResult SlackSink::CallApi(std::string_view method, const std::string& body,
                                  std::stop_token stop, std::string* channel, std::string* ts) {
  HttpRequest req;
  req.method = "POST";
  req.url = fmt::format("{}/{}", config_.api_url, method);
  req.headers = {{"Content-Type", "application/json; charset=utf-8"},
                 {"Authorization", "Bearer " + config_.bot_token}};
  req.body = body;
  req.total_timeout = config_.timeout;
  req.connect_timeout = std::min(config_.timeout, std::chrono::milliseconds(5000));
  req.max_response_bytes = 256 << 10;
  const std::vector<std::string> secrets{config_.bot_token};
  const SystemTime now = clock_.Now();
  Result<HttpResponse> response = http_->Send(req, stop);
  if (!response.ok()) {
    const std::string detail = Redact(response.status().message(), secrets);
    if (response.status().code() == Status::Code::kInvalidArgument) {
      return DeliveryResult::Permanent(detail);
    }
    return DeliveryResult::Retry(detail);
  }
  const std::string host = UrlHost(req.url);
  // 429 with Retry-After (rate limits), 5xx, 404 for a wrong api_url: as any HTTP receiver.
  if (response->status < 200 || response->status >= 300) {
    return ClassifyHttpResponse(*response, host, secrets, now);
  }
  // 200 says little: the answer's "ok" says whether Slack did it.
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  bool ok = false;
  if (parser.parse(response->body).get(doc) != simdjson::SUCCESS ||
      doc["ok"].get(ok) != simdjson::SUCCESS) {
    return DeliveryResult::Retry(fmt::format(
        "Slack API {} on {}: HTTP {} without a Web API answer", method, host, response->status));
  }
  if (!ok) {
    std::string_view error;
    if (doc["error"].get(error) != simdjson::SUCCESS) error = "unknown error";
    return ClassifyApiError(method, host, Redact(std::string(error), secrets), *response, now);
  }
  std::string_view v;
  if (channel != nullptr && doc["channel"].get(v) == simdjson::SUCCESS) channel->assign(v);
  if (ts != nullptr && doc["ts"].get(v) == simdjson::SUCCESS) ts->assign(v);
  return DeliveryResult::Delivered();
}

DeliveryResult SlackSink::DeliverApi(const Escalation& e, std::stop_token stop) {
  auto it = threads_.find(e.incident_id);
  // An open (a reopened incident too) starts a new message; so does an escalation of an
  // incident whose message this sink never posted (it started after a restart).
  if (e.kind == Escalation::Kind::kOpen || it == threads_.end()) {
    Thread t;
    const std::string body = fmt::format(R"({{"channel":{},"unfurl_links":false,{}}})",
                                         Str(config_.channel), Inner(SlackPayload(e)));
    DeliveryResult r = CallApi("chat.postMessage", body, stop, &t.channel, &t.ts);
    if (!r.delivered()) return r;
    if (e.kind == Escalation::Kind::kResolve) {
      if (it != threads_.end()) threads_.erase(it);
      return r;
    }
    if (t.channel.empty()) t.channel = config_.channel;
    t.posted_seq = e.seq;
    if (e.kind == Escalation::Kind::kAcknowledge) t.acknowledged = e.reason;
    if (threads_.size() >= kMaxPosted) threads_.erase(threads_.begin());
    threads_[e.incident_id] = std::move(t);
    return r;
  }
  Thread& t = it->second;
  if (t.posted_seq != e.seq) {
    const std::string body =
        fmt::format(R"({{"channel":{},"thread_ts":{},"unfurl_links":false,{}}})", Str(t.channel),
                    Str(t.ts), Inner(SlackPayload(e)));
    DeliveryResult r = CallApi("chat.postMessage", body, stop, nullptr, nullptr);
    if (!r.delivered()) return r;
    t.posted_seq = e.seq;  // a retry of the chat.update below must not post this reply again
  }
  if (e.kind == Escalation::Kind::kAcknowledge) t.acknowledged = e.reason;
  // The thread's first message shows where the incident stands now.
  const std::string body =
      fmt::format(R"({{"channel":{},"ts":{},{}}})", Str(t.channel), Str(t.ts),
                  Inner(SlackThreadHeadPayload(e, t.acknowledged)));
  DeliveryResult r = CallApi("chat.update", body, stop, nullptr, nullptr);
  if (r.kind == DeliveryResult::Kind::kRetry) return r;
  if (r.kind == DeliveryResult::Kind::kPermanent) {
    // The reply is in the thread; a first message someone deleted or Slack will not edit
    // must not turn the whole escalation into a dead letter.
    log::Warn("sink:" + config_.name, "seq {}: the thread's first message was not updated: {}",
              e.seq, r.detail);
  }
  if (e.kind == Escalation::Kind::kResolve) threads_.erase(it);
  return DeliveryResult::Delivered();
}

std::unique_ptr<SinkFactory> NewSlackSinkFactory() { return std::make_unique<SlackSinkFactory>(); }

}  // namespace earshot
