#include "daemon/sources/mastodon/mastodon_stream_source.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "daemon/base/log.h"
#include "daemon/net/url.h"
#include "daemon/sources/mastodon/streaming_redirect.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;

constexpr size_t kDeletedCap = 1024;
constexpr size_t kMaxPendingEventBytes = 8 << 20;
constexpr int kMaxNoHead = 3;     // stream failures without a response before leaving the host
constexpr int kMaxRedirects = 3;  // redirects followed in a row before calling it a loop

double Secs(milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

bool UrlSafe(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '~';
  });
}

// ws(s)://host -> http(s)://host, without a trailing slash; "" when not a URL we can use.
std::string HttpBase(std::string_view url) {
  std::string out;
  if (url.starts_with("wss://")) {
    out = "https://" + std::string(url.substr(6));
  } else if (url.starts_with("ws://")) {
    out = "http://" + std::string(url.substr(5));
  } else if (url.starts_with("https://") || url.starts_with("http://")) {
    out = std::string(url);
  } else {
    return "";
  }
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (UrlHost(out).empty() || out.find_first_of("?#") != std::string::npos) return "";
  return out;
}

// The streaming URL an Instance entity advertises (v2 or v1 shape), or "".
std::string StreamingUrlOf(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) return "";
  std::string_view url;
  if (root.at_pointer("/configuration/urls/streaming").get(url) == simdjson::SUCCESS) {
    return HttpBase(url);
  }
  if (root.at_pointer("/urls/streaming_api").get(url) == simdjson::SUCCESS) return HttpBase(url);
  return "";
}

// As MastodonSource: the configured domain, else base_url's host without its port.
std::string LocalDomain(const MastodonSourceConfig& c) {
  if (!c.local_domain.empty()) return c.local_domain;
  const std::string host = UrlHost(c.base_url);
  return host.substr(0, host.rfind(':') == std::string::npos ? host.size() : host.rfind(':'));
}

}  // namespace

Result<std::unique_ptr<Source>> MastodonStreamSource::Create(MastodonStreamSourceConfig config,
                                                             Clock& clock) {
  if (config.slice.count() <= 0) {
    return Status::InvalidArgument(
        fmt::format("mastodon source '{}': 'slice' must be positive", config.mastodon.name));
  }
  if (config.idle_timeout < milliseconds(1000)) {
    return Status::InvalidArgument(fmt::format(
        "mastodon source '{}': 'idle_timeout' must be at least 1s", config.mastodon.name));
  }
  while (!config.mastodon.base_url.empty() && config.mastodon.base_url.back() == '/') {
    config.mastodon.base_url.pop_back();
  }
  if (!config.mastodon.tag.empty() && config.mastodon.tag.front() == '#') {
    config.mastodon.tag.erase(0, 1);
  }
  // MastodonSource validates the shared fields and does the gap fills.
  EARSHOT_ASSIGN_OR_RETURN(std::unique_ptr<Source> rest,
                           MastodonSource::Create(config.mastodon, clock));
  EARSHOT_ASSIGN_OR_RETURN(std::unique_ptr<SseClient> sse, SseClient::Create(config.user_agent));
  return std::unique_ptr<Source>(
      new MastodonStreamSource(std::move(config), clock, std::move(rest), std::move(sse)));
}

MastodonStreamSource::MastodonStreamSource(MastodonStreamSourceConfig config, Clock& clock,
                                           std::unique_ptr<Source> rest,
                                           std::unique_ptr<SseClient> sse)
    : config_(std::move(config)),
      name_("mastodon:" + config_.mastodon.name),
      host_(UrlHost(config_.mastodon.base_url)),
      clock_(clock),
      rest_(std::move(rest)),
      sse_(std::move(sse)),
      parser_(LocalDomain(config_.mastodon)),
      reconnect_(clock, config_.mastodon.backoff),
      token_(config_.mastodon.token) {}

void MastodonStreamSource::ReloadCredentials() {
  rest_->ReloadCredentials();  // logs what it found; the stream's token is the same file
  if (!config_.mastodon.token_file.empty()) Reread(config_.mastodon.token_file, &token_);
}

