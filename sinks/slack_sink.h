// SlackSink (`type: slack`): posts escalations to a channel through a Slack incoming webhook,
// as Block Kit: a header with severity and kind, the summary, the newest post's excerpt with its
// author and reach, a link button, and the incident id in a context line. `text` carries the
// same in one line for notifications and clients without blocks.
//
// Updates are collapsed per incident: an `update` whose severity is not higher than the last one
// posted for that incident within `collapse` is not posted again (opens, resolves and raised
// severities always are). Incoming webhooks cannot edit a message, so this keeps a busy incident
// from flooding the channel. The memory of what was posted lives in the sink (lost on restart,
// which at worst posts one update more).
//
// Owned by its SinkRunner; Deliver from its thread only.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/net/http_client.h"
#include "sinks/sink.h"

namespace earshot {

struct SlackSinkConfig {
  std::string name;
  std::string webhook_url;  // secret: the URL is the credential
  std::chrono::milliseconds collapse{10 * 60 * 1000};
  std::chrono::milliseconds timeout{10000};
};

// The Block Kit message for `e` (JSON).
std::string SlackPayload(const Escalation& e);

class SlackSink final : public Sink {
 public:
  SlackSink(SlackSinkConfig config, std::unique_ptr<HttpClient> http, Clock& clock);
  DeliveryResult Deliver(const Escalation& e, std::stop_token stop) override;
  // Updates skipped by collapsing, for tests and metrics.
  uint64_t collapsed() const { return collapsed_; }

 private:
  struct Posted {
    SteadyTime at;
    Severity severity;
  };
  const SlackSinkConfig config_;
  std::unique_ptr<HttpClient> http_;
  Clock& clock_;
  std::map<std::string, Posted> posted_;  // by incident id; bounded by pruning old entries
  uint64_t collapsed_ = 0;
};

// Options: webhook_url (secret, required), collapse (10m; 0s posts every update), timeout (10s).
std::unique_ptr<SinkFactory> NewSlackSinkFactory();

}  // namespace earshot
