#include "daemon/sources/x/x_stream_source.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/log.h"
#include "daemon/net/url.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;
using Failure = x::XReconnectPolicy::Failure;

constexpr size_t kMaxPendingBytes = 8 << 20;

double Secs(milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

bool TweetId(std::string_view s) {
  return !s.empty() && s.size() <= 20 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<std::unique_ptr<Source>> XStreamSource::Create(XStreamSourceConfig config, Clock& clock) {
  const std::string who = fmt::format("x source '{}'", config.x.name);
  if (config.x.query.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'mode: stream' needs a 'query' (it becomes the stream's rule); the mention timeline "
        "has no stream, use 'mode: poll' with mentions_of",
        who));
  }
  if (config.slice.count() <= 0) {
    return Status::InvalidArgument(fmt::format("{}: 'slice' must be positive", who));
  }
  if (config.stall_timeout < milliseconds(1000)) {
    return Status::InvalidArgument(fmt::format("{}: 'stall_timeout' must be at least 1s", who));
  }
  if (config.stable_after.count() <= 0) {
    return Status::InvalidArgument(fmt::format("{}: 'stable_after' must be positive", who));
  }
  while (!config.x.base_url.empty() && config.x.base_url.back() == '/') {
    config.x.base_url.pop_back();
  }
  // XSource validates the shared fields and does the gap fills.
  EARSHOT_ASSIGN_OR_RETURN(std::unique_ptr<Source> rest, XSource::Create(config.x, clock));
  EARSHOT_ASSIGN_OR_RETURN(std::unique_ptr<SseClient> stream, SseClient::Create(config.user_agent));
  return std::unique_ptr<Source>(
      new XStreamSource(std::move(config), clock, std::move(rest), std::move(stream)));
}

XStreamSource::XStreamSource(XStreamSourceConfig config, Clock& clock, std::unique_ptr<Source> rest,
                             std::unique_ptr<SseClient> stream)
    : config_(std::move(config)),
      name_("x:" + config_.x.name),
      host_(UrlHost(config_.x.base_url)),
      tag_(config_.rule_tag.empty() ? "earshot:" + config_.x.name : config_.rule_tag),
      clock_(clock),
      rest_(std::move(rest)),
      stream_(std::move(stream)),
      policy_(clock, config_.stable_after),
      rules_budget_(clock, config_.x.backoff),
      rules_http_(name_, "x", host_, rules_budget_, stats_,
                  SourceHttp::Headers(rules_budget_, "x-rate-limit-limit", "x-rate-limit-remaining",
                                      "x-rate-limit-reset"),
                  config_.x.request_timeout) {}

Status XStreamSource::Restore(std::string_view cursor) {
  if (!TweetId(cursor)) {
    return Status::InvalidArgument(
        fmt::format("{}: stored cursor '{}' is not a tweet id", name_, cursor.substr(0, 64)));
  }
  // A stream already open missed nothing that the gap fill of its connection will not fetch.
  gap_.Restore(std::string(cursor));
  return Status::Ok();
}

std::optional<HttpResponse> XStreamSource::RulesRequest(std::stop_token stop, HttpClient& http,
                                                        std::string body, std::optional<Pace>* pace,
                                                        Status* cancelled) {
  HttpRequest req;
  req.url = config_.x.base_url + "/2/tweets/search/stream/rules";
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("Authorization", "Bearer " + config_.x.bearer_token);
  if (!body.empty()) {
    req.method = "POST";
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = std::move(body);
  }
  Result<HttpResponse> sent = rules_http_.Send(stop, http, std::move(req), pace);
  if (!sent.ok()) {
    ++stats_.rule_errors;
    if (!*pace) *cancelled = sent.status();
    return std::nullopt;
  }
  const HttpResponse& resp = *sent;
  const milliseconds long_wait =
      std::max(rules_budget_.options().backoff_max, rules_budget_.SpreadWait());
  if (resp.status == 401 || resp.status == 403) {
    ++stats_.auth_errors;
    ++stats_.rule_errors;
    if (resp.status == 401) {
      log::Error(name_,
                 "HTTP 401 from {} for the stream rules: the bearer token was rejected (revoked "
                 "or regenerated); replace the token file and restart. Retrying in {:.0f}s",
                 host_, Secs(long_wait));
    } else {
      log::Error(name_,
                 "HTTP 403 from {} for the stream rules: the app's access level does not "
                 "include the filtered stream, or the app is not in a project; check the "
                 "developer portal, or use 'mode: poll'. Retrying in {:.0f}s",
                 host_, Secs(long_wait));
    }
    *pace = Pace{long_wait};
    return std::nullopt;
  }
  if (auto throttled = rules_http_.Throttled(resp)) {
    ++stats_.rule_errors;
    *pace = *throttled;
    return std::nullopt;
  }
  return std::move(sent).value();
}

Pace XStreamSource::RulesPace() const {
  // The rules budget spaces rules requests only: once in step, the stream connects at once.
  if (rule_step_ == RuleStep::kDone) return Pace{milliseconds(0)};
  return Pace{rules_budget_.NextSlot(milliseconds(0))};
}

Result<Pace> XStreamSource::SyncRules(std::stop_token stop, HttpClient& http) {
  const milliseconds long_wait =
      std::max(rules_budget_.options().backoff_max, rules_budget_.SpreadWait());
  std::string body;
  if (rule_step_ == RuleStep::kAdd) body = x::AddRuleBody(config_.x.query, tag_);
  if (rule_step_ == RuleStep::kDelete) body = x::DeleteRulesBody(plan_.delete_ids);
  std::optional<Pace> pace;
  Status cancelled;
  std::optional<HttpResponse> resp = RulesRequest(stop, http, body, &pace, &cancelled);
  if (!cancelled.ok()) return cancelled;
  if (!resp) return *pace;

  if (rule_step_ == RuleStep::kList) {
    std::vector<x::StreamRule> rules;
    Status parsed =
        resp->status == 200 ? x::ParseRuleList(rules_parser_, resp->body, &rules) : Status::Ok();
    if (resp->status != 200) {
      ++stats_.client_errors;
      ++stats_.rule_errors;
      log::Error(name_,
                 "HTTP {} from {} listing the stream rules: unexpected; check base_url. "
                 "Retrying in {:.0f}s",
                 resp->status, host_, Secs(long_wait));
      return Pace{long_wait};
    }
    if (!parsed.ok()) {
      ++stats_.rule_errors;
      return rules_http_.Malformed("rule list", resp->body.size(), parsed);
    }
    plan_ = x::PlanRules(rules, config_.x.query, tag_);
    rule_ids_ = {plan_.match_ids.begin(), plan_.match_ids.end()};
    if (!plan_.foreign_tag.empty() && !told_foreign_) {
      told_foreign_ = true;
      log::Info(name_,
                "the app already has a stream rule with this query, tagged '{}' (another "
                "client's); using it as it is, since X keeps one rule per value",
                plan_.foreign_tag);
    }
    rule_step_ = plan_.add                   ? RuleStep::kAdd
                 : !plan_.delete_ids.empty() ? RuleStep::kDelete
                                             : RuleStep::kDone;
    rules_budget_.ResetBackoff();
    return RulesPace();
  }

  x::RuleChange change;
  Status parsed = x::ParseRuleChange(rules_parser_, resp->body, &change);
  const bool answered = resp->status == 200 || resp->status == 201 || resp->status == 400;
  if (!answered || !parsed.ok()) {
    ++stats_.rule_errors;
    if (!answered) {
      ++stats_.client_errors;
      log::Error(name_,
                 "HTTP {} from {} changing the stream rules: unexpected; check base_url. "
                 "Retrying in {:.0f}s",
                 resp->status, host_, Secs(long_wait));
      return Pace{long_wait};
    }
    return rules_http_.Malformed("rule change", resp->body.size(), parsed);
  }
  if (rule_step_ == RuleStep::kAdd) {
    for (const x::StreamRule& r : change.created) {
      ++stats_.rules_added;
      rule_ids_.insert(r.id);
      log::Info(name_, "added the stream rule {} tagged '{}'", r.id, r.tag);
    }
    if (change.created.empty()) {
      ++stats_.rule_errors;
      const bool duplicate =
          std::any_of(change.errors.begin(), change.errors.end(),
                      [](const x::RuleError& e) { return e.title == "DuplicateRule"; });
      if (duplicate) {
        // Added meanwhile (by another process with the same app): list again and use it.
        log::Warn(name_, "X says the stream rule exists already; listing the rules again");
        rule_step_ = RuleStep::kList;
        return Pace{rules_budget_.Backoff()};
      }
      const x::RuleError none;
      const x::RuleError& e = change.errors.empty() ? none : change.errors.front();
      log::Error(name_,
                 "X refused the query as a stream rule ({}{}{}); fix 'query' (stream rules take "
                 "the search syntax, at most 512 characters on most access levels) or use "
                 "'mode: poll'. Retrying in {:.0f}s",
                 e.title.empty() ? fmt::format("HTTP {}", resp->status) : e.title,
                 e.detail.empty() ? "" : ": ", e.detail, Secs(long_wait));
      return Pace{long_wait};
    }
    rule_step_ = plan_.delete_ids.empty() ? RuleStep::kDone : RuleStep::kDelete;
  } else {
    stats_.rules_deleted += change.deleted;
    log::Info(name_, "deleted {} stale stream rule(s) tagged '{}'", change.deleted, tag_);
    for (const x::RuleError& e : change.errors) {
      log::Warn(name_, "X did not delete stream rule {}: {} {}", e.id.empty() ? e.value : e.id,
                e.title, e.detail);
    }
    rule_step_ = RuleStep::kDone;
  }
  rules_budget_.ResetBackoff();
  return RulesPace();
}

Status XStreamSource::OpenStream() {
  HttpRequest req;
  req.url = fmt::format(
      "{}/2/tweets/search/stream?tweet.fields={}&expansions=author_id&user.fields={}",
      config_.x.base_url, PercentEncode(x::kTweetFields), PercentEncode(x::kUserFields));
  req.connect_timeout = std::min(config_.x.request_timeout, milliseconds(10000));
  req.total_timeout = milliseconds(0);  // no libcurl idle guard: Next watches for a stall
  req.headers.emplace_back("Accept", "application/json");
  req.headers.emplace_back("Authorization", "Bearer " + config_.x.bearer_token);
  partial_.clear();
  EARSHOT_RETURN_IF_ERROR(stream_->Open(req));
  ++stats_.connects;
  streaming_ = true;
  head_seen_ = false;
  last_byte_at_ = clock_.SteadyNow();
  // Whatever was published while no stream was open comes from recent search.
  gap_.Connected();
  return Status::Ok();
}

void XStreamSource::Emit(Post post, SourceBatch* batch) {
  if (gap_.SeenBefore(post.id)) {
    ++stats_.duplicates;
    return;
  }
  gap_.Emitted(post.id);
  ++stats_.posts;
  batch->posts.push_back(std::move(post));
}

bool XStreamSource::Ours(const x::ParsedStreamLine& line) const {
  if (!line.has_rules) return true;  // X always says; a line that does not is not refused
  return std::any_of(line.rules.begin(), line.rules.end(), [&](const x::MatchingRule& r) {
    return r.tag == tag_ || rule_ids_.contains(r.id);
  });
}

void XStreamSource::HandleLine(std::string_view line, SourceBatch* batch) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) {
    ++stats_.keep_alives;
    return;
  }
  ++stats_.lines;
  x::ParsedStreamLine parsed;
  if (Status s = parser_.ParseStreamLine(line, &parsed); !s.ok()) {
    ++stats_.bad_items;
    const std::string_view reason = stats_.skipped.Count(s.message());
    log::Warn(name_, "skipped a bad stream line from {} ({} bytes, {}): {}", host_, line.size(),
              reason, s.message());
    return;
  }
  if (!parsed.problem.empty()) {
    ++stats_.notices;
    log::Warn(name_, "X says on the stream: {}", parsed.problem);
    return;
  }
  if (!Ours(parsed)) {
    ++stats_.other_rules;
    return;
  }
  if (!parsed.error.empty()) {
    ++stats_.bad_items;
    const std::string_view reason = stats_.skipped.Count(parsed.error);
    log::Warn(name_, "skipped a bad tweet on the stream from {} ({}): {}", host_, reason,
              parsed.error);
  } else if (parsed.retweet) {
    ++stats_.retweets_ignored;
  } else if (parsed.post) {
    Emit(std::move(*parsed.post), batch);
  }
  // Past a bad tweet or a retweet too, as the polling source's newest_id.
  if (TweetId(parsed.id)) gap_.Advance(parsed.id);
}

