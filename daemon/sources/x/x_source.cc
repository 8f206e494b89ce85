#include "daemon/sources/x/x_source.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/log.h"
#include "daemon/net/url.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;

double Secs(milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

constexpr std::string_view kTweetFields =
    "created_at,conversation_id,lang,public_metrics,entities,in_reply_to_user_id,"
    "referenced_tweets";
constexpr std::string_view kUserFields = "public_metrics,username,name";

}  // namespace

Result<std::unique_ptr<Source>> XSource::Create(XSourceConfig config, Clock& clock) {
  const std::string who = fmt::format("x source '{}'", config.name);
  if (config.name.empty()) return Status::InvalidArgument("x source: 'name' is empty");
  while (!config.base_url.empty() && config.base_url.back() == '/') config.base_url.pop_back();
  if (UrlHost(config.base_url).empty() ||
      !(config.base_url.starts_with("https://") || config.base_url.starts_with("http://")) ||
      config.base_url.find_first_of("?#") != std::string::npos) {
    return Status::InvalidArgument(
        fmt::format("{}: 'base_url' must be http(s)://host[:port], e.g. https://api.x.com", who));
  }
  if (config.query.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'query' is empty; give a search query such as \"@AcmeAir -is:retweet\"", who));
  }
  if (config.bearer_token.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{}: the bearer token is empty; set token_file to the app's bearer token", who));
  }
  if (config.max_results < 10 || config.max_results > 100) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'max_results' is {}; X recent search pages hold 10 to 100", who, config.max_results));
  }
  if (config.request_timeout.count() <= 0) {
    return Status::InvalidArgument(fmt::format("{}: 'request_timeout' must be positive", who));
  }
  if (config.poll_interval.count() <= 0) {
    return Status::InvalidArgument(fmt::format("{}: 'poll_interval' must be positive", who));
  }
  return std::unique_ptr<Source>(new XSource(std::move(config), clock));
}

XSource::XSource(XSourceConfig config, Clock& clock)
    : config_(std::move(config)),
      name_("x:" + config_.name),
      host_(UrlHost(config_.base_url)),
      clock_(clock),
      budget_(clock, config_.backoff, config_.rate_budget) {}

Status XSource::Restore(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 20 ||
      !std::all_of(cursor.begin(), cursor.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument(
        fmt::format("{}: stored cursor '{}' is not a tweet id", name_, cursor.substr(0, 64)));
  }
  cursor_ = std::string(cursor);
  EndRun();
  return Status::Ok();
}

void XSource::EndRun() {
  since_id_.reset();
  next_token_.reset();
  run_newest_.reset();
}

std::string XSource::Url() const {
  std::string url = fmt::format(
      "{}/2/tweets/search/recent?query={}&max_results={}&tweet.fields={}&expansions=author_id"
      "&user.fields={}",
      config_.base_url, PercentEncode(config_.query), config_.max_results,
      PercentEncode(kTweetFields), PercentEncode(kUserFields));
  if (since_id_) url += "&since_id=" + *since_id_;
  if (next_token_) url += "&next_token=" + PercentEncode(*next_token_);
  return url;
}

Pace XSource::Wait(milliseconds floor) const { return Pace{budget_.NextSlot(floor)}; }

Pace XSource::Failure(std::string_view what) {
  const milliseconds wait = budget_.Backoff();
  log::Warn(name_, "{}; retrying in {:.1f}s (failure {} in a row)", what, Secs(wait),
            budget_.failures());
  return Pace{wait};
}

