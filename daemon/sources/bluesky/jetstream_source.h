// JetstreamSource: a Source that hears every public Bluesky post from a Jetstream instance
// (`wss://jetstream2.us-east.bsky.network/subscribe?wantedCollections=app.bsky.feed.post`), a
// WebSocket that sends each new post, edit and deletion of the whole network as JSON, with no
// credential and no rate limit. earshot filters the stream locally: every post goes to the
// detectors, which keep what names a brand.
//
// How it runs (inside Next, on the poller's thread; no thread of its own):
//   1. Connect to the current instance, with `cursor=` when there is one (below).
//   2. Each Next reads messages for up to `slice` (at most max_events_per_next), parses them
//      (jetstream_event.h) and returns the posts, deletions and the cursor. Between calls
//      nothing is read: while detection or the escalator is behind, the poller does not call,
//      the socket's buffers fill and TCP holds the server back. Memory stays bounded by the
//      kernel's buffers and one slice; nothing is dropped. Jetstream cuts a consumer that
//      stays behind too long; the reconnect then resumes from the cursor.
//   3. When the connection ends (closed, reset, a message cut off mid-way, an upgrade refused,
//      or no message for idle_timeout: Jetstream sends thousands a minute, so silence is a
//      stall), close it and fail over to the next configured instance after a backoff with
//      full jitter; the streak is forgotten once a connection stayed up for stable_after.
//
// Cursor: "<time_us>@<host>", the time_us of the newest event consumed, any kind (so a quiet
// brand still moves it), and the instance whose clock stamped it. A reconnect to the same instance
// asks for `cursor=` that value and drops events at or before it (Jetstream replays from the cursor
// inclusive); so does a Restore whose instance is still configured, which makes a restart exact.
// time_us is each instance's own clock, so after a failover, or a Restore of a cursor from an
// instance no longer configured, the cursor asked for is `rewind` earlier and nothing is dropped by
// time: posts delivered within the rewind are dropped by id here and, across a restart, by the
// escalator's seen posts. Nothing between the cursor and the head is lost.
//
// Authors: an event names its author by DID only. Posts leave Next with the handle cached from
// `identity` events and earlier lookups (empty when unknown, post_parser.h's mapping); the
// poller then asks CompleteAuthors for the posts that matched a rule, which fills handle, name
// and followers through getProfiles on the public AppView within `resolve_within`
// (profile_resolver.h).
//
// Per-event failures are skipped and counted (bad_items, by reason), the stream goes on; a
// binary message is one too (earshot does not ask for compression).
//
// Threads: as every Source, used by its poller thread only; stats() may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/net/websocket_client.h"
#include "daemon/sources/bluesky/jetstream_event.h"
#include "daemon/sources/bluesky/profile_resolver.h"
#include "daemon/sources/rate_budget.h"
#include "daemon/sources/source.h"
#include "daemon/sources/source_counters.h"

namespace earshot {

struct JetstreamSourceConfig {
  std::string name;
  // ws(s):// base URLs of Jetstream instances, tried in order; the next after a failure.
  std::vector<std::string> instances;
  std::shared_ptr<SharedRateBudget> rate_budget;  // unused: Jetstream has no quota
  std::chrono::milliseconds poll_interval{0};     // unused: a stream does not poll
  std::chrono::milliseconds slice{1000};          // longest a Next reads
  // Bounds one batch, and so what the escalator's queue (64 batches) can hold while it is
  // behind: 64,000 posts, tens of MiB.
  int max_events_per_next = 1000;
  std::chrono::milliseconds idle_timeout{30000};  // no message this long: reconnect
  std::chrono::milliseconds stable_after{60000};  // a connection this old forgets the streak
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::microseconds rewind{std::chrono::seconds(5)};  // cursor margin across instances
  RateBudgetOptions backoff;                                  // reconnect backoff
  std::string user_agent = "earshot";
  // Authors of matched posts: getProfiles here (no credential), cached for profile_ttl, and a
  // page waits at most resolve_within for them.
  std::string profiles_url = "https://public.api.bsky.app";
  std::chrono::milliseconds profile_ttl{std::chrono::hours(1)};
  std::chrono::milliseconds resolve_within{2000};
};

// Counters: requests are connection attempts; transport_errors, connections lost (drops,
// stalls, cut messages); server_errors, upgrades refused with an HTTP status.
struct JetstreamSourceStats : SourceCounters {
  std::atomic<int64_t> connects{0}, events{0}, deletes{0}, identities{0}, accounts{0},
      ignored_events{0}, duplicates{0}, stalls{0}, failovers{0};
  // Behind the stream's head as of the newest consumed event: then minus its time_us, in ms.
  std::atomic<int64_t> lag_ms{0};
  // When the poller last came to read (steady clock, ms): while it is held back (the
  // escalator's queue is full, a reconnect waits), nothing is read and the lag grows unseen.
  std::atomic<int64_t> read_at_ms{0};

