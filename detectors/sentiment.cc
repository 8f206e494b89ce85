#include "detectors/sentiment.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "detectors/sentiment_but.h"
#include "detectors/sentiment_text.h"
#include "detectors/sentiment_word_table.h"
#include "detectors/utf8.h"

namespace earshot {

using sentiment_internal::WordId;
using sentiment_internal::WordInfo;
using sentiment_internal::WordTable;

namespace {

// The reference's empirically derived constants (Hutto & Gilbert 2014).
constexpr double kBoosterIncr = 0.293;    // B_INCR: "very", "extremely", ...
constexpr double kBoosterDecr = -0.293;   // B_DECR: "barely", "kind of", ...
constexpr double kCapsIncr = 0.733;       // C_INCR: an ALL-CAPS word in mixed-case text
constexpr double kNegationScalar = -0.74; // N_SCALAR
constexpr double kAlpha = 15;             // compound normalisation

constexpr const char* kNegations[] = {
    "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't",
    "can't", "couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent",
    "isnt", "mightnt", "mustnt", "neither", "don't", "hadn't", "hasn't", "haven't", "isn't",
    "mightn't", "mustn't", "neednt", "needn't", "never", "none", "nope", "nor", "not",
    "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "oughtn't",
    "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont", "wouldnt", "won't",
    "wouldn't", "rarely", "seldom", "despite"};

constexpr const char* kBoosters[] = {
    "absolutely", "amazingly", "awfully", "completely", "considerable", "considerably",
    "decidedly", "deeply", "effing", "enormous", "enormously", "entirely", "especially",
    "exceptional", "exceptionally", "extreme", "extremely", "fabulously", "flipping", "flippin",
    "frackin", "fracking", "fricking", "frickin", "frigging", "friggin", "fully", "fuckin",
    "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely", "incredible",
    "incredibly", "intensely", "major", "majorly", "more", "most", "particularly", "purely",
    "quite", "really", "remarkably", "so", "substantially", "thoroughly", "total", "totally",
    "tremendous", "tremendously", "uber", "unbelievably", "unusually", "utter", "utterly",
    "very"};

// Single-word dampeners; the two-word ones ("kind of", "sort of", "just enough") are matched
// by word ids in SpecialIdioms and the "kind of" skip.
constexpr const char* kDampeners[] = {
    "almost", "barely", "hardly", "kinda", "kindof", "kind-of", "less", "little", "marginal",
    "marginally", "occasional", "occasionally", "partly", "scarce", "scarcely", "slight",
    "slightly", "somewhat", "sorta", "sortof", "sort-of"};

struct RuleWord {
  const char* word;
  WordId id;
};
constexpr RuleWord kRuleWords[] = {
    {"no", WordId::kNo},           {"but", WordId::kBut},         {"kind", WordId::kKind},
    {"of", WordId::kOf},           {"least", WordId::kLeast},     {"at", WordId::kAt},
    {"very", WordId::kVery},       {"never", WordId::kNever},     {"so", WordId::kSo},
    {"this", WordId::kThis},       {"without", WordId::kWithout}, {"doubt", WordId::kDoubt},
    {"or", WordId::kOr},           {"nor", WordId::kNor},         {"the", WordId::kThe},
    {"shit", WordId::kShit},       {"bomb", WordId::kBomb},       {"bad", WordId::kBad},
    {"ass", WordId::kAss},         {"bus", WordId::kBus},         {"stop", WordId::kStop},
    {"yeah", WordId::kYeah},       {"right", WordId::kRight},     {"kiss", WordId::kKiss},
    {"death", WordId::kDeath},     {"to", WordId::kTo},           {"die", WordId::kDie},
    {"for", WordId::kFor},         {"beating", WordId::kBeating}, {"heart", WordId::kHeart},
    {"broken", WordId::kBroken},   {"just", WordId::kJust},       {"enough", WordId::kEnough},
    {"sort", WordId::kSort},
};

// SPECIAL_CASES of two words: "the shit" 3, "bad ass" 1.5, "yeah right" -2, ...
bool SpecialCase2(WordId a, WordId b, double* v) {
  switch (a) {
    case WordId::kThe:
      if (b == WordId::kShit || b == WordId::kBomb) return *v = 3, true;
      return false;
    case WordId::kBad: return b == WordId::kAss ? (*v = 1.5, true) : false;
    case WordId::kBus: return b == WordId::kStop ? (*v = 0.0, true) : false;
    case WordId::kYeah: return b == WordId::kRight ? (*v = -2, true) : false;
    case WordId::kBeating: return b == WordId::kHeart ? (*v = 3.1, true) : false;
    case WordId::kBroken: return b == WordId::kHeart ? (*v = -2.9, true) : false;
    default: return false;
  }
}

// SPECIAL_CASES of three words: "kiss of death" -1.5, "to die for" 3.
bool SpecialCase3(WordId a, WordId b, WordId c, double* v) {
  if (a == WordId::kKiss && b == WordId::kOf && c == WordId::kDeath) return *v = -1.5, true;
  if (a == WordId::kTo && b == WordId::kDie && c == WordId::kFor) return *v = 3, true;
  return false;
}

// Two-word entries of BOOSTER_DICT, all dampeners.
bool DampenerBigram(WordId a, WordId b) {
  return (a == WordId::kJust && b == WordId::kEnough) ||
         ((a == WordId::kKind || a == WordId::kSort) && b == WordId::kOf);
}

struct Token {
  uint32_t lower_begin;  // offsets into Scratch::lower
  uint32_t lower_end;
  union {
    uint64_t hash;   // while tokenizing: the word's hash, its slot being prefetched
    double valence;  // after lookup: the lexicon valence, when flags has kInLexicon
  };
  uint32_t entry;        // the table entry, when flags has kPhraseStart
  uint8_t flags;         // WordFlag bits from the table; 0 for a word nothing knows
  WordId id;
  uint8_t case_bits;     // sentiment_text::CaseBits
  bool upper;            // str.isupper()
  bool maybe_nt;         // has an apostrophe or non-ASCII: might contain "n't"
};

// Per-thread working memory, kept between calls so steady-state scoring never allocates.
struct Scratch {
  std::string text;  // the text with emoji replaced by their descriptions
  // Lowercased tokens, each followed by one space, then WordTable::kPadding bytes of slack.
  // Zero-filled when allocated, so the slack a lookup reads is always initialised.
  std::unique_ptr<char[]> lower;
  size_t lower_capacity = 0;
  std::vector<Token> tokens;
  std::vector<double> sentiments;

