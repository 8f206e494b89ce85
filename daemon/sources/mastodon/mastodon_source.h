// MastodonSource: a Source reading one Mastodon instance: a hashtag timeline, the instance's
// public timeline (`GET /api/v1/timelines/public`: federated, or `local=true` for its own
// accounts' statuses only) or the mentions of the token's account.
//
// Paging. Every request asks for the page right after the cursor
// (`min_id=<cursor>`: the `limit` oldest statuses newer than it, sent newest first) and then
// follows the response's Link rel="prev" (min_id=<newest in page>) to newer pages until a page
// comes back empty. Posts are emitted oldest first; the cursor is the newest paging id seen
// (status id for hashtags and public timelines, notification id for mentions). Ids are opaque:
// this class never compares them; the server does.
//   - First run (no Restore): only the newest page is read (`limit` posts), not the whole
//     history of the timeline. From then on nothing is skipped.
//   - Pace: zero-ish (only the rate budget's spacing) while full pages keep coming, so a
//     backlog drains fast; the poll interval once a page comes back short or empty.
//
// Failures (each logged under the source's name, counted in stats(), never with the token):
//   401/403         error "token rejected by <host>; re-reading token_file <path> and retrying
//                   in 10s": the token file is re-read at once and before each retry, which
//                   comes after auth_retry (10 s), then 4 times longer each time up to
//                   backoff_max (5 min); a reload (SIGHUP) re-reads the file and ends the wait
//                   (Pace::credentials_rejected). Without a token file: backoff_max.
//   429             wait Retry-After, else until X-RateLimit-Reset, else backoff
//   5xx, timeout, transport error, truncated or malformed body: backoff with full jitter
//   other 4xx       error, wait backoff_max; for a public timeline the error says an instance
//                   may show it to signed-in users only (Mastodon answers 401 or 422 without a
//                   token then) and names token_file as the fix
// In every failure case the cursor stays where it was: the same page is asked for again.
//
// Threads: as every Source, used by its poller thread only. stats() may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/sources/credential.h"
#include "daemon/sources/mastodon/status_parser.h"
#include "daemon/sources/rate_budget.h"
#include "daemon/sources/skipped_items.h"
#include "daemon/sources/source.h"
#include "daemon/sources/source_counters.h"
#include "daemon/sources/source_http.h"

namespace earshot {

struct MastodonSourceConfig {
  std::string name;      // the configured source's name, "airline"; name() is "mastodon:airline"
  std::string base_url;  // "https://mastodon.social" (no trailing path)
  // What to read. kPublic is the federated timeline (every public status the instance knows of,
  // its own and other servers'); kLocal the instance's own accounts' statuses only. Mastodon
  // leaves replies to other accounts, and boosts, out of both public timelines.
  enum class Kind { kHashtag, kMentions, kPublic, kLocal } kind = Kind::kHashtag;
  std::string tag;       // for kHashtag: without '#' ("AcmeAirSucks"); a leading '#' is dropped
  // Bearer token, already read from its file by the caller; required for kMentions, sent with
  // hashtag and public timeline requests too when set (an instance may show its timelines to
  // signed-in users only). Never logged.
  std::string token;
  // The file `token` was read from: re-read after a 401/403 and on reload (ReloadCredentials),
  // so a rotated token needs no restart. Empty: the token is fixed.
  CredentialFile token_file;
  // After a 401/403, the first retry comes this soon (the operator may be replacing the token
  // right now); each further one waits 4 times longer, up to backoff.backoff_max.
  std::chrono::milliseconds auth_retry{10000};
  std::chrono::milliseconds poll_interval{15000};
  int limit = 40;          // page size, 1..40
  std::chrono::milliseconds request_timeout{30000};  // one request, body included
  std::string user_agent;  // informational; the HttpClient sets the User-Agent header
  // Domain appended to local accounts' acct; "" = the host of base_url without its port.
  std::string local_domain;
  RateBudgetOptions backoff;  // backoff bounds and jitter seed (tests set a seed)
  // The credential's budget, shared with the other sources that spend its quota (the app
  // hands one out per credential); nullptr: a budget of this source's own.
  std::shared_ptr<SharedRateBudget> rate_budget;
};

// Counters for metrics and tests. Monotonic.
struct MastodonSourceStats : SourceCounters {
  std::atomic<int64_t> rechecks{0}, rechecks_gone{0};  // re-checked posts, and those deleted
};

class MastodonSource final : public Source {
 public:
  // kInvalidArgument naming the field when the config cannot work: empty name, base_url not
  // http(s)://host, empty tag for kHashtag, empty token for kMentions, limit outside 1..40,
  // poll_interval <= 0. `tag` is ignored by the other kinds.
  static Result<std::unique_ptr<Source>> Create(MastodonSourceConfig config, Clock& clock);

  std::string_view name() const override { return name_; }
  Result<Pace> Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) override;
  // Any non-empty cursor made of URL-safe characters (Mastodon ids are digits).
  Status Restore(std::string_view cursor) override;
  void ReloadCredentials() override;
  // GET /api/v1/statuses/:id with the source's token: 404 (or 410) means deleted; 200 means it
  // is still there; anything else is a failure handled as in Next (nothing is deleted).
  bool can_recheck() const override { return true; }
  Result<Pace> Recheck(std::stop_token stop, HttpClient& http, std::string_view post_id,
                       SourceBatch* batch) override;

  const MastodonSourceStats& stats() const { return stats_; }
  // The cursor as it stands (newest paging id seen), for tests.
  const std::optional<std::string>& cursor() const { return cursor_; }

 private:
  MastodonSource(MastodonSourceConfig config, Clock& clock, std::string local_domain);

  std::string FirstUrl() const;  // the request when not following a Link
  // One GET with the source's headers; records the answer's rate-limit headers. A transport
  // failure is logged, counted and paced into *failed (the error is returned too); a stop is
  // kCancelled.
  Result<HttpResponse> Get(std::stop_token stop, HttpClient& http, std::string url,
                           std::optional<Pace>* failed);
  // A 401/403: re-reads the token file, logs what happens, and paces the retry.
  Pace Rejected(int status);
  Pace Wait(std::chrono::milliseconds floor) const;
  // What to check after an unexpected HTTP status, for the error line.
  std::string UnexpectedHint(int status) const;

  const MastodonSourceConfig config_;
  const std::string name_;
  const std::string host_;  // for log lines; never the URL with its query
  // Not read since budget_ took over pacing with the same clock; clang warns on it otherwise.
  [[maybe_unused]] Clock& clock_;
  RateBudget budget_;
  mastodon::StatusParser parser_;
  std::optional<std::string> cursor_;
  std::optional<std::string> next_url_;  // Link rel="prev" to follow, same origin only
  std::string token_;                    // in use; config_.token until re-read
  int auth_failures_ = 0;                // 401/403s in a row
  MastodonSourceStats stats_;
  // Last: it points into budget_ and stats_.
  SourceHttp http_;
};

}  // namespace earshot
