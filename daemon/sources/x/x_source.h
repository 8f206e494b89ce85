// XSource: a Source reading X (Twitter) API v2 with an app's bearer token, in one of two modes:
//   - search:   recent search (`GET /2/tweets/search/recent?query=...`) for one query;
//   - mentions: one account's user mention timeline (`GET /2/users/:id/mentions`), the tweets
//               that @-mention the brand, replies and quote posts included (the newest 800).
// The mention timeline needs the account's numeric id. Given `user_id` it is used as is; given
// only `mentions_of` (a username), the first Next looks it up once with
// `GET /2/users/by/username/:username` and keeps it for the source's life. A failed lookup is
// not kept (the next call asks again, after backoff_max); an unknown or suspended username is an
// error naming the username and the fix. If the mention timeline later says the looked-up id no
// longer exists, the id is dropped and looked up again.
//
// Paging. A polling run starts with `GET /2/tweets/search/recent?query=...&since_id=<cursor>`
// (mentions: `GET /2/users/:id/mentions?since_id=<cursor>`) and follows meta.next_token to older
// pages (search passes it back as `next_token`, mentions as `pagination_token`), keeping
// since_id fixed (X pages a result set newest first, and a changed since_id would start another
// set). Each page's posts are emitted
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
//   403             error "the app's access level does not allow recent search" (or the mention
//                   timeline, or user lookup), backoff_max
//   429             wait Retry-After, else until x-rate-limit-reset, else backoff
//   400             the paging run restarts from the cursor; with no run in progress a cursor
//                   older than the 7-day search window is dropped (nothing older can be
//                   searched anyway) and the source starts from the newest page. Mentions: a
//                   400 outside a run is an error naming user_id, backoff_max (the mention
//                   timeline has no 7-day window; since_id older than its 800 tweets is fine)
//   username lookup answered with X's problem body (unknown, suspended): error naming the
//                   username, backoff_max; the id stays unknown
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
#include "daemon/sources/skipped_items.h"
#include "daemon/sources/source.h"
#include "daemon/sources/source_counters.h"
#include "daemon/sources/source_http.h"
#include "daemon/sources/x/tweet_parser.h"

namespace earshot {

struct XSourceConfig {
  std::string name;                            // "airline"; name() is "x:airline"
  std::string base_url = "https://api.x.com";  // no trailing path; tests point it at FakeX
  // Search mode: the query in X's syntax, e.g. "(@AcmeAir OR #AcmeAir) -is:retweet lang:en".
  // Empty in mentions mode.
  std::string query;
  // Mentions mode: the account whose mentions to read, as a username ("AcmeAir", no '@') and/or
  // its numeric id. user_id "" = looked up from mentions_of once.
  std::string mentions_of;
  std::string user_id;
  // App-only bearer token, already read from its file by the caller. Never logged.
  std::string bearer_token;
  std::chrono::milliseconds poll_interval{60000};
  int max_results = 100;  // page size: search 10..100, mentions 5..100 (X's bounds)
  std::chrono::milliseconds request_timeout{30000};  // one request, body included
  RateBudgetOptions backoff;                         // backoff bounds and jitter seed
  // The credential's budget, shared with the other sources that spend its quota (the app
  // hands one out per credential); nullptr: a budget of this source's own.
  std::shared_ptr<SharedRateBudget> rate_budget;
};

// Counters for metrics and tests. Monotonic.
struct XSourceStats : SourceCounters {
  std::atomic<int64_t> retweets_ignored{0};
  // Mentions mode: username lookups sent, and those that did not yield an id.
  std::atomic<int64_t> user_lookups{0}, lookup_errors{0};
};

class XSource final : public Source {
 public:
  // kInvalidArgument naming the field: empty name, base_url not http(s)://host, empty
  // bearer_token, neither or both of query and mentions_of/user_id, a user_id that is not
  // digits, a mentions_of that is not a username, max_results outside 10..100 (search) or
  // 5..100 (mentions), poll_interval or request_timeout <= 0.
  static Result<std::unique_ptr<Source>> Create(XSourceConfig config, Clock& clock);

  std::string_view name() const override { return name_; }
  Result<Pace> Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) override;
  // A tweet id: 1 to 20 digits.
  Status Restore(std::string_view cursor) override;

  const XSourceStats& stats() const { return stats_; }
  const std::optional<std::string>& cursor() const { return cursor_; }
  // True while a run follows next_token.
  bool paging() const { return next_token_.has_value(); }
  bool mentions() const { return config_.query.empty(); }
  // Mentions mode: the account's id, configured or looked up; "" until known.
  const std::string& user_id() const { return user_id_; }

 private:
  XSource(XSourceConfig config, Clock& clock);

  std::string Url() const;
  // Sends a GET with the bearer token and observes the rate headers. A transport failure is
  // returned as a paced Failure in *pace (Cancelled is returned as is).
  Result<HttpResponse> Get(std::stop_token stop, HttpClient& http, std::string url,
                           std::optional<Pace>* pace);
  // The Pace for 401, 403, 429 and 5xx; nullopt for a 200 and the other 4xx (the caller's).
  // `what` names the endpoint for 403.
  std::optional<Pace> Refused(const HttpResponse& resp, std::string_view what);
  Result<Pace> LookUpUser(std::stop_token stop, HttpClient& http);
  Pace Wait(std::chrono::milliseconds floor) const;
  void EndRun();

  const XSourceConfig config_;
  const std::string name_;
  const std::string host_;  // for log lines; never the URL with its query
  // Not read since budget_ took over pacing with the same clock; clang warns on it otherwise.
  [[maybe_unused]] Clock& clock_;
  RateBudget budget_;
  x::TweetParser parser_;
  std::optional<std::string> cursor_;      // newest id of the last finished run
  std::optional<std::string> since_id_;    // fixed for the run in progress
  std::optional<std::string> next_token_;  // the run's next page
  std::optional<std::string> run_newest_;  // newest id of the run's first page
  std::string user_id_ = config_.user_id;  // mentions: configured or looked up; "" = unknown
  XSourceStats stats_;
  // Last: it points into budget_ and stats_.
  SourceHttp http_;
};

}  // namespace earshot
