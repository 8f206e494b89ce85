#include "daemon/sources/x/x_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "daemon/base/log.h"
#include "daemon/net/url.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;

double Secs(milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

using x::kTweetFields;
using x::kUserFields;

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
  const bool mentions = !config.mentions_of.empty() || !config.user_id.empty();
  while (!config.mentions_of.empty() && config.mentions_of.front() == '@') {
    config.mentions_of.erase(0, 1);
  }
  if (config.query.empty() && !mentions) {
    return Status::InvalidArgument(fmt::format(
        "{}: say what to read: a search 'query' such as \"@AcmeAir -is:retweet\", or "
        "'mentions_of' an account's username",
        who));
  }
  if (!config.query.empty() && mentions) {
    return Status::InvalidArgument(fmt::format(
        "{}: give either 'query' (recent search) or 'mentions_of'/'user_id' (the account's "
        "mention timeline), not both",
        who));
  }
  auto all_of = [](const std::string& s, auto pred) {
    return std::all_of(s.begin(), s.end(), pred);
  };
  if (!config.user_id.empty() &&
      (config.user_id.size() > 20 || !all_of(config.user_id, [](char c) {
        return c >= '0' && c <= '9';
      }))) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'user_id' '{}' is not a numeric X user id", who, config.user_id.substr(0, 40)));
  }
  if (!config.mentions_of.empty() &&
      (config.mentions_of.size() > 15 || !all_of(config.mentions_of, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      }))) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'mentions_of' '{}' is not an X username (1 to 15 letters, digits or '_')", who,
        config.mentions_of.substr(0, 40)));
  }
  if (config.bearer_token.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{}: the bearer token is empty; set token_file to the app's bearer token", who));
  }
  const int min_results = mentions ? 5 : 10;
  if (config.max_results < min_results || config.max_results > 100) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'max_results' is {}; X {} pages hold {} to 100", who, config.max_results,
        mentions ? "mention timeline" : "recent search", min_results));
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
      budget_(clock, config_.backoff, config_.rate_budget),
      http_(name_, "x", host_, budget_, stats_,
            SourceHttp::Headers(budget_, "x-rate-limit-limit", "x-rate-limit-remaining",
                                "x-rate-limit-reset"),
            config_.request_timeout) {}

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
  if (mentions()) {
    std::string url = fmt::format(
        "{}/2/users/{}/mentions?max_results={}&tweet.fields={}&expansions=author_id"
        "&user.fields={}",
        config_.base_url, user_id_, config_.max_results, PercentEncode(kTweetFields),
        PercentEncode(kUserFields));
    if (since_id_) url += "&since_id=" + *since_id_;
    if (next_token_) url += "&pagination_token=" + PercentEncode(*next_token_);
    return url;
  }
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

Result<HttpResponse> XSource::Get(std::stop_token stop, HttpClient& http, std::string url,
                                  std::optional<Pace>* pace) {
  HttpRequest req;
  req.url = std::move(url);
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("Authorization", "Bearer " + config_.bearer_token);
  return http_.Send(stop, http, std::move(req), pace);
}

std::optional<Pace> XSource::Refused(const HttpResponse& resp, std::string_view what) {
  if (resp.status == 200) return std::nullopt;
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
                 "HTTP 403 from {}: the app's access level does not allow {}, or the "
                 "app is not in a project; check the developer portal. Retrying in {:.0f}s",
                 host_, what, Secs(wait));
    }
    return Pace{wait};
  }
  if (auto throttled = http_.Throttled(resp)) return throttled;
  return std::nullopt;  // the caller handles the other 4xx
}

