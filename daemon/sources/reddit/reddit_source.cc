#include "daemon/sources/reddit/reddit_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "daemon/base/log.h"
#include "daemon/net/url.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;

constexpr size_t kRecentIds = 5000;

double Secs(milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

std::string Base64(std::string_view in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(in[i]) << 16) |
                       (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out += kTable[(n >> 18) & 63];
    out += kTable[(n >> 12) & 63];
    out += kTable[(n >> 6) & 63];
    out += kTable[n & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    out += kTable[(n >> 18) & 63];
    out += kTable[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += kTable[(n >> 18) & 63];
    out += kTable[(n >> 12) & 63];
    out += kTable[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<double> ParseDouble(std::optional<std::string_view> s) {
  if (!s) return std::nullopt;
  double d = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), d);
  if (ec != std::errc() || p != s->data() + s->size() || !std::isfinite(d) || d < 0) {
    return std::nullopt;
  }
  return d;
}

bool ValidUrl(const std::string& url) {
  return !UrlHost(url).empty() && (url.starts_with("https://") || url.starts_with("http://")) &&
         url.find_first_of("?#") == std::string::npos;
}

}  // namespace

Result<std::unique_ptr<Source>> RedditSource::Create(RedditSourceConfig config, Clock& clock) {
  const std::string who = fmt::format("reddit source '{}'", config.name);
  if (config.name.empty()) return Status::InvalidArgument("reddit source: 'name' is empty");
  for (std::string* url : {&config.auth_url, &config.api_url}) {
    while (!url->empty() && url->back() == '/') url->pop_back();
    if (!ValidUrl(*url)) {
      return Status::InvalidArgument(fmt::format("{}: '{}' must be http(s)://host[:port]", who,
                                                 url == &config.auth_url ? "auth_url" : "api_url"));
    }
  }
  if (config.subreddit.starts_with("r/")) config.subreddit.erase(0, 2);
  if (config.kind != RedditSourceConfig::Kind::kSearch && config.subreddit.empty()) {
    return Status::InvalidArgument(fmt::format("{}: 'subreddit' is empty", who));
  }
  if (config.kind == RedditSourceConfig::Kind::kSearch && config.query.empty()) {
    return Status::InvalidArgument(fmt::format("{}: 'query' is empty", who));
  }
  if (config.client_id.empty() || config.client_secret.empty()) {
    return Status::InvalidArgument(
        fmt::format("{}: 'client_id' or the client secret is empty; create a script app at "
                    "https://www.reddit.com/prefs/apps and set client_id and secret_file",
                    who));
  }
  if (config.user_agent.find("(by /u/") == std::string::npos) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'user_agent' must describe the app and its owner, e.g. \"linux:com.acme.earshot:1.0 "
        "(by /u/acme_support)\"; Reddit throttles generic agents",
        who));
  }
  if (config.limit < 1 || config.limit > 100) {
    return Status::InvalidArgument(
        fmt::format("{}: 'limit' is {}; listings hold 1 to 100", who, config.limit));
  }
  if (config.poll_interval.count() <= 0 || config.request_timeout.count() <= 0 ||
      config.stale_after < 1) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'poll_interval', 'request_timeout' and 'stale_after' must be positive", who));
  }
  return std::unique_ptr<Source>(new RedditSource(std::move(config), clock));
}

RedditSource::RedditSource(RedditSourceConfig config, Clock& clock)
    : config_(std::move(config)),
      name_("reddit:" + config_.name),
      host_(UrlHost(config_.api_url)),
      clock_(clock),
      budget_(clock, config_.backoff, config_.rate_budget),
      http_(
          name_, "reddit", host_, budget_, stats_,
          [this](const HttpResponse& resp) { ObserveRate(resp); }, config_.request_timeout) {}

Status RedditSource::Restore(std::string_view cursor) {
  const bool ok = cursor.size() > 3 && cursor.size() <= 32 &&
                  (cursor.starts_with("t1_") || cursor.starts_with("t3_")) &&
                  std::all_of(cursor.begin() + 3, cursor.end(), [](char c) {
                    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
                  });
  if (!ok) {
    return Status::InvalidArgument(fmt::format("{}: stored cursor '{}' is not a Reddit fullname",
                                               name_, cursor.substr(0, 64)));
  }
  cursor_ = std::string(cursor);
  empty_anchored_ = 0;
  reanchor_ = false;
  return Status::Ok();
}

Pace RedditSource::Wait(milliseconds floor) const {
  return Pace{budget_.NextSlot(floor)};
}

void RedditSource::ObserveRate(const HttpResponse& resp) {
  const auto used = ParseDouble(resp.Header("x-ratelimit-used"));
  const auto remaining = ParseDouble(resp.Header("x-ratelimit-remaining"));
  const auto reset = ParseDouble(resp.Header("x-ratelimit-reset"));
  std::optional<std::string> limit_s, remaining_s, reset_s;
  if (remaining) remaining_s = std::to_string(static_cast<int64_t>(std::floor(*remaining)));
  if (remaining && used) {
    limit_s = std::to_string(static_cast<int64_t>(std::floor(*remaining) + std::llround(*used)));
  }
  if (reset) {
    // Reddit gives seconds until the window ends; the budget wants the end as epoch seconds.
    const auto end = clock_.Now() + std::chrono::seconds(static_cast<int64_t>(std::ceil(*reset)));
    reset_s = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(end.time_since_epoch()).count() + 1);
  }
  auto view = [](const std::optional<std::string>& s) -> std::optional<std::string_view> {
    if (!s) return std::nullopt;
    return std::string_view(*s);
  };
  budget_.Observe(view(limit_s), view(remaining_s), view(reset_s));
}

