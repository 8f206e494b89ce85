// XStreamSource: a Source that listens to X's filtered stream (`GET /2/tweets/search/stream`)
// instead of polling recent search. Tweets arrive within seconds, and an idle stream costs no
// requests. `mode: stream` of a `type: x` source with a `query:`.
//
// How it runs (all inside Next, on the poller's thread; no thread of its own):
//   1. Rules (x_stream_rules.h): the source's rule is {value: query, tag: "earshot:<name>"}.
//      Before the first connect, and again before every reconnect (one GET when nothing
//      drifted), it lists the app's rules, adds its rule when no rule has the query's value,
//      and deletes the rules with its own tag whose value is no longer the query. Rules with
//      any other tag are never touched. One request per Next.
//   2. The stream (SseClient, which hands over any streamed body): each Next waits up to `slice`
//      for bytes. The body is one JSON object per line, `{"data","includes","matching_rules"}`,
//      and a bare "\r\n" keep-alive every 20 s. Lines of tweets that matched only other rules
//      of the app (another client's, another source's) are counted and skipped. A line that
//      does not parse is skipped and counted (bad_items); one that says `errors` (X's notice
//      before it closes the stream) is logged.
//   3. Reconnects follow X's documented policy (XReconnectPolicy): network errors, a stream
//      cut mid-line and a stall (no byte at all, not even a keep-alive, for stall_timeout, 90 s)
//      back off linearly from 250 ms to 16 s; HTTP errors exponentially from 5 s to 320 s;
//      429 from 60 s, doubling, at most 15 min. Next refuses to connect before the wait is
//      over, whenever it is called. The counts are forgotten once a stream stayed up for
//      `stable_after` (60 s).
//   4. Gap fill: after every reconnect (and after a Restore), once the new stream answered 200,
//      recent search is read from the cursor (`since_id=`, an XSource inside, paced by the
//      recent search budget of the credential) until its run of pages ends. Stream lines that
//      arrived meanwhile are held and delivered after it, so nothing published while no stream
//      was open is lost: it is in the search pages, on the new stream, or both, and a bounded
//      set of recent ids emits each post once.
//
// Cursor: the newest tweet id delivered, exactly the polling source's since_id cursor, so
// `mode: stream` and `mode: poll` take over each other's cursor. While a gap fill runs the
// cursor stays where it was (X pages search results newest first, so no page is a safe point);
// when it ends, the cursor moves to the newest of the gap fill and the held stream lines.
//
// Failures are logged under the source's name without the token: 401 (token rejected: replace
// the token file), 403 (access level), 409 (another connection holds the app's stream), 429 and
// 5xx on the stream as in 3; on the rules endpoints as the polling source handles its requests
// (401/403 and a refused rule: an error naming the fix, backoff_max; 429: Retry-After or the
// reset; 5xx and transport: backoff with jitter).
//
// Threads: as every Source, used by its poller thread only; stats() may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

#include "daemon/base/clock.h"
#include "daemon/net/sse_client.h"
#include "daemon/sources/rate_budget.h"
#include "daemon/sources/source.h"
#include "daemon/sources/source_counters.h"
#include "daemon/sources/source_http.h"
#include "daemon/sources/stream_gap_fill.h"
#include "daemon/sources/x/tweet_parser.h"
#include "daemon/sources/x/x_reconnect_policy.h"
#include "daemon/sources/x/x_source.h"
#include "daemon/sources/x/x_stream_rules.h"

