#include "daemon/sources/mastodon/mastodon_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "daemon/base/log.h"
#include "daemon/net/url.h"
#include "daemon/sources/mastodon/link_header.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;

double Secs(milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

bool UrlSafe(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '~';
  });
}

}  // namespace

Result<std::unique_ptr<Source>> MastodonSource::Create(MastodonSourceConfig config, Clock& clock) {
  const std::string who = fmt::format("mastodon source '{}'", config.name);
  if (config.name.empty()) return Status::InvalidArgument("mastodon source: 'name' is empty");
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  const std::string host = UrlHost(config.base_url);
  if (host.empty() ||
      !(config.base_url.starts_with("https://") || config.base_url.starts_with("http://")) ||
      config.base_url.find_first_of("?#", 0) != std::string::npos) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'base_url' must be http(s)://host[:port], e.g. https://mastodon.social", who));
  }
  if (!config.tag.empty() && config.tag.front() == '#') config.tag.erase(0, 1);
  if (config.kind == MastodonSourceConfig::Kind::kHashtag && config.tag.empty()) {
    return Status::InvalidArgument(fmt::format("{}: 'tag' is empty", who));
  }
  if (config.kind == MastodonSourceConfig::Kind::kMentions && config.token.empty()) {
    return Status::InvalidArgument(
        fmt::format("{}: mentions need an access token with read:notifications; set token_file",
                    who));
  }
  if (config.limit < 1 || config.limit > 40) {
    return Status::InvalidArgument(
        fmt::format("{}: 'limit' is {}; Mastodon pages hold 1 to 40", who, config.limit));
  }
  if (config.request_timeout.count() <= 0) {
    return Status::InvalidArgument(fmt::format("{}: 'request_timeout' must be positive", who));
  }
  if (config.poll_interval.count() <= 0) {
    return Status::InvalidArgument(fmt::format("{}: 'poll_interval' must be positive", who));
  }
  std::string domain = config.local_domain;
  if (domain.empty()) domain = host.substr(0, host.rfind(':') == std::string::npos ? host.size()
                                                                               : host.rfind(':'));
  return std::unique_ptr<Source>(new MastodonSource(std::move(config), clock, std::move(domain)));
}

MastodonSource::MastodonSource(MastodonSourceConfig config, Clock& clock, std::string local_domain)
    : config_(std::move(config)),
      name_("mastodon:" + config_.name),
      host_(UrlHost(config_.base_url)),
      clock_(clock),
      budget_(clock, config_.backoff, config_.rate_budget),
      parser_(std::move(local_domain)),
      token_(config_.token),
      http_(name_, "mastodon", host_, budget_, stats_,
            SourceHttp::Headers(budget_, "x-ratelimit-limit", "x-ratelimit-remaining",
                                "x-ratelimit-reset"),
            config_.request_timeout) {}

void MastodonSource::ReloadCredentials() {
  if (config_.token_file.empty()) return;
  const std::string outcome = Reread(config_.token_file, &token_);
  log::Info(name_, "re-read {}: {}", config_.token_file.Describe(), outcome);
}

Pace MastodonSource::Rejected(int status) {
  ++stats_.auth_errors;
  ++auth_failures_;
  // With a token file: short at first (the token may be being replaced right now), then 4 times
  // longer each time, up to the long wait. Without one nothing can change: the long wait.
  const milliseconds max = budget_.options().backoff_max;
  const milliseconds wait = std::max(
      config_.token_file.empty() ? max : AuthRetryWait(config_.auth_retry, auth_failures_, max),
      budget_.SpreadWait());
  Pace pace{wait};
  pace.credentials_rejected = true;
  if (config_.token_file.empty()) {
    log::Error(name_,
               "token rejected by {} (HTTP {}: revoked, expired, or missing the read scope); "
               "no token_file to re-read: set token_file (or token_credential) and restart. "
               "Retrying in {:.0f}s",
               host_, status, Secs(wait));
    return pace;
  }
  const std::string outcome = Reread(config_.token_file, &token_);
  log::Error(name_,
             "token rejected by {} (HTTP {}: revoked, expired, or missing the read scope); "
             "re-reading {} and retrying in {:.0f}s: {}{}",
             host_, status, config_.token_file.Describe(), Secs(wait), outcome,
             outcome == kSameCredential
                 ? "; replace it with a valid token (a reload, SIGHUP, retries at once)"
                 : "");
  return pace;
}