  char* LowerBuffer(size_t text_size) {
    // Lowercasing grows a code point by at most half (U+0130 -> "i" U+0307, 2 -> 3 bytes), and
    // each token adds one space, so 2 bytes per input byte always suffice.
    const size_t need = 2 * text_size + 1 + WordTable::kPadding;
    if (need > lower_capacity) {
      lower_capacity = std::max(need, size_t{4096});
      lower.reset(new char[lower_capacity]());
    }
    return lower.get();
  }
};
thread_local Scratch t_scratch;

// Byte classes for the tokenizer's ASCII fast path.
enum ByteClass : uint8_t { kWordByte = 0, kSpaceByte = 1, kHighByte = 2 };
constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    t[c] = c >= 0x80 ? kHighByte
                     : utf8::IsAsciiSpace(static_cast<unsigned char>(c)) ? kSpaceByte : kWordByte;
  }
  return t;
}
constexpr std::array<uint8_t, 256> kByteClass = MakeByteClasses();

// SWAR: eight bytes at a time in a uint64_t (little-endian: byte 0 is the lowest).
constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;

inline uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// 0x80 in each byte of v that is zero, exactly (no false positives).
inline uint64_t ZeroBytes(uint64_t v) {
  const uint64_t t = (v & ~kHighs) + ~kHighs;
  return ~(t | v | ~kHighs);
}

// The number of 0x80 flags in m (a byte-wise multiply sums them into the top byte; no popcnt
// instruction is assumed).
inline size_t CountFlags(uint64_t m) { return static_cast<size_t>(((m >> 7) * kOnes) >> 56); }

// Bytes that may end a run of plain ASCII word bytes: <= 0x20 (spaces and controls) or >= 0x80.
// Only the lowest flagged byte is exact (borrows may flag bytes above it), which is all the
// scanner uses.
inline uint64_t StopBytes(uint64_t v) { return (((v - kOnes * 0x21) & ~v) | v) & kHighs; }