namespace earshot {

struct XStreamSourceConfig {
  // name, base_url, query (the rule's value), bearer_token, max_results (gap-fill page size),
  // request_timeout (rule and gap-fill requests), backoff (their failure backoff) and
  // rate_budget (recent search's, spent by gap fills) as for polling. poll_interval is not used.
  XSourceConfig x;
  std::string rule_tag;                   // "" = "earshot:<name>"
  std::chrono::milliseconds slice{1000};  // longest a Next waits for stream bytes
  // No byte at all (X sends a keep-alive every 20 s) for this long: the stream is stalled.
  std::chrono::milliseconds stall_timeout{90000};
  // A stream up this long forgets the reconnect counts.
  std::chrono::milliseconds stable_after{60000};
  std::string user_agent = "earshot/0.1 (+https://github.com/earshot)";
};

// Counters for metrics and tests. Monotonic. The shared counters mean, for this stream:
// requests, its rule and gap-fill requests; bad_items, lines or tweets that did not parse;
// server_errors, connects answered with an HTTP error; transport_errors, streams lost (and
// rule requests that failed in transit); rate_limited, 429s on either.
struct XStreamSourceStats : SourceCounters {
  std::atomic<int64_t> connects{0}, lines{0}, keep_alives{0}, stalls{0}, duplicates{0},
      gap_fill_posts{0}, other_rules{0}, retweets_ignored{0}, notices{0};
  std::atomic<int64_t> rules_added{0}, rules_deleted{0}, rule_errors{0};
};

class XStreamSource final : public Source {
 public:
  // kInvalidArgument naming the field, as XSource::Create (a query is required), plus slice,
  // stall_timeout < 1s or stable_after <= 0.
  static Result<std::unique_ptr<Source>> Create(XStreamSourceConfig config, Clock& clock);

  std::string_view name() const override { return name_; }
  // One rule request, one gap-fill page, or up to `slice` of stream; or, while a reconnect
  // backoff runs, nothing (the Pace says how long is left).
  Result<Pace> Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) override;
  // A tweet id. The next stream connection is followed by a gap fill from it.
  Status Restore(std::string_view cursor) override;

  const XStreamSourceStats& stats() const { return stats_; }
  const std::optional<std::string>& cursor() const { return gap_.cursor(); }
  const std::string& rule_tag() const { return tag_; }
  // True while a stream is open (its head may not have arrived yet).
  bool streaming() const { return streaming_; }
  // True once the open stream answered 200.
  bool connected() const { return streaming_ && head_seen_; }
  // True until the gap fill after a (re)connect or Restore has ended.
  bool gap_pending() const { return gap_.pending(); }
  const x::XReconnectPolicy& reconnect() const { return policy_; }

 private:
  enum class RuleStep { kList, kAdd, kDelete, kDone };

  XStreamSource(XStreamSourceConfig config, Clock& clock, std::unique_ptr<Source> rest,
                std::unique_ptr<SseClient> stream);

  Result<Pace> SyncRules(std::stop_token stop, HttpClient& http);
  // After a rules step that worked: the budget's spacing before another rules request.
  Pace RulesPace() const;
  // Sends a rules request (GET, or POST `body`); a failure or refusal comes back in *pace.
  std::optional<HttpResponse> RulesRequest(std::stop_token stop, HttpClient& http, std::string body,
                                           std::optional<Pace>* pace, Status* cancelled);
  Status OpenStream();
  Result<Pace> GapFill(std::stop_token stop, HttpClient& http, SourceBatch* batch);
  void FeedLines(std::string_view bytes, SourceBatch* batch);
  void HandleLine(std::string_view line, SourceBatch* batch);
  // The stream ended, stalled, or answered an error: closes it and says how long to wait.
  Pace StreamDown(std::string_view why);
  void Emit(Post post, SourceBatch* batch);
  bool Ours(const x::ParsedStreamLine& line) const;

  const XStreamSourceConfig config_;
  const std::string name_;
  const std::string host_;
  const std::string tag_;
  Clock& clock_;
  std::unique_ptr<Source> rest_;  // an XSource (recent search), for gap fills
  std::unique_ptr<SseClient> stream_;
  x::TweetParser parser_;
  simdjson::dom::parser rules_parser_;
  x::XReconnectPolicy policy_;

  RuleStep rule_step_ = RuleStep::kList;
  x::RulePlan plan_;
  std::unordered_set<std::string> rule_ids_;  // rules whose tweets are ours
  bool told_foreign_ = false;                 // logged once that the rule is another tag's

  bool streaming_ = false;
  bool head_seen_ = false;  // the open stream answered 200
  SteadyTime last_byte_at_{};
  std::string partial_;  // a line not yet ended by '\n'
  std::string held_;     // stream bytes that arrived before the gap fill ended

  StreamGapFill gap_;  // the cursor, the gap fill's state and the ids emitted recently
  XStreamSourceStats stats_;
  // Last: they point into stats_. The rules endpoints have their own rate limit (450 per 15
  // minutes per app), so their own budget.
  RateBudget rules_budget_;
  SourceHttp rules_http_;
};

}  // namespace earshot