Status MastodonSource::Restore(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 64 || !UrlSafe(cursor)) {
    return Status::InvalidArgument(
        fmt::format("{}: stored cursor '{}' is not a Mastodon id", name_, cursor.substr(0, 64)));
  }
  cursor_ = std::string(cursor);
  next_url_.reset();
  return Status::Ok();
}

std::string MastodonSource::FirstUrl() const {
  std::string url = config_.base_url;
  switch (config_.kind) {
    case MastodonSourceConfig::Kind::kHashtag:
      url += "/api/v1/timelines/tag/" + PercentEncode(config_.tag);
      url += fmt::format("?limit={}", config_.limit);
      break;
    case MastodonSourceConfig::Kind::kMentions:
      url += fmt::format("/api/v1/notifications?types%5B%5D=mention&limit={}", config_.limit);
      break;
    case MastodonSourceConfig::Kind::kPublic:
      url += fmt::format("/api/v1/timelines/public?limit={}", config_.limit);
      break;
    case MastodonSourceConfig::Kind::kLocal:
      // Mastodon keeps `local` in the Link URLs it answers with, so the pages followed stay local.
      url += fmt::format("/api/v1/timelines/public?local=true&limit={}", config_.limit);
      break;
  }
  if (cursor_) url += "&min_id=" + PercentEncode(*cursor_);
  return url;
}

std::string MastodonSource::UnexpectedHint(int status) const {
  switch (config_.kind) {
    case MastodonSourceConfig::Kind::kHashtag:
      return "check base_url and the tag";
    case MastodonSourceConfig::Kind::kMentions:
      return "check base_url and the token's scopes";
    case MastodonSourceConfig::Kind::kPublic:
    case MastodonSourceConfig::Kind::kLocal:
      break;
  }
  // Mastodon answers 422 ("This method requires an authenticated user") when the instance
  // shows its public timelines to signed-in users only (timeline preview off).
  if (status == 422 && token_.empty()) {
    return "this instance shows its public timelines to signed-in users only; set token_file to "
           "an access token with the read:statuses scope";
  }
  return "check base_url";
}

Pace MastodonSource::Wait(milliseconds floor) const {
  return Pace{budget_.NextSlot(floor)};
}

Result<HttpResponse> MastodonSource::Get(std::stop_token stop, HttpClient& http, std::string url,
                                         std::optional<Pace>* failed) {
  HttpRequest req;
  req.url = std::move(url);
  req.headers.emplace_back("Accept", "application/json");
  if (!token_.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_);
  return http_.Send(stop, http, std::move(req), failed);
}