// 0x80 in each byte of v (all bytes ASCII) within [lo, hi].
inline uint64_t AsciiInRange(uint64_t v, unsigned char lo, unsigned char hi) {
  const uint64_t ge_lo = v + kOnes * (0x80 - lo);        // high bit set iff byte >= lo
  const uint64_t gt_hi = v + kOnes * (0x80 - hi - 1);    // high bit set iff byte > hi
  return ge_lo & ~gt_hi & kHighs;
}

// A scratch buffer grown by one huge text is given back rather than kept for the thread's life.
constexpr size_t kKeepScratchBytes = 1 << 20;

bool HasNonAscii(std::string_view s) {
  const char* p = s.data();
  const char* end = p + s.size();
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    if (w & 0x8080808080808080ull) return true;
    p += 8;
  }
  for (; p < end; ++p) {
    if (static_cast<unsigned char>(*p) & 0x80) return true;
  }
  return false;
}

// Emoji: code point -> description, open addressing (a code point is never 0 here).
struct EmojiTable {
  struct Slot {
    char32_t cp = 0;
    uint32_t index = 0;
  };
  using Descriptions = std::vector<std::pair<char32_t, std::string>>;
  std::vector<Slot> slots;
  uint32_t mask = 0;

  void Build(const Descriptions& emoji) {
    const size_t cap = std::bit_ceil(std::max<size_t>(16, emoji.size() * 2));
    slots.assign(cap, {});
    mask = static_cast<uint32_t>(cap - 1);
    for (size_t n = 0; n < emoji.size(); ++n) {
      const char32_t cp = emoji[n].first;
      uint32_t i = (cp * 2654435761u) & mask;
      while (slots[i].cp != 0) i = (i + 1) & mask;
      slots[i] = {cp, static_cast<uint32_t>(n)};
    }
  }

  // The description of `cp` in `descriptions`, the list the table was built from; empty when
  // it is no emoji.
  std::string_view Find(char32_t cp, const Descriptions& descriptions) const {
    if (slots.empty()) return {};
    for (uint32_t i = (cp * 2654435761u) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots[i];
      if (s.cp == cp) return descriptions[s.index].second;
      if (s.cp == 0) return {};
    }
  }
};

}  // namespace

struct SentimentAnalyzer::Tables {
  std::shared_ptr<const Lexicon> lexicon;
  WordTable words;
  bool has_phrases = false;
  EmojiTable emoji;
};

SentimentAnalyzer::SentimentAnalyzer(std::shared_ptr<const Lexicon> lexicon) {
  auto t = std::make_shared<Tables>();
  t->lexicon = std::move(lexicon);
  for (const Lexicon::Entry& e : t->lexicon->entries()) {
    WordInfo& w = t->words.Add(e.key);
    w.flags |= sentiment_internal::kInLexicon;
    w.valence = e.valence;
    if (e.phrase) {
      w.flags |= sentiment_internal::kPhrase;
      t->has_phrases = true;
      const size_t words = static_cast<size_t>(std::count(e.key.begin(), e.key.end(), ' ')) + 1;
      WordInfo& first = t->words.Add(std::string_view(e.key).substr(0, e.key.find(' ')));
      first.flags |= sentiment_internal::kPhraseStart;
      first.max_phrase_words =
          std::max<uint8_t>(first.max_phrase_words, static_cast<uint8_t>(words));
    }
  }
  for (const char* w : kNegations) t->words.Add(w).flags |= sentiment_internal::kNegation;
  for (const char* w : kBoosters) {
    t->words.Add(w).flags |= sentiment_internal::kBooster;
  }
  for (const char* w : kDampeners) {
    t->words.Add(w).flags |= sentiment_internal::kBooster | sentiment_internal::kDampener;
  }
  for (const RuleWord& r : kRuleWords) t->words.Add(r.word).id = r.id;
  t->words.Finish();
  t->emoji.Build(t->lexicon->single_emoji());
  tables_ = std::move(t);
}

const Lexicon& SentimentAnalyzer::lexicon() const { return *tables_->lexicon; }

namespace {

// One call's view of the tokens, with the rules of sentiment_valence() as methods.
class Scorer {
 public:
  Scorer(const std::vector<Token>& tokens, const char* lower, bool cap_diff)
      : tok_(tokens), lower_(lower), n_(tokens.size()), cap_diff_(cap_diff) {}

