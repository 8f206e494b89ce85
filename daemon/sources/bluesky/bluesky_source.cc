#include "daemon/sources/bluesky/bluesky_source.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/json_escape.h"
#include "daemon/base/log.h"
#include "daemon/net/url.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;

constexpr size_t kRecentIds = 10000;
constexpr size_t kMaxProfiles = 50000;
constexpr int kProfilesPerCall = 25;
constexpr int kProfileAttempts = 3;

double Secs(milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

}  // namespace

Result<std::unique_ptr<Source>> BlueskySource::Create(BlueskySourceConfig config, Clock& clock) {
  const std::string who = fmt::format("bluesky source '{}'", config.name);
  if (config.name.empty()) return Status::InvalidArgument("bluesky source: 'name' is empty");
  while (!config.service_url.empty() && config.service_url.back() == '/') {
    config.service_url.pop_back();
  }
  if (UrlHost(config.service_url).empty() ||
      !(config.service_url.starts_with("https://") || config.service_url.starts_with("http://")) ||
      config.service_url.find_first_of("?#") != std::string::npos) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'service_url' must be http(s)://host[:port], e.g. https://bsky.social", who));
  }
  if (config.query.empty() && !config.mentions) {
    return Status::InvalidArgument(
        fmt::format("{}: say what to read: a search 'query', or 'mentions'", who));
  }
  if (!config.query.empty() && config.mentions) {
    return Status::InvalidArgument(fmt::format(
        "{}: give either 'query' (post search) or 'mentions' (notifications), not both", who));
  }
  if (config.identifier.empty()) {
    return Status::InvalidArgument(
        fmt::format("{}: 'identifier' is empty; give the account's handle or email", who));
  }
  if (config.app_password.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{}: the app password is empty; create one under Settings > App passwords and set "
        "password_file",
        who));
  }
  if (config.limit < 1 || config.limit > 100) {
    return Status::InvalidArgument(
        fmt::format("{}: 'limit' is {}; {} pages hold 1 to 100", who, config.limit,
                    config.mentions ? "listNotifications" : "searchPosts"));
  }
  if (config.poll_interval.count() <= 0 || config.request_timeout.count() <= 0 ||
      config.login_min_interval.count() <= 0 || config.profile_ttl.count() <= 0 ||
      config.lookback.count() < 0) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'poll_interval', 'request_timeout', 'login_min_interval' and 'profile_ttl' must be "
        "positive, 'lookback' not negative",
        who));
  }
  return std::unique_ptr<Source>(new BlueskySource(std::move(config), clock));
}

BlueskySource::BlueskySource(BlueskySourceConfig config, Clock& clock)
    : config_(std::move(config)),
      name_("bluesky:" + config_.name),
      host_(UrlHost(config_.service_url)),
      clock_(clock),
      budget_(clock, config_.backoff, config_.rate_budget),
      http_(
          name_, "bluesky", host_, budget_, stats_,
          SourceHttp::Headers(budget_, "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"),
          config_.request_timeout) {}

Status BlueskySource::Restore(std::string_view cursor) {
  auto t = ParseIso8601(cursor);
  if (!t) {
    return Status::InvalidArgument(
        fmt::format("{}: stored cursor '{}' is not an ISO-8601 time", name_, cursor.substr(0, 64)));
  }
  watermark_ = *t;
  EndRun();
  pending_.reset();
  return Status::Ok();
}

std::optional<std::string> BlueskySource::cursor() const {
  if (!watermark_) return std::nullopt;
  return FormatIso8601(*watermark_);
}

void BlueskySource::EndRun() {
  since_.reset();
  page_cursor_.reset();
  run_newest_.reset();
}

Pace BlueskySource::Wait(milliseconds floor) const {
  return Pace{budget_.NextSlot(floor)};
}

Result<HttpResponse> BlueskySource::Send(std::stop_token stop, HttpClient& http, HttpRequest req,
                                         std::optional<Pace>* pace) {
  req.headers.emplace_back("Accept", "application/json");
  return http_.Send(stop, http, std::move(req), pace);
}

