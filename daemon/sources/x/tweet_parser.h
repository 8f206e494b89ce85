// TweetParser: a page of X API v2 recent search (`GET /2/tweets/search/recent`) or of a user's
// mention timeline (`GET /2/users/:id/mentions`), both with expansions=author_id, to Posts, with
// simdjson's DOM API (the authors sit in `includes.users`, after the tweets, so the page is read
// whole). Both endpoints answer the same shape: `data`, `includes.users`, `meta`. It also reads
// the user lookup (`GET /2/users/by/username/:username`) that turns a username into the id the
// mention timeline needs.
//
// Mapping (detectors and escalations depend on it):
//   Post.network     "x"
//   Post.id          the tweet id (a string; X ids overflow doubles). An edited tweet arrives
//                    under its newest id (edit_history_tweet_ids), as X serves it.
//   Post.author      from includes.users by author_id: handle = username (as written),
//                    id = author_id, display_name = name, followers =
//                    public_metrics.followers_count. When the author is not in includes (deleted
//                    or suspended account) the post is kept with handle "id:<author_id>" (':'
//                    never occurs in a username) so the escalator can still key on it.
//   Post.text        `text` with X's three HTML escapes (&amp; &lt; &gt;) undone
//   Post.hashtags    entities.hashtags[].tag, lowercased, without '#'
//   Post.mentions    entities.mentions[].username, lowercased, without '@'
//   Post.language    `lang`; "" when absent or "und" (X's "undetermined")
//   Post.thread_key  conversation_id (the id of the thread's first tweet), else the id
//   Post.reply_to    referenced_tweets[type=replied_to].id, "" when none
//   Post.url         https://x.com/<username>/status/<id> (i/web/status/<id> without username)
//   counts           public_metrics reply_count, retweet_count + quote_count, like_count
//   created_at       `created_at`
// Retweets (referenced_tweets[type=retweeted]) are counted in `ignored` and not emitted: their
// text is a truncated copy, and the original matches the same query on its own.
// Required per tweet: id, created_at (parseable), author_id. A tweet missing one, or with a field
// of the wrong type, is skipped and reported; the rest of the page is kept.
//
// Threads: one parser per thread (simdjson's rule). Not thread-safe.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/model/post.h"

namespace earshot::x {

// The fields every request asks for (recent search, mentions, the filtered stream), so that
// each answer maps to Posts the same way: referenced_tweets tells replies and retweets apart.
inline constexpr std::string_view kTweetFields =
    "created_at,conversation_id,lang,public_metrics,entities,in_reply_to_user_id,"
    "referenced_tweets";
inline constexpr std::string_view kUserFields = "public_metrics,username,name";

struct ParsedTweetPage {
  std::vector<Post> posts;  // in page order: newest first, as X sends them
  // meta.newest_id / oldest_id / next_token: they cover skipped tweets too, so the cursor moves
  // past a bad item.
  std::optional<std::string> newest_id, oldest_id, next_token;
  int result_count = 0;             // meta.result_count
  int items = 0;                    // elements of `data`
  int ignored = 0;                  // retweets
  std::vector<std::string> errors;  // one line per skipped tweet: "tweet 12: 'created_at': missing"
};

// A rule of the filtered stream that a streamed tweet matched (`matching_rules[]`).
struct MatchingRule {
  std::string id, tag;
};

// One line of the filtered stream (`GET /2/tweets/search/stream`): `{"data":{tweet},
// "includes":{"users":[...]},"matching_rules":[{"id","tag"}]}`, mapped as a page's tweet is.
struct ParsedStreamLine {
  std::optional<Post> post;  // nullopt for a retweet (ignored), a bad tweet, or a problem
  std::string id;            // the tweet id, when it could be read
  bool retweet = false;
  std::string error;  // a bad tweet: "tweet 12: 'created_at': missing"
  std::vector<MatchingRule> rules;
  bool has_rules = false;  // `matching_rules` was present
  // A line with `errors` and no `data` (X's "operational-disconnect" notice before it closes a
  // stream): "<title>: <detail>".
  std::string problem;
};

// What `GET /2/users/by/username/:username` answered: the user's id, or X's problem detail.
struct UserLookup {
  std::string id, username;  // id "" when X reported a problem instead
  std::string problem;       // errors[0]: "Not Found Error: Could not find user with username: [x]."
};

// The user lookup body. X answers an unknown or suspended account with HTTP 200 and an `errors`
// array instead of `data`; that is a lookup with `problem` set, not a failure. kDataLoss when the
// body is neither (not JSON, or `data` without a string `id`).
Status ParseUserLookup(simdjson::dom::parser& parser, std::string_view json, UserLookup* out);

// The first entry of a v2 problem body's `errors` array ("<title>: <detail>") when the body has
// no `data` and no `meta`; "" otherwise. X answers a request about a missing user this way.
std::string ProblemDetail(simdjson::dom::parser& parser, std::string_view json);

class TweetParser {
 public:
  TweetParser() = default;
  TweetParser(const TweetParser&) = delete;
  TweetParser& operator=(const TweetParser&) = delete;

  // kDataLoss when the body is not a JSON object with a `meta` object, or `data` is not an
  // array. Bad tweets are skipped.
  Status ParsePage(std::string_view json, ParsedTweetPage* page);
  // kDataLoss when the line is not a JSON object, or has neither `data` nor `errors`. A bad tweet
  // is reported in line->error, not as a failure.
  Status ParseStreamLine(std::string_view json, ParsedStreamLine* line);
  Status ParseUserLookup(std::string_view json, UserLookup* out) {
    return x::ParseUserLookup(parser_, json, out);
  }
  std::string ProblemDetail(std::string_view json) { return x::ProblemDetail(parser_, json); }

 private:
  simdjson::dom::parser parser_;
};

// Undoes the escapes X applies to tweet text: &amp; &lt; &gt;.
std::string UnescapeTweetText(std::string_view text);

}  // namespace earshot::x
