#include "daemon/sources/bluesky/jetstream_source.h"

#include <fmt/format.h>

#include <charconv>

#include "daemon/base/log.h"
#include "daemon/net/url.h"

namespace earshot {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Posts delivered within this much of the newest are remembered (as id hashes) for a failover's
// rewind to drop, beyond the rewind itself: the instances' clocks differ a little.
constexpr std::chrono::microseconds kRewindSlack = std::chrono::seconds(2);

double Secs(milliseconds ms) { return static_cast<double>(ms.count()) / 1000.0; }

std::optional<int64_t> ParseDecimal(std::string_view s) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

Result<std::unique_ptr<Source>> JetstreamSource::Create(JetstreamSourceConfig config,
                                                        Clock& clock) {
  if (config.instances.empty()) {
    return Status::InvalidArgument("instances: name at least one Jetstream URL (wss://...)");
  }
  for (std::string& url : config.instances) {
    if (!url.starts_with("ws://") && !url.starts_with("wss://")) {
      return Status::InvalidArgument(
          fmt::format("instances: '{}' is not a ws:// or wss:// URL", UrlHost(url)));
    }
    while (url.ends_with('/')) url.pop_back();
  }
  if (config.slice <= milliseconds(0) || config.idle_timeout <= milliseconds(0) ||
      config.max_events_per_next <= 0) {
    return Status::InvalidArgument("slice, idle_timeout and max_events_per_next must be > 0");
  }
  return std::unique_ptr<Source>(new JetstreamSource(std::move(config), clock));
}

JetstreamSource::JetstreamSource(JetstreamSourceConfig config, Clock& clock)
    : config_(std::move(config)),
      name_("jetstream:" + config_.name),
      clock_(clock),
      client_(WebSocketOptions{config_.connect_timeout, std::size_t{4} << 20, config_.user_agent}),
      reconnect_(clock, config_.backoff),
      profiles_(ProfileResolverOptions{name_, config_.profiles_url, config_.profile_ttl,
                                       config_.user_agent, config_.backoff},
                clock) {}

JetstreamSource::~JetstreamSource() = default;

Status JetstreamSource::Restore(std::string_view cursor) {
  const size_t at = cursor.find('@');
  std::optional<int64_t> us = ParseDecimal(cursor.substr(0, at));
  if (!us || *us == 0) {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a Jetstream cursor (decimal microseconds, then '@' and the instance)",
        cursor));
  }
  last_time_us_ = *us;
  cursor_instance_.reset();  // unknown instance: rewind on connect
  if (at != std::string_view::npos) {
    const std::string_view host = cursor.substr(at + 1);
    for (size_t i = 0; i < config_.instances.size(); ++i) {
      if (UrlHost(config_.instances[i]) == host) current_ = i, cursor_instance_ = i;
    }
  }
  return Status::Ok();
}

std::string JetstreamSource::Cursor() const {
  return fmt::format("{}@{}", last_time_us_, UrlHost(config_.instances[*cursor_instance_]));
}

std::string JetstreamSource::HandleOf(const std::string& did) const {
  return profiles_.HandleOf(did);
}

bool JetstreamSource::CompleteAuthors(std::stop_token stop, HttpClient& http,
                                      const std::vector<Post*>& posts, SteadyTime deadline) {
  return profiles_.Complete(stop, http, posts,
                            std::min(deadline, clock_.SteadyNow() + config_.resolve_within));
}

Result<Pace> JetstreamSource::Connect(std::stop_token stop) {
  const std::string& base = config_.instances[current_];
  std::string url = base + "/subscribe?wantedCollections=app.bsky.feed.post";
  if (last_time_us_ > 0) {
    // Same instance: its own clock, resume exactly. Otherwise step back `rewind`.
    const int64_t from = cursor_instance_ == current_
                             ? last_time_us_
                             : std::max<int64_t>(1, last_time_us_ - config_.rewind.count());
    url += fmt::format("&cursor={}", from);
  }
  ++stats_.requests;
  ++stats_.connects;
  WebSocketRefusal refusal;
  const Status s = client_.Connect(url, stop, &refusal);
  if (s.code() == Status::Code::kCancelled) return s;
  if (!s.ok()) {
    if (refusal.http_status == 429) {
      ++stats_.rate_limited;
    } else if (refusal.http_status != 0) {
      ++stats_.server_errors;
    } else {
      ++stats_.transport_errors;
    }
    Pace pace = Down(s.message(), false);
    if (refusal.retry_after) {
      if (auto secs = ParseDecimal(*refusal.retry_after)) {
        pace.wait = std::max(pace.wait, milliseconds(*secs * 1000));
      }
    }
    return pace;
  }
  const bool resumed = last_time_us_ > 0;
  log::Info(name_, "listening to Jetstream at {}{}", UrlHost(base),
            resumed ? fmt::format(" from cursor {}", last_time_us_) : std::string(" from now"));
  connected_at_ = clock_.SteadyNow();
  last_message_at_ = connected_at_;
  return Pace{};
}

