// BlueskySource: a Source reading Bluesky, logged in with an app password, in one of two modes:
//   - search:   posts matching one query (app.bsky.feed.searchPosts, sort=latest);
//   - mentions: the login account's notifications (app.bsky.notification.listNotifications):
//               posts that mention, reply to or quote the account. Other notifications (likes,
//               reposts, follows, ...) are skipped and counted. The source never marks
//               notifications seen (no updateSeen), so the account's app is unaffected.
//
// Session. The first call logs in (com.atproto.server.createSession with the identifier and the
// app password) and keeps the access and refresh JWTs in memory only. An access token the server
// calls expired (XRPC error ExpiredToken) or rejects is renewed with
// com.atproto.server.refreshSession; only when the refresh token is refused too does the source
// log in again, and never more than once per login_min_interval (Bluesky allows 30 logins per 5
// minutes and 300 per day per account). A refused password is an error with a long wait.
//
// Paging. searchPosts sorts newest first and pages older with an opaque `cursor`. A polling run
// asks `since=<watermark - lookback>` (fixed for the whole run) and follows `cursor` until it
// runs out or a page comes back empty. The watermark is the newest sortAt (the earlier of
// createdAt and indexedAt: what `since` filters on) seen; it is the source's cursor, handed out
// with the last page of a run. The lookback re-reads a margin for posts indexed late; posts
// already emitted (the last 10,000 ids) are dropped, and a restart may repeat a few, which the
// poller's seen-ids drop.
//   - First run (no Restore): only the newest page (`limit` posts).
// Mentions page the same way with listNotifications' `cursor`, newest first by indexedAt (which
// the AppView sorts like sortAt, so a post with an earlier createdAt may arrive behind the
// watermark: the lookback covers it). It has no `since`: a run
// reads from the newest page and stops at the first page that reaches back past
// watermark - lookback (or has no cursor); notifications older than that are not emitted. The
// watermark is the newest indexedAt seen (skipped reasons included) and is the cursor, handed out
// with a run's last page, as in search; the same 10,000 recent ids drop the lookback's repeats.
//
// Reach. postView carries no follower counts, so the authors of a page are looked up with
// app.bsky.actor.getProfiles (25 per call) and cached for profile_ttl. A page waits (in memory)
// until its authors are known, each lookup being one Next call; after 3 failed lookups in a row
// the page goes out with followers 0.
//
// Every Next makes at most one request. Rate limits come from ratelimit-limit/remaining/reset
// (epoch seconds). Failures: 429 waits Retry-After or the reset; 5xx, timeouts, truncated or
// malformed bodies back off with jitter; in every failure the cursor and paging stay put.
// Neither the password nor the JWTs ever appear in logs, errors or metrics.
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
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/sources/bluesky/post_parser.h"
#include "daemon/sources/rate_budget.h"
#include "daemon/sources/skipped_items.h"
#include "daemon/sources/source.h"
#include "daemon/sources/source_counters.h"
#include "daemon/sources/source_http.h"

namespace earshot {

struct BlueskySourceConfig {
  std::string name;                                 // "airline"; name() is "bluesky:airline"
  std::string service_url = "https://bsky.social";  // the account's PDS; XRPC goes there
  std::string query;         // searchPosts `q`: "acmeair", "#acmeair", "\"lost luggage\" acme"
  bool mentions = false;     // the account's notifications instead; query must then be empty
  std::string identifier;    // the account's handle ("acme.bsky.social") or email
  std::string app_password;  // an app password, read from its file by the caller. Never logged.
  std::chrono::milliseconds poll_interval{30000};
  int limit = 50;                                          // page size, 1..100
  std::chrono::milliseconds lookback{120000};              // margin re-read before the watermark
  std::chrono::milliseconds login_min_interval{60000};     // at most one createSession per this
  std::chrono::milliseconds profile_ttl{6 * 3600 * 1000};  // how long follower counts are kept
  std::chrono::milliseconds request_timeout{30000};
  RateBudgetOptions backoff;
  // The credential's budget, shared with the other sources that spend its quota (the app
  // hands one out per credential); nullptr: a budget of this source's own.
  std::shared_ptr<SharedRateBudget> rate_budget;
};

// Counters for metrics and tests. Monotonic.
struct BlueskySourceStats : SourceCounters {
  std::atomic<int64_t> duplicates{0};
  std::atomic<int64_t> logins{0}, refreshes{0}, profile_requests{0};
  // Mentions: notifications that are not a mention, reply or quote (likes, follows, ...).
  std::atomic<int64_t> notifications_skipped{0};
};

class BlueskySource final : public Source {
 public:
  // kInvalidArgument naming the field: empty name, identifier or app_password; neither or both
  // of query and mentions;
  // service_url not http(s)://host; limit outside 1..100; non-positive durations.
  static Result<std::unique_ptr<Source>> Create(BlueskySourceConfig config, Clock& clock);

