#include "detectors/sentiment_word_table.h"

#include <algorithm>
#include <bit>

namespace earshot::sentiment_internal {

uint64_t WordTable::HashLong(const char* p, size_t n) {
  uint64_t h = 0x452821E638D01377ull ^ n;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = MixMul(h ^ w, 0xBF58476D1CE4E5B9ull);
    p += 8;
    n -= 8;
  }
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  return MixMul(h ^ w, 0x94D049BB133111EBull);
}

WordInfo& WordTable::Add(std::string_view key) {
  const auto [it, inserted] =
      building_.emplace(std::string(key), static_cast<uint32_t>(entries_.size()));
  if (inserted) {
    entries_.push_back(Entry{WordInfo{}, static_cast<uint32_t>(arena_.size()),
                             static_cast<uint32_t>(key.size())});
    arena_.append(key);
  }
  return entries_[it->second].info;
}

void WordTable::Finish() {
  building_.clear();
  arena_.append(kPadding, '\0');  // FindPadded-style loads of the last key stay in bounds
  // At most half full keeps probe runs short on a miss, the common case for social text.
  const size_t capacity = std::bit_ceil(std::max<size_t>(16, entries_.size() * 2));
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (size_t n = 0; n < entries_.size(); ++n) {
    const Entry& e = entries_[n];
    // Empty keys are never looked up (tokens are never empty); keys past 64 KiB cannot be
    // tokens of any text worth scoring and would not fit the slot's length.
    if (e.len == 0 || e.len > 0xFFFF) continue;
    const char* key = arena_.data() + e.offset;
    char padded[16] = {};
    std::memcpy(padded, key, std::min<size_t>(e.len, 16));
    Slot s;
    std::memcpy(&s.w0, padded, 8);
    std::memcpy(&s.w1, padded + 8, 8);
    s.len = static_cast<uint16_t>(e.len);
    s.flags = e.info.flags;
    s.id = e.info.id;
    s.entry = static_cast<uint32_t>(n);
    s.valence = e.info.valence;
    const uint64_t h = e.len <= 16 ? HashShort(s.w0, s.w1, e.len) : HashLong(key, e.len);
    uint64_t i = h & mask_;
    while (slots_[i].len != 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

const WordInfo* WordTable::Find(std::string_view key) const {
  if (key.empty() || slots_.empty()) return nullptr;
  // A key longer than 16 bytes already has the 16 readable bytes FindPadded loads.
  Hit hit;
  if (key.size() > 16) {
    hit = FindPadded(key.data(), key.size());
  } else {
    char padded[16 + kPadding] = {};
    std::memcpy(padded, key.data(), key.size());
    hit = FindPadded(padded, key.size());
  }
  return hit.found ? &entries_[hit.entry].info : nullptr;
}

}  // namespace earshot::sentiment_internal
