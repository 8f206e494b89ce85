// FakeBluesky: a Bluesky PDS + AppView on loopback, real HTTP over HttpServer, for tests and
// `earshot demo`. It serves what BlueskySource reads, with Bluesky's semantics:
//   POST /xrpc/com.atproto.server.createSession   {identifier, password} -> accessJwt,
//        refreshJwt, did, handle; a wrong password is 401 AuthenticationRequired; more than
//        login_limit logins per 5 minutes is 429 RateLimitExceeded
//   POST /xrpc/com.atproto.server.refreshSession  Bearer <refreshJwt> -> a new pair; the old
//        refresh token is spent; an unknown one is 400 InvalidToken / ExpiredToken
//   GET  /xrpc/app.bsky.feed.searchPosts   q (terms that must all occur, case-insensitive;
//        "#tag" matches tag facets), sort, since (inclusive, on sortAt = the earlier of
//        createdAt and indexedAt), limit 1..100 (default 25), cursor (valid only with the q and
//        since it was issued for); postView[] newest first; `cursor` while more remain
//   GET  /xrpc/app.bsky.actor.getProfiles  actors (1..25 dids or handles) -> profileViewDetailed[];
//        also without a token, as the public AppView (public.api.bsky.app) answers it
//   GET  /xrpc/app.bsky.notification.listNotifications   limit 1..100 (default 50), cursor
//        (valid only for the account it was issued to) -> the session account's notifications,
//        newest first by indexedAt: `mention` (a post whose text @-mentions the account),
//        `reply` (a reply to one of its posts), `quote` (a post quoting one of its posts), each
//        with the post record, and `like` / `follow` (AddLike, AddFollow) with their records;
//        `cursor` while more remain. indexedAt is the earlier of createdAt and indexedAt, as
//        Bluesky sorts. The session account is `identifier`.
// App calls need "Authorization: Bearer <accessJwt>": an expired one (ExpireAccessTokens) is
// 400 ExpiredToken, an unknown one 401 InvalidToken, none 401 AuthenticationRequired. Every
// response carries ratelimit-limit/remaining/reset (epoch seconds)/policy for a fixed window;
// past it, 429 (when enforced). Time comes from options.clock.
//
// Records follow the lexicon: text, createdAt, langs, facets with UTF-8 byte offsets (#tags
// and @handle mentions found in the text), reply {root, parent}. Faults (FakeFault, shared with
// FakeMastodon) apply to the next app calls (searchPosts, getProfiles, listNotifications) in
// order; every request is recorded.
//
// Threads: every public method is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/sources/fake/fake_mastodon.h"

namespace earshot {

struct FakeBskyPost {
  std::string handle = "alice.bsky.social";
  std::string display_name;  // "" = none
  int64_t followers = 10;
  std::string text;  // #tags and @handles in it become facets
  // The record's `text` as a JSON value written byte for byte, quotes included (a raw 0xFF, a
  // lone "\\ud83d"): tests serve poison with it. `text` still decides search and facets.
  std::string text_json;
  std::vector<std::string> langs = {"en"};
  std::string reply_to;                  // the uri of an earlier post: a reply in its thread
  std::string quote_of;                  // the uri of an earlier post: a quote post (embed)
  std::optional<SystemTime> created_at;  // default: options.clock's now
  std::optional<SystemTime> indexed_at;  // default: options.clock's now
  bool account_gone = false;             // getProfiles leaves the author out (deleted account)
  int64_t replies = 0, reposts = 0, quotes = 0, likes = 0;
};

struct FakeBlueskyOptions {
  std::string identifier = "acme.bsky.social";
  std::string app_password = "abcd-efgh-ijkl-mnop";
  int rate_limit = 3000;  // app requests per window
  std::chrono::seconds rate_window{300};
  bool enforce_rate_limit = true;
  int login_limit = 30;    // createSession per 5 minutes
  Clock* clock = nullptr;  // null = the real clock
  uint16_t port = 0;
  // Called for each post AddPost publishes, with the author's DID, the record key and the
  // record JSON, under the fake's lock (keep it short; never call back into the fake): wired
  // to FakeJetstream::AddCommit, the network's posts reach a firehose as Bluesky's relay feeds
  // Jetstream.
  std::function<void(const std::string& did, const std::string& rkey,
                     const std::string& record_json)>
      relay;
};

class FakeBluesky {
 public:
  static Result<std::unique_ptr<FakeBluesky>> Start(FakeBlueskyOptions options = {});
  ~FakeBluesky();

  std::string base_url() const;

  // Publishes a post and returns its AT URI.
  std::string AddPost(const FakeBskyPost& post);
  // Publishes a raw postView JSON object (tests serve bad posts with it); "$URI" is replaced by
  // the assigned uri. `search_text` decides which queries match it.
  std::string AddRawPost(std::string json, std::string search_text);

  // A like of `subject_uri` / a follow of the session account, by `handle`: notifications that
  // are not mentions. Return the like's or follow's record uri.
  std::string AddLike(const std::string& handle, const std::string& subject_uri);
  std::string AddFollow(const std::string& handle);

  // Every access token issued so far now answers 400 ExpiredToken.
  void ExpireAccessTokens();
  // Every access and refresh token issued so far is unknown (a password change).
  void RevokeSessions();

  int logins() const;         // successful and failed createSession calls
  int refreshes() const;      // refreshSession calls
  int profile_calls() const;  // getProfiles calls
  int notification_calls() const;  // listNotifications calls
  int rate_limited() const;   // 429s answered because a budget was spent (not injected)

  void InjectFault(FakeFault fault);
  std::vector<RecordedRequest> requests() const;
  void Stop();

 private:
  class Impl;
  explicit FakeBluesky(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace earshot
