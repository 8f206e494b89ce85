// FakeMastodon: a Mastodon instance on loopback, real HTTP over HttpServer, for tests and
// `earshot demo`. It serves what earshot reads, with Mastodon's own semantics:
//   GET /api/v1/timelines/tag/:tag   statuses carrying the tag (case-insensitive); limit default
//                                    20, max 40
//   GET /api/v1/timelines/public     the public timeline: every public status that is not a
//                                    reply to another account (self-replies stay), local and
//                                    remote; `local=true` only the fake's own accounts'
//                                    (an acct without '@host'), `remote=true` only the others',
//                                    `only_media=true` none (no status has media); limit
//                                    default 20, max 40; 422 without a token when
//                                    timeline_preview is off
//   GET /api/v1/notifications        `mention` notifications of the configured account (types[]
//                                    and exclude_types[] honoured); limit default 40, max 80
//   GET /api/v1/statuses/:id         one status; 404 {"error":"Record not found"} once deleted
//   GET /api/v1/instance             a minimal Instance entity; urls.streaming_api points
//                                    back to the fake itself (ws://127.0.0.1:<port>) unless
//                                    options say otherwise (another URL, or none at all)
//   GET /api/v1/streaming/hashtag?tag=         Server-Sent Events: `update` for each new status
//   GET /api/v1/streaming/public[/local|/remote]   carrying the tag / shown on that public
//   GET /api/v1/streaming/user/notification    timeline (as above; `only_media=true`: none) /
//                                    `notification` for each new mention (token checked as
//                                    for notifications); `delete` and `status.update` for
//                                    deleted and edited statuses the stream carries; a ":)"
//                                    comment on connect and ":thump" heartbeats when idle.
//                                    DropStreams cuts every open stream (optionally mid-event).
//                                    After RedirectStreams, every /api/v1/streaming path answers
//                                    a redirect instead, as the web host of an instance whose
//                                    streaming server runs on another host does.
// Paging is Mastodon's: max_id (older than), since_id (newer than, newest page), min_id (the
// page right after, oldest first, then sent newest first); results newest first; a Link header
// with absolute rel="next" (max_id=<oldest>) and rel="prev" (min_id=<newest>) URLs to itself
// when the page is not empty, keeping limit and the filters (types[], exclude_types[], local,
// remote, only_media) as Mastodon's pagination_params do. Every /api response carries
// X-RateLimit-Limit/Remaining/Reset (ISO-8601) for a fixed window; past the budget it answers
// 429 (when enforced). Time (rate windows, created_at, edited_at) comes from options.clock.
//
// Statuses follow the documented Status entity: realistic `content` HTML (<p>, hashtag links,
// mention h-cards, links with invisible/ellipsis spans), a full `account`, tags, mentions.
// Ids are increasing numeric strings of equal length.
//
// Faults are scripted with InjectFault and consumed by the next /api requests in order. Every
// request is recorded (time, method, path, query, headers, status) for assertions.
//
// Threads: every public method is thread-safe; a demo adds statuses while the source polls.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"

namespace earshot {

struct FakeStatus {
  std::string acct = "alice";  // "gus" (local to the fake) or "jane@travel.example" (remote)
  std::string display_name;    // "" = the username
  int64_t followers = 10;
  bool bot = false;
  // Plain text, rendered the way Mastodon renders a toot: "\n\n" separates paragraphs, "\n" is
  // <br>, #tags become hashtag links (and tags), @user or @user@host become mention h-cards
  // (and mentions), http(s) URLs become links with invisible/ellipsis spans.
  std::string text;
  std::string html;                   // `content` verbatim; when set, `text` is ignored
  // `content` as a JSON value written into the body byte for byte, quotes included, e.g.
  // "\"<p>late \xFF</p>\"" or "\"<p>\\ud83d</p>\"": tests serve invalid UTF-8 and lone surrogate
  // escapes with it. When set, `text` still decides the tags and mentions.
  std::string content_json;
  std::vector<std::string> tags;      // extra tags, without '#'
  std::vector<std::string> mentions;  // extra mentioned accts, without '@'
  std::string language = "en";        // "" = null
  std::string spoiler_text;           // content warning
  std::string in_reply_to_id;         // id of an earlier status, "" = not a reply
  std::optional<SystemTime> created_at;  // default: when added
  int64_t replies = 0, reblogs = 0, favourites = 0;
};

struct FakeFault {
  enum class Kind {
    kUnauthorized,     // 401 {"error":"The access token is invalid"}
    kTooManyRequests,  // 429 with Retry-After: retry_after_seconds and Remaining: 0
    kServerError,      // 500 with an HTML body
    kSlow,             // the normal response, after `delay`
    kTruncated,        // the normal head, half the body, then close
    kMalformedJson,    // 200 with half the JSON body (a complete HTTP response)
  };
  Kind kind = Kind::kServerError;
  int count = 1;  // how many consecutive /api requests get it
  int retry_after_seconds = 1;
  std::chrono::milliseconds delay{2000};
};

struct RecordedRequest {
  SteadyTime at{};  // when the request arrived (steady clock)
  std::string method, path, query;
  std::vector<std::pair<std::string, std::string>> params;   // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  int status = 0;   // what the fake answered
  std::optional<std::string_view> Header(std::string_view lower_name) const;
};

struct FakeMastodonOptions {
  std::string account = "acmeair";  // local username whose mentions notifications serve
  // "" = no token check. Otherwise notifications need "Authorization: Bearer <token>", and any
  // request that sends a different bearer token gets 401, as Mastodon does.
  std::string token;
  int rate_limit = 300;                     // requests per window
  std::chrono::seconds rate_window{300};    // Mastodon: 300 per 5 minutes
  bool enforce_rate_limit = true;           // answer 429 past the budget
  uint16_t port = 0;                        // 0 = any free port
  // An idle stream gets a ":thump" comment this often (Mastodon: about every 15 s).
  std::chrono::milliseconds heartbeat_interval{15000};
  // What /api/v1/instance advertises as urls.streaming_api; "" = ws://<the fake itself>.
  std::string streaming_url;
  // false: the Instance entity has no `urls` at all (a proxy that strips it, a server that
  // does not implement it).
  bool advertise_streaming = true;
  // Mastodon's "timeline preview" setting. false: /api/v1/timelines/public answers 422
  // {"error":"This method requires an authenticated user"} to a request without a token.
  bool timeline_preview = true;
  Clock* clock = nullptr;  // rate windows and timestamps; null = the real clock
};

class FakeMastodon {
 public:
  // kUnavailable when no loopback port can be bound.
  static Result<std::unique_ptr<FakeMastodon>> Start(FakeMastodonOptions options = {});
  ~FakeMastodon();