void XStreamSource::FeedLines(std::string_view bytes, SourceBatch* batch) {
  partial_.append(bytes);
  size_t start = 0;
  for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
    HandleLine(std::string_view(partial_).substr(start, nl - start), batch);
  }
  partial_.erase(0, start);
}

Pace XStreamSource::StreamDown(std::string_view why) {
  const long status = stream_->status();
  const std::optional<std::string_view> retry_after_header = stream_->Header("retry-after");
  std::optional<milliseconds> retry_after;
  if (retry_after_header) retry_after = ParseRetryAfter(*retry_after_header, clock_.Now());
  const Status end = stream_->end_status();
  streaming_ = false;
  head_seen_ = false;
  stream_->Close();
  partial_.clear();  // a line cut off mid-way is never delivered half; the gap fill fetches it
  held_.clear();     // the next connection's gap fill fetches these again
  rule_step_ = RuleStep::kList;  // one GET before reconnecting, in case the rules drifted
  if (status == 0 || status == 200) {
    ++stats_.transport_errors;
    const milliseconds wait = policy_.Failed(Failure::kNetwork);
    const std::string reason = !why.empty() ? std::string(why)
                               : end.ok()   ? "closed by the server"
                                            : end.message();
    log::Warn(name_, "stream from {} ended ({}); reconnecting in {:.2f}s (attempt {})", host_,
              reason, Secs(wait), policy_.attempts(Failure::kNetwork));
    return Pace{wait};
  }
  if (status == 429) {
    ++stats_.rate_limited;
    milliseconds wait = policy_.Failed(Failure::kRateLimited);
    if (retry_after && *retry_after > wait) wait = *retry_after;
    log::Warn(name_,
              "HTTP 429 from {} for the stream: too many connects in the window (X allows 50 "
              "per 15 minutes per app); reconnecting in {:.0f}s",
              host_, Secs(wait));
    return Pace{wait};
  }
  const milliseconds wait = policy_.Failed(Failure::kHttp);
  if (status == 401 || status == 403) {
    ++stats_.auth_errors;
    if (status == 401) {
      log::Error(name_,
                 "HTTP 401 from {} for the stream: the bearer token was rejected (revoked or "
                 "regenerated); replace the token file and restart. Retrying in {:.0f}s",
                 host_, Secs(wait));
    } else {
      log::Error(name_,
                 "HTTP 403 from {} for the stream: the app's access level does not include the "
                 "filtered stream, or the app is not in a project; check the developer portal, "
                 "or use 'mode: poll'. Retrying in {:.0f}s",
                 host_, Secs(wait));
    }
    return Pace{wait};
  }
  ++stats_.server_errors;
  if (status == 409) {
    log::Error(name_,
               "HTTP 409 from {} for the stream: another connection already holds this app's "
               "filtered stream (most access levels allow one); stop the other client or give "
               "this source another app's token. Retrying in {:.0f}s",
               host_, Secs(wait));
  } else {
    log::Warn(name_, "HTTP {} from {} for the stream; reconnecting in {:.0f}s", status, host_,
              Secs(wait));
  }
  return Pace{wait};
}

