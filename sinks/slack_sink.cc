#include "sinks/slack_sink.h"

#include <fmt/format.h>

#include "daemon/base/json_escape.h"
#include "daemon/net/curl_http_client.h"
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

std::string Str(std::string_view s) { return "\"" + JsonEscape(s) + "\""; }

class SlackSinkFactory final : public SinkFactory {
 public:
  std::string_view type() const override { return "slack"; }
  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        SinkOption("webhook_url", OptionKind::kString,
                   "the incoming webhook URL (https://hooks.slack.com/services/...)")
            .Required()
            .Secret(),
        SinkOption("collapse", OptionKind::kDuration,
                   "skip an incident's updates this soon after its last post unless severity rose")
            .Default("10m"),
        SinkOption("timeout", OptionKind::kDuration, "whole request, TLS included").Default("10s"),
    };
    return *spec;
  }
  Result<SinkPtr> Create(const SinkOptions& o) const override {
    SlackSinkConfig c;
    c.name = o.name();
    c.webhook_url = o.String("webhook_url");
    if (c.webhook_url.rfind("https://", 0) != 0 && c.webhook_url.rfind("http://", 0) != 0) {
      return Status::InvalidArgument("option 'webhook_url': must start with https://");
    }
    c.collapse = o.Duration("collapse");
    c.timeout = o.Duration("timeout");
    EARSHOT_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> http, CurlHttpClient::Create());
    return SinkPtr(std::make_unique<SlackSink>(std::move(c), std::move(http), RealClock()));
  }
};

}  // namespace

std::string SlackPayload(const Escalation& e) {
  const std::string title = fmt::format("{} {} {}: {}", SeverityEmoji(e.severity),
                                        Upper(SeverityName(e.severity)), KindName(e.kind),
                                        e.rule_id.empty() ? e.category : e.rule_id);
  std::string blocks;
  // Header blocks take plain_text of at most 150 characters.
  blocks += fmt::format(R"({{"type":"header","text":{{"type":"plain_text","text":{},"emoji":true}}}})",
                        Str(Cut(title, 140)));
  blocks += fmt::format(R"(,{{"type":"section","text":{{"type":"mrkdwn","text":{}}}}})",
                        Str(Cut("*" + Mrkdwn(e.summary) + "*", 2900)));
  if (!e.posts.empty()) {
    const PostRef& p = e.posts.front();
    const std::string handle = Mrkdwn(AuthorHandle(p.network, p.author));
    std::string who = p.author_name.empty()
                          ? handle
                          : fmt::format("{} ({})", Mrkdwn(p.author_name), handle);
    if (HasFollowerCounts(p.network)) who += fmt::format(" · {} followers", p.followers);
    std::string section = fmt::format(
        R"(,{{"type":"section","text":{{"type":"mrkdwn","text":{}}})",
        Str(Cut(fmt::format("{}\n>{}", who, Mrkdwn(Cut(p.text, 600))), 2900)));
    if (!p.url.empty()) {
      section += fmt::format(
          R"(,"accessory":{{"type":"button","text":{{"type":"plain_text","text":"Open post"}},"url":{}}})",
          Str(Cut(p.url, 3000)));
    }
    blocks += section + "}";
  }
  blocks += fmt::format(
      R"(,{{"type":"context","elements":[{{"type":"mrkdwn","text":{}}}]}})",
      Str(fmt::format("incident `{}` · seq {} · {}{}", e.incident_id, e.seq, Mrkdwn(e.reason),
                      e.posts.size() > 1 ? fmt::format(" · {} posts", e.posts.size()) : "")));
  // The top-level text is the notification and fallback Slack shows; it is parsed as mrkdwn like
  // any block, so a summary quoting `<!channel>` or `<https://evil|click>` must be escaped here
  // too or a stranger's post pings the channel or disguises a link.
  const std::string text = Mrkdwn(fmt::format("{} {} {} {}: {}", Upper(SeverityName(e.severity)),
                                              KindName(e.kind), e.incident_id, e.rule_id,
                                              e.summary));
  return fmt::format(R"({{"text":{},"blocks":[{}]}})", Str(Cut(text, 3000)), blocks);
}

SlackSink::SlackSink(SlackSinkConfig config, std::unique_ptr<HttpClient> http, Clock& clock)
    : config_(std::move(config)), http_(std::move(http)), clock_(clock) {}

DeliveryResult SlackSink::Deliver(const Escalation& e, std::stop_token stop) {
  const SteadyTime now = clock_.SteadyNow();
  auto last = posted_.find(e.incident_id);
  if (e.kind == Escalation::Kind::kUpdate && last != posted_.end() &&
      now - last->second.at < config_.collapse && e.severity <= last->second.severity) {
    ++collapsed_;
    return DeliveryResult::Delivered();
  }
  HttpRequest req;
  req.method = "POST";
  req.url = config_.webhook_url;
  req.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  req.body = SlackPayload(e);
  req.total_timeout = config_.timeout;
  req.connect_timeout = std::min(config_.timeout, std::chrono::milliseconds(5000));
  req.max_response_bytes = 64 << 10;
  DeliveryResult r = SendForDelivery(*http_, req, stop, UrlSecrets(config_.webhook_url), clock_.Now());
  if (r.delivered()) {
    if (e.kind == Escalation::Kind::kResolve) {
      posted_.erase(e.incident_id);
    } else {
      if (posted_.size() >= kMaxPosted) {
        for (auto it = posted_.begin(); it != posted_.end();) {
          it = now - it->second.at >= config_.collapse ? posted_.erase(it) : std::next(it);
        }
        if (posted_.size() >= kMaxPosted) posted_.clear();
      }
      posted_[e.incident_id] = Posted{now, e.severity};
    }
  }
  return r;
}

std::unique_ptr<SinkFactory> NewSlackSinkFactory() { return std::make_unique<SlackSinkFactory>(); }

}  // namespace earshot
