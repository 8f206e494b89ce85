#include "sinks/webhook_sink.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "daemon/net/curl_http_client.h"
#include "daemon/model/escalation_json.h"
#include "sinks/http_delivery.h"

namespace earshot {
namespace {

class WebhookSinkFactory final : public SinkFactory {
 public:
  std::string_view type() const override { return "webhook"; }
  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption("url", OptionKind::kString, "where to POST; http:// or https://")
            .Required()
            .Secret(),
        ConfigOption("secret", OptionKind::kString,
                     "HMAC-SHA256 key for X-Earshot-Signature; unsigned without it")
            .Secret(),
        ConfigOption("headers", OptionKind::kMap, "extra request headers"),
        ConfigOption("timeout", OptionKind::kDuration, "whole request, TLS included")
            .Default("10s"),
    };
    return *spec;
  }
  Result<SinkPtr> Create(const SinkOptions& o) const override {
    WebhookSinkConfig c;
    c.name = o.name();
    c.url = o.String("url");
    if (c.url.rfind("http://", 0) != 0 && c.url.rfind("https://", 0) != 0) {
      return Status::InvalidArgument("option 'url': must start with http:// or https://");
    }
    c.secret = o.String("secret");
    c.headers = o.Map("headers");
    c.timeout = o.Duration("timeout");
    EARSHOT_ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> http, CurlHttpClient::Create());
    return SinkPtr(std::make_unique<WebhookSink>(std::move(c), std::move(http), RealClock()));
  }
};

}  // namespace

std::string WebhookSignature(std::string_view key, std::string_view timestamp,
                             std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp).push_back('.');
  message.append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  std::string out = "sha256=";
  for (unsigned int i = 0; i < len; ++i) fmt::format_to(std::back_inserter(out), "{:02x}", mac[i]);
  return out;
}

WebhookSink::WebhookSink(WebhookSinkConfig config, std::unique_ptr<HttpClient> http, Clock& clock)
    : config_(std::move(config)), http_(std::move(http)), clock_(clock) {
  secrets_ = UrlSecrets(config_.url);
  secrets_.push_back(config_.secret);
}

DeliveryResult WebhookSink::Deliver(const Escalation& e, std::stop_token stop) {
  HttpRequest req;
  req.method = "POST";
  req.url = config_.url;
  req.body = EscalationToJson(e);
  req.total_timeout = config_.timeout;
  req.connect_timeout = std::min(config_.timeout, std::chrono::milliseconds(5000));
  req.max_response_bytes = 64 << 10;
  const SystemTime now = clock_.Now();
  const std::string timestamp =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  req.headers = {
      {"Content-Type", "application/json"},
      {"Idempotency-Key", fmt::format("{}-{}", e.incident_id, e.seq)},
      {"X-Earshot-Incident", e.incident_id},
      {"X-Earshot-Seq", std::to_string(e.seq)},
      {"X-Earshot-Kind", std::string(KindName(e.kind))},
      {"X-Earshot-Timestamp", timestamp},
  };
  if (!config_.secret.empty()) {
    req.headers.emplace_back("X-Earshot-Signature",
                             WebhookSignature(config_.secret, timestamp, req.body));
  }
  for (const auto& [k, v] : config_.headers) req.headers.emplace_back(k, v);
  return SendForDelivery(*http_, req, stop, secrets_, now);
}

std::unique_ptr<SinkFactory> NewWebhookSinkFactory() {
  return std::make_unique<WebhookSinkFactory>();
}

}  // namespace earshot
