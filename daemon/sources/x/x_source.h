// XSource: a Source reading X (Twitter) API v2 recent search for one query, with an app's
// bearer token.
//
// Paging. A polling run starts with `GET /2/tweets/search/recent?query=...&since_id=<cursor>`
// and follows meta.next_token to older pages, keeping since_id fixed (X pages a result set
// newest first, and a changed since_id would start another set). Each page's posts are emitted
// at once, oldest first within the page. The cursor (the newest tweet id of the run's first
// page, meta.newest_id) is handed out only once the run's pages are exhausted: a restart in the
// middle of a run asks again from the old cursor, and the poller drops the ids it has seen.
//   - First run (no Restore): only the newest page is read (`max_results` tweets), not the whole
//     7-day history; its newest id becomes the cursor.
//   - Pace: the rate budget's spacing while following next_token, the poll interval once a run
//     ends.
//
// Requests: tweet.fields=created_at,conversation_id,lang,public_metrics,entities,
// in_reply_to_user_id,referenced_tweets (referenced_tweets tells replies and retweets apart),
// expansions=author_id, user.fields=public_metrics,username,name. Rate limits come from
// x-rate-limit-limit/remaining/reset (reset in epoch seconds).
//
// Failures (each logged under the source's name, counted in stats(), never with the token):
//   401             error "bearer token rejected; replace the token file", wait backoff_max
//   403             error "the app's access level does not allow recent search", backoff_max
//   429             wait Retry-After, else until x-rate-limit-reset, else backoff
//   400             the paging run restarts from the cursor; with no run in progress a cursor
//                   older than the 7-day search window is dropped (nothing older can be
//                   searched anyway) and the source starts from the newest page
//   5xx, timeout, transport error, truncated or malformed body: backoff with full jitter
//   other 4xx       error, wait backoff_max
// In every failure case the cursor and the paging position stay where they were.
//
// Threads: as every Source, used by its poller thread only. stats() may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/sources/rate_budget.h"
#include "daemon/sources/source.h"
#include "daemon/sources/x/tweet_parser.h"

namespace earshot {

struct XSourceConfig {
  std::string name;                            // "airline"; name() is "x:airline"
  std::string base_url = "https://api.x.com";  // no trailing path; tests point it at FakeX
  // The search query in X's syntax, e.g. "(@AcmeAir OR #AcmeAir) -is:retweet lang:en".
  std::string query;
  // App-only bearer token, already read from its file by the caller. Never logged.
  std::string bearer_token;
  std::chrono::milliseconds poll_interval{60000};
  int max_results = 100;                             // page size, 10..100 (X's bounds)
  std::chrono::milliseconds request_timeout{30000};  // one request, body included
  RateBudgetOptions backoff;                         // backoff bounds and jitter seed
  // The credential's budget, shared with the other sources that spend its quota (the app
  // hands one out per credential); nullptr: a budget of this source's own.
  std::shared_ptr<SharedRateBudget> rate_budget;
};

// Counters for metrics and tests. Monotonic.
struct XSourceStats {
  std::atomic<int64_t> requests{0}, pages{0}, posts{0}, bad_items{0}, retweets_ignored{0};
  std::atomic<int64_t> auth_errors{0}, rate_limited{0}, server_errors{0}, transport_errors{0},
      malformed_pages{0}, client_errors{0};
};

class XSource final : public Source {
 public:
  // kInvalidArgument naming the field: empty name, base_url not http(s)://host, empty query or
  // bearer_token, max_results outside 10..100, poll_interval or request_timeout <= 0.
  static Result<std::unique_ptr<Source>> Create(XSourceConfig config, Clock& clock);

  std::string_view name() const override { return name_; }
  Result<Pace> Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) override;
  // A tweet id: 1 to 20 digits.
  Status Restore(std::string_view cursor) override;

  const XSourceStats& stats() const { return stats_; }
  const std::optional<std::string>& cursor() const { return cursor_; }
  // True while a run follows next_token.
  bool paging() const { return next_token_.has_value(); }

 private:
  XSource(XSourceConfig config, Clock& clock);

  std::string Url() const;
  Pace Failure(std::string_view what);
  Pace Wait(std::chrono::milliseconds floor) const;
  void EndRun();

  const XSourceConfig config_;
  const std::string name_;
  const std::string host_;  // for log lines; never the URL with its query
  Clock& clock_;
  RateBudget budget_;
  x::TweetParser parser_;
  std::optional<std::string> cursor_;      // newest id of the last finished run
  std::optional<std::string> since_id_;    // fixed for the run in progress
  std::optional<std::string> next_token_;  // the run's next page
  std::optional<std::string> run_newest_;  // newest id of the run's first page
  XSourceStats stats_;
};

}  // namespace earshot
