// Source: one configured target on one network (a Mastodon hashtag, the mentions of an
// account, ...). It turns the network's pages into normalized Posts and a cursor, and says how
// long to wait before asking again. The poller (daemon/app/poller.h) owns one Source and one
// HttpClient and calls Next in a loop on its own thread:
//
//   for (;;) { SourceBatch b; auto pace = source->Next(stop, http, &b); ...; SleepFor(stop, pace->wait); }
//
// Threads: a Source is used by its poller thread only (Next and Restore). It is not
// thread-safe, and needs not be.
#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/net/http_client.h"
#include "daemon/model/post.h"

namespace earshot {

// What one Next call fetched.
struct SourceBatch {
  // New posts, oldest first, each at most once per source run (paging never repeats a post
  // unless the process restarts from an older cursor; the poller drops seen ids anyway).
  std::vector<Post> posts;
  // The cursor after these posts, to persist once they are handled (Restore takes it back).
  // nullopt: unchanged. Opaque: never parse or compare it; only the network does.
  std::optional<std::string> cursor;
  // Ids of posts the network says were deleted (a Mastodon stream `delete` event), oldest first.
  // The escalator resolves an open incident whose post was deleted ("post deleted").
  std::vector<std::string> deleted_ids;
  // A request to the network succeeded: a page came back (an empty one too), or the stream
  // sent an event or a heartbeat. False after a 401/403/429/5xx, a timeout, a malformed body,
  // or a call that only logged in. The poller vouches for a live source
  // (PostBatch::fetch_ok, the escalator's source_silent_after) only from this.
  bool fetched = false;
};

// How long the poller waits before calling Next again: the poll interval when caught up, zero-ish
// while catching up on pages, the rate budget's spacing, Retry-After, or a backoff after a failure.
// Always > 0 after a failure, so a failing source never busy-loops.
struct Pace {
  std::chrono::milliseconds wait{0};
  // The wait follows a rejected credential (HTTP 401/403): a reload (SIGHUP), which re-reads
  // credential files, ends it early so a rotated token is tried at once.
  bool credentials_rejected = false;
};

class Source {
 public:
  virtual ~Source() = default;

  // A stable name for logs, metrics and the cursor store, e.g. "mastodon:airline".
  virtual std::string_view name() const = 0;

  // Makes at most one network request and appends what it fetched to *batch (which the caller
  // passes empty). Returns how long to wait before the next call.
  //
  // Likely failures are handled here, never returned: HTTP 401/403 (logged as an error naming
  // the source and the fix; a source whose credential comes from a file re-reads it and retries
  // soon, then backs off to a long wait marked Pace::credentials_rejected), 429 (Retry-After or the rate-limit reset), 5xx,
  // timeouts, truncated or malformed bodies (logged, counted, backoff with jitter; the cursor
  // stays where it was, so nothing is lost). A single bad item in a page is skipped, logged and
  // counted; the rest of the page is delivered.
  //
  // Returns kCancelled promptly once `stop` is requested (also mid-request). Any other error
  // means the source cannot go on by itself (a broken invariant); the poller logs it and waits.
  // Never logs or returns credentials.
  virtual Result<Pace> Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) = 0;

  // Resumes after `cursor`, a value this source put in SourceBatch::cursor in an earlier run.
  // Call before the first Next. kInvalidArgument when the cursor cannot be one of ours. Without
  // a Restore, the source starts from "now" (see each source for what that means).
  virtual Status Restore(std::string_view cursor) = 0;

  // Re-reads the source's credential files (token_file, token_credential) on reload, so a
  // rotated token is used without a restart. Logs what changed, never the credential; a file
  // that cannot be read keeps the credential in use. Called on the poller's thread.
  virtual void ReloadCredentials() {}

  // Fills in what the network left out of posts that matter, before the escalator sees them: a
  // firehose names each author by an id only, while on-call staff need a handle and severity
  // needs the follower count. The poller calls it after detection with the posts that matched
  // (so a firehose looks up a handful of authors, not the whole network), and returns at
  // `deadline` at the latest: a page never waits longer for it. True when it changed a post;
  // the poller then judges those posts again, since rules may read reach. Failures are the
  // source's to log and count; the posts go on as they are.
  virtual bool CompleteAuthors(std::stop_token /*stop*/, HttpClient& /*http*/,
                               const std::vector<Post*>& /*posts*/, SteadyTime /*deadline*/) {
    return false;
  }

  // Whether the network sends everything and leaves the filtering to earshot (a firehose). The
  // poller then runs its local filter first (Detector::MayMatch: a brand's name, handle or
  // hashtag, or a rule's words, found in one pass) and gives the full detector only the posts
  // that pass; the others go on unscored, with no detections, exactly as Detect would leave
  // them.
  virtual bool hears_everything() const { return false; }

  // Whether Recheck works for this source. The poller only re-checks sources that say so.
  virtual bool can_recheck() const { return false; }

  // Asks the network whether `post_id`, a post this source delivered, still exists. A post the
  // network answers "not found" for (its author deleted it, or moderators removed it) goes to
  // batch->deleted_ids, and the escalator resolves its incident ("post deleted"). This covers
  // what a deletion event cannot: a poll source never sees one, and a stream misses those sent
  // while it was reconnecting. One request, paced and failing like Next: a failed check proves
  // nothing and deletes nothing.
  virtual Result<Pace> Recheck(std::stop_token /*stop*/, HttpClient& /*http*/,
                               std::string_view /*post_id*/, SourceBatch* /*batch*/) {
    return Status::Internal("this source cannot re-check posts");  // callers ask can_recheck()
  }
};

}  // namespace earshot
