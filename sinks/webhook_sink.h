// WebhookSink (`type: webhook`): POSTs each escalation's wire JSON (docs/bus.md) to a URL.
//
// Headers on every request:
//   Content-Type: application/json
//   Idempotency-Key: <incident_id>-<seq>     the same on every retry of one escalation
//   X-Earshot-Incident: <incident_id>, X-Earshot-Seq: <seq>, X-Earshot-Kind: open|update|resolve
//   X-Earshot-Timestamp: <unix seconds>      with a `secret`:
//   X-Earshot-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
// plus the configured `headers`. A receiver verifies the signature over the exact bytes it got
// and rejects timestamps older than a few minutes (replays).
//
// Owned by its SinkRunner; Deliver from its thread only (the HttpClient is that thread's).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/net/http_client.h"
#include "sinks/sink.h"

namespace earshot {

struct WebhookSinkConfig {
  std::string name;
  std::string url;     // secret: may carry a token in its path or query
  std::string secret;  // HMAC key; "" to send unsigned
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds timeout{10000};
};

class WebhookSink final : public Sink {
 public:
  WebhookSink(WebhookSinkConfig config, std::unique_ptr<HttpClient> http, Clock& clock);
  DeliveryResult Deliver(const Escalation& e, std::stop_token stop) override;

 private:
  const WebhookSinkConfig config_;
  std::unique_ptr<HttpClient> http_;
  Clock& clock_;
  std::vector<std::string> secrets_;  // redacted from every detail
};

// "sha256=" + lowercase hex HMAC-SHA256(key, timestamp + "." + body).
std::string WebhookSignature(std::string_view key, std::string_view timestamp,
                             std::string_view body);

// Options: url (secret, required), secret (secret), headers (mapping), timeout (10s).
std::unique_ptr<SinkFactory> NewWebhookSinkFactory();

}  // namespace earshot