Result<Pace> XSource::Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) {
  if (stop.stop_requested()) return Status::Cancelled(name_ + ": cancelled");
  if (!next_token_) since_id_ = cursor_;  // a new run: since_id stays fixed until it ends
  HttpRequest req;
  req.url = Url();
  req.total_timeout = config_.request_timeout;
  req.connect_timeout = std::min(config_.request_timeout, milliseconds(10000));
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("Authorization", "Bearer " + config_.bearer_token);
  ++stats_.requests;
  Result<HttpResponse> sent = http.Send(req, stop);
  if (!sent.ok()) {
    if (sent.status().code() == Status::Code::kCancelled || stop.stop_requested()) {
      return Status::Cancelled(name_ + ": cancelled");
    }
    ++stats_.transport_errors;
    return Failure(sent.status().message());
  }
  const HttpResponse& resp = *sent;
  budget_.Observe(resp.Header("x-rate-limit-limit"), resp.Header("x-rate-limit-remaining"),
                  resp.Header("x-rate-limit-reset"));

  if (resp.status == 401 || resp.status == 403) {
    ++stats_.auth_errors;
    const milliseconds wait = std::max(budget_.options().backoff_max, budget_.SpreadWait());
    if (resp.status == 401) {
      log::Error(name_,
                 "HTTP 401 from {}: the bearer token was rejected (revoked or regenerated); "
                 "replace the token file and reload. Retrying in {:.0f}s",
                 host_, Secs(wait));
    } else {
      log::Error(name_,
                 "HTTP 403 from {}: the app's access level does not allow recent search, or the "
                 "app is not in a project; check the developer portal. Retrying in {:.0f}s",
                 host_, Secs(wait));
    }
    return Pace{wait};
  }
  if (resp.status == 429) {
    ++stats_.rate_limited;
    const auto [wait, why] = budget_.After429(resp.Header("retry-after"));
    log::Warn(name_, "HTTP 429 from {}: rate limited; waiting {:.1f}s ({})", host_, Secs(wait),
              why);
    return Pace{wait};
  }
  if (resp.status >= 500) {
    ++stats_.server_errors;
    return Failure(fmt::format("HTTP {} from {}", resp.status, host_));
  }
  if (resp.status == 400 && (next_token_ || cursor_)) {
    ++stats_.client_errors;
    if (next_token_) {
      log::Warn(name_, "HTTP 400 from {} while paging; restarting from the cursor", host_);
      EndRun();
    } else {
      log::Warn(name_,
                "HTTP 400 from {} for since_id={}: the cursor is older than recent search's "
                "7-day window; starting from the newest tweets",
                host_, *cursor_);
      cursor_.reset();
      EndRun();
    }
    return Failure("request refused");
  }
  if (resp.status != 200) {
    ++stats_.client_errors;
    const milliseconds wait = budget_.options().backoff_max;
    log::Error(name_,
               "HTTP {} from {}: unexpected; check base_url and the query. Retrying in "
               "{:.0f}s",
               resp.status, host_, Secs(wait));
    return Pace{wait};
  }

  x::ParsedTweetPage page;
  if (Status parsed = parser_.ParsePage(resp.body, &page); !parsed.ok()) {
    ++stats_.malformed_pages;
    return Failure(fmt::format("malformed page from {} ({} bytes): {}", host_, resp.body.size(),
                               parsed.message()));
  }
  budget_.ResetBackoff();
  batch->fetched = true;
  ++stats_.pages;
  for (const std::string& error : page.errors) {
    ++stats_.bad_items;
    log::Warn(name_, "skipped a bad tweet from {}: {}", host_, error);
  }
  stats_.retweets_ignored += page.ignored;
  stats_.posts += static_cast<int64_t>(page.posts.size());
  for (auto it = page.posts.rbegin(); it != page.posts.rend(); ++it) {
    batch->posts.push_back(std::move(*it));
  }
  if (!next_token_ && page.newest_id) run_newest_ = page.newest_id;
  // Follow next_token only after a cursor: a first run reads the newest page alone.
  if (page.next_token && since_id_) {
    next_token_ = page.next_token;
    return Wait(milliseconds(0));
  }
  if (run_newest_) {
    cursor_ = run_newest_;
    batch->cursor = cursor_;
  }
  EndRun();
  return Wait(config_.poll_interval);
}

}  // namespace earshot
