// SlackSink (`type: slack`): posts escalations to a channel as Block Kit messages, each kind as
// what it is: an `open` with the severity's emoji, the summary, the newest post's excerpt with
// its author and reach, a link button and the incident id; an `update` as "Severity raised to
// HIGH" or "New posts"; an `acknowledge` as ":eyes: Acknowledged by NAME"; a `resolve` as
// ":white_check_mark: Resolved". Only an open wears the alarm. `text` carries the same in one
// line for notifications and clients without blocks. Everything a stranger wrote (summary,
// post, names) is escaped for mrkdwn, in the blocks and in `text`.
//
// Two ways in, exactly one configured:
//   - `webhook_url`: an incoming webhook. Every escalation is a message of its own.
//   - `bot_token` + `channel`: the Web API (`api_url`, https://slack.com/api). An open is posted
//     with chat.postMessage and its `ts` kept per incident; the incident's later escalations
//     are replies in that thread (thread_ts), and chat.update rewrites the first message to
//     show where the incident stands (raised, acknowledged, resolved). The token travels only
//     in `Authorization: Bearer` and never reaches a log, error or dead letter. The Web API
//     answers 200 with {"ok":false,"error":...} for most failures: `ratelimited` (or HTTP 429)
//     waits for Retry-After, `internal_error`/`fatal_error`/`service_unavailable`/
//     `request_timeout` are retried, `invalid_auth`, `channel_not_found` and the rest are
//     permanent (dead letter, naming the error). The threads live in the sink's memory: after
//     a restart an incident's next escalation starts a new message (and thread) of its own.
//
// Updates are collapsed per incident: an `update` whose severity is not higher than the last one
// posted for that incident within `collapse` is not posted again (opens, acknowledgements,
// resolves and raised severities always are), so a busy incident does not flood the channel.
// That memory, too, lives in the sink (lost on restart, which at worst posts one update more).
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
  std::string webhook_url;  // secret: the URL is the credential; "" when bot_token is used
  std::chrono::milliseconds collapse{10 * 60 * 1000};
  std::chrono::milliseconds timeout{10000};
  std::string bot_token{};  // secret (xoxb-...): the Web API instead of the webhook
  std::string channel{};    // with bot_token: the channel's id or name
  std::string api_url = "https://slack.com/api";
};

// The Block Kit message for `e` (JSON: "text" and "blocks"), as the kind it is.
std::string SlackPayload(const Escalation& e);
// The thread's first message as it should read after `e` (the Web API's chat.update):
// `acknowledged` is the reason of the incident's acknowledgement ("acknowledged by sam"), ""
// when nobody acknowledged it.
std::string SlackThreadHeadPayload(const Escalation& e, std::string_view acknowledged);

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
  // An incident's message in the channel (Web API only).
  struct Thread {
    std::string channel;       // the id Slack answered with: chat.update needs it
    std::string ts;            // the first message's ts: the thread_ts of the replies
    std::string acknowledged;  // "acknowledged by sam" once acknowledged
    uint64_t posted_seq = 0;   // the last seq posted, so a retried chat.update never re-posts
  };
  DeliveryResult DeliverWebhook(const Escalation& e, std::stop_token stop);
  DeliveryResult DeliverApi(const Escalation& e, std::stop_token stop);
  // One Web API call; on success `*channel` and `*ts` get the answer's (when not null).
  DeliveryResult CallApi(std::string_view method, const std::string& body, std::stop_token stop,
                         std::string* channel, std::string* ts);
  void Remember(const Escalation& e, SteadyTime now);

  const SlackSinkConfig config_;
  std::unique_ptr<HttpClient> http_;
  Clock& clock_;
  std::map<std::string, Posted> posted_;  // by incident id; bounded by pruning old entries
  std::map<std::string, Thread> threads_;  // by incident id; bounded like posted_
  uint64_t collapsed_ = 0;
};

// Options: webhook_url (secret), or bot_token (secret) with channel and api_url
// (https://slack.com/api); collapse (10m; 0s posts every update), timeout (10s).
std::unique_ptr<SinkFactory> NewSlackSinkFactory();

}  // namespace earshot
