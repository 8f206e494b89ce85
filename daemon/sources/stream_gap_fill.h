// StreamGapFill: the cursor and duplicate bookkeeping of a streaming source that fills the gap
// after every (re)connect from its network's REST API (XStreamSource, MastodonStreamSource).
//
// A stream only carries what is published while it is open. So after every connect (and
// after a Restore), once the new stream answered, the source reads what came since the cursor
// from the REST API (the gap fill), and holds the stream's lines until it ends. Meanwhile:
//   - the cursor stays where the gap fill can resume from: the stream's newer ids are only
//     held (held_newest), so a restart mid gap fill resumes the gap instead of skipping it;
//   - a post can come both on the new stream and in the gap fill: a bounded set of recently
//     emitted ids lets the source emit it once.
// When the gap fill ends, the cursor moves to the newest of what it delivered and the held ids.
//
// Ids are the networks' numeric strings (tweet ids, Mastodon ids): decimal, of growing length,
// so they compare by (length, digits), never as plain strings ("10" is newer than "9").
//
// Not thread-safe: used by the source's poller thread only.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace earshot {

class StreamGapFill {
 public:
  // How many emitted ids are remembered: the newest, the oldest forgotten first.
  static constexpr size_t kRecentIds = 4096;

  explicit StreamGapFill(size_t recent_ids = kRecentIds) : recent_cap_(recent_ids) {}

  // True when id `a` is newer than id `b`: longer, or as long and greater.
  static bool Newer(std::string_view a, std::string_view b);

  // The newest id delivered, where a restart resumes; none before the first.
  const std::optional<std::string>& cursor() const { return cursor_; }
  // True from a connect with a cursor (or a Restore) until GapFilled.
  bool pending() const { return pending_; }
  // True once the pending gap fill made its first request.
  bool started() const { return started_; }
  // The newest stream id held while the gap fill runs.
  const std::optional<std::string>& held_newest() const { return held_newest_; }

  // A stored cursor: the next stream's gap fill starts from it.
  void Restore(std::string cursor);
  // A new stream was opened: with a cursor, there is a gap to fill (whatever was published
  // while no stream was open); a gap fill already begun starts over.
  void Connected();
  // The gap fill made its first request (from cursor()).
  void MarkStarted() { started_ = true; }
  // An id the stream delivered: the cursor moves to it when newer, or, while a gap fill is
  // pending, held_newest does.
  void Advance(const std::string& id);
  // The gap fill delivered everything up to `id` (its pages oldest first): the cursor moves
  // there, even while the gap fill goes on.
  void SetCursor(std::string id) { cursor_ = std::move(id); }
  // The gap fill ended, having delivered up to `newest` (none when it did not say): the cursor
  // moves to the newest of it, the cursor and held_newest; no gap is pending any more.
  void GapFilled(const std::optional<std::string>& newest = std::nullopt);

  // True when a post with this id was emitted recently (see Emitted).
  bool SeenBefore(const std::string& id) const { return seen_.contains(id); }
  // A post with this id was emitted. Only the newest recent_ids ids are kept.
  void Emitted(const std::string& id);

 private:
  void Raise(const std::optional<std::string>& id);

  const size_t recent_cap_;
  std::optional<std::string> cursor_;
  bool pending_ = false;
  bool started_ = false;
  std::optional<std::string> held_newest_;
  std::unordered_set<std::string> seen_;  // post ids emitted recently
  std::deque<std::string> seen_order_;    // the same, oldest first
};

}  // namespace earshot