  uint8_t Flags(size_t j) const { return tok_[j].flags; }
  bool InLexicon(size_t j) const { return Flags(j) & sentiment_internal::kInLexicon; }
  WordId Id(size_t j) const { return tok_[j].id; }
  bool IsSoOrThis(size_t j) const { return Id(j) == WordId::kSo || Id(j) == WordId::kThis; }

  // negated([word]): a listed negation, or any word containing "n't".
  bool Negated(size_t j) const {
    if (Flags(j) & sentiment_internal::kNegation) return true;
    if (!tok_[j].maybe_nt) return false;
    const std::string_view w(lower_ + tok_[j].lower_begin,
                             tok_[j].lower_end - tok_[j].lower_begin);
    return w.find("n't") != std::string_view::npos;
  }

  // scalar_inc_dec(): the booster or dampener effect of word j on valence v.
  double BoosterScalar(size_t j, double v) const {
    if (!(Flags(j) & sentiment_internal::kBooster)) return 0.0;
    double scalar = (Flags(j) & sentiment_internal::kDampener) ? kBoosterDecr : kBoosterIncr;
    if (v < 0) scalar *= -1;
    if (tok_[j].upper && cap_diff_) {
      if (v > 0) {
        scalar += kCapsIncr;
      } else {
        scalar -= kCapsIncr;
      }
    }
    return scalar;
  }

  double NegationCheck(double v, size_t start, size_t i) const {
    if (start == 0) {
      if (Negated(i - 1)) v = v * kNegationScalar;
    } else if (start == 1) {
      if (Id(i - 2) == WordId::kNever && IsSoOrThis(i - 1)) {
        v = v * 1.25;
      } else if (Id(i - 2) == WordId::kWithout && Id(i - 1) == WordId::kDoubt) {
        // "without doubt" affirms: unchanged
      } else if (Negated(i - 2)) {
        v = v * kNegationScalar;
      }
    } else {
      if ((Id(i - 3) == WordId::kNever && IsSoOrThis(i - 2)) || IsSoOrThis(i - 1)) {
        v = v * 1.25;
      } else if (Id(i - 3) == WordId::kWithout &&
                 (Id(i - 2) == WordId::kDoubt || Id(i - 1) == WordId::kDoubt)) {
        // unchanged
      } else if (Negated(i - 3)) {
        v = v * kNegationScalar;
      }
    }
    return v;
  }

  // _special_idioms_check(); only reached for i >= 3.
  double SpecialIdioms(double v, size_t i) const {
    const WordId a = Id(i - 3), b = Id(i - 2), c = Id(i - 1), d = Id(i);
    double x = 0;
    if (SpecialCase2(c, d, &x) || SpecialCase3(b, c, d, &x) || SpecialCase2(b, c, &x) ||
        SpecialCase3(a, b, c, &x) || SpecialCase2(a, b, &x)) {
      v = x;
    }
    if (n_ - 1 > i && SpecialCase2(d, Id(i + 1), &x)) v = x;
    if (n_ - 1 > i + 1 && SpecialCase3(d, Id(i + 1), Id(i + 2), &x)) v = x;
    // Booster n-grams: of threetwoone, threetwo, twoone only the two-word ones can match.
    if (DampenerBigram(a, b)) v = v + kBoosterDecr;
    if (DampenerBigram(b, c)) v = v + kBoosterDecr;
    return v;
  }

  double LeastCheck(double v, size_t i) const {
    if (i > 1 && !InLexicon(i - 1) && Id(i - 1) == WordId::kLeast) {
      if (Id(i - 2) != WordId::kAt && Id(i - 2) != WordId::kVery) v = v * kNegationScalar;
    } else if (i > 0 && !InLexicon(i - 1) && Id(i - 1) == WordId::kLeast) {
      v = v * kNegationScalar;
    }
    return v;
  }