Result<Pace> XStreamSource::GapFill(std::stop_token stop, HttpClient& http, SourceBatch* batch) {
  auto& rest = static_cast<XSource&>(*rest_);
  if (!gap_.started()) {
    EARSHOT_RETURN_IF_ERROR(rest.Restore(*gap_.cursor()));
    gap_.MarkStarted();
    log::Info(name_, "filling the gap since tweet {} from recent search", *gap_.cursor());
  }
  const int64_t pages = rest.stats().pages.load();
  SourceBatch page;
  ++stats_.requests;
  EARSHOT_ASSIGN_OR_RETURN(Pace pace, rest.Next(stop, http, &page));
  // The stream is not read while the gap fill runs (its bytes wait in the socket), so the time
  // spent here, rate-limit waits included, is no evidence of a stall.
  last_byte_at_ = clock_.SteadyNow();
  if (rest.stats().pages.load() == pages) return pace;  // failed; XSource logged it
  batch->fetched = page.fetched;
  stats_.gap_fill_posts += static_cast<int64_t>(page.posts.size());
  for (Post& post : page.posts) Emit(std::move(post), batch);
  if (rest.paging()) return pace;  // the budget's spacing while pages keep coming
  // The run's newest id (none when nothing was missed), then the stream's newer ones.
  gap_.GapFilled(page.cursor);
  batch->cursor = gap_.cursor();
  return Pace{milliseconds(0)};
}

