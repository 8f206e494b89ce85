// MastodonStreamSource: a Source that listens to Mastodon's streaming API (Server-Sent Events)
// instead of polling: a hashtag's public stream (`/api/v1/streaming/hashtag?tag=`), the
// instance's public stream (`/api/v1/streaming/public`, federated) or local one
// (`/api/v1/streaming/public/local`, its own accounts only), or the token account's
// notifications (`/api/v1/streaming/user/notification`, mentions only). Posts arrive within a
// second of being published, and an idle stream costs no REST requests at all.
//
// How it runs (all inside Next, on the poller's thread; no thread of its own):
//   1. Discovery: GET /api/v1/instance once; the streaming base URL is
//      `configuration.urls.streaming` (v2 shape) or `urls.streaming_api` (v1), ws(s):// mapped
//      to http(s)://; the instance's base_url when it advertises none (or answers 404), or
//      when the advertised host fails 3 times in a row without answering at all. An instance
//      whose streaming server runs elsewhere then redirects the stream request there (4a).
//   2. Open the stream (SseClient, libcurl). Each Next then waits up to `slice` (~1 s) for
//      bytes, so the poller's heartbeat stays fresh, and returns the posts that arrived.
//   3. Events: `update` (a Status, hashtag and public streams), `notification` (a mention's
//      status; other types are ignored), `status.update` (an edit: the status is emitted again,
//      past the duplicate filter), `delete` (the status id: counted, logged, and kept for
//      TakeDeletedIds), ':' comments (heartbeats: counted, ignored).
//   4. When the stream ends (server close, drop, idle timeout, transport error) or answers an
//      error, reconnect after a backoff with full jitter (RateBudget); the failure streak is
//      forgotten only once a stream stayed up for `stable_after`, so a server that accepts and
//      drops at once is not hammered.
//   4a. Redirects: an instance whose streaming server runs on another host, but which does not
//      advertise it (or which discovery fell back from), answers `GET /api/v1/streaming/...` on
//      its web host with a 301/302/307/308 to the same path on the streaming host (Mastodon's
//      StreamingController). SseClient never follows redirects; this class does, one hop per
//      connection attempt, and only when the Location is absolute http(s) with a host, its path
//      is under `/api/v1/streaming` (an optional path prefix before it is kept, for a streaming
//      server behind a sub-path), and it does not go from https to http. The Location's origin
//      (plus prefix) becomes the streaming URL, logged at info by host only, and the stream
//      reconnects there at once, without a backoff. Only the origin is taken: the path and query
//      are rebuilt from the config as for any stream. A refused Location, or more than
//      kMaxRedirects redirects in a row without a stream answering 200, is logged as an error
//      naming the fix, counted in stats().bad_redirects (and transport_errors, the drops; a
//      redirect followed is not a disconnect), and backed off as other failures are;
//      the next attempt starts again from the discovered URL.
//      The token: the stream request to the redirected host carries the bearer token, as
//      Mastodon's own clients send it to the streaming host. The redirect is an answer of the
//      configured instance itself (over the connection that is already trusted with the token,
//      TLS-authenticated for https), which could equally name that host in /api/v1/instance;
//      what CURLOPT_FOLLOWLOCATION 0 guards against, a token following any redirect of any
//      request to any scheme, stays excluded: only the streaming request follows, only to
//      http(s) streaming paths, never downgraded to cleartext. Discovery, gap fills and
//      re-checks keep going to base_url only.
//   5. Gap fill: after every reconnect (and after a Restore), once the new stream's head arrived,
//      the REST timeline is read from the cursor (`min_id=`, a MastodonSource inside: the tag
//      timeline, /api/v1/timelines/public (`local=true` for the local stream), or the
//      notifications) page by page until a short page, one request per Next, paced by the REST
//      rate budget (the credential's, shared with its other sources when mastodon.rate_budget
//      is set). Mastodon allows ~300 REST requests per 5 minutes per account: gap fills are
//      counted in stats().requests (gap fills only), and the reconnect backoff bounds how often
//      they can happen. Posts seen both on the stream and in the gap fill are emitted once (a
//      bounded id set).
//
// Cursor: the newest status id (hashtag, public) or notification id (mentions) delivered, the
// REST source's cursor, so `mode: stream` and `mode: poll` can take over each other's cursor.
// While a gap fill runs, the cursor only follows the gap fill's pages, never the stream's newer
// ids, so a restart mid gap fill resumes the gap instead of skipping it. Mastodon ids are
// numeric strings; the stream source compares them by (length, digits) to keep the newest.
//
// Failures are logged under the source's name without the token; errors on the stream are
// classified as the REST source does (401/403: token rejected, long wait; 429: Retry-After;
// 5xx/transport: backoff).
//
// Threads: as every Source, used by its poller thread only; stats() may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/net/sse_client.h"
#include "daemon/net/sse_parser.h"
#include "daemon/sources/mastodon/mastodon_source.h"
#include "daemon/sources/mastodon/status_parser.h"
#include "daemon/sources/rate_budget.h"
#include "daemon/sources/skipped_items.h"
#include "daemon/sources/source.h"
#include "daemon/sources/source_counters.h"
#include "daemon/sources/stream_gap_fill.h"

