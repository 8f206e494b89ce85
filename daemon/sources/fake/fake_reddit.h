// FakeReddit: Reddit's OAuth API on loopback, real HTTP over HttpServer, for tests and
// `earshot demo`. It serves what RedditSource reads, with Reddit's semantics:
//   POST /api/v1/access_token        grant_type=client_credentials with HTTP Basic
//                                    client_id:client_secret -> {"access_token", "token_type":
//                                    "bearer", "expires_in", "scope": "*"}; else 401
//   GET  /r/<sub>/new                the subreddit's posts (t3)
//   GET  /r/<sub>/comments           the subreddit's comments (t1)
//   GET  /search, /r/<sub>/search    posts whose title or selftext holds every term of q
//                                    (case-insensitive); restrict_sr=1 limits to <sub>
// Listings: newest first; limit default 25, max 100; `before=<fullname>` the things right
// after it (newer), `after=<fullname>` the things older; an unknown (deleted) anchor gives an
// empty listing, as Reddit does. Listing calls need "Authorization: Bearer <token>" (else 401)
// and record the User-Agent. Every response carries X-Ratelimit-Used/Remaining/Reset (seconds
// left in a fixed window); past the budget, 429 (when enforced). Time comes from options.clock.
//
// Faults (FakeFault, shared with FakeMastodon) apply to the next listing calls in order; every
// request is recorded. Threads: every public method is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/sources/fake/fake_mastodon.h"

namespace earshot {

struct FakeRedditPost {
  std::string subreddit = "acmeair";
  std::string author = "alice";
  std::string title;
  std::string selftext;
  int64_t score = 1, num_comments = 0;
};

struct FakeRedditComment {
  std::string subreddit = "acmeair";
  std::string author = "bob";
  std::string body;
  std::string link;    // the post's fullname ("t3_...")
  std::string parent;  // a comment's fullname; "" = the post
  int64_t score = 1;
};

struct FakeRedditOptions {
  std::string client_id = "fake-client-id";
  std::string client_secret = "fake-client-secret";
  int64_t token_lifetime_seconds = 86400;
  int rate_limit = 600;  // requests per window (Reddit: 100 per minute, 10-min)
  std::chrono::seconds rate_window{600};
  bool enforce_rate_limit = true;
  Clock* clock = nullptr;  // null = the real clock
  uint16_t port = 0;
};

class FakeReddit {
 public:
  static Result<std::unique_ptr<FakeReddit>> Start(FakeRedditOptions options = {});
  ~FakeReddit();

  std::string base_url() const;

  std::string AddPost(const FakeRedditPost& post);           // returns the fullname
  std::string AddComment(const FakeRedditComment& comment);  // returns the fullname
  // A raw `data` object for kind "t1" or "t3" in `subreddit` (bad items); "$NAME" and "$ID" are
  // replaced by the assigned fullname and id.
  std::string AddRaw(std::string kind, std::string data_json, std::string subreddit);
  void Delete(const std::string& fullname);  // the thing disappears from every listing
  void ExpireTokens();                       // every token issued so far answers 401

  int token_grants() const;
  int rate_limited() const;  // 429s because the budget was spent (not injected)
  void InjectFault(FakeFault fault);
  std::vector<RecordedRequest> requests() const;
  void Stop();

 private:
  class Impl;
  explicit FakeReddit(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace earshot
