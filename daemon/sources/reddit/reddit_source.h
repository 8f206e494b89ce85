// RedditSource: a Source reading one Reddit listing through the OAuth API with an app's client
// credentials: new posts of a subreddit (`/r/<sub>/new`), its new comments
// (`/r/<sub>/comments`), or a search (`/search`, or `/r/<sub>/search` restricted to it,
// sort=new).
//
// Auth. An app-only token from `POST <auth_url>/api/v1/access_token`
// (grant_type=client_credentials, HTTP Basic client_id:client_secret), kept in memory and renewed
// a minute before it expires or after a 401. A 401 on a token younger than a minute, or a refused
// client secret, is an auth error with a long wait. Every request carries the configured,
// descriptive User-Agent, as Reddit's API rules demand.
//
// Paging. Listings run newest first. Each request asks `before=<cursor>` (the page of things
// right after the cursor, a fullname), with raw_json=1; the cursor becomes the page's first
// (newest) fullname, and pages are read until one comes back short. First run (no Restore):
// the newest page only. Note: if the cursor's thing is deleted, Reddit answers empty pages;
// after `stale_after` empty anchored polls in a row the source reads the newest page again
// (dropping ids it emitted lately) and re-anchors there.
//
// Rate limits: X-Ratelimit-Used/Remaining (a float)/Reset (seconds until the window ends). 429
// waits Retry-After or the reset; 5xx, timeouts, truncated or malformed bodies back off with
// jitter. In every failure the cursor stays put. The client secret and token never appear in
// logs, errors or metrics.
//
// Threads: as every Source, used by its poller thread only. stats() may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/sources/rate_budget.h"
#include "daemon/sources/reddit/listing_parser.h"
#include "daemon/sources/skipped_items.h"
#include "daemon/sources/source.h"
#include "daemon/sources/source_counters.h"
#include "daemon/sources/source_http.h"

namespace earshot {

struct RedditSourceConfig {
  std::string name;  // "airline"; name() is "reddit:airline"
  enum class Kind { kNew, kComments, kSearch } kind = Kind::kNew;
  std::string subreddit;  // kNew, kComments: required; kSearch: optional restriction. No "r/".
  std::string query;      // kSearch: the search query
  std::string client_id;
  std::string client_secret;  // read from its file by the caller. Never logged.
  // Required by Reddit: "<platform>:<app id>:<version> (by /u/<reddit username>)".
  std::string user_agent;
  std::string auth_url = "https://www.reddit.com";   // where /api/v1/access_token lives
  std::string api_url = "https://oauth.reddit.com";  // where listings live
  std::chrono::milliseconds poll_interval{60000};
  int limit = 100;       // page size, 1..100
  int stale_after = 30;  // empty anchored polls before re-anchoring
  std::chrono::milliseconds request_timeout{30000};
  RateBudgetOptions backoff;
  // The credential's budget, shared with the other sources that spend its quota (the app
  // hands one out per credential); nullptr: a budget of this source's own.
  std::shared_ptr<SharedRateBudget> rate_budget;
};

struct RedditSourceStats : SourceCounters {
  std::atomic<int64_t> token_requests{0}, reanchors{0};
};

class RedditSource final : public Source {
 public:
  // kInvalidArgument naming the field: empty name, client_id or client_secret; a user_agent
  // without "(by /u/"; a missing subreddit (kNew, kComments) or query (kSearch); URLs not
  // http(s)://host; limit outside 1..100; non-positive durations.
  static Result<std::unique_ptr<Source>> Create(RedditSourceConfig config, Clock& clock);

  std::string_view name() const override { return name_; }
  Result<Pace> Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) override;
  // A fullname: "t1_" or "t3_" and base-36 digits.
  Status Restore(std::string_view cursor) override;

  const RedditSourceStats& stats() const { return stats_; }
  const std::optional<std::string>& cursor() const { return cursor_; }

 private:
  RedditSource(RedditSourceConfig config, Clock& clock);

  Result<Pace> FetchToken(std::stop_token stop, HttpClient& http);
  std::string ListingUrl() const;
  void ObserveRate(const HttpResponse& resp);
  std::optional<Pace> Classify(const HttpResponse& resp, bool token_call);
  Pace Wait(std::chrono::milliseconds floor) const;
  void Remember(const std::string& id);

  const RedditSourceConfig config_;
  const std::string name_;
  const std::string host_;
  Clock& clock_;
  RateBudget budget_;
  reddit::ListingParser parser_;
  std::string token_;  // in memory only
  SystemTime token_expiry_{}, token_obtained_{};
  std::optional<std::string> cursor_;
  int empty_anchored_ = 0;
  bool reanchor_ = false;
  std::deque<std::string> recent_order_;
  std::unordered_set<std::string> recent_;
  RedditSourceStats stats_;
  // Last: it points into budget_ and stats_.
  SourceHttp http_;
};

}  // namespace earshot
