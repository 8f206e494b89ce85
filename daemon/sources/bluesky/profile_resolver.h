// ProfileResolver: who wrote a firehose post. A Jetstream event names its author by DID only;
// on-call staff need the handle, and severity needs the follower count. The resolver keeps a
// cache (DID -> handle, display name, followers) and fills the rest in batches through
// app.bsky.actor.getProfiles (25 actors per request) on the public AppView, which needs no
// credential, only for the posts that matter (the poller asks after detection,
// Source::CompleteAuthors) and within a deadline: a page never waits longer than that for a
// profile. A post whose author could not be resolved in time goes on as it is (the DID in its
// URL and author id, followers 0), and the next post of that author asks again.
//
// Identity events (a handle changed) update the cache as they stream past, so a cached handle
// never goes stale by more than the stream's lag; a cached follower count is refreshed after
// `ttl`.
//
// Failures (5xx, timeouts, a malformed body) end the current call, are counted and logged, and
// back off: no request is made for an exponentially growing while. A 429 holds every lookup
// until Retry-After or the window's reset (ratelimit-* headers, as the PDS sends them).
//
// Threads: used by the source's poller thread only; stats() may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/model/post.h"
#include "daemon/net/http_client.h"
#include "daemon/sources/bluesky/post_parser.h"
#include "daemon/sources/rate_budget.h"

namespace earshot {

struct ProfileResolverOptions {
  std::string name;                                         // the source's, for logs
  std::string appview_url = "https://public.api.bsky.app";  // serves getProfiles unauthenticated
  std::chrono::milliseconds ttl{std::chrono::hours(1)};     // a follower count is this fresh
  std::string user_agent = "earshot";
  RateBudgetOptions backoff;
};

struct ProfileResolverStats {
  std::atomic<int64_t> requests{0}, failures{0}, rate_limited{0};
  std::atomic<int64_t> resolved{0};    // posts completed from the cache or a lookup
  std::atomic<int64_t> unresolved{0};  // posts that went on without a profile (deadline, error)
};

class ProfileResolver {
 public:
  ProfileResolver(ProfileResolverOptions options, Clock& clock);

  // Fills author.handle (when empty), display_name and followers of `posts` from the cache and,
  // for authors not cached, from getProfiles until `deadline`. True when any post changed.
  bool Complete(std::stop_token stop, HttpClient& http, const std::vector<Post*>& posts,
                SteadyTime deadline);

  // An identity event: `did`'s handle is now `handle` ("" when it has none).
  void NoteHandle(const std::string& did, const std::string& handle);
  // The handle cached for `did`, "" when none.
  std::string HandleOf(const std::string& did) const;

  const ProfileResolverStats& stats() const { return stats_; }

 private:
  struct Cached {
    std::string handle, display_name;
    int64_t followers = 0;
    std::optional<SteadyTime> fetched;  // when getProfiles last answered for it; none: handle only
  };

  // One getProfiles request for `dids` (at most 25). False when it failed (the caller stops).
  bool Lookup(std::stop_token stop, HttpClient& http, const std::vector<std::string>& dids,
              SteadyTime deadline);
  bool Fresh(const Cached& c, SteadyTime now) const;
  static bool Apply(const Cached& c, Post* post);

  const ProfileResolverOptions options_;
  Clock& clock_;
  RateBudget budget_;
  bluesky::PostParser parser_;
  std::unordered_map<std::string, Cached> cache_;
  SteadyTime blocked_until_{};  // after a failure or a 429: no request before
  ProfileResolverStats stats_;
};

}  // namespace earshot