Status MastodonStreamSource::Restore(std::string_view cursor) {
  if (cursor.empty() || cursor.size() > 64 || !UrlSafe(cursor)) {
    return Status::InvalidArgument(
        fmt::format("{}: stored cursor '{}' is not a Mastodon id", name_, cursor.substr(0, 64)));
  }
  // A stream already open missed nothing that the gap fill of its connection will not fetch.
  gap_.Restore(std::string(cursor));
  return Status::Ok();
}

std::vector<std::string> MastodonStreamSource::TakeDeletedIds() {
  std::vector<std::string> out(deleted_.begin(), deleted_.end());
  deleted_.clear();
  return out;
}

Result<Pace> MastodonStreamSource::Discover(std::stop_token stop, HttpClient& http) {
  HttpRequest req;
  req.url = config_.mastodon.base_url + "/api/v1/instance";
  req.total_timeout = config_.mastodon.request_timeout;
  req.connect_timeout = std::min(config_.mastodon.request_timeout, milliseconds(10000));
  req.headers.emplace_back("Accept", "application/json");
  ++stats_.discovery_requests;
  Result<HttpResponse> sent = http.Send(req, stop);
  if (!sent.ok()) {
    if (sent.status().code() == Status::Code::kCancelled || stop.stop_requested()) {
      return Status::Cancelled(name_ + ": cancelled");
    }
    const milliseconds wait = reconnect_.Backoff();
    log::Warn(name_,
              {{"source", name_},
               {"network", "mastodon"},
               {"host", host_},
               {"retry_in_ms", wait.count()}},
              "cannot ask {} for its streaming host: {}; retrying in {:.1f}s", host_,
              sent.status().message(), Secs(wait));
    return Pace{wait};
  }
  if (sent->status == 429 || sent->status >= 500) {
    const milliseconds wait = reconnect_.Backoff();
    log::Warn(name_,
              {{"source", name_},
               {"network", "mastodon"},
               {"host", host_},
               {"retry_in_ms", wait.count()},
               {"http_status", sent->status}},
              "HTTP {} from {} for the instance; retrying in {:.1f}s", sent->status, host_,
              Secs(wait));
    return Pace{wait};
  }
  std::string url = sent->status == 200 ? StreamingUrlOf(sent->body) : "";
  if (url.empty()) {
    url = config_.mastodon.base_url;
    log::Info(name_, "{} advertises no streaming URL (HTTP {}); streaming from the instance itself",
              host_, sent->status);
  } else {
    log::Info(name_, "streaming from {}", UrlHost(url));
  }
  streaming_url_ = url;
  discovered_url_ = std::move(url);
  discovered_ = true;
  reconnect_.ResetBackoff();
  return Pace{milliseconds(0)};
}

Status MastodonStreamSource::OpenStream() {
  HttpRequest req;
  req.url = streaming_url_;
  switch (config_.mastodon.kind) {
    case MastodonSourceConfig::Kind::kHashtag:
      req.url += "/api/v1/streaming/hashtag?tag=" + PercentEncode(config_.mastodon.tag);
      break;
    case MastodonSourceConfig::Kind::kMentions:
      req.url += "/api/v1/streaming/user/notification";
      break;
    case MastodonSourceConfig::Kind::kPublic:
      req.url += "/api/v1/streaming/public";
      break;
    case MastodonSourceConfig::Kind::kLocal:
      req.url += "/api/v1/streaming/public/local";
      break;
  }
  req.connect_timeout = std::min(config_.mastodon.request_timeout, milliseconds(10000));
  req.total_timeout = config_.idle_timeout;  // the idle guard, for a stream
  req.headers.emplace_back("Accept", "text/event-stream");
  // Retrying after a rejected token: the file may have been replaced since; read it again.
  if (auth_failures_ > 0 && !config_.mastodon.token_file.empty()) {
    Reread(config_.mastodon.token_file, &token_);
  }
  if (!token_.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_);
  sse_parser_.Reset();
  EARSHOT_RETURN_IF_ERROR(sse_->Open(req));
  ++stats_.connects;
  streaming_ = true;
  connected_at_ = clock_.Now();
  // Whatever was published while no stream was open comes from the REST timeline.
  gap_.Connected();
  return Status::Ok();
}