  std::string_view name() const override { return name_; }
  Result<Pace> Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) override;
  // An ISO-8601 time (the watermark).
  Status Restore(std::string_view cursor) override;

  const BlueskySourceStats& stats() const { return stats_; }
  std::optional<std::string> cursor() const;
  bool paging() const { return page_cursor_.has_value(); }

 private:
  enum class Call { kLogin, kRefresh, kApp };
  struct Pending {
    std::vector<Post> posts;              // oldest first
    std::optional<SystemTime> watermark;  // set on a run's last page
    bool end_of_run = false;
  };

  BlueskySource(BlueskySourceConfig config, Clock& clock);

  Result<Pace> Login(std::stop_token stop, HttpClient& http);
  Result<Pace> Refresh(std::stop_token stop, HttpClient& http);
  Result<Pace> Search(std::stop_token stop, HttpClient& http, SourceBatch* batch);
  Result<Pace> Notifications(std::stop_token stop, HttpClient& http, SourceBatch* batch);
  Result<Pace> FetchProfiles(std::stop_token stop, HttpClient& http, SourceBatch* batch);
  // Sends one request as JSON; a transport failure becomes a paced failure in *pace.
  Result<HttpResponse> Send(std::stop_token stop, HttpClient& http, HttpRequest req,
                            std::optional<Pace>* pace);
  // An app call (searchPosts, listNotifications) with the session's access token. Any answer
  // but a 200, and any transport failure, comes back as *pace (already logged and counted).
  Result<HttpResponse> AppGet(std::stop_token stop, HttpClient& http, std::string url,
                              std::optional<Pace>* pace);
  // Keeps a page's posts until their authors' reach is known, ending the run when `run_ends`
  // (the watermark moves to the run's newest post).
  Pace Hold(Pending pending, bool run_ends, SourceBatch* batch);
  // Every non-200 answer: the Pace to return. nullopt for a 200.
  std::optional<Pace> Classify(const HttpResponse& resp, Call call);
  std::vector<std::string> UncachedAuthors() const;
  Pace Emit(SourceBatch* batch);
  Pace Wait(std::chrono::milliseconds floor) const;
  void Remember(const std::string& id);
  void EndRun();

  const BlueskySourceConfig config_;
  const std::string name_;
  const std::string host_;
  Clock& clock_;
  RateBudget budget_;
  bluesky::PostParser parser_;

  std::string access_, refresh_;  // JWTs, in memory only
  bool renewed_ = false;          // the token was renewed after a 401 and not yet used with success
  std::optional<SteadyTime> last_login_;
  std::optional<SystemTime> watermark_;
  std::optional<std::string> since_;        // fixed for the run in progress
  std::optional<std::string> page_cursor_;  // the run's next page
  std::optional<SystemTime> run_newest_;
  std::optional<Pending> pending_;
  int profile_failures_ = 0;
  struct CachedProfile {
    int64_t followers = 0;
    SteadyTime at{};
  };
  std::unordered_map<std::string, CachedProfile> profiles_;  // by did
  std::deque<std::string> recent_order_;
  std::unordered_set<std::string> recent_;
  BlueskySourceStats stats_;
  // Last: it points into budget_ and stats_.
  SourceHttp http_;
};

}  // namespace earshot