std::optional<Pace> RedditSource::Classify(const HttpResponse& resp, bool token_call) {
  if (resp.status == 200) return std::nullopt;
  if (auto throttled = http_.Throttled(resp)) return throttled;
  const milliseconds long_wait = std::max(budget_.options().backoff_max, budget_.SpreadWait());
  if (resp.status == 401 && !token_call &&
      clock_.Now() - token_obtained_ > std::chrono::minutes(1)) {
    // An old token expired or was revoked: get a new one on the next call.
    log::Info(name_, "access token rejected by {}; requesting a new one", host_);
    token_.clear();
    return Wait(milliseconds(0));
  }
  if (resp.status == 401 || resp.status == 403) {
    ++stats_.auth_errors;
    token_.clear();
    log::Error(name_, "HTTP {} from {}: {}; retrying in {:.0f}s", resp.status,
               token_call ? UrlHost(config_.auth_url) : host_,
               token_call ? "the client id or secret was refused; check client_id and the "
                            "secret file (a script app's credentials)"
                          : "a fresh access token was refused (banned app, or a private or "
                            "quarantined subreddit); check the app and the subreddit",
               Secs(long_wait));
    return Pace{long_wait};
  }
  ++stats_.client_errors;
  log::Error(name_,
             "HTTP {} from {}: unexpected; check the subreddit and query. Retrying in "
             "{:.0f}s",
             resp.status, host_, Secs(long_wait));
  return Pace{long_wait};
}

Result<Pace> RedditSource::FetchToken(std::stop_token stop, HttpClient& http) {
  ++stats_.token_requests;
  HttpRequest req;
  req.method = "POST";
  req.url = config_.auth_url + "/api/v1/access_token";
  req.headers.emplace_back("User-Agent", config_.user_agent);
  req.headers.emplace_back("Authorization",
                           "Basic " + Base64(config_.client_id + ":" + config_.client_secret));
  req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  req.body = "grant_type=client_credentials";
  std::optional<Pace> failed;
  Result<HttpResponse> sent = http_.Send(stop, http, std::move(req), &failed);
  if (failed) return *failed;
  if (!sent.ok()) return sent.status();
  if (auto failed = Classify(*sent, true)) return *failed;
  int64_t expires_in = 0;
  std::string token;
  if (Status s = parser_.ParseToken(sent->body, &token, &expires_in); !s.ok()) {
    ++stats_.malformed_pages;
    return http_.Failure(
        fmt::format("malformed token answer from {}: {}", UrlHost(config_.auth_url), s.message()));
  }
  token_ = std::move(token);
  token_obtained_ = clock_.Now();
  token_expiry_ = token_obtained_ + std::chrono::seconds(expires_in);
  return Wait(milliseconds(0));
}

std::string RedditSource::ListingUrl() const {
  std::string url = config_.api_url;
  switch (config_.kind) {
    case RedditSourceConfig::Kind::kNew:
      url += "/r/" + PercentEncode(config_.subreddit) + "/new?";
      break;
    case RedditSourceConfig::Kind::kComments:
      url += "/r/" + PercentEncode(config_.subreddit) + "/comments?";
      break;
    case RedditSourceConfig::Kind::kSearch:
      url += config_.subreddit.empty() ? "/search?"
                                       : "/r/" + PercentEncode(config_.subreddit) + "/search?";
      url += "q=" + PercentEncode(config_.query) + "&sort=new&type=link";
      if (!config_.subreddit.empty()) url += "&restrict_sr=1";
      url += "&";
      break;
  }
  url += fmt::format("limit={}&raw_json=1", config_.limit);
  if (cursor_ && !reanchor_) url += "&before=" + *cursor_;
  return url;
}

void RedditSource::Remember(const std::string& id) {
  if (!recent_.insert(id).second) return;
  recent_order_.push_back(id);
  if (recent_order_.size() > kRecentIds) {
    recent_.erase(recent_order_.front());
    recent_order_.pop_front();
  }
}

Result<Pace> RedditSource::Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) {
  if (stop.stop_requested()) return Status::Cancelled(name_ + ": cancelled");
  if (token_.empty() || clock_.Now() + std::chrono::minutes(1) >= token_expiry_) {
    return FetchToken(stop, http);
  }
  HttpRequest req;
  req.url = ListingUrl();
  req.headers.emplace_back("User-Agent", config_.user_agent);
  req.headers.emplace_back("Authorization", "Bearer " + token_);
  std::optional<Pace> failed;
  Result<HttpResponse> sent = http_.Send(stop, http, std::move(req), &failed);
  if (failed) return *failed;
  if (!sent.ok()) return sent.status();
  if (auto failed = Classify(*sent, false)) return *failed;
  reddit::ParsedListing page;
  if (Status s = parser_.ParseListing(sent->body, &page); !s.ok()) {
    return http_.Malformed("listing", sent->body.size(), s);
  }
  http_.PageArrived(batch, page.errors, "item");
  const bool reanchored = reanchor_;
  reanchor_ = false;
  for (auto it = page.posts.rbegin(); it != page.posts.rend(); ++it) {
    if (recent_.count(it->id) > 0) continue;
    Remember(it->id);
    ++stats_.posts;
    batch->posts.push_back(std::move(*it));
  }
  if (page.first_name) {
    cursor_ = *page.first_name;
    batch->cursor = cursor_;
    empty_anchored_ = 0;
  } else if (cursor_ && !reanchored && ++empty_anchored_ >= config_.stale_after) {
    // A deleted or removed anchor makes `before` answer empty for ever; re-read the newest page.
    ++stats_.reanchors;
    empty_anchored_ = 0;
    reanchor_ = true;
  }
  if (reanchored) return Wait(config_.poll_interval);
  return Wait(page.items >= config_.limit ? milliseconds(0) : config_.poll_interval);
}

}  // namespace earshot