  // The lag now, for /metrics: lag_ms, plus the time since the last read once that is longer
  // than a read takes (two slices), so a stream held back shows its lag growing.
  int64_t LagMsNow(int64_t steady_now_ms) const {
    const int64_t read = read_at_ms.load(), lag = lag_ms.load();
    const int64_t held = read == 0 ? 0 : steady_now_ms - read;
    return held > 2000 ? lag + held : lag;
  }
};

class JetstreamSource final : public Source {
 public:
  // kInvalidArgument naming the field: no instances, one not ws(s)://, slice / idle_timeout /
  // max_events_per_next <= 0.
  static Result<std::unique_ptr<Source>> Create(JetstreamSourceConfig config, Clock& clock);
  ~JetstreamSource() override;

  std::string_view name() const override { return name_; }
  Result<Pace> Next(std::stop_token stop, HttpClient& http, SourceBatch* batch) override;
  // "<time_us>@<host>" as this source writes them, or bare decimal microseconds (then the
  // instance is not known and the stream rewinds).
  Status Restore(std::string_view cursor) override;
  // Every post of the network: the poller filters locally before the full detector.
  bool hears_everything() const override { return true; }
  bool CompleteAuthors(std::stop_token stop, HttpClient& http, const std::vector<Post*>& posts,
                       SteadyTime deadline) override;

  const JetstreamSourceStats& stats() const { return stats_; }
  const ProfileResolverStats& profile_stats() const { return profiles_.stats(); }
  // The instance in use or to be tried next, for logs and tests.
  const std::string& instance() const { return config_.instances[current_]; }
  // The handle known for `did` ("" if none), for tests.
  std::string HandleOf(const std::string& did) const;

 private:
  JetstreamSource(JetstreamSourceConfig config, Clock& clock);

  Result<Pace> Connect(std::stop_token stop);
  void Handle(const WebSocketMessage& message, SourceBatch* batch);
  // The connection ended (`why`): close, count, move to the next instance, say how long to wait.
  Pace Down(const std::string& why, bool stalled);
  // Whether post `id` at `time_us` was delivered before a failover's rewind brought it again;
  // remembers it otherwise.
  bool Replayed(const std::string& id, int64_t time_us);
  std::string Cursor() const;  // needs cursor_instance_

  const JetstreamSourceConfig config_;
  const std::string name_;  // "jetstream:<name>"
  Clock& clock_;
  WebSocketClient client_;
  bluesky::JetstreamParser parser_;
  bluesky::JetstreamEvent event_;  // reused: parsing keeps its buffers
  RateBudget reconnect_;

  size_t current_ = 0;  // index into config_.instances
  // Which instance wrote last_time_us_: time_us compares only within one instance.
  std::optional<size_t> cursor_instance_;
  int64_t last_time_us_ = 0;  // 0: no cursor yet (start at the head)
  SteadyTime connected_at_{};
  SteadyTime last_message_at_{};

  ProfileResolver profiles_;
  struct Delivered {
    int64_t time_us;
    uint64_t id_hash;
  };
  // Posts delivered within rewind (+ slack) of the newest, oldest first: what a failover's
  // rewind may send again.
  std::deque<Delivered> recent_;
  // After a failover: the hashes of recent_, dropped while the new instance's clock is at or
  // before replay_until_us_.
  std::unordered_set<uint64_t> replayed_;
  int64_t replay_until_us_ = 0;
  JetstreamSourceStats stats_;
};

}  // namespace earshot
