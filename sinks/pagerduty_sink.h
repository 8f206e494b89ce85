// PagerDutySink (`type: pagerduty`): PagerDuty Events API v2. An `open` or `update` sends
// `trigger`, an `acknowledge` (`earshot ack`) sends `acknowledge`, a `resolve` sends `resolve`,
// always with dedup_key = the incident id, so PagerDuty
// keeps one alert per incident however often earshot repeats itself, and a redelivery after a
// crash changes nothing. Severity maps critical -> critical, high -> error, medium -> warning,
// low and info -> info. The routing key is a secret (routing_key_file / routing_key_credential).
//
// PagerDuty answers 202 on success, 400 for an event it refuses (permanent), 429 when the
// integration is throttled, 5xx when it is down (retried).
//
// Owned by its SinkRunner; Deliver from its thread only.
#pragma once

#include <memory>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/net/http_client.h"
#include "sinks/sink.h"

namespace earshot {

struct PagerDutySinkConfig {
  std::string name;
  std::string routing_key;  // secret
  std::string url = "https://events.pagerduty.com/v2/enqueue";
  std::string source = "earshot";  // payload.source: where the alert comes from
  std::chrono::milliseconds timeout{10000};
};

// The Events v2 body for `e` (JSON).
std::string PagerDutyPayload(const Escalation& e, std::string_view routing_key,
                             std::string_view source);

class PagerDutySink final : public Sink {
 public:
  PagerDutySink(PagerDutySinkConfig config, std::unique_ptr<HttpClient> http, Clock& clock);
  DeliveryResult Deliver(const Escalation& e, std::stop_token stop) override;

 private:
  const PagerDutySinkConfig config_;
  std::unique_ptr<HttpClient> http_;
  Clock& clock_;
};

// Options: routing_key (secret, required), url (the Events v2 endpoint), source ("earshot"),
// timeout (10s).
std::unique_ptr<SinkFactory> NewPagerDutySinkFactory();

}  // namespace earshot
