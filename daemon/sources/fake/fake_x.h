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
//   GET /2/tweets/search/stream/rules
//                                 {"data":[{"id","value","tag"}],"meta":{"sent","result_count"}}
//                                 (no `data` when there are no rules); ids are 19-digit strings.
//   POST /2/tweets/search/stream/rules
//                                 {"add":[{"value","tag"?}]} or {"delete":{"ids":[...]}}, checked
//                                 as X does (exactly one of the two, values 1..512 characters,
//                                 ids strings; else 400 "Invalid Request"). A value already on
//                                 the app is refused with a "DuplicateRule" error naming the
//                                 existing id; an unknown id to delete is reported in `errors`.
//                                 Answers `data` (created rules), `meta.summary`
//                                 {created, not_created, valid, invalid | deleted, not_deleted}
//                                 and `errors`: 201 when a rule was created, 400 when an add
//                                 created none, 200 for a delete. `dry_run=true` changes nothing.
//   GET /2/tweets/search/stream   the filtered stream, newline-delimited JSON on one long
//                                 response: each tweet published while the stream is open that
//                                 matches an active rule (as recent search matches its query)
//                                 goes out as {"data","includes":{"users"},"matching_rules":
//                                 [{"id","tag"}]} plus "\r\n", and a bare "\r\n" keep-alive
//                                 every keepalive_interval. Connects count against
//                                 stream_connect_limit per window.
//   The stream can misbehave on demand: CutStreams (the next line goes out half, then the
//   connection closes), DropStreams, SendRaw (malformed lines), StallStreams (no byte at all,
//   not even a keep-alive, on the streams open now), InjectStreamFault (the next connects
//   answer 401, 429 or 503), and PlayStream publishes generated tweets at a given rate.
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
  // The filtered stream: a keep-alive this often when no tweet goes out (X: 20 s), and X's
  // connect limit per rate window (50 per 15 minutes per app).
  std::chrono::milliseconds keepalive_interval{20000};
  int stream_connect_limit = 50;
};

// A filtered stream rule, as the fake holds it.
struct FakeStreamRule {
  std::string id, value, tag;
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

  // The app's stream rules, oldest first; AddRule adds one directly (another client's rule,
  // say) and returns its id ("" when the value exists already).
  std::vector<FakeStreamRule> rules() const;
  std::string AddRule(const std::string& value, const std::string& tag);

  // Open filtered stream connections right now.
  size_t open_streams() const;
  // Closes every open stream now; returns how many.
  size_t DropStreams();
  // On every stream open now, the next line goes out cut in half, and the connection closes.
  void CutStreams();
  // Writes `bytes` as they are on every open stream (malformed lines, say).
  void SendRaw(const std::string& bytes);
  // The streams open now send nothing more, not even keep-alives, until the client leaves.
  void StallStreams();
  // The next `fault.count` stream connects answer kUnauthorized (401), kTooManyRequests (429)
  // or kServerError (503); other requests are not affected.
  void InjectStreamFault(FakeFault fault);
  // Publishes `count` tweets like `base` ("<text> <n>"), one every `interval`, on a thread of
  // its own; Stop ends it.
  void PlayStream(FakeTweet base, int count, std::chrono::milliseconds interval);
  // Tweet lines written on streams so far (cut ones included).
  int64_t stream_lines() const;

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