std::optional<Pace> BlueskySource::Classify(const HttpResponse& resp, Call call) {
  if (resp.status == 200) return std::nullopt;
  if (auto throttled = http_.Throttled(resp)) return throttled;
  const std::string error = parser_.ErrorName(resp.body);
  if (call == Call::kApp &&
      ((resp.status == 400 && error == "ExpiredToken") || (resp.status == 401 && !renewed_))) {
    // An expired or revoked access token: renew it with the refresh token, once. A renewed token
    // that is refused too is an auth error (renewing again would loop).
    renewed_ = resp.status == 401;
    log::Info(name_, "access token {} ({}); refreshing the session",
              error == "ExpiredToken" ? "expired" : "rejected", resp.status);
    access_.clear();
    return Wait(milliseconds(0));
  }
  if ((resp.status == 400 || resp.status == 401) && call == Call::kRefresh) {
    log::Info(name_, "refresh token refused ({} {}); logging in again", resp.status, error);
    access_.clear();
    refresh_.clear();
    return Wait(milliseconds(0));
  }
  const milliseconds wait = std::max(budget_.options().backoff_max, budget_.SpreadWait());
  if (resp.status == 401 && call == Call::kApp) {
    ++stats_.auth_errors;
    access_.clear();
    log::Error(name_,
               "HTTP 401 {} from {}: a renewed access token was refused too; check that the "
               "account may search. Retrying in {:.0f}s",
               error, host_, Secs(wait));
    return Pace{wait};
  }
  if (resp.status == 401 || resp.status == 403 || (resp.status == 400 && call == Call::kLogin)) {
    ++stats_.auth_errors;
    log::Error(name_,
               "HTTP {} {} from {} on login: the identifier or app password was refused (or the "
               "account is suspended); replace the password file and reload. Retrying in {:.0f}s",
               resp.status, error, host_, Secs(wait));
    return Pace{wait};
  }
  ++stats_.client_errors;
  log::Error(name_,
             "HTTP {} {} from {}: unexpected; check service_url and the query. Retrying "
             "in {:.0f}s",
             resp.status, error, host_, Secs(wait));
  return Pace{wait};
}

Result<Pace> BlueskySource::Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) {
  if (stop.stop_requested()) return Status::Cancelled(name_ + ": cancelled");
  if (access_.empty() && refresh_.empty()) return Login(stop, http);
  if (access_.empty()) return Refresh(stop, http);
  if (pending_) return FetchProfiles(stop, http, batch);
  if (config_.mentions) return Notifications(stop, http, batch);
  return Search(stop, http, batch);
}

Result<Pace> BlueskySource::Login(std::stop_token stop, HttpClient& http) {
  const SteadyTime now = clock_.SteadyNow();
  if (last_login_ && now - *last_login_ < config_.login_min_interval) {
    // Logins are scarce (30 per 5 minutes, 300 per day): wait for the next allowed one.
    return Pace{std::chrono::ceil<milliseconds>(*last_login_ + config_.login_min_interval - now)};
  }
  last_login_ = now;
  ++stats_.logins;
  HttpRequest req;
  req.method = "POST";
  req.url = config_.service_url + "/xrpc/com.atproto.server.createSession";
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = fmt::format("{{\"identifier\":\"{}\",\"password\":\"{}\"}}",
                         JsonEscape(config_.identifier), JsonEscape(config_.app_password));
  std::optional<Pace> pace;
  auto sent = Send(stop, http, std::move(req), &pace);
  if (!sent.ok()) {
    if (pace) return *pace;
    return sent.status();
  }
  if (auto failed = Classify(*sent, Call::kLogin)) return *failed;
  bluesky::Session session;
  if (Status s = parser_.ParseSession(sent->body, &session); !s.ok()) {
    ++stats_.malformed_pages;
    return http_.Failure(fmt::format("malformed session from {}: {}", host_, s.message()));
  }
  access_ = std::move(session.access_jwt);
  refresh_ = std::move(session.refresh_jwt);

  log::Info(name_, "logged in to {} as {}", host_, session.handle);
  return Wait(milliseconds(0));
}

Result<Pace> BlueskySource::Refresh(std::stop_token stop, HttpClient& http) {
  ++stats_.refreshes;
  HttpRequest req;
  req.method = "POST";
  req.url = config_.service_url + "/xrpc/com.atproto.server.refreshSession";
  req.headers.emplace_back("Authorization", "Bearer " + refresh_);
  std::optional<Pace> pace;
  auto sent = Send(stop, http, std::move(req), &pace);
  if (!sent.ok()) {
    if (pace) return *pace;
    return sent.status();
  }
  if (auto failed = Classify(*sent, Call::kRefresh)) return *failed;
  bluesky::Session session;
  if (Status s = parser_.ParseSession(sent->body, &session); !s.ok()) {
    ++stats_.malformed_pages;
    return http_.Failure(fmt::format("malformed session from {}: {}", host_, s.message()));
  }
  access_ = std::move(session.access_jwt);
  refresh_ = std::move(session.refresh_jwt);

  return Wait(milliseconds(0));
}

