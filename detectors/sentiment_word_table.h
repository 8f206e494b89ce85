// WordTable: the scorer's one lookup per token. A flat open-addressing hash from a lowercase
// word (string_view, no allocation to look up) to everything VADER's rules need to know about it:
// its lexicon valence, booster scalar, whether it negates, which rule word it is ("but", "least",
// "kind", ...), and whether an overlay phrase starts with it.
//
// Built once by SentimentAnalyzer, then read-only; concurrent Find() calls are safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace earshot::sentiment_internal {

enum WordFlag : uint8_t {
  kInLexicon = 1,    // has a valence
  kBooster = 2,      // in VADER's booster/dampener list
  kNegation = 4,     // in VADER's negation list
  kPhraseStart = 8,  // first word of an overlay phrase
  kPhrase = 16,      // an overlay phrase itself ("on hold")
};

// The words VADER's rules name, so the rules compare small integers, never strings.
enum class WordId : uint8_t {
  kNone, kNo, kBut, kKind, kOf, kLeast, kAt, kVery, kNever, kSo, kThis, kWithout, kDoubt, kOr,
  kNor, kThe, kShit, kBomb, kBad, kAss, kBus, kStop, kYeah, kRight, kKiss, kDeath, kTo, kDie,
  kFor, kBeating, kHeart, kBroken, kJust, kEnough, kSort,
};

struct WordInfo {
  double valence = 0;          // when kInLexicon
  double booster = 0;          // when kBooster
  uint8_t flags = 0;
  WordId id = WordId::kNone;
  uint8_t max_phrase_words = 0;  // when kPhraseStart: longest phrase starting here, in words
};

inline uint64_t MixMul(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// A fast hash for short words: 8 bytes per multiply.
inline uint64_t HashWord(const char* p, size_t n) {
  uint64_t h = 0x243F6A8885A308D3ull ^ n;
  while (n > 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = MixMul(h ^ w, 0x9E3779B97F4A7C15ull);
    p += 8;
    n -= 8;
  }
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  return MixMul(h ^ w, 0xBF58476D1CE4E5B9ull);
}

class WordTable {
 public:
  // Build phase: returns the entry for `key`, creating an empty one.
  WordInfo& Add(std::string_view key);
  // Ends the build phase and lays out the hash.
  void Finish();

  const WordInfo* Find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    const uint64_t h = HashWord(key.data(), key.size());
    const auto tag = static_cast<uint32_t>(h >> 32);
    for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.index == 0) return nullptr;
      if (s.tag != tag) continue;
      const Entry& e = entries_[s.index - 1];
      if (e.len == key.size() && std::memcmp(arena_.data() + e.offset, key.data(), e.len) == 0) {
        return &e.info;
      }
    }
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Slot {
    uint32_t tag = 0;
    uint32_t index = 0;  // entry + 1; 0 marks an empty slot
  };
  struct Entry {
    uint32_t offset;
    uint32_t len;
    WordInfo info;
  };

  std::string arena_;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  std::unordered_map<std::string, uint32_t> building_;
};

}  // namespace earshot::sentiment_internal
