#include "detectors/sentiment.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
  const WordInfo* info;  // null: a word no rule or lexicon entry knows
  uint8_t case_bits;     // sentiment_text::CaseBits
  bool upper;            // str.isupper()
};

// Per-thread working memory, kept between calls so steady-state scoring never allocates.
struct Scratch {
  std::string text;    // the text with emoji replaced by their descriptions
  std::string lower;   // lowercased tokens, each followed by one space
  std::vector<Token> tokens;
  std::vector<double> sentiments;
};
thread_local Scratch t_scratch;

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

}  // namespace

struct SentimentAnalyzer::Tables {
  std::shared_ptr<const Lexicon> lexicon;
  WordTable words;
  bool has_phrases = false;

  // Emoji: code point -> description, open addressing (a code point is never 0 here).
  struct EmojiSlot {
    char32_t cp = 0;
    uint32_t index = 0;
  };
  std::vector<EmojiSlot> emoji_slots;
  uint32_t emoji_mask = 0;

  std::string_view Emoji(char32_t cp) const {
    if (emoji_slots.empty()) return {};
    for (uint32_t i = (cp * 2654435761u) & emoji_mask;; i = (i + 1) & emoji_mask) {
      const EmojiSlot& s = emoji_slots[i];
      if (s.cp == cp) return lexicon->single_emoji()[s.index].second;
      if (s.cp == 0) return {};
    }
  }
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
    WordInfo& info = t->words.Add(w);
    info.flags |= sentiment_internal::kBooster;
    info.booster = kBoosterIncr;
  }
  for (const char* w : kDampeners) {
    WordInfo& info = t->words.Add(w);
    info.flags |= sentiment_internal::kBooster;
    info.booster = kBoosterDecr;
  }
  for (const RuleWord& r : kRuleWords) t->words.Add(r.word).id = r.id;
  t->words.Finish();

  const auto& emoji = t->lexicon->single_emoji();
  const size_t cap = std::bit_ceil(std::max<size_t>(16, emoji.size() * 2));
  t->emoji_slots.assign(cap, {});
  t->emoji_mask = static_cast<uint32_t>(cap - 1);
  for (size_t n = 0; n < emoji.size(); ++n) {
    const char32_t cp = emoji[n].first;
    uint32_t i = (cp * 2654435761u) & t->emoji_mask;
    while (t->emoji_slots[i].cp != 0) i = (i + 1) & t->emoji_mask;
    t->emoji_slots[i] = {cp, static_cast<uint32_t>(n)};
  }
  tables_ = std::move(t);
}

const Lexicon& SentimentAnalyzer::lexicon() const { return *tables_->lexicon; }

namespace {

// One call's view of the tokens, with the rules of sentiment_valence() as methods.
class Scorer {
 public:
  Scorer(const std::vector<Token>& tokens, const std::string& lower, bool cap_diff)
      : tok_(tokens), lower_(lower), n_(tokens.size()), cap_diff_(cap_diff) {}

  uint8_t Flags(size_t j) const { return tok_[j].info ? tok_[j].info->flags : 0; }
  bool InLexicon(size_t j) const { return Flags(j) & sentiment_internal::kInLexicon; }
  WordId Id(size_t j) const { return tok_[j].info ? tok_[j].info->id : WordId::kNone; }
  bool IsSoOrThis(size_t j) const { return Id(j) == WordId::kSo || Id(j) == WordId::kThis; }

  // negated([word]): a listed negation, or any word containing "n't".
  bool Negated(size_t j) const {
    if (Flags(j) & sentiment_internal::kNegation) return true;
    const std::string_view w(lower_.data() + tok_[j].lower_begin,
                             tok_[j].lower_end - tok_[j].lower_begin);
    return w.find("n't") != std::string_view::npos;
  }