void BlueskySource::Remember(const std::string& id) {
  if (!recent_.insert(id).second) return;
  recent_order_.push_back(id);
  if (recent_order_.size() > kRecentIds) {
    recent_.erase(recent_order_.front());
    recent_order_.pop_front();
  }
}

Result<HttpResponse> BlueskySource::AppGet(std::stop_token stop, HttpClient& http,
                                           std::string url, std::optional<Pace>* pace) {
  HttpRequest req;
  req.url = std::move(url);
  req.headers.emplace_back("Authorization", "Bearer " + access_);
  auto sent = Send(stop, http, std::move(req), pace);
  if (!sent.ok()) return sent;
  if ((*pace = Classify(*sent, Call::kApp))) return Status::Unavailable("answered with an error");
  renewed_ = false;
  return sent;
}

Pace BlueskySource::Hold(Pending pending, bool run_ends, SourceBatch* batch) {
  if (run_ends) {
    pending.end_of_run = true;
    std::optional<SystemTime> mark = watermark_;
    if (run_newest_ && (!mark || *run_newest_ > *mark)) mark = run_newest_;
    pending.watermark = mark;
    EndRun();
  }
  pending_ = std::move(pending);
  profile_failures_ = 0;
  if (UncachedAuthors().empty()) return Emit(batch);
  return Wait(milliseconds(0));
}

Result<Pace> BlueskySource::Search(std::stop_token stop, HttpClient& http, SourceBatch* batch) {
  if (!page_cursor_ && watermark_) {
    since_ = FormatIso8601(*watermark_ - config_.lookback);  // fixed until the run ends
  }
  std::string url = fmt::format("{}/xrpc/app.bsky.feed.searchPosts?q={}&sort=latest&limit={}",
                                config_.service_url, PercentEncode(config_.query), config_.limit);
  if (since_) url += "&since=" + PercentEncode(*since_);
  if (page_cursor_) url += "&cursor=" + PercentEncode(*page_cursor_);
  std::optional<Pace> pace;
  auto sent = AppGet(stop, http, std::move(url), &pace);
  if (pace) return *pace;
  if (!sent.ok()) return sent.status();
  bluesky::ParsedSearchPage page;
  if (Status s = parser_.ParseSearchPage(sent->body, &page); !s.ok()) {
    return http_.Malformed("page", sent->body.size(), s);
  }
  http_.PageArrived(batch, page.errors, "post");
  if (page.newest_sort_at && (!run_newest_ || *page.newest_sort_at > *run_newest_)) {
    run_newest_ = page.newest_sort_at;
  }
  Pending pending;
  for (auto it = page.items.rbegin(); it != page.items.rend(); ++it) {
    if (recent_.count(it->post.id) > 0) {
      ++stats_.duplicates;
      continue;
    }
    Remember(it->post.id);
    pending.posts.push_back(std::move(it->post));
  }
  // Follow the cursor only after a watermark: a first run reads the newest page alone.
  if (page.cursor && page.count > 0 && since_) {
    page_cursor_ = page.cursor;
    return Hold(std::move(pending), /*run_ends=*/false, batch);
  }
  return Hold(std::move(pending), /*run_ends=*/true, batch);
}

Result<Pace> BlueskySource::Notifications(std::stop_token stop, HttpClient& http,
                                          SourceBatch* batch) {
  if (!page_cursor_ && watermark_) {
    since_ = FormatIso8601(*watermark_ - config_.lookback);  // fixed until the run ends
  }
  std::string url = fmt::format("{}/xrpc/app.bsky.notification.listNotifications?limit={}",
                                config_.service_url, config_.limit);
  if (page_cursor_) url += "&cursor=" + PercentEncode(*page_cursor_);
  std::optional<Pace> pace;
  auto sent = AppGet(stop, http, std::move(url), &pace);
  if (pace) return *pace;
  if (!sent.ok()) return sent.status();
  bluesky::ParsedNotificationPage page;
  if (Status s = parser_.ParseNotificationPage(sent->body, &page); !s.ok()) {
    return http_.Malformed("page", sent->body.size(), s);
  }
  http_.PageArrived(batch, page.errors, "notification");
  stats_.notifications_skipped += page.skipped;
  if (page.newest_indexed_at && (!run_newest_ || *page.newest_indexed_at > *run_newest_)) {
    run_newest_ = page.newest_indexed_at;
  }
  // A run with a watermark emits and follows only what is at or after watermark - lookback.
  const bool bounded = since_.has_value();
  SystemTime since{};
  if (bounded) since = ParseIso8601(*since_).value_or(SystemTime{});
  Pending pending;
  for (auto it = page.items.rbegin(); it != page.items.rend(); ++it) {
    if (bounded && it->indexed_at < since) continue;  // read before the watermark
    if (recent_.count(it->post.id) > 0) {
      ++stats_.duplicates;
      continue;
    }
    Remember(it->post.id);
    pending.posts.push_back(std::move(it->post));
  }
  // Follow the cursor only after a watermark, and only while the whole page is newer than it:
  // listNotifications has no `since`, so the run ends at the first page reaching back past it.
  if (page.cursor && page.count > 0 && bounded &&
      page.oldest_indexed_at.value_or(SystemTime{}) >= since) {
    page_cursor_ = page.cursor;
    return Hold(std::move(pending), /*run_ends=*/false, batch);
  }
  return Hold(std::move(pending), /*run_ends=*/true, batch);
}