  // sentiment_valence() for a lexicon word at i.
  double Valence(size_t i) const {
    const double lex = tok_[i].valence;
    double v = lex;
    if (Id(i) == WordId::kNo && i != n_ - 1 && InLexicon(i + 1)) v = 0.0;
    if ((i > 0 && Id(i - 1) == WordId::kNo) || (i > 1 && Id(i - 2) == WordId::kNo) ||
        (i > 2 && Id(i - 3) == WordId::kNo &&
         (Id(i - 1) == WordId::kOr || Id(i - 1) == WordId::kNor))) {
      v = lex * kNegationScalar;
    }
    if (tok_[i].upper && cap_diff_) {
      if (v > 0) {
        v += kCapsIncr;
      } else {
        v -= kCapsIncr;
      }
    }
    for (size_t start = 0; start < 3; ++start) {
      if (i <= start) break;
      const size_t j = i - (start + 1);
      if (InLexicon(j)) continue;
      double s = BoosterScalar(j, v);
      if (start == 1 && s != 0) s = s * 0.95;
      if (start == 2 && s != 0) s = s * 0.9;
      v = v + s;
      v = NegationCheck(v, start, i);
      if (start == 2) v = SpecialIdioms(v, i);
    }
    return LeastCheck(v, i);
  }

 private:
  const std::vector<Token>& tok_;
  const char* lower_;
  const size_t n_;
  const bool cap_diff_;
};

double Normalize(double score) {
  const double norm = score / std::sqrt((score * score) + kAlpha);
  if (norm < -1.0) return -1.0;
  if (norm > 1.0) return 1.0;
  return norm;
}

// ---- The steps of polarity_scores(), in order; Score() below is their outline. ----

// 1. Emoji become their descriptions, one code point at a time as the reference does: a space
//    goes before a description unless the previous character was a space, none after it.
//    Returns the text, written into *out.
std::string_view ReplaceEmoji(const EmojiTable& emoji, const EmojiTable::Descriptions& descriptions,
                              std::string_view input, std::string* out) {
  out->clear();
  bool prev_space = true;
  const char* p = input.data();
  const char* end = p + input.size();
  while (p < end) {
    // Copy a run of ASCII whole; only non-ASCII code points can be emoji.
    const char* run = p;
    while (end - p >= 8 && (Load8(p) & kHighs) == 0) p += 8;
    while (p < end && static_cast<unsigned char>(*p) < 0x80) ++p;
    if (p != run) {
      out->append(run, static_cast<size_t>(p - run));
      prev_space = p[-1] == ' ';
      continue;
    }
    const utf8::Decoded d = utf8::Decode(p, end);
    const std::string_view description = emoji.Find(d.cp, descriptions);
    if (!description.empty()) {
      if (!prev_space) out->push_back(' ');
      out->append(description);
      prev_space = false;
    } else {
      out->append(p, d.len);
      prev_space = d.cp == ' ';
    }
    p += d.len;
  }
  return *out;
}

// The end of the token starting at `p` (not a space): the next whitespace or `end`. *ascii
// stays true when the token is all ASCII.
inline const char* TokenEnd(const char* p, const char* const end, bool* ascii) {
  while (p < end) {
    // Eight plain ASCII word bytes at a time, then one byte at a time near a stop.
    while (end - p >= 8) {
      const uint64_t m = StopBytes(Load8(p));
      if (m != 0) {
        p += std::countr_zero(m) >> 3;
        break;
      }
      p += 8;
    }
    if (p >= end) break;
    const uint8_t c = kByteClass[static_cast<unsigned char>(*p)];
    if (c == kWordByte) {
      ++p;
    } else if (c == kSpaceByte) {
      break;
    } else {
      const utf8::Decoded d = utf8::Decode(p, end);
      if (utf8::IsNonAsciiSpace(d.cp)) break;
      *ascii = false;
      p += d.len;
    }
  }
  return p;
}

// A word as written to the lower buffer, with what its letters tell the rules.
struct LoweredWord {
  size_t len;         // bytes written
  uint64_t hash;      // WordTable's hash of them
  uint8_t case_bits;  // sentiment_text::CaseBits
  bool maybe_nt;      // might contain "n't"
};

// Lowercases an all-ASCII `word` of a text ending at `text_end` into `out`.
inline LoweredWord LowerAsciiWord(std::string_view word, const char* text_end, char* const out) {
  // Locals only (a write through `out` could alias anything address-taken), and the
  // first 16 bytes gathered in registers for the hash: reading back bytes just stored one
  // at a time would stall on store forwarding.
  const size_t len = word.size();
  uint64_t upper = 0;
  uint64_t lowercase = 0;
  uint64_t apostrophe = 0;
  uint64_t w[2] = {0, 0};
  size_t k = 0;
  // Eight bytes at a time; a short tail is read as a full word when the text goes on
  // (masked), else byte by byte. The lower buffer has slack for the 8-byte stores.
  while (k < len) {
    const size_t rem = len - k;
    uint64_t v;
    if (rem >= 8) {
      v = Load8(word.data() + k);
    } else if (text_end - (word.data() + k) >= 8) {
      v = Load8(word.data() + k) & ((uint64_t{1} << (8 * rem)) - 1);
    } else {
      v = 0;
      std::memcpy(&v, word.data() + k, rem);
    }
    const uint64_t up = AsciiInRange(v, 'A', 'Z');
    upper |= up;
    lowercase |= AsciiInRange(v, 'a', 'z');
    apostrophe |= ZeroBytes(v ^ (kOnes * '\''));  // masked-off zero bytes never match
    v |= up >> 2;                                 // 0x80 >> 2 is 0x20, the case bit
    std::memcpy(out + k, &v, 8);
    if (k < 16) w[k >> 3] = v;
    k += 8;
  }
  LoweredWord lowered;
  lowered.len = len;
  lowered.case_bits = static_cast<uint8_t>((upper ? sentiment_text::kHasUpper : 0) |
                                           (lowercase ? sentiment_text::kHasLower : 0));
  lowered.maybe_nt = apostrophe != 0;
  lowered.hash = len <= 16 ? WordTable::HashShort(w[0], w[1], len) : WordTable::HashLong(out, len);
  return lowered;
}

// Lowercases any UTF-8 `word` into `out` (Python's str.lower()).
inline LoweredWord LowerWord(std::string_view word, char* const out) {
  uint8_t bits = 0;
  const size_t len = sentiment_text::LowerInto(word, out, &bits);
  return LoweredWord{len, WordTable::HashPadded(out, len), bits, true};
}

// 2. Split on whitespace, strip edge punctuation from words, lowercase once into `lower` (each
//    token followed by one space) and start loading each word's table slot.
void Tokenize(const WordTable& words, std::string_view text, char* const lower,
              std::vector<Token>* tokens) {
  size_t lower_size = 0;
  tokens->clear();
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    // Skip whitespace.
    const uint8_t cls = kByteClass[static_cast<unsigned char>(*p)];
    if (cls == kSpaceByte) {
      ++p;
      continue;
    }
    if (cls == kHighByte) {
      const utf8::Decoded d = utf8::Decode(p, end);
      if (utf8::IsNonAsciiSpace(d.cp)) {
        p += d.len;
        continue;
      }
    }
    // Take one token.
    const char* const begin = p;
    bool ascii = true;
    p = TokenEnd(p, end, &ascii);
    const std::string_view word =
        sentiment_text::StripPunctuationIfWord(std::string_view(begin, p - begin));
    const auto lb = static_cast<uint32_t>(lower_size);
    const LoweredWord lowered =
        ascii ? LowerAsciiWord(word, end, lower + lower_size) : LowerWord(word, lower + lower_size);
    lower_size += lowered.len;
    const auto le = static_cast<uint32_t>(lower_size);
    lower[lower_size++] = ' ';
    Token tok{};
    tok.lower_begin = lb;
    tok.lower_end = le;
    tok.hash = lowered.hash;
    words.Prefetch(tok.hash);
    tok.case_bits = lowered.case_bits;
    tok.upper = sentiment_text::IsUpper(lowered.case_bits);
    tok.maybe_nt = lowered.maybe_nt;
    tokens->push_back(tok);
  }
}

