#include "daemon/sources/stream_gap_fill.h"

#include <utility>

namespace earshot {

bool StreamGapFill::Newer(std::string_view a, std::string_view b) {
  // Decimal strings of growing length; a longer one is newer.
  if (a.size() != b.size()) return a.size() > b.size();
  return a > b;
}

void StreamGapFill::Restore(std::string cursor) {
  cursor_ = std::move(cursor);
  Connected();
}

void StreamGapFill::Connected() {
  if (!cursor_) return;  // nothing delivered yet: no gap to fill
  pending_ = true;
  started_ = false;
  held_newest_.reset();
}

void StreamGapFill::Advance(const std::string& id) {
  if (pending_) {
    if (!held_newest_ || Newer(id, *held_newest_)) held_newest_ = id;
    return;
  }
  if (!cursor_ || Newer(id, *cursor_)) cursor_ = id;
}

void StreamGapFill::Raise(const std::optional<std::string>& id) {
  if (id && (!cursor_ || Newer(*id, *cursor_))) cursor_ = id;
}

void StreamGapFill::GapFilled(const std::optional<std::string>& newest) {
  pending_ = false;
  started_ = false;
  // The gap fill's newest id, then the stream's newer ones.
  Raise(newest);
  Raise(held_newest_);
  held_newest_.reset();
}

void StreamGapFill::Emitted(const std::string& id) {
  if (!seen_.insert(id).second) return;
  seen_order_.push_back(id);
  if (seen_order_.size() > recent_cap_) {
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
}

}  // namespace earshot