std::vector<std::string> BlueskySource::UncachedAuthors() const {
  std::vector<std::string> dids;
  if (!pending_) return dids;
  const SteadyTime now = clock_.SteadyNow();
  for (const Post& p : pending_->posts) {
    auto it = profiles_.find(p.author.id);
    if (it != profiles_.end() && now - it->second.at < config_.profile_ttl) continue;
    if (std::find(dids.begin(), dids.end(), p.author.id) == dids.end()) {
      dids.push_back(p.author.id);
    }
  }
  return dids;
}

Result<Pace> BlueskySource::FetchProfiles(std::stop_token stop, HttpClient& http,
                                          SourceBatch* batch) {
  std::vector<std::string> dids = UncachedAuthors();
  if (dids.empty()) return Emit(batch);
  if (dids.size() > kProfilesPerCall) dids.resize(kProfilesPerCall);
  HttpRequest req;
  req.url = config_.service_url + "/xrpc/app.bsky.actor.getProfiles?";
  for (size_t i = 0; i < dids.size(); ++i) {
    req.url += fmt::format("{}actors={}", i == 0 ? "" : "&", PercentEncode(dids[i]));
  }
  req.headers.emplace_back("Authorization", "Bearer " + access_);
  ++stats_.profile_requests;
  std::optional<Pace> pace;
  auto sent = Send(stop, http, std::move(req), &pace);
  std::optional<Pace> failed;
  std::vector<bluesky::Profile> profiles;
  if (!sent.ok()) {
    if (!pace) return sent.status();
    failed = pace;
  } else if ((failed = Classify(*sent, Call::kApp))) {
    if (access_.empty()) return *failed;  // a renewed token, not a failed lookup
  } else if (Status s = parser_.ParseProfiles(sent->body, &profiles); !s.ok()) {
    ++stats_.malformed_pages;
    failed = http_.Failure(fmt::format("malformed profiles from {}: {}", host_, s.message()));
  }
  if (failed) {
    if (++profile_failures_ < kProfileAttempts) return *failed;
    log::Warn(name_,
              "author profiles unavailable after {} attempts; delivering {} posts without "
              "follower counts",
              kProfileAttempts, pending_->posts.size());
    Pace emitted = Emit(batch);
    return Pace{std::max(emitted.wait, failed->wait)};
  }
  budget_.ResetBackoff();
  batch->fetched = true;
  renewed_ = false;
  if (profiles_.size() > kMaxProfiles) profiles_.clear();
  const SteadyTime now = clock_.SteadyNow();
  // Accounts not returned (deleted, deactivated) are cached as 0 so they are not asked again.
  for (const std::string& did : dids) profiles_[did] = CachedProfile{0, now};
  for (const bluesky::Profile& p : profiles) profiles_[p.did] = CachedProfile{p.followers, now};
  if (UncachedAuthors().empty()) return Emit(batch);
  return Wait(milliseconds(0));
}

Pace BlueskySource::Emit(SourceBatch* batch) {
  Pending pending = std::move(*pending_);
  pending_.reset();
  profile_failures_ = 0;
  for (Post& p : pending.posts) {
    if (auto it = profiles_.find(p.author.id); it != profiles_.end()) {
      p.author.followers = it->second.followers;
    }
    batch->posts.push_back(std::move(p));
  }
  stats_.posts += static_cast<int64_t>(pending.posts.size());
  if (pending.end_of_run) {
    if (pending.watermark) {
      watermark_ = pending.watermark;
      batch->cursor = FormatIso8601(*watermark_);
    }
    return Wait(config_.poll_interval);
  }
  return Wait(milliseconds(0));
}

}  // namespace earshot