  std::string base_url() const;  // "http://127.0.0.1:<port>"
  uint16_t port() const;

  // Publishes a status (newest so far) and returns its id. A status mentioning the configured
  // account also gets a mention notification. Its acct decides local or remote for the public
  // timelines; in_reply_to_id another account's status keeps it off them.
  std::string AddStatus(const FakeStatus& status);
  // Publishes a status given as a raw JSON object (any bytes: tests use it to serve bad
  // statuses). Every "$ID" in it is replaced by the assigned id. `tags` and `mentions` decide
  // where it is served, since the fake does not parse it; it counts as a local status.
  std::string AddRawStatus(std::string json, std::vector<std::string> tags,
                           std::vector<std::string> mentions = {});

  // Deletes a status: it leaves the timelines and open streams get `event: delete`.
  void DeleteStatus(const std::string& id);
  // Edits a status's text (rendered as AddStatus does; tags and mentions stay): timelines serve
  // the new version with `edited_at` set and open streams get `event: status.update`.
  void EditStatus(const std::string& id, const std::string& text);

  // Closes every open stream connection now; returns how many. With `mid_event`, each stream
  // first gets the first half of an event (no blank line ending it). Statuses published after
  // this call reach only streams opened later.
  size_t DropStreams(bool mid_event = false);
  // Stream connections open right now.
  size_t open_streams() const;

  void InjectFault(FakeFault fault);
  void ClearFaults();
  // From now on accepts only this token (a revoked one gets 401), as after an operator rotates
  // the account's access token; "" = no token check.
  void SetToken(std::string token);

  // From now on, every /api/v1/streaming path answers `status` (301 as Mastodon's web host;
  // 302/307/308 also work) with `Location: <location_prefix><path>?<query>`: the request's own
  // path and query on another origin, which is how Mastodon's StreamingController points clients
  // at the streaming host. location_prefix is used verbatim ("http://127.0.0.1:4000", a bad
  // scheme, the fake's own base_url for a loop); "" serves streams again. The redirect counts
  // in the rate window, as any /api request.
  void RedirectStreams(std::string location_prefix, int status = 301);
  // Requests answered 429 because the rate budget was spent (not injected faults).
  int rate_limited() const;

  std::vector<RecordedRequest> requests() const;
  size_t status_count() const;

  // Stops serving; requests in flight are cut. Idempotent; the destructor calls it.
  void Stop();

 private:
  class Impl;
  explicit FakeMastodon(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads a scenario: a JSON array of objects with the FakeStatus fields (acct, display_name,
// followers, bot, text, html, tags, mentions, language, spoiler_text, replies, reblogs,
// favourites) plus "reply_to": the index of an earlier entry, and "delay_ms": a pause before
// publishing it (returned in delays_ms). kInvalidArgument naming the entry and field.
struct FakeScenario {
  std::vector<FakeStatus> statuses;
  std::vector<int> reply_to;   // per status: index of the entry it replies to, or -1
  std::vector<int> delays_ms;  // per status
};
Result<FakeScenario> ScenarioFromJson(std::string_view json);
Result<FakeScenario> LoadScenario(const std::string& path);

}  // namespace earshot