void MastodonStreamSource::Emit(Post post, bool allow_repeat, SourceBatch* batch) {
  if (gap_.SeenBefore(post.id) && !allow_repeat) {
    ++stats_.duplicates;
    return;
  }
  gap_.Emitted(post.id);
  ++stats_.posts;
  batch->posts.push_back(std::move(post));
}

void MastodonStreamSource::HandleEvent(const SseEvent& event, SourceBatch* batch) {
  ++stats_.events;
  // Hashtag and public streams carry statuses; the notification stream, notifications.
  const bool statuses = config_.mastodon.kind != MastodonSourceConfig::Kind::kMentions;
  if (event.type == "delete") {
    ++stats_.deletes;
    log::Info(name_, "status {} was deleted", event.data);
    deleted_.push_back(event.data);
    if (deleted_.size() > kDeletedCap) deleted_.pop_front();
    // Also handed on with the batch, so the escalator can resolve the post's incident.
    batch->deleted_ids.push_back(event.data);
    return;
  }
  const bool update = event.type == "update" && statuses;
  const bool edit = event.type == "status.update";
  const bool notification = event.type == "notification" && !statuses;
  if (!update && !edit && !notification) {
    ++stats_.ignored_events;
    return;
  }
  mastodon::ParsedPage page;
  const std::string array = "[" + event.data + "]";
  const Status parsed = notification ? parser_.ParseNotificationPage(array, &page)
                                     : parser_.ParseStatusPage(array, &page);
  if (!parsed.ok() || !page.errors.empty()) {
    ++stats_.bad_items;
    const std::string& why = parsed.ok() ? page.errors.front() : parsed.message();
    const std::string_view reason = stats_.skipped.Count(why);
    log::Warn(name_, "skipped a bad '{}' event from {} ({} bytes, {}): {}", event.type, host_,
              event.data.size(), reason, why);
    if (parsed.ok() && page.newest_id && !edit) gap_.Advance(*page.newest_id);
    return;
  }
  if (page.ignored > 0) ++stats_.ignored_events;  // a notification other than a mention
  if (edit) ++stats_.edits;
  for (Post& post : page.posts) Emit(std::move(post), edit, batch);
  // An edit is of an older status: it never moves the cursor.
  if (page.newest_id && !edit) gap_.Advance(*page.newest_id);
}

