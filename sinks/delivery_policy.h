// DeliveryPolicy: how a SinkRunner retries one sink. Every sink type accepts these options in
// earshot.yaml beside its own (docs/sinks.md); SinkRegistry reads them. Plain data.
#pragma once

#include <chrono>
#include <cstddef>

namespace earshot {

struct DeliveryPolicy {
  // Exponential backoff between attempts: initial, doubled each time, capped at max, each wait
  // drawn uniformly from [d/2, d] ("equal jitter") so that sinks failing together do not retry
  // in lockstep. A receiver's Retry-After replaces the computed wait.
  std::chrono::milliseconds retry_initial{1000};
  std::chrono::milliseconds retry_max{300000};
  // An escalation older than this (from its `at`) that still cannot be delivered is parked as a
  // dead letter with the last error, so one poisoned receiver cannot hold the queue forever.
  std::chrono::milliseconds max_age{24 * 3600 * 1000};
  // At most `rate_limit` deliveries per `rate_period` (a token bucket with that burst); 0 for
  // no limit. Slack accepts about one message per second per webhook.
  int rate_limit = 0;
  std::chrono::milliseconds rate_period{1000};
  // An escalation whose wire JSON is larger is cut to fit before it is delivered (post texts to
  // excerpts, oldest posts dropped with a count; sinks/escalation_fit.h), never refused.
  size_t max_escalation_bytes = size_t{1} << 20;
};

}  // namespace earshot
