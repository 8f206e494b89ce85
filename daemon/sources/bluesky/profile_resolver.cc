#include "daemon/sources/bluesky/profile_resolver.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/log.h"
#include "daemon/net/url.h"

namespace earshot {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr size_t kActorsPerCall = 25;           // getProfiles' limit
constexpr size_t kMaxCached = size_t{1} << 18;  // starts over when full
// No request is worth making with less time than this left before the deadline.
constexpr milliseconds kMinRequestTime{50};

}  // namespace

ProfileResolver::ProfileResolver(ProfileResolverOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock), budget_(clock, options_.backoff) {}

bool ProfileResolver::Fresh(const Cached& c, SteadyTime now) const {
  return c.fetched && now - *c.fetched < options_.ttl;
}

bool ProfileResolver::Apply(const Cached& c, Post* post) {
  bool changed = false;
  if (!c.handle.empty() && post->author.handle != c.handle) {
    post->author.handle = c.handle;
    changed = true;
  }
  if (c.fetched) {
    if (post->author.display_name != c.display_name) {
      post->author.display_name = c.display_name;
      changed = true;
    }
    if (post->author.followers != c.followers) {
      post->author.followers = c.followers;
      changed = true;
    }
  }
  return changed;
}

bool ProfileResolver::Complete(std::stop_token stop, HttpClient& http,
                               const std::vector<Post*>& posts, SteadyTime deadline) {
  const SteadyTime now = clock_.SteadyNow();
  std::vector<std::string> missing;
  for (const Post* post : posts) {
    auto it = cache_.find(post->author.id);
    if ((it == cache_.end() || !Fresh(it->second, now)) &&
        std::find(missing.begin(), missing.end(), post->author.id) == missing.end()) {
      missing.push_back(post->author.id);
    }
  }
  for (size_t i = 0; i < missing.size() && now >= blocked_until_; i += kActorsPerCall) {
    const std::vector<std::string> dids(missing.begin() + static_cast<std::ptrdiff_t>(i),
                                        missing.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                              missing.size(), i + kActorsPerCall)));
    if (!Lookup(stop, http, dids, deadline)) break;
  }
  bool changed = false;
  for (Post* post : posts) {
    auto it = cache_.find(post->author.id);
    if (it != cache_.end() && it->second.fetched) {
      ++stats_.resolved;
    } else {
      ++stats_.unresolved;
    }
    if (it != cache_.end()) changed = Apply(it->second, post) || changed;
  }
  return changed;
}

bool ProfileResolver::Lookup(std::stop_token stop, HttpClient& http,
                             const std::vector<std::string>& dids, SteadyTime deadline) {
  const SteadyTime now = clock_.SteadyNow();
  const milliseconds left = duration_cast<milliseconds>(deadline - now);
  if (left < kMinRequestTime || now < blocked_until_) return false;
  HttpRequest req;
  req.url = options_.appview_url + "/xrpc/app.bsky.actor.getProfiles?";
  for (size_t i = 0; i < dids.size(); ++i) {
    req.url += fmt::format("{}actors={}", i == 0 ? "" : "&", PercentEncode(dids[i]));
  }
  req.headers.emplace_back("User-Agent", options_.user_agent);
  req.connect_timeout = std::min(left, req.connect_timeout);
  req.total_timeout = left;
  ++stats_.requests;
  const std::string host = UrlHost(options_.appview_url);
  auto failed = [&](const std::string& why, milliseconds wait) {
    ++stats_.failures;
    blocked_until_ = clock_.SteadyNow() + wait;
    log::Warn(options_.name,
              "author profiles from {}: {}; posts go on without them, next lookup in {:.1f}s", host,
              why, static_cast<double>(wait.count()) / 1000.0);
    return false;
  };
  Result<HttpResponse> resp = http.Send(req, stop);
  if (!resp.ok()) {
    if (resp.status().code() == Status::Code::kCancelled) return false;
    return failed(resp.status().message(), budget_.Backoff());
  }
  budget_.Observe(resp->Header("ratelimit-limit"), resp->Header("ratelimit-remaining"),
                  resp->Header("ratelimit-reset"));
  if (resp->status == 429) {
    ++stats_.rate_limited;
    const RateBudget::TooManyRequestsWait wait = budget_.After429(resp->Header("retry-after"));
    return failed(fmt::format("HTTP 429 (waiting for {})", wait.why), wait.wait);
  }
  if (resp->status != 200) {
    return failed(fmt::format("HTTP {}", resp->status), budget_.Backoff());
  }
  std::vector<bluesky::Profile> profiles;
  if (Status s = parser_.ParseProfiles(resp->body, &profiles); !s.ok()) {
    return failed("a malformed answer: " + s.message(), budget_.Backoff());
  }
  budget_.ResetBackoff();
  if (cache_.size() > kMaxCached) cache_.clear();
  const SteadyTime at = clock_.SteadyNow();
  // An account not returned (deleted, deactivated, taken down) is cached as known with 0
  // followers, so it is not asked for again until the ttl passes.
  for (const std::string& did : dids) {
    Cached& c = cache_[did];
    c.followers = 0;
    c.fetched = at;
  }
  for (const bluesky::Profile& p : profiles) {
    Cached& c = cache_[p.did];
    c.handle = p.handle;
    c.display_name = p.display_name;
    c.followers = p.followers;
    c.fetched = at;
  }
  return true;
}

void ProfileResolver::NoteHandle(const std::string& did, const std::string& handle) {
  if (handle.empty()) {
    if (auto it = cache_.find(did); it != cache_.end()) it->second.handle.clear();
    return;
  }
  if (cache_.size() > kMaxCached) cache_.clear();
  cache_[did].handle = handle;
}

std::string ProfileResolver::HandleOf(const std::string& did) const {
  auto it = cache_.find(did);
  return it == cache_.end() ? "" : it->second.handle;
}

}  // namespace earshot
