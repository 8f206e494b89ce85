// WordTable: the scorer's one lookup per token. A flat open-addressing hash from a lowercase
// word to everything VADER's rules need to know about it: its lexicon valence, booster scalar,
// whether it negates, which rule word it is ("but", "least", "kind", ...), and whether an
// overlay phrase starts with it.
//
// Why this shape: scoring is mostly lookups, and the table (about 7,700 words) is bigger than L1.
// Each slot is 32 bytes and holds the first 16 bytes of its key inline, so a lookup of a word of
// up to 16 bytes (nearly all of them) touches one cache line and compares two integers; longer
// keys compare the rest from an arena. Keys are string_views: looking up allocates nothing.
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
  kBooster = 2,      // in VADER's booster/dampener list (scalar +0.293)...
  kDampener = 4,     // ...with kBooster: a dampener (scalar -0.293)
  kNegation = 8,     // in VADER's negation list
  kPhraseStart = 16,  // first word of an overlay phrase
  kPhrase = 32,      // an overlay phrase itself ("on hold")
};

// The words VADER's rules name, so the rules compare small integers, never strings.
enum class WordId : uint8_t {
  kNone, kNo, kBut, kKind, kOf, kLeast, kAt, kVery, kNever, kSo, kThis, kWithout, kDoubt, kOr,
  kNor, kThe, kShit, kBomb, kBad, kAss, kBus, kStop, kYeah, kRight, kKiss, kDeath, kTo, kDie,
  kFor, kBeating, kHeart, kBroken, kJust, kEnough, kSort,
};

struct WordInfo {
  double valence = 0;            // when kInLexicon
  uint8_t flags = 0;
  WordId id = WordId::kNone;
  uint8_t max_phrase_words = 0;  // when kPhraseStart: longest phrase starting here, in words
};

class WordTable {
 public:
  // Bytes FindPadded may read past the end of its key.
  static constexpr size_t kPadding = 16;

  // Build phase: returns the entry for `key` (not empty), creating it.
  WordInfo& Add(std::string_view key);
  // Ends the build phase and lays out the hash.
  void Finish();

  // What a lookup finds, all of it copied into the slot, so a lookup touches one cache line.
  struct Hit {
    double valence;  // when kInLexicon
    uint32_t entry;  // for Info()
    uint8_t flags;
    WordId id;
    bool found;
  };

  // Hash of `n` bytes at `p`, which must be followed by kPadding readable bytes.
  static uint64_t HashPadded(const char* p, size_t n) {
    uint64_t w0, w1;
    LoadPadded(p, n, &w0, &w1);
    return n <= 16 ? HashShort(w0, w1, n) : HashLong(p, n);
  }

  // Starts loading the slot a hash probes first, so a later lookup finds it in cache.
  void Prefetch(uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }

  // Looks up `n` bytes at `p` (followed by kPadding readable bytes) whose hash is `h`.
  Hit FindPadded(const char* p, size_t n, uint64_t h) const {
    uint64_t w0, w1;
    LoadPadded(p, n, &w0, &w1);
    for (uint64_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.len == n && s.w0 == w0 && s.w1 == w1) {
        if (n <= 16 || std::memcmp(arena_.data() + entries_[s.entry].offset, p, n) == 0) {
          return Hit{s.valence, s.entry, s.flags, s.id, true};
        }
      } else if (s.len == 0) {
        return Hit{0, 0, 0, WordId::kNone, false};
      }
    }
  }
  Hit FindPadded(const char* p, size_t n) const { return FindPadded(p, n, HashPadded(p, n)); }

  // Looks up any key (copies a short key into a padded buffer first); null when absent.
  const WordInfo* Find(std::string_view key) const;
  // The full entry of a hit (for the rarely needed max_phrase_words).
  const WordInfo& InfoAt(uint32_t entry) const { return entries_[entry].info; }

  // Hash of a key of at most 16 bytes given as its two zero-padded little-endian words.
  static uint64_t HashShort(uint64_t w0, uint64_t w1, uint64_t n) {
    return MixMul(w0 ^ 0x243F6A8885A308D3ull, w1 ^ 0x9E3779B97F4A7C15ull ^ (n << 56));
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    WordInfo info;
    uint32_t offset;  // of the key in arena_
    uint32_t len;
  };
  struct alignas(32) Slot {
    uint64_t w0 = 0;    // key bytes 0-7, zero padded
    uint64_t w1 = 0;    // key bytes 8-15, zero padded
    uint16_t len = 0;   // 0 marks an empty slot (keys are never empty)
    uint8_t flags = 0;
    WordId id = WordId::kNone;
    uint32_t entry = 0;
    double valence = 0;
  };
  static_assert(sizeof(Slot) == 32);

  static void LoadPadded(const char* p, size_t n, uint64_t* w0, uint64_t* w1) {
    std::memcpy(w0, p, 8);
    std::memcpy(w1, p + 8, 8);
    if (n < 16) {
      if (n <= 8) {
        *w1 = 0;
        if (n < 8) *w0 &= (uint64_t{1} << (8 * n)) - 1;
      } else {
        *w1 &= (uint64_t{1} << (8 * (n - 8))) - 1;
      }
    }
  }

  static uint64_t MixMul(uint64_t a, uint64_t b) {
    const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
  }

 public:
  static uint64_t HashLong(const char* p, size_t n);

 private:
  std::string arena_;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  uint64_t mask_ = 0;
  std::unordered_map<std::string, uint32_t> building_;
};

}  // namespace earshot::sentiment_internal
