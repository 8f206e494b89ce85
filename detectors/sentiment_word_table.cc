#include "detectors/sentiment_word_table.h"

#include <algorithm>
#include <bit>

namespace earshot::sentiment_internal {

WordInfo& WordTable::Add(std::string_view key) {
  const auto [it, inserted] =
      building_.emplace(std::string(key), static_cast<uint32_t>(entries_.size()));
  if (inserted) {
    entries_.push_back(Entry{static_cast<uint32_t>(arena_.size()),
                             static_cast<uint32_t>(key.size()), WordInfo{}});
    arena_.append(key);
  }
  return entries_[it->second].info;
}

void WordTable::Finish() {
  building_.clear();
  // At most half full keeps probe runs short on a miss, the common case for social text.
  const size_t capacity = std::bit_ceil(std::max<size_t>(16, entries_.size() * 2));
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (size_t n = 0; n < entries_.size(); ++n) {
    const Entry& e = entries_[n];
    const uint64_t h = HashWord(arena_.data() + e.offset, e.len);
    uint64_t i = h & mask_;
    while (slots_[i].index != 0) i = (i + 1) & mask_;
    slots_[i] = Slot{static_cast<uint32_t>(h >> 32), static_cast<uint32_t>(n + 1)};
  }
}

}  // namespace earshot::sentiment_internal
