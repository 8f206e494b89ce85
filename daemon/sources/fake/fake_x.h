// FakeX: the X API v2 recent search, user mention timeline and username lookup endpoints on
// loopback, real HTTP over HttpServer, for tests and `earshot demo`. It serves what XSource
// reads, with X's semantics:
//   GET /2/tweets/search/recent   query (required), max_results 10..100 (default 10), since_id,
//                                 until_id, next_token; tweets newest first; `data`,
//                                 `includes.users` (expansions=author_id), `meta` {newest_id,
//                                 oldest_id, result_count, next_token}; {"meta":
//                                 {"result_count":0}} when nothing matches.
//   GET /2/users/:id/mentions     the tweets whose text @-mentions the user, newest first (retweets
//                                 included, as X does); max_results 5..100 (default 10),
//                                 since_id, until_id, pagination_token (a meta.next_token); the
//                                 same `data`/`includes`/`meta` shape. An unknown id answers 200
//                                 with a problem body ("Not Found Error"), as X does.
//   GET /2/users/by/username/:username
//                                 {"data":{"id","name","username"}} for a known account (one that
//                                 posted, was mentioned, or was added with AddUser),
//                                 case-insensitive; else 200 with a problem body.
// Every request needs "Authorization: Bearer <bearer_token>" (else 401, problem JSON). A
// next_token / pagination_token is valid only with the query (or user) and since_id it was
// issued for (else 400), as X requires. Every response carries x-rate-limit-limit/remaining/reset
// (epoch seconds) for a fixed window per endpoint, as X counts: search and mentions
// `rate_limit` each, the username lookup `lookup_rate_limit`; past the budget it answers 429
// (when enforced). Time comes from options.clock.
//
// Query matching is a small subset of X's syntax: whitespace-separated terms that must all occur
// in the text (case-insensitive); "-is:retweet" drops retweets; other operators (with ':') and
// "OR" are ignored.
//
// Tweets follow the documented shape: entities with code-point offsets, public_metrics,
// conversation_id, referenced_tweets, edit_history_tweet_ids; text with X's &amp; &lt; &gt;
// escapes. Ids are increasing 19-digit strings.
//
// Faults (FakeFault, shared with FakeMastodon) are consumed by the next requests in order; every
// request is recorded.
//
// Threads: every public method is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/sources/fake/fake_mastodon.h"

namespace earshot {

struct FakeTweet {
  std::string username = "alice";
  std::string name;  // "" = the username
  int64_t followers = 10;
  std::string text;            // #tags and @mentions in it become entities
  std::string lang = "en";     // "" = absent
  std::string in_reply_to_id;  // an earlier tweet's id: a reply in that tweet's conversation
  std::string retweet_of;      // an earlier tweet's id: a retweet ("RT @user: ...")
  bool author_gone = false;    // the author is left out of includes.users (deleted account)
  std::optional<SystemTime> created_at;  // default: options.clock's now
  int64_t replies = 0, retweets = 0, quotes = 0, likes = 0;
};

struct FakeXOptions {
  std::string bearer_token = "fake-x-bearer";
  int rate_limit = 450;  // requests per window (app-only recent search; app-only mentions)
  int lookup_rate_limit = 300;            // requests per window (app-only username lookup)
  std::chrono::seconds rate_window{900};  // 15 minutes
  bool enforce_rate_limit = true;
  Clock* clock = nullptr;  // rate windows and default created_at; null = real
  uint16_t port = 0;
};

class FakeX {
 public:
  static Result<std::unique_ptr<FakeX>> Start(FakeXOptions options = {});
  ~FakeX();

  std::string base_url() const;  // "http://127.0.0.1:<port>"

  // Publishes a tweet (newest so far) and returns its id.
  std::string AddTweet(const FakeTweet& tweet);
  // Publishes a raw JSON object as a tweet (tests serve bad tweets with it); "$ID" is replaced
  // by the assigned id. `search_text` decides which queries match it.
  std::string AddRawTweet(std::string json, std::string search_text);

  // Registers an account (idempotent) and returns its user id.
  std::string AddUser(const std::string& username);
  // The account is gone (deactivated, suspended): lookups and its mention timeline answer
  // "Not Found Error". Its tweets stay.
  void RemoveUser(const std::string& username);

  void InjectFault(FakeFault fault);
  void ClearFaults();
  std::vector<RecordedRequest> requests() const;
  int lookups() const;       // GET /2/users/by/username calls
  int rate_limited() const;  // 429s answered because the budget was spent (not injected)

  void Stop();

 private:
  class Impl;
  explicit FakeX(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace earshot