Result<Pace> XSource::LookUpUser(std::stop_token stop, HttpClient& http) {
  ++stats_.user_lookups;
  std::optional<Pace> pace;
  auto sent = Get(stop, http,
                  fmt::format("{}/2/users/by/username/{}", config_.base_url,
                              PercentEncode(config_.mentions_of)),
                  &pace);
  if (!sent.ok()) {
    if (pace) ++stats_.lookup_errors;
    if (pace) return *pace;
    return sent.status();
  }
  if (auto failed = Refused(*sent, "user lookup")) {
    ++stats_.lookup_errors;
    return *failed;
  }
  const milliseconds long_wait = std::max(budget_.options().backoff_max, budget_.SpreadWait());
  if (sent->status != 200) {
    ++stats_.client_errors;
    ++stats_.lookup_errors;
    log::Error(name_,
               "HTTP {} from {} looking up @{}: unexpected; check base_url and mentions_of. "
               "Retrying in {:.0f}s",
               sent->status, host_, config_.mentions_of, Secs(long_wait));
    return Pace{long_wait};
  }
  x::UserLookup user;
  if (Status parsed = parser_.ParseUserLookup(sent->body, &user); !parsed.ok()) {
    ++stats_.malformed_pages;
    ++stats_.lookup_errors;
    return http_.Failure(fmt::format("malformed user lookup from {} ({} bytes): {}", host_,
                                     sent->body.size(), parsed.message()));
  }
  if (user.id.empty()) {
    ++stats_.lookup_errors;
    log::Error(name_,
               "X has no usable account @{} ({}); check mentions_of (the username, without '@'), "
               "or set user_id. Retrying in {:.0f}s",
               config_.mentions_of, user.problem, Secs(long_wait));
    return Pace{long_wait};
  }
  budget_.ResetBackoff();
  user_id_ = std::move(user.id);
  log::Info(name_, "reading the mentions of @{} (user id {})", config_.mentions_of, user_id_);
  return Wait(milliseconds(0));
}

Result<Pace> XSource::Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) {
  if (stop.stop_requested()) return Status::Cancelled(name_ + ": cancelled");
  if (mentions() && user_id_.empty()) return LookUpUser(stop, http);
  if (!next_token_) since_id_ = cursor_;  // a new run: since_id stays fixed until it ends
  std::optional<Pace> pace;
  auto sent = Get(stop, http, Url(), &pace);
  if (!sent.ok()) {
    if (pace) return *pace;
    return sent.status();
  }
  const HttpResponse& resp = *sent;
  if (auto failed = Refused(resp, mentions() ? "the user mention timeline" : "recent search")) {
    return *failed;
  }
  if (resp.status == 400 && next_token_) {
    ++stats_.client_errors;
    log::Warn(name_, "HTTP 400 from {} while paging; restarting from the cursor", host_);
    EndRun();
    return http_.Failure("request refused");
  }
  if (resp.status == 400 && cursor_ && !mentions()) {
    ++stats_.client_errors;
    log::Warn(name_,
              "HTTP 400 from {} for since_id={}: the cursor is older than recent search's "
              "7-day window; starting from the newest tweets",
              host_, *cursor_);
    cursor_.reset();
    EndRun();
    return http_.Failure("request refused");
  }
  if (resp.status != 200) {
    ++stats_.client_errors;
    const milliseconds wait = budget_.options().backoff_max;
    log::Error(name_, "HTTP {} from {}: unexpected; check base_url and {}. Retrying in {:.0f}s",
               resp.status, host_, mentions() ? "user_id / mentions_of" : "the query", Secs(wait));
    return Pace{wait};
  }

  x::ParsedTweetPage page;
  if (Status parsed = parser_.ParsePage(resp.body, &page); !parsed.ok()) {
    if (const std::string problem = parser_.ProblemDetail(resp.body); !problem.empty()) {
      // X answers a request about a missing account with 200 and a problem body.
      ++stats_.client_errors;
      const milliseconds wait = std::max(budget_.options().backoff_max, budget_.SpreadWait());
      log::Error(name_, "{} refused the request ({}); check {}. Retrying in {:.0f}s", host_,
                 problem, mentions() ? "user_id / mentions_of" : "the query", Secs(wait));
      // A looked-up id that stopped working is looked up again (the account may be renamed).
      if (mentions() && config_.user_id.empty()) user_id_.clear();
      EndRun();
      return Pace{wait};
    }
    return http_.Malformed("page", resp.body.size(), parsed);
  }
  http_.PageArrived(batch, page.errors, "tweet");
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