Pace MastodonStreamSource::StreamDown() {
  const long status = sse_->status();
  std::optional<std::string> location;
  if (auto header = sse_->Header("location")) location = std::string(*header);
  streaming_ = false;
  sse_->Close();
  sse_parser_.Reset();  // an event cut off mid-way is never delivered half
  held_bytes_.clear();  // the next connection's gap fill fetches these again
  // A redirect followed is an answer, not a lost stream: only a refused one counts below.
  if (mastodon::IsStreamingRedirect(status)) return Redirected(status, std::move(location));
  ++stats_.transport_errors;
  if (status == 401 || status == 403) {
    ++stats_.auth_errors;
    ++auth_failures_;
    const CredentialFile& file = config_.mastodon.token_file;
    const milliseconds max = config_.mastodon.backoff.backoff_max;
    Pace pace{file.empty() ? max : AuthRetryWait(config_.mastodon.auth_retry, auth_failures_, max)};
    pace.credentials_rejected = true;
    if (file.empty()) {
      log::Error(name_,
                 "token rejected by the streaming API of {} (HTTP {}: revoked, expired, or "
                 "missing the read scope); no token_file to re-read: set token_file (or "
                 "token_credential) and restart. Retrying in {:.0f}s",
                 host_, status, Secs(pace.wait));
      return pace;
    }
    const std::string outcome = Reread(file, &token_);
    rest_->ReloadCredentials();  // the gap fills use the same token
    log::Error(name_,
               "token rejected by the streaming API of {} (HTTP {}: revoked, expired, or missing "
               "the read scope); re-reading {} and retrying in {:.0f}s: {}{}",
               host_, status, file.Describe(), Secs(pace.wait), outcome,
               outcome == kSameCredential
                   ? "; replace it with a valid token (a reload, SIGHUP, retries at once)"
                   : "");
    return pace;
  }
  if (status == 429) {
    ++stats_.rate_limited;
    milliseconds wait{0};
    if (auto ra = sse_->Header("retry-after")) {
      if (auto parsed = ParseRetryAfter(*ra, clock_.Now())) wait = *parsed;
    }
    wait = std::max(wait, reconnect_.Backoff());
    log::Warn(name_,
              {{"source", name_},
               {"network", "mastodon"},
               {"host", host_},
               {"retry_in_ms", wait.count()},
               {"http_status", 429}},
              "HTTP 429 from the streaming API of {}; reconnecting in {:.1f}s", host_, Secs(wait));
    return Pace{wait};
  }
  if (clock_.Now() - connected_at_ >= config_.stable_after) reconnect_.ResetBackoff();
  const milliseconds wait = reconnect_.Backoff();
  // An advertised streaming host that never answers (a stale instance setting, a firewall):
  // Mastodon also serves the streaming API behind the instance's own host, so try that.
  no_head_in_a_row_ = status == 0 ? no_head_in_a_row_ + 1 : 0;
  if (no_head_in_a_row_ >= kMaxNoHead && streaming_url_ != config_.mastodon.base_url) {
    log::Warn(name_, "streaming host {} did not answer {} times; streaming from {} instead",
              UrlHost(streaming_url_), no_head_in_a_row_, host_);
    streaming_url_ = config_.mastodon.base_url;
    no_head_in_a_row_ = 0;
  }
  if (status != 0 && status != 200) {
    ++stats_.server_errors;
    log::Warn(name_,
              {{"source", name_},
               {"network", "mastodon"},
               {"host", host_},
               {"retry_in_ms", wait.count()},
               {"http_status", status}},
              "HTTP {} from the streaming API of {}; reconnecting in {:.1f}s", status, host_,
              Secs(wait));
  } else {
    const Status& why = sse_->end_status();
    log::Warn(name_,
              {{"source", name_},
               {"network", "mastodon"},
               {"host", host_},
               {"retry_in_ms", wait.count()},
               {"failures", reconnect_.failures()}},
              "stream from {} ended ({}); reconnecting in {:.1f}s (failure {} in a row)", host_,
              why.ok() ? "closed by the server" : why.message(), Secs(wait), reconnect_.failures());
  }
  return Pace{wait};
}

Pace MastodonStreamSource::Redirected(long status, std::optional<std::string> location) {
  const std::string from = UrlHost(streaming_url_);
  Result<std::string> base =
      location ? mastodon::StreamingBaseFromRedirect(*location, streaming_url_)
               : Result<std::string>(Status::InvalidArgument("the answer has no Location header"));
  std::string why;
  if (!base.ok()) {
    why = base.status().message();
  } else if (++redirects_in_a_row_ > kMaxRedirects) {
    why = fmt::format("that is {} redirects in a row without a stream (a loop?)",
                      redirects_in_a_row_);
  } else {
    ++stats_.redirects;
    streaming_url_ = std::move(base).value();
    no_head_in_a_row_ = 0;
    log::Info(name_, "{} redirects its streaming API to {}; streaming from there", from,
              UrlHost(streaming_url_));
    return Pace{milliseconds(0)};  // a redirect is an answer, not a failure: reconnect now
  }
  ++stats_.bad_redirects;
  ++stats_.transport_errors;
  redirects_in_a_row_ = 0;
  streaming_url_ = discovered_url_;
  const milliseconds wait = reconnect_.Backoff();
  log::Error(
      name_,
      "HTTP {} from the streaming API of {} cannot be followed: {}. The instance's streaming "
      "host is misconfigured: its admin should set STREAMING_API_BASE_URL (advertised as "
      "urls.streaming_api) to the wss:// or https:// streaming host; meanwhile use "
      "'mode: poll' for this source. Retrying from {} in {:.1f}s",
      status, from, why, UrlHost(streaming_url_), Secs(wait));
  return Pace{wait};
}