// Lookups run after the whole text is tokenized, so each slot's load has had time to land.
void LookUp(const WordTable& words, const char* lower, std::span<Token> tokens) {
  for (Token& tok : tokens) {
    const WordTable::Hit hit =
        words.FindPadded(lower + tok.lower_begin, tok.lower_end - tok.lower_begin, tok.hash);
    tok.valence = hit.valence;
    tok.entry = hit.entry;
    tok.flags = hit.flags;
    tok.id = hit.id;
  }
}

// 3. Overlay phrases ("on hold") become one token, longest match first.
void JoinPhrases(const WordTable& words, const char* lower, std::vector<Token>* tokens_out) {
  std::vector<Token>& tokens = *tokens_out;
  size_t out = 0;
  for (size_t i = 0; i < tokens.size(); ++out) {
    Token tok = tokens[i];
    size_t used = 1;
    if (tok.flags & sentiment_internal::kPhraseStart) {
      const size_t longest = words.InfoAt(tok.entry).max_phrase_words;
      for (size_t n = std::min<size_t>(longest, tokens.size() - i); n >= 2; --n) {
        const Token& last = tokens[i + n - 1];
        const WordTable::Hit phrase =
            words.FindPadded(lower + tok.lower_begin, last.lower_end - tok.lower_begin);
        if (phrase.flags & sentiment_internal::kPhrase) {
          uint8_t bits = 0;
          bool maybe_nt = false;
          for (size_t k = i; k < i + n; ++k) {
            bits |= tokens[k].case_bits;
            maybe_nt |= tokens[k].maybe_nt;
          }
          tok.lower_end = last.lower_end;
          tok.valence = phrase.valence;
          tok.entry = phrase.entry;
          tok.flags = phrase.flags;
          tok.id = phrase.id;
          tok.case_bits = bits;
          tok.upper = sentiment_text::IsUpper(bits);
          tok.maybe_nt = maybe_nt;
          used = n;
          break;
        }
      }
    }
    tokens[out] = tok;
    i += used;
  }
  tokens.resize(out);
}