Result<Pace> MastodonSource::Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) {
  if (stop.stop_requested()) return Status::Cancelled(name_ + ": cancelled");
  // Retrying after a rejected token: the file may have been replaced since; read it again.
  if (auth_failures_ > 0 && !config_.token_file.empty()) Reread(config_.token_file, &token_);
  std::optional<Pace> failed;
  Result<HttpResponse> sent = Get(stop, http, next_url_ ? *next_url_ : FirstUrl(), &failed);
  if (failed) return *failed;
  if (!sent.ok()) return sent.status();
  const HttpResponse& resp = *sent;

  if (resp.status == 401 || resp.status == 403) return Rejected(resp.status);
  auth_failures_ = 0;
  if (auto throttled = http_.Throttled(resp)) return *throttled;
  if (resp.status != 200) {
    ++stats_.client_errors;
    const milliseconds wait = budget_.options().backoff_max;
    log::Error(name_, "HTTP {} from {}: unexpected; {}. Retrying in {:.0f}s", resp.status, host_,
               UnexpectedHint(resp.status), Secs(wait));
    return Pace{wait};
  }

  mastodon::ParsedPage page;
  const Status parsed = config_.kind == MastodonSourceConfig::Kind::kMentions
                            ? parser_.ParseNotificationPage(resp.body, &page)
                            : parser_.ParseStatusPage(resp.body, &page);
  if (!parsed.ok()) {
    return http_.Malformed("page", resp.body.size(), parsed);
  }
  http_.PageArrived(batch, page.errors, "item");
  stats_.posts += static_cast<int64_t>(page.posts.size());
  // Mastodon sends newest first; the pipeline wants oldest first.
  for (auto it = page.posts.rbegin(); it != page.posts.rend(); ++it) {
    batch->posts.push_back(std::move(*it));
  }
  if (page.newest_id) {
    cursor_ = *page.newest_id;
    batch->cursor = cursor_;
  }

  if (page.items == 0) {
    // Caught up. The next request asks for what came after the cursor.
    next_url_.reset();
    return Wait(config_.poll_interval);
  }
  // Follow rel="prev" (the page after this one) when it points back to our own instance; never
  // send the token elsewhere. Without it, FirstUrl() asks min_id=<cursor>, which is the same.
  next_url_.reset();
  if (auto link = resp.Header("link")) {
    auto prev = mastodon::FindLink(mastodon::ParseLinkHeader(*link), "prev");
    if (prev && prev->starts_with(config_.base_url + "/")) next_url_ = std::move(prev);
  }
  return Wait(page.items >= config_.limit ? milliseconds(0) : config_.poll_interval);
}

Result<Pace> MastodonSource::Recheck(std::stop_token stop, HttpClient& http,
                                     std::string_view post_id, SourceBatch* batch) {
  if (stop.stop_requested()) return Status::Cancelled(name_ + ": cancelled");
  // Ids are digits; anything else never came from this source and must not reach a URL.
  if (post_id.empty() || post_id.find_first_not_of("0123456789") != std::string_view::npos) {
    return Wait(milliseconds(0));
  }
  std::optional<Pace> failed;
  Result<HttpResponse> sent =
      Get(stop, http, fmt::format("{}/api/v1/statuses/{}", config_.base_url, post_id), &failed);
  if (failed) return *failed;
  if (!sent.ok()) return sent.status();
  const HttpResponse& resp = *sent;
  if (resp.status == 404 || resp.status == 410) {
    budget_.ResetBackoff();
    batch->fetched = true;  // the instance answered: the source is alive
    ++stats_.rechecks;
    ++stats_.rechecks_gone;
    log::Info(name_, "status {} is gone from {} (HTTP {}): its incident resolves", post_id, host_,
              resp.status);
    batch->deleted_ids.emplace_back(post_id);
    return Wait(milliseconds(0));
  }
  if (resp.status == 200) {
    budget_.ResetBackoff();
    batch->fetched = true;
    ++stats_.rechecks;
    return Wait(milliseconds(0));
  }
  if (resp.status == 429) {
    ++stats_.rate_limited;
    const auto [wait, why] = budget_.After429(resp.Header("retry-after"));
    log::Warn(name_, "HTTP 429 from {} re-checking a status; waiting {:.1f}s ({})", host_,
              Secs(wait), why);
    return Pace{wait};
  }
  if (resp.status == 401 || resp.status == 403) {
    // A private status the token may not see is not a deleted one: nothing is resolved.
    ++stats_.auth_errors;
    log::Warn(name_, "HTTP {} from {} re-checking status {}; left as it is", resp.status, host_,
              post_id);
    return Wait(milliseconds(0));
  }
  if (resp.status >= 500) ++stats_.server_errors;
  else ++stats_.client_errors;
  return http_.Failure(fmt::format("HTTP {} from {} re-checking a status", resp.status, host_));
}

}  // namespace earshot
