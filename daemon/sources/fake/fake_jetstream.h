// FakeJetstream: Bluesky's Jetstream firehose on loopback, a real WebSocket server (Boost.Beast),
// for tests and `earshot demo`. It speaks what a Jetstream instance speaks:
//   GET /subscribe?wantedCollections=app.bsky.feed.post[&wantedCollections=...][&cursor=US]
//       Upgrade: websocket -> one JSON text message per event, oldest first:
//       {"did","time_us","kind":"commit","commit":{"rev","operation","collection","rkey",
//        "record","cid"}} for create / update (record) and delete (none),
//       {"did","time_us","kind":"identity","identity":{"did","handle","seq","time"}},
//       {"did","time_us","kind":"account","account":{"active","did","seq","time"[,"status"]}}.
//   Commits outside wantedCollections are not sent (identity and account events always are, as
//   Jetstream does). Without a cursor the stream starts at the head (only events added after
//   the connection); with one, it replays every event whose time_us >= cursor, then follows
//   the head. A cursor older than everything replays everything (the fake's retention is
//   unbounded). Any other path is 404; a request that is not an upgrade is 400.
//
// time_us: the fake's clock in microseconds, strictly increasing per event.
//
// Two ways to play, one per fake: the explicit log (AddCommit, AddIdentity, AddAccount, AddRaw,
// for tests that script each event) or a generated firehose (PlayGenerated, for load: millions
// of events, none stored; fake_jetstream_firehose.h). Once PlayGenerated is called the Add*
// calls add nothing and return 0; PlayGenerated on a fake whose log has events is refused.
// In generated mode the events are sent in real time at the plan's rate (each when its time_us
// is due by the fake's clock), or as fast as the client reads with posts_per_second = 0; a
// connection without a cursor starts with the first event not yet due, one with a cursor at
// the first event whose time_us >= cursor, computed from the cursor, so a restart replays
// exactly. After the plan's last event the connection stays open and quiet. Faults apply the
// same way in both modes. A connection already open when PlayGenerated(kNow) is called moves
// to the firehose; with kFirstSubscriber the next upgrade starts it.
//
// Faults, consumed one connection or one event at a time, in order (FakeJetstreamFault):
//   kRefuse           the next upgrade is answered with `http_status` (and Retry-After)
//   kDisconnect       after `after_events` more events, half of the next event's frame is
//                     written (a fragment, fin=false) and the TCP connection is cut: the
//                     client sees a message begin and never end. That event is sent again on
//                     the reconnect that asks for it.
//   kMalformed        after `after_events` more events, a text message `frame` is sent (not
//                     JSON, or JSON that is no event); the stream then goes on
//   kStall            after `after_events` more events, nothing is sent for `duration` (no
//                     close, the connection stays up)
//   kClose            after `after_events` more events, a close frame (1001 going away)
//
// Threads: every public method is thread-safe. One thread accepts, one serves each connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/sources/fake/fake_jetstream_firehose.h"

namespace earshot {

struct FakeJetstreamFault {
  enum class Kind { kRefuse, kDisconnect, kMalformed, kStall, kClose };
  Kind kind = Kind::kDisconnect;
  int after_events = 0;
  int http_status = 503;                  // kRefuse
  std::optional<int> retry_after_s;       // kRefuse
  std::string frame = "{not json";        // kMalformed
  std::chrono::milliseconds duration{0};  // kStall
};

struct FakeJetstreamOptions {
  uint16_t port = 0;       // 0: the kernel picks one
  Clock* clock = nullptr;  // time_us and event times; null = the real clock
};

class FakeJetstream {
 public:
  static Result<std::unique_ptr<FakeJetstream>> Start(FakeJetstreamOptions options = {});
  ~FakeJetstream();

  // "ws://127.0.0.1:<port>", no trailing slash.
  std::string url() const;

  // Appends a commit to the log and returns its time_us. `record_json` is the record object
  // (app.bsky.feed.post: text, createdAt, langs, facets, reply), written as given; "" for a
  // delete. `collection` defaults to posts.
  int64_t AddCommit(const std::string& did, const std::string& rkey, const std::string& operation,
                    const std::string& record_json,
                    const std::string& collection = "app.bsky.feed.post");
  int64_t AddIdentity(const std::string& did, const std::string& handle);
  int64_t AddAccount(const std::string& did, bool active, const std::string& status = "");
  // A raw frame, sent as given in its place in the log (it still gets a time_us slot, so a
  // cursor past it skips it). For poison frames.
  int64_t AddRaw(const std::string& frame);

  // When a generated firehose's first post is due.
  enum class FirehoseStart {
    kNow,              // at this call: a client connecting later without cursor misses the past
    kFirstSubscriber,  // at the first upgrade after this call, which hears it from slot 0
  };
  // Plays the generated firehose `plan` instead of the log. kInvalidArgument when the log
  // already has events or a firehose is playing.
  Status PlayGenerated(FirehosePlan plan, FirehoseStart start = FirehoseStart::kFirstSubscriber);
  // The firehose being played, to name what was sent (PostId, Tally); null before it started
  // (kFirstSubscriber waits for the first upgrade) and in log mode.
  std::shared_ptr<const JetstreamFirehose> firehose() const;

  void Inject(FakeJetstreamFault fault);
  // Cuts every open connection at once (TCP reset-like: no close frame).
  void DropConnections();

  // What clients asked for, in order: the cursor of each upgrade (nullopt: none).
  std::vector<std::optional<int64_t>> cursors() const;
  int connections() const;       // upgrades accepted
  int64_t events_sent() const;   // event messages written (faults' frames not counted)
  int64_t head_time_us() const;  // the newest event's time_us; generated: now, or the last's

  void Stop();

 private:
  class Impl;
  explicit FakeJetstream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace earshot
