// Sink: one destination for escalations (a Slack channel, a PagerDuty service, a JSONL file),
// and SinkFactory, which builds sinks of one `type:` from their checked options. The shape is
// Envoy's stats Sink beside its input type, with an explicit registry (sinks/registry.h).
//
// Ownership: a SinkRunner owns each Sink and calls Deliver from its own thread only.
// Retries, backoff, rate limits, dead letters and the delivery cursor are the runner's; a sink
// only makes one attempt and says what happened.
#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/base/result.h"
#include "daemon/model/escalation.h"
#include "sinks/sink_options.h"

namespace earshot {

// What one delivery attempt came to.
struct DeliveryResult {
  enum class Kind {
    kDelivered,  // the receiver acknowledged it (2xx, written and synced)
    kRetry,      // transient: 429, 5xx, timeout, connection refused, full disk
    kPermanent,  // retrying cannot help: 400/401/403/404, a revoked webhook, a bad command
  };
  Kind kind = Kind::kDelivered;
  // kRetry: how long the receiver asked us to wait (Retry-After); zero lets the runner's
  // exponential backoff decide.
  std::chrono::milliseconds retry_after{0};
  // kRetry, kPermanent: why, subject first ("HTTP 404 from hooks.slack.com: webhook revoked").
  // Logged and stored in dead letters, so it never contains a secret (URL paths, keys, tokens).
  std::string detail;

  static DeliveryResult Delivered() { return {}; }
  static DeliveryResult Retry(std::string detail,
                              std::chrono::milliseconds retry_after = std::chrono::milliseconds(0)) {
    return {Kind::kRetry, retry_after, std::move(detail)};
  }
  static DeliveryResult Permanent(std::string detail) {
    return {Kind::kPermanent, std::chrono::milliseconds(0), std::move(detail)};
  }
  bool delivered() const { return kind == Kind::kDelivered; }
};

class Sink {
 public:
  virtual ~Sink() = default;

  // Sends `e` once. Must be idempotent on (incident_id, seq): the runner may deliver the same
  // escalation again after a crash or an ambiguous failure, so sinks pass the receiver's own
  // dedup key (PagerDuty dedup_key, the webhook Idempotency-Key). Returns promptly once `stop`
  // is requested (kRetry; the escalation stays in the outbox). Never logs secrets.
  // Called from the runner's thread only.
  virtual DeliveryResult Deliver(const Escalation& e, std::stop_token stop) = 0;

  // False when the routes send `e` to other receivers only: the runner passes it over without
  // delivering it or spending the sink's rate limit on it, and moves its cursor past it
  // (earshot_sink_skipped_total counts it). Runner's thread.
  virtual bool RoutedHere(const Escalation&) const { return true; }

  // Asks the sink to reopen what it holds open (the file sink's file, after logrotate moved
  // it). May be called from any thread (the main thread on SIGHUP): implementations only note
  // the request and act on it in the next Deliver.
  virtual void Reopen() {}
};

using SinkPtr = std::unique_ptr<Sink>;

// Builds sinks of one type. Registered once in a SinkRegistry; immutable and thread-safe.
class SinkFactory {
 public:
  virtual ~SinkFactory() = default;
  // The YAML `type:` ("slack").
  virtual std::string_view type() const = 0;
  // Every option this type accepts: name, kind, required, default, doc, secret.
  virtual const OptionSpec& options() const = 0;
  // Builds a sink from options already checked against options() (defaults filled in, secrets
  // read from their files). Errors concern values that only the sink can judge (a URL that is
  // not http(s), a command that does not exist), name the sink and never quote a secret.
  virtual Result<SinkPtr> Create(const SinkOptions& options) const = 0;
};

}  // namespace earshot