namespace earshot {

struct MastodonStreamSourceConfig {
  // name, base_url, kind, tag, token, limit (gap-fill page size), request_timeout (discovery
  // and gap-fill requests), local_domain, backoff (reconnect and REST backoff) as for polling.
  // poll_interval is not used.
  MastodonSourceConfig mastodon;
  std::chrono::milliseconds slice{1000};  // longest a Next waits for stream bytes
  // No byte at all (Mastodon sends a heartbeat about every 15 s) for this long: reconnect.
  std::chrono::milliseconds idle_timeout{90000};
  // A stream that stayed up this long forgets the reconnect failure streak.
  std::chrono::milliseconds stable_after{60000};
  std::string user_agent = "earshot/0.1 (+https://github.com/earshot)";
};

// Counters for metrics and tests. Monotonic.
// The shared counters mean, for a stream: requests, its gap-fill requests (the stream itself is
// one long request); bad_items, events that did not parse; server_errors, connects refused
// with an HTTP status; transport_errors, streams lost (disconnects).
struct MastodonStreamSourceStats : SourceCounters {
  std::atomic<int64_t> discovery_requests{0}, connects{0}, events{0}, heartbeats{0}, edits{0},
      deletes{0}, ignored_events{0}, duplicates{0}, gap_fill_posts{0}, redirects{0},
      bad_redirects{0};  // redirects: followed; bad: refused
};

class MastodonStreamSource final : public Source {
 public:
  // kInvalidArgument naming the field, as MastodonSource::Create, plus slice / idle_timeout
  // <= 0.
  static Result<std::unique_ptr<Source>> Create(MastodonStreamSourceConfig config, Clock& clock);

  std::string_view name() const override { return name_; }
  // Waits up to config.slice for stream events (or makes one discovery / gap-fill request).
  Result<Pace> Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) override;
  // A Mastodon id (status id for hashtags and public streams, notification id for mentions).
  // The first stream connection is then followed by a gap fill from it.
  Status Restore(std::string_view cursor) override;
  // Re-reads the token file for the stream and for its gap fills.
  void ReloadCredentials() override;
  // Through the REST source inside (GET /api/v1/statuses/:id): deletions sent while the stream
  // was down are never replayed, so a re-check is how they are found.
  bool can_recheck() const override { return true; }
  Result<Pace> Recheck(std::stop_token stop, HttpClient& http, std::string_view post_id,
                       SourceBatch* batch) override {
    return rest_->Recheck(stop, http, post_id, batch);
  }

  const MastodonStreamSourceStats& stats() const { return stats_; }
  const std::optional<std::string>& cursor() const { return gap_.cursor(); }
  // The streaming base URL in use once discovered ("" before), for logs and tests.
  const std::string& streaming_url() const { return streaming_url_; }
  // Ids of statuses deleted since the last call, oldest first (at most 1024 kept). For the
  // escalator, to retract an open incident's post.
  std::vector<std::string> TakeDeletedIds();

 private:
  MastodonStreamSource(MastodonStreamSourceConfig config, Clock& clock,
                       std::unique_ptr<Source> rest, std::unique_ptr<SseClient> sse);

  Result<Pace> Discover(std::stop_token stop, HttpClient& http);
  Status OpenStream();
  Result<Pace> GapFill(std::stop_token stop, HttpClient& http, SourceBatch* batch);
  void HandleEvent(const SseEvent& event, SourceBatch* batch);
  // After the stream ended or answered an error: closes it and says how long to wait.
  Pace StreamDown();
  // A 3xx from the stream (the stream is closed already): follows `location` or refuses it.
  Pace Redirected(long status, std::optional<std::string> location);
  void Emit(Post post, bool allow_repeat, SourceBatch* batch);

  const MastodonStreamSourceConfig config_;
  const std::string name_;
  const std::string host_;
  Clock& clock_;
  std::unique_ptr<Source> rest_;  // a MastodonSource, for gap fills
  std::unique_ptr<SseClient> sse_;
  SseParser sse_parser_;
  mastodon::StatusParser parser_;
  RateBudget reconnect_;
  std::string token_;      // in use; config_.mastodon.token until re-read
  int auth_failures_ = 0;  // 401/403s in a row from the streaming API

  bool discovered_ = false;
  std::string discovered_url_;  // what discovery chose, before any redirect
  std::string streaming_url_;
  int redirects_in_a_row_ = 0;  // followed since a stream last answered 200
  SystemTime connected_at_{};
  bool streaming_ = false;    // a stream is open (its head may not have arrived yet)
  int no_head_in_a_row_ = 0;  // stream attempts that ended before any HTTP response

  // The cursor, the gap fill's state (pending after a (re)connect when there is a cursor to
  // fill from) and the ids emitted recently.
  StreamGapFill gap_;
  std::string held_bytes_;  // stream bytes that arrived before the gap fill finished

  std::deque<std::string> deleted_;
  MastodonStreamSourceStats stats_;
};

}  // namespace earshot