Result<Pace> XStreamSource::Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) {
  if (stop.stop_requested()) return Status::Cancelled(name_ + ": cancelled");
  // The reconnect policy holds whoever calls: an early call gets the rest of the wait.
  if (!streaming_) {
    if (const milliseconds left = policy_.Remaining(); left.count() > 0) return Pace{left};
    if (rule_step_ != RuleStep::kDone) return SyncRules(stop, http);
    EARSHOT_RETURN_IF_ERROR(OpenStream());
  }
  // The gap fill waits for the new stream's 200, so nothing published meanwhile is missed: it
  // is in the search pages or on the stream (or both; Emit drops the repeat).
  if (gap_.pending() && gap_.cursor() && head_seen_) return GapFill(stop, http, batch);

  const std::optional<std::string> cursor_before = gap_.cursor();
  std::string bytes;
  // Held lines are due now: do not wait a whole slice for more before delivering them.
  const milliseconds wait = !gap_.pending() && !held_.empty() ? milliseconds(0) : config_.slice;
  Result<SseClient::State> state = stream_->Pump(stop, wait, &bytes);
  if (!state.ok()) {
    if (stop.stop_requested()) return Status::Cancelled(name_ + ": cancelled");
    return state.status();
  }
  const long status = stream_->status();
  if (status != 0 && status != 200) return StreamDown("");
  if (status == 200 && !head_seen_) {
    head_seen_ = true;
    policy_.Connected();
    log::Info(name_, "connected to the filtered stream of {} (rule tagged '{}')", host_, tag_);
  }
  if (!bytes.empty()) {
    last_byte_at_ = clock_.SteadyNow();
    batch->fetched = true;  // a keep-alive too shows the network answering
  }
  if (gap_.pending() && gap_.cursor()) {
    // Lines that came with the new stream's head are newer than the gap: keep them until the
    // gap fill has delivered what came before.
    held_ += bytes;
  } else {
    held_ += bytes;
    FeedLines(held_, batch);
    held_.clear();
  }
  if (gap_.cursor() != cursor_before) batch->cursor = gap_.cursor();
  if (partial_.size() > kMaxPendingBytes || held_.size() > kMaxPendingBytes) {
    // A runaway line, or a gap fill that cannot finish while the stream keeps talking: start
    // over rather than buffer without bound (the next gap fill covers what is dropped here).
    return StreamDown(fmt::format("more than {} bytes waiting", kMaxPendingBytes));
  }
  if (*state == SseClient::State::kEnded) return StreamDown("");
  if (bytes.empty() && clock_.SteadyNow() - last_byte_at_ >= config_.stall_timeout) {
    ++stats_.stalls;
    return StreamDown(
        fmt::format("stalled: no data and no keep-alive for {:.0f}s", Secs(config_.stall_timeout)));
  }
  policy_.StillUp();
  return Pace{milliseconds(0)};
}

}  // namespace earshot