// 4. ALL CAPS counts only when some, not all, words are ALL CAPS.
bool CapDifferential(std::span<const Token> tokens) {
  const size_t n = tokens.size();
  size_t upper_count = 0;
  for (const Token& tok : tokens) upper_count += tok.upper;
  const size_t cap_differential = n - upper_count;
  return cap_differential > 0 && cap_differential < n;
}

// 5. Each word's valence with its modifiers, into *sentiments (one per token, 0 for a word
//    without one). Returns the index of the first "but", or the token count when there is none.
size_t WordValences(const std::vector<Token>& tokens, const char* lower, bool cap_diff,
                    std::vector<double>* sentiments_out) {
  const size_t n = tokens.size();
  std::vector<double>& sentiments = *sentiments_out;
  sentiments.assign(n, 0.0);
  const Scorer scorer(tokens, lower, cap_diff);
  size_t but_index = n;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t flags = scorer.Flags(i);
    if (but_index == n && scorer.Id(i) == WordId::kBut) but_index = i;
    if (flags & sentiment_internal::kBooster) continue;
    if (i < n - 1 && scorer.Id(i) == WordId::kKind && scorer.Id(i + 1) == WordId::kOf) continue;
    if (!(flags & sentiment_internal::kInLexicon)) continue;
    sentiments[i] = scorer.Valence(i);
  }
  return but_index;
}

// 7. Punctuation emphasis (score_valence()): up to four "!" add 0.292 each; two or three "?"
//    0.18 each, more 0.96 in all.
double PunctuationAmplifier(std::string_view text) {
  size_t bangs = 0;
  size_t questions = 0;
  {
    const char* p = text.data();
    const char* const end = p + text.size();
    for (; end - p >= 8; p += 8) {
      const uint64_t v = Load8(p);
      bangs += CountFlags(ZeroBytes(v ^ (kOnes * '!')));
      questions += CountFlags(ZeroBytes(v ^ (kOnes * '?')));
    }
    for (; p < end; ++p) {
      bangs += *p == '!';
      questions += *p == '?';
    }
  }
  const double ep_amplifier = static_cast<double>(std::min<size_t>(bangs, 4)) * 0.292;
  double qm_amplifier = 0;
  if (questions > 1) qm_amplifier = questions <= 3 ? static_cast<double>(questions) * 0.18 : 0.96;
  return ep_amplifier + qm_amplifier;
}

// The compound: the sum of the valences, the emphasis added away from zero, normalised.
double Compound(std::span<const double> sentiments, double amplifier) {
  double sum = 0;
  for (const double v : sentiments) sum += v;
  if (sum > 0) {
    sum += amplifier;
  } else if (sum < 0) {
    sum -= amplifier;
  }
  return Normalize(sum);
}