  // scalar_inc_dec(): the booster or dampener effect of word j on valence v.
  double BoosterScalar(size_t j, double v) const {
    if (!(Flags(j) & sentiment_internal::kBooster)) return 0.0;
    double scalar = tok_[j].info->booster;
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
    const double lex = tok_[i].info->valence;
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
  const std::string& lower_;
  const size_t n_;
  const bool cap_diff_;
};

double Normalize(double score) {
  const double norm = score / std::sqrt((score * score) + kAlpha);
  if (norm < -1.0) return -1.0;
  if (norm > 1.0) return 1.0;
  return norm;
}

}  // namespace

SentimentScores SentimentAnalyzer::Score(std::string_view input) const {
  const Tables& t = *tables_;
  Scratch& s = t_scratch;

  // 1. Emoji become their descriptions, one code point at a time as the reference does: a space
  //    goes before a description unless the previous character was a space, none after it.
  std::string_view text = input;
  if (HasNonAscii(input)) {
    s.text.clear();
    bool prev_space = true;
    const char* p = input.data();
    const char* end = p + input.size();
    while (p < end) {
      const utf8::Decoded d = utf8::Decode(p, end);
      const std::string_view description = d.cp >= 0x80 ? t.Emoji(d.cp) : std::string_view();
      if (!description.empty()) {
        if (!prev_space) s.text.push_back(' ');
        s.text.append(description);
        prev_space = false;
      } else {
        s.text.append(p, d.len);
        prev_space = d.cp == ' ';
      }
      p += d.len;
    }
    text = s.text;
  }

  // 2. Split on whitespace, strip edge punctuation from words, lowercase once, look up once.
  s.lower.clear();
  s.tokens.clear();
  {
    const char* p = text.data();
    const char* end = p + text.size();
    auto space_at = [&](const char* q, uint32_t* len) {
      const auto c = static_cast<unsigned char>(*q);
      if (c < 0x80) {
        *len = 1;
        return utf8::IsAsciiSpace(c);
      }
      const utf8::Decoded d = utf8::Decode(q, end);
      *len = d.len;
      return utf8::IsNonAsciiSpace(d.cp);
    };
    while (p < end) {
      uint32_t len = 0;
      if (space_at(p, &len)) {
        p += len;
        continue;
      }
      const char* begin = p;
      p += len;
      while (p < end && !space_at(p, &len)) p += len;
      const std::string_view word =
          sentiment_text::StripPunctuationIfWord(std::string_view(begin, p - begin));
      const auto lb = static_cast<uint32_t>(s.lower.size());
      const uint8_t case_bits = sentiment_text::AppendLower(word, &s.lower);
      const auto le = static_cast<uint32_t>(s.lower.size());
      s.lower.push_back(' ');
      const WordInfo* info = t.words.Find(std::string_view(s.lower.data() + lb, le - lb));
      s.tokens.push_back(Token{lb, le, info, case_bits, sentiment_text::IsUpper(case_bits)});
    }
  }
  std::vector<Token>& tokens = s.tokens;

  // 3. Overlay phrases ("on hold") become one token, longest match first.
  if (t.has_phrases) {
    size_t out = 0;
    for (size_t i = 0; i < tokens.size(); ++out) {
      Token tok = tokens[i];
      size_t used = 1;
      if (tok.info && (tok.info->flags & sentiment_internal::kPhraseStart)) {
        for (size_t n = std::min<size_t>(tok.info->max_phrase_words, tokens.size() - i); n >= 2;
             --n) {
          const Token& last = tokens[i + n - 1];
          const WordInfo* phrase = t.words.Find(std::string_view(
              s.lower.data() + tok.lower_begin, last.lower_end - tok.lower_begin));
          if (phrase && (phrase->flags & sentiment_internal::kPhrase)) {
            uint8_t bits = 0;
            for (size_t k = i; k < i + n; ++k) bits |= tokens[k].case_bits;
            tok = Token{tok.lower_begin, last.lower_end, phrase, bits,
                        sentiment_text::IsUpper(bits)};
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

  const size_t n = tokens.size();
  SentimentScores scores;
  if (n == 0) return scores;

  // 4. ALL CAPS counts only when some, not all, words are ALL CAPS.
  size_t upper_count = 0;
  for (const Token& tok : tokens) upper_count += tok.upper;
  const size_t cap_differential = n - upper_count;
  const bool cap_diff = cap_differential > 0 && cap_differential < n;

  // 5. Each word's valence with its modifiers.
  std::vector<double>& sentiments = s.sentiments;
  sentiments.assign(n, 0.0);
  const Scorer scorer(tokens, s.lower, cap_diff);
  size_t but_index = n;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t flags = scorer.Flags(i);
    if (but_index == n && scorer.Id(i) == WordId::kBut) but_index = i;
    if (flags & sentiment_internal::kBooster) continue;
    if (i < n - 1 && scorer.Id(i) == WordId::kKind && scorer.Id(i + 1) == WordId::kOf) continue;
    if (!(flags & sentiment_internal::kInLexicon)) continue;
    sentiments[i] = scorer.Valence(i);
  }

  // 6. "but" shifts the weight to what follows it.
  if (but_index < n) sentiment_internal::ApplyButShift(&sentiments, but_index);

  // 7. Punctuation emphasis, compound, and proportions (score_valence()).
  size_t bangs = 0;
  size_t questions = 0;
  for (const char c : text) {
    bangs += c == '!';
    questions += c == '?';
  }
  const double ep_amplifier = static_cast<double>(std::min<size_t>(bangs, 4)) * 0.292;
  double qm_amplifier = 0;
  if (questions > 1) qm_amplifier = questions <= 3 ? static_cast<double>(questions) * 0.18 : 0.96;
  const double amplifier = ep_amplifier + qm_amplifier;

  double sum = 0;
  for (const double v : sentiments) sum += v;
  if (sum > 0) {
    sum += amplifier;
  } else if (sum < 0) {
    sum -= amplifier;
  }
  scores.compound = Normalize(sum);

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
  scores.pos = std::fabs(pos_sum / total);
  scores.neg = std::fabs(neg_sum / total);
  scores.neu = std::fabs(static_cast<double>(neu_count) / total);

  if (s.text.capacity() > kKeepScratchBytes) std::string().swap(s.text);
  if (s.lower.capacity() > kKeepScratchBytes) std::string().swap(s.lower);
  if (tokens.capacity() > kKeepScratchBytes / sizeof(Token)) std::vector<Token>().swap(tokens);
  if (sentiments.capacity() > kKeepScratchBytes / sizeof(double)) {
    std::vector<double>().swap(sentiments);
  }
  return scores;
}

double RoundLikePython(double x, int digits) {
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
