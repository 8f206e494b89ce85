#include "sinks/pagerduty_sink.h"

#include <fmt/format.h>

#include <cmath>

#include "daemon/base/json_escape.h"
#include "daemon/net/curl_http_client.h"
#include "sinks/http_delivery.h"

namespace earshot {
namespace {

std::string Str(std::string_view s) { return JsonQuoted(s); }

std::string_view PagerDutySeverity(Severity s) {
  switch (s) {
    case Severity::kCritical: return "critical";
    case Severity::kHigh: return "error";
    case Severity::kMedium: return "warning";
    case Severity::kLow:
    case Severity::kInfo: return "info";
  }
  return "info";
}

// payload.summary is limited to 1024 characters.
std::string Cut(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

class PagerDutySinkFactory final : public SinkFactory {
 public:
  std::string_view type() const override { return "pagerduty"; }
  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption("routing_key", OptionKind::kString,
                     "the integration key of an Events API v2 integration")
            .Required()
            .Secret(),
        ConfigOption("url", OptionKind::kString, "the Events API v2 endpoint")
            .Default("https://events.pagerduty.com/v2/enqueue"),
        ConfigOption("source", OptionKind::kString, "payload.source shown in PagerDuty")
            .Default("earshot"),
        ConfigOption("timeout", OptionKind::kDuration, "whole request, TLS included")
            .Default("10s"),
    };
    return *spec;
  }
  Result<SinkPtr> Create(const SinkOptions& o) const override {
    PagerDutySinkConfig c;
    c.name = o.name();
    c.routing_key = o.String("routing_key");
    c.url = o.String("url");
    c.source = o.String("source");
    c.timeout = o.Duration("timeout");
    if (c.url.rfind("https://", 0) != 0 && c.url.rfind("http://", 0) != 0) {
      return Status::InvalidArgument(
          fmt::format("option 'url': '{}' must start with https://", c.url));
    }
    EARSHOT_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> http, CurlHttpClient::Create());
    return SinkPtr(std::make_unique<PagerDutySink>(std::move(c), std::move(http), RealClock()));
  }
};

}  // namespace

std::string PagerDutyPayload(const Escalation& e, std::string_view routing_key,
                             std::string_view source) {
  // Acknowledge and resolve act on the alert the trigger opened, found by its dedup_key; Events
  // v2 takes no payload for them.
  if (e.kind == Escalation::Kind::kResolve || e.kind == Escalation::Kind::kAcknowledge) {
    return fmt::format(R"({{"routing_key":{},"event_action":"{}","dedup_key":{}}})",
                       Str(routing_key),
                       e.kind == Escalation::Kind::kResolve ? "resolve" : "acknowledge",
                       Str(e.incident_id));
  }
  std::string details = fmt::format(
      R"({{"incident_id":{},"seq":{},"kind":{},"rule_id":{},"category":{},"reason":{})",
      Str(e.incident_id), e.seq, Str(KindName(e.kind)), Str(e.rule_id), Str(e.category),
      Str(e.reason));
  for (const auto& [k, v] : e.labels) details += fmt::format(",{}:{}", Str("label." + k), Str(v));
  std::string links;
  if (!e.posts.empty()) {
    const PostRef& p = e.posts.front();
    details += fmt::format(
        R"(,"author":{},"followers":{},"post":{},"sentiment":{},"complaint_score":{})",
        Str(p.author), p.followers, Str(Cut(p.text, 2000)),
        std::isfinite(p.sentiment) ? p.sentiment : 0.0,
        std::isfinite(p.complaint) ? p.complaint : 0.0);
    if (!p.url.empty()) {
      links = fmt::format(R"(,"links":[{{"href":{},"text":{}}}])", Str(p.url),
                          Str("Post by " + AuthorHandle(p.network, p.author)));
    }
  }
  details += "}";
  return fmt::format(
      R"({{"routing_key":{},"event_action":"trigger","dedup_key":{},"payload":{{"summary":{},)"
      R"("source":{},"severity":"{}","timestamp":{},"component":{},"group":{},"class":{},)"
      R"("custom_details":{}}}{},"client":"earshot"}})",
      Str(routing_key), Str(e.incident_id), Str(Cut(e.summary.empty() ? e.rule_id : e.summary, 1024)),
      Str(source), PagerDutySeverity(e.severity), Str(FormatIso8601(e.at)), Str(e.rule_id),
      Str(e.category), Str(e.rule_id), details, links);
}

PagerDutySink::PagerDutySink(PagerDutySinkConfig config, std::unique_ptr<HttpClient> http,
                             Clock& clock)
    : config_(std::move(config)), http_(std::move(http)), clock_(clock) {}

DeliveryResult PagerDutySink::Deliver(const Escalation& e, std::stop_token stop) {
  HttpRequest req;
  req.method = "POST";
  req.url = config_.url;
  req.headers = {{"Content-Type", "application/json"}};
  req.body = PagerDutyPayload(e, config_.routing_key, config_.source);
  req.total_timeout = config_.timeout;
  req.connect_timeout = std::min(config_.timeout, std::chrono::milliseconds(5000));
  req.max_response_bytes = 64 << 10;
  return SendForDelivery(*http_, req, stop, {config_.routing_key}, clock_.Now());
}

std::unique_ptr<SinkFactory> NewPagerDutySinkFactory() {
  return std::make_unique<PagerDutySinkFactory>();
}

}  // namespace earshot