Result<Pace> MastodonStreamSource::GapFill(std::stop_token stop, HttpClient& http,
                                           SourceBatch* batch) {
  auto& rest = static_cast<MastodonSource&>(*rest_);
  if (!gap_.started()) {
    EARSHOT_RETURN_IF_ERROR(rest.Restore(*gap_.cursor()));
    gap_.MarkStarted();
    log::Info(name_, "filling the gap since {} from the REST timeline", *gap_.cursor());
  }
  const int64_t pages = rest.stats().pages.load();
  const int64_t items = rest.stats().posts.load() + rest.stats().bad_items.load();
  SourceBatch page;
  ++stats_.requests;
  EARSHOT_ASSIGN_OR_RETURN(Pace pace, rest.Next(stop, http, &page));
  if (rest.stats().pages.load() == pages) return pace;  // failed; MastodonSource logged it
  batch->fetched = page.fetched;
  stats_.gap_fill_posts += static_cast<int64_t>(page.posts.size());
  for (Post& post : page.posts) Emit(std::move(post), false, batch);
  if (page.cursor) gap_.SetCursor(*page.cursor);
  const bool caught_up =
      rest.stats().posts.load() + rest.stats().bad_items.load() - items < config_.mastodon.limit;
  if (caught_up) {
    gap_.GapFilled();
    batch->cursor = gap_.cursor();
    return Pace{milliseconds(0)};
  }
  if (gap_.cursor()) batch->cursor = gap_.cursor();
  return pace;  // the REST budget's spacing while pages keep coming
}

Result<Pace> MastodonStreamSource::Next(std::stop_token stop, HttpClient& http,
                                        SourceBatch* batch) {
  if (stop.stop_requested()) return Status::Cancelled(name_ + ": cancelled");
  if (!discovered_) return Discover(stop, http);
  if (!streaming_) EARSHOT_RETURN_IF_ERROR(OpenStream());
  // The gap fill waits for the new stream's 200 head, so nothing published meanwhile is missed:
  // it is either in the REST pages or on the stream (or both; Emit drops the repeat).
  if (gap_.pending() && gap_.cursor() && sse_->status() == 200) return GapFill(stop, http, batch);

  const std::optional<std::string> cursor_before = gap_.cursor();
  std::string bytes;
  // Held bytes are due now: do not wait a whole slice for more before delivering them.
  const milliseconds wait =
      !gap_.pending() && !held_bytes_.empty() ? milliseconds(0) : config_.slice;
  Result<SseClient::State> state = sse_->Pump(stop, wait, &bytes);
  if (!state.ok()) {
    if (stop.stop_requested()) return Status::Cancelled(name_ + ": cancelled");
    return state.status();
  }
  const long status = sse_->status();
  if (status != 0 && status != 200) return StreamDown();
  if (status == 200) redirects_in_a_row_ = auth_failures_ = 0;
  // Any byte from a 200 stream, a heartbeat included, shows the network answering.
  if (status == 200 && !bytes.empty()) batch->fetched = true;
  if (gap_.pending()) {
    // Events that came with the new stream's head are newer than the gap: keep them until the
    // gap fill has delivered what came before, so posts stay oldest first.
    held_bytes_ += bytes;
    bytes.clear();
  } else if (!held_bytes_.empty()) {
    bytes.insert(0, held_bytes_);
    held_bytes_.clear();
  }
  if (!bytes.empty()) {
    const int64_t comments = sse_parser_.comments();
    std::vector<SseEvent> events;
    sse_parser_.Feed(bytes, &events);
    stats_.heartbeats += sse_parser_.comments() - comments;
    for (const SseEvent& event : events) HandleEvent(event, batch);
  }
  if (gap_.cursor() != cursor_before) batch->cursor = gap_.cursor();
  if (sse_parser_.pending_bytes() > kMaxPendingEventBytes ||
      held_bytes_.size() > kMaxPendingEventBytes) {
    // A runaway event, or a gap fill that cannot finish while the stream keeps talking: start
    // over rather than buffer without bound (the next gap fill covers what is dropped here).
    log::Warn(name_, "more than {} bytes of events from {} are waiting; reconnecting",
              kMaxPendingEventBytes, host_);
    return StreamDown();
  }
  if (*state == SseClient::State::kEnded) return StreamDown();
  if (clock_.Now() - connected_at_ >= config_.stable_after) reconnect_.ResetBackoff();
  return Pace{milliseconds(0)};
}

}  // namespace earshot