Pace JetstreamSource::Down(const std::string& why, bool stalled) {
  client_.Close();
  if (stalled) ++stats_.stalls;
  const size_t failed = current_;
  if (config_.instances.size() > 1) {
    current_ = (current_ + 1) % config_.instances.size();
    ++stats_.failovers;
  }
  const Pace pace{reconnect_.Backoff()};
  log::Warn(name_, "Jetstream at {}: {}; reconnecting to {} in {:.1f}s",
            UrlHost(config_.instances[failed]), why, UrlHost(config_.instances[current_]),
            Secs(pace.wait));
  return pace;
}

Result<Pace> JetstreamSource::Next(std::stop_token stop, HttpClient& /*http*/, SourceBatch* batch) {
  stats_.read_at_ms =
      std::chrono::duration_cast<milliseconds>(clock_.SteadyNow().time_since_epoch()).count();
  if (!client_.is_open()) {
    Result<Pace> connected = Connect(stop);
    if (!connected.ok() || !client_.is_open()) return connected;
  }
  const SteadyTime start = clock_.SteadyNow();
  const SteadyTime deadline = start + config_.slice;
  int events = 0;
  while (events < config_.max_events_per_next) {
    const SteadyTime now = clock_.SteadyNow();
    if (now >= deadline) break;
    Result<WebSocketMessage> message =
        client_.Read(duration_cast<milliseconds>(deadline - now), stop);
    if (!message.ok()) {
      const Status::Code code = message.status().code();
      if (code == Status::Code::kCancelled) return message.status();
      if (code == Status::Code::kDeadlineExceeded) break;
      ++stats_.transport_errors;
      if (events > 0 && cursor_instance_) batch->cursor = Cursor();
      return Down(message.status().message(), false);
    }
    ++events;
    batch->fetched = true;
    last_message_at_ = clock_.SteadyNow();
    Handle(*message, batch);
  }
  if (events > 0 && cursor_instance_) batch->cursor = Cursor();
  const SteadyTime now = clock_.SteadyNow();
  if (events == 0 && now - last_message_at_ >= config_.idle_timeout) {
    ++stats_.transport_errors;
    return Down(fmt::format("no message for {:.0f}s (stalled)",
                            Secs(duration_cast<milliseconds>(now - last_message_at_))),
                true);
  }
  if (now - connected_at_ >= config_.stable_after) reconnect_.ResetBackoff();
  return Pace{};
}

void JetstreamSource::Handle(const WebSocketMessage& message, SourceBatch* batch) {
  ++stats_.events;
  if (message.binary) {
    ++stats_.bad_items;
    stats_.skipped.Count("a binary message");
    log::Warn(name_,
              "skipped a binary message of {} bytes from {} (earshot does not ask "
              "for compression)",
              message.data.size(), UrlHost(config_.instances[current_]));
    return;
  }
  const Status parsed = parser_.Parse(message.data, &event_);
  if (!parsed.ok()) {
    ++stats_.bad_items;
    const std::string_view reason = stats_.skipped.Count(parsed.message());
    log::Warn(name_, "skipped a bad Jetstream event from {} ({} bytes, {}): {}",
              UrlHost(config_.instances[current_]), message.data.size(), reason, parsed.message());
    return;
  }
  if (cursor_instance_ != current_) {
    // The first event of another instance (or after a Restore): its clock is the cursor's now.
    // The rewound seconds come again: posts delivered in them are dropped by id until this
    // instance's clock is past them.
    cursor_instance_ = current_;
    replayed_.clear();
    for (const Delivered& d : recent_) replayed_.insert(d.id_hash);
    recent_.clear();
    replay_until_us_ = event_.time_us + config_.rewind.count() + kRewindSlack.count();
  } else if (event_.time_us <= last_time_us_) {
    ++stats_.duplicates;  // replayed from the cursor, which is inclusive
    return;
  }
  last_time_us_ = event_.time_us;
  const int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.Now().time_since_epoch())
          .count();
  stats_.lag_ms = std::max<int64_t>(0, (now_us - event_.time_us) / 1000);
  using Kind = bluesky::JetstreamEvent::Kind;
  switch (event_.kind) {
    case Kind::kPost:
      if (Replayed(event_.post_id, event_.time_us)) {
        ++stats_.duplicates;
        return;
      }
      event_.post.author.handle = profiles_.HandleOf(event_.did);
      ++stats_.posts;
      batch->posts.push_back(std::move(event_.post));
      return;
    case Kind::kDelete:
      ++stats_.deletes;
      batch->deleted_ids.push_back(event_.post_id);
      return;
    case Kind::kIdentity:
      ++stats_.identities;
      profiles_.NoteHandle(event_.did, event_.handle);
      return;
    case Kind::kAccount:
      ++stats_.accounts;
      return;
    case Kind::kOther:
      ++stats_.ignored_events;
      return;
  }
}

bool JetstreamSource::Replayed(const std::string& id, int64_t time_us) {
  // Every post delivered is remembered for a while as a hash (cheap: no string is copied), and
  // only a failover's rewind window looks them up.
  const uint64_t hash = std::hash<std::string>{}(id);
  if (time_us <= replay_until_us_) {
    if (replayed_.count(hash) > 0) return true;
  } else if (!replayed_.empty()) {
    replayed_.clear();
  }
  recent_.push_back(Delivered{time_us, hash});
  const int64_t keep = config_.rewind.count() + kRewindSlack.count();
  while (!recent_.empty() && recent_.front().time_us < time_us - keep) recent_.pop_front();
  return false;
}

}  // namespace earshot