// The pos/neu/neg proportions, the emphasis added to the stronger side.
void Proportions(std::span<const double> sentiments, double amplifier, SentimentScores* scores) {
  double pos_sum = 0;
  double neg_sum = 0;
  size_t neu_count = 0;
  for (const double v : sentiments) {
    if (v > 0) pos_sum += (v + 1);  // +1 and -1 compensate for neutral words counted as 1
    if (v < 0) neg_sum += (v - 1);
    if (v == 0) neu_count += 1;
  }
  if (pos_sum > std::fabs(neg_sum)) {
    pos_sum += amplifier;
  } else if (pos_sum < std::fabs(neg_sum)) {
    neg_sum -= amplifier;
  }
  const double total = pos_sum + std::fabs(neg_sum) + static_cast<double>(neu_count);
  scores->pos = std::fabs(pos_sum / total);
  scores->neg = std::fabs(neg_sum / total);
  scores->neu = std::fabs(static_cast<double>(neu_count) / total);
}

// Gives back the scratch buffers one huge text grew (kKeepScratchBytes).
void TrimScratch(Scratch* s) {
  if (s->text.capacity() > kKeepScratchBytes) std::string().swap(s->text);
  if (s->lower_capacity > kKeepScratchBytes) {
    s->lower.reset();
    s->lower_capacity = 0;
  }
  if (s->tokens.capacity() > kKeepScratchBytes / sizeof(Token)) {
    std::vector<Token>().swap(s->tokens);
  }
  if (s->sentiments.capacity() > kKeepScratchBytes / sizeof(double)) {
    std::vector<double>().swap(s->sentiments);
  }
}

}  // namespace

SentimentScores SentimentAnalyzer::Score(std::string_view input) const {
  const Tables& t = *tables_;
  Scratch& s = t_scratch;

  // 1. Emoji become their descriptions.
  const std::string_view text =
      HasNonAscii(input) ? ReplaceEmoji(t.emoji, t.lexicon->single_emoji(), input, &s.text) : input;

  // 2. Split on whitespace, strip edge punctuation from words, lowercase once, look up once.
  char* const lower = s.LowerBuffer(text.size());
  std::vector<Token>& tokens = s.tokens;
  Tokenize(t.words, text, lower, &tokens);
  LookUp(t.words, lower, tokens);

  // 3. Overlay phrases ("on hold") become one token.
  if (t.has_phrases) JoinPhrases(t.words, lower, &tokens);

  SentimentScores scores;
  if (tokens.empty()) return scores;

  // 4. ALL CAPS counts only when some, not all, words are ALL CAPS.
  const bool cap_diff = CapDifferential(tokens);

  // 5. Each word's valence with its modifiers (boosters, negation, caps, idioms, "least").
  std::vector<double>& sentiments = s.sentiments;
  const size_t but_index = WordValences(tokens, lower, cap_diff, &sentiments);

  // 6. "but" shifts the weight to what follows it.
  if (but_index < tokens.size()) sentiment_internal::ApplyButShift(&sentiments, but_index);

  // 7. Punctuation emphasis, compound, and proportions (score_valence()).
  const double amplifier = PunctuationAmplifier(text);
  scores.compound = Compound(sentiments, amplifier);
  Proportions(sentiments, amplifier, &scores);

  TrimScratch(&s);
  return scores;
}

double RoundLikePython(double x, int digits) {
  // Away from a tie, x * 10^digits rounded to the nearest integer n is the decimal printf
  // would print, and n / 10^digits (one correctly rounded division of exact values) is the
  // double strtod would read back. The product's own rounding error is far below the margin
  // kept around a tie.
  static constexpr double kPowers[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
  if (digits >= 0 && digits <= 6 && std::isfinite(x) && std::fabs(x) < 1e6) {
    const double p = kPowers[digits];
    const double y = x * p;
    const double frac = std::fabs(y - std::trunc(y));
    if (std::fabs(frac - 0.5) > 1e-6) return std::nearbyint(y) / p;
  }
  // printf's %.*f rounds the exact binary value, ties to even, as Python's round() does.
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return std::strtod(buf, nullptr);
}

SentimentScores RoundLikeReference(const SentimentScores& s) {
  return SentimentScores{RoundLikePython(s.compound, 4), RoundLikePython(s.pos, 3),
                         RoundLikePython(s.neu, 3), RoundLikePython(s.neg, 3)};
}

}  // namespace earshot
