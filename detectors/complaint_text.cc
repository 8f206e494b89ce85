#include "detectors/complaint_text.h"

#include <array>
#include <string>

#include "detectors/complaint_model.h"

namespace earshot {
namespace {

constexpr size_t kMaxWordBytes = 48;  // longer runs are hashed by their first 48 bytes: no cue

bool IsAsciiAlpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

// Length of a right or left single quotation mark (’ ‘) at `i`, read as an apostrophe; else 0.
size_t CurlyApostrophe(std::string_view t, size_t i) {
  if (i + 2 < t.size() + 0 && static_cast<unsigned char>(t[i]) == 0xE2 &&
      static_cast<unsigned char>(t[i + 1]) == 0x80 &&
      (static_cast<unsigned char>(t[i + 2]) == 0x99 ||
       static_cast<unsigned char>(t[i + 2]) == 0x98)) {
    return 3;
  }
  return 0;
}

// Latin letters with accents (U+00C0 .. U+024F): two-byte sequences led by C3..C9.
size_t AccentedLetter(std::string_view t, size_t i) {
  const auto c = static_cast<unsigned char>(t[i]);
  if (c >= 0xC3 && c <= 0xC9 && i + 1 < t.size() &&
      (static_cast<unsigned char>(t[i + 1]) & 0xC0) == 0x80) {
    return 2;
  }
  return 0;
}

// Bytes of a word character at `i` (0 when none): letters, digits, apostrophes.
size_t WordChar(std::string_view t, size_t i) {
  const auto c = static_cast<unsigned char>(t[i]);
  if (IsAsciiAlpha(c) || IsDigit(c) || c == '\'') return 1;
  if (c < 0x80) return 0;
  if (size_t n = CurlyApostrophe(t, i)) return n;
  return AccentedLetter(t, i);
}

struct FunctionWord {
  const char* word;
  uint8_t flags;
};

constexpr FunctionWord kFunctionWords[] = {
    {"not", kWordNegator},        {"no", kWordNegator},          {"never", kWordNegator},
    {"nothing", kWordNegator},    {"nobody", kWordNegator},      {"none", kWordNegator},
    {"nowhere", kWordNegator},    {"neither", kWordNegator},     {"nor", kWordNegator},
    {"cannot", kWordNegator},     {"without", kWordNegator},     {"hardly", kWordNegator},
    {"barely", kWordNegator},     {"noone", kWordNegator},       {"zero", kWordNegator},
    {"dont", kWordNegator},       {"cant", kWordNegator},        {"wont", kWordNegator},
    {"didnt", kWordNegator},      {"doesnt", kWordNegator},      {"isnt", kWordNegator},
    {"wasnt", kWordNegator},      {"havent", kWordNegator},      {"hasnt", kWordNegator},
    {"hadnt", kWordNegator},      {"couldnt", kWordNegator},     {"wouldnt", kWordNegator},
    {"shouldnt", kWordNegator},   {"arent", kWordNegator},       {"werent", kWordNegator},
    {"aint", kWordNegator},       {"but", kWordContrast},        {"however", kWordContrast},
    {"i", kWordFirstPerson},      {"my", kWordFirstPerson},      {"me", kWordFirstPerson},
    {"we", kWordFirstPerson},     {"our", kWordFirstPerson},     {"us", kWordFirstPerson},
    {"i'm", kWordFirstPerson},    {"im", kWordFirstPerson},      {"i've", kWordFirstPerson},
    {"ive", kWordFirstPerson},    {"i'd", kWordFirstPerson},     {"i'll", kWordFirstPerson},
    {"we're", kWordFirstPerson},  {"we've", kWordFirstPerson},   {"mine", kWordFirstPerson},
    {"you", kWordSecondPerson},   {"your", kWordSecondPerson},   {"u", kWordSecondPerson},
    {"ur", kWordSecondPerson},    {"you're", kWordSecondPerson}, {"youre", kWordSecondPerson},
    {"yours", kWordSecondPerson}, {"you've", kWordSecondPerson}, {"ya", kWordSecondPerson},
    {"y'all", kWordSecondPerson},
};

// A small open-addressed table from word hash to flags, built once.
class FunctionWordTable {
 public:
  FunctionWordTable() {
    for (const auto& fw : kFunctionWords) Put(HashWord(fw.word), fw.flags);
  }
  uint8_t Flags(uint64_t hash, std::string_view lower) const {
    for (size_t i = hash & kMask;; i = (i + 1) & kMask) {
      if (slots_[i].hash == hash) return slots_[i].flags;
      if (slots_[i].hash == 0) break;
    }
    // Any other "...n't" word is a negator too (shan't, mightn't, needn't).
    if (lower.size() > 3 && lower.substr(lower.size() - 3) == "n't") return kWordNegator;
    return 0;
  }

 private:
  static constexpr size_t kSize = 256;
  static constexpr size_t kMask = kSize - 1;
  struct Slot {
    uint64_t hash = 0;
    uint8_t flags = 0;
  };
  void Put(uint64_t hash, uint8_t flags) {
    size_t i = hash & kMask;
    while (slots_[i].hash != 0) i = (i + 1) & kMask;
    slots_[i] = Slot{hash, flags};
  }
  std::array<Slot, kSize> slots_{};
};

const FunctionWordTable& Functions() {
  static const FunctionWordTable table;
  return table;
}

bool OneOf(std::string_view s, std::initializer_list<std::string_view> set) {
  for (auto x : set) {
    if (s == x) return true;
  }
  return false;
}

// Appends one word (lowercase bytes in `lower`) spanning [begin, end) of the text, turning
// numbers into class words.
void EmitWord(std::string_view lower, uint32_t begin, uint32_t end, ComplaintText* out) {
  while (!lower.empty() && lower.front() == '\'') lower.remove_prefix(1);
  while (!lower.empty() && lower.back() == '\'') lower.remove_suffix(1);
  if (lower.empty()) return;
  auto push = [&](std::string_view w) {
    const uint64_t h = HashWord(w);
    const uint8_t number = w.front() == '<' ? kWordNumber : 0;
    out->words.push_back(
        ComplaintWord{h, begin, end, static_cast<uint8_t>(Functions().Flags(h, w) | number)});
  };
  if (!IsDigit(static_cast<unsigned char>(lower.front()))) {
    bool has_digit = false;
    for (char c : lower) has_digit = has_digit || IsDigit(static_cast<unsigned char>(c));
    push(has_digit ? std::string_view("<code>") : lower);  // e404, x80, v2
    return;
  }
  size_t d = 0;
  while (d < lower.size() && IsDigit(static_cast<unsigned char>(lower[d]))) ++d;
  const std::string_view suffix = lower.substr(d);
  if (suffix.empty()) {
    push("<num>");
  } else if (OneOf(suffix, {"st", "nd", "rd", "th"})) {
    push("<ord>");
  } else if (OneOf(suffix, {"am", "pm"})) {
    push("<time>");
  } else if (OneOf(suffix,
                   {"h",    "hr", "hrs", "hour", "hours", "min", "mins", "m", "minutes", "d", "day",
                    "days", "wk", "wks", "week", "weeks", "yr",  "yrs",  "k", "s",       "x"})) {
    push("<num>");
    push(suffix);
  } else {
    push("<code>");
  }
}

}  // namespace

void ComplaintText::Clear() {
  words.clear();
  question = exclaim = repeated_punct = mention = link = false;
  caps_words = 0;
}

void ReadComplaintText(std::string_view t, ComplaintText* out) {
  out->Clear();
  std::array<char, kMaxWordBytes> buf;
  size_t i = 0;
  const size_t n = t.size();
  auto prev_is_word = [&](size_t at) {
    return at > 0 && (IsAsciiAlpha(static_cast<unsigned char>(t[at - 1])) ||
                      IsDigit(static_cast<unsigned char>(t[at - 1])) || t[at - 1] == '_');
  };
  // Punctuation between two words starts a clause: negation does not reach across it.
  bool clause_break = false;
  size_t words_before = 0;
  auto mark_clause = [&] {
    if (clause_break && out->words.size() > words_before) {
      out->words[words_before].flags |= kWordClauseStart;
      clause_break = false;
    }
    words_before = out->words.size();
  };
  while (i < n) {
    mark_clause();
    const auto c = static_cast<unsigned char>(t[i]);
    // Links: skip to the next space.
    if ((c == 'h' || c == 'H' || c == 'w' || c == 'W') && !prev_is_word(i)) {
      const std::string_view rest = t.substr(i, 8);
      auto starts = [&](std::string_view p) {
        if (rest.size() < p.size()) return false;
        for (size_t k = 0; k < p.size(); ++k) {
          if ((rest[k] | 0x20) != p[k]) return false;
        }
        return true;
      };
      if (starts("http://") || starts("https://") || starts("www.")) {
        out->link = true;
        while (i < n && t[i] != ' ' && t[i] != '\n' && t[i] != '\t') ++i;
        continue;
      }
    }
    // @mentions (and Mastodon's @user@host): not words.
    if (c == '@' && !prev_is_word(i) && i + 1 < n &&
        (IsAsciiAlpha(static_cast<unsigned char>(t[i + 1])) ||
         IsDigit(static_cast<unsigned char>(t[i + 1])) || t[i + 1] == '_')) {
      out->mention = true;
      ++i;
      while (i < n) {
        const auto m = static_cast<unsigned char>(t[i]);
        const bool host_dot = (m == '.' || m == '@') && i + 1 < n &&
                              IsAsciiAlpha(static_cast<unsigned char>(t[i + 1]));
        if (!(IsAsciiAlpha(m) || IsDigit(m) || m == '_' || host_dot)) break;
        ++i;
      }
      continue;
    }
    // Hashtags: the words they are made of, split at lower->Upper and letter<->digit.
    if (c == '#' && i + 1 < n && WordChar(t, i + 1) == 1 && t[i + 1] != '\'') {
      ++i;
      size_t start = i;
      size_t len = 0;
      auto flush = [&](size_t end) {
        if (len > 0) {
          EmitWord(std::string_view(buf.data(), len), static_cast<uint32_t>(start),
                   static_cast<uint32_t>(end), out);
        }
        len = 0;
        start = end;
      };
      while (i < n) {
        const auto h = static_cast<unsigned char>(t[i]);
        if (!(IsAsciiAlpha(h) || IsDigit(h))) break;
        const bool upper = h >= 'A' && h <= 'Z';
        if (len > 0) {
          const auto p = static_cast<unsigned char>(t[i - 1]);
          const bool prev_lower = p >= 'a' && p <= 'z';
          // #CustomerServiceFail, #Day3, #3rdTime (an ordinal stays whole), #9am.
          if ((upper && (prev_lower || IsDigit(p))) || (IsDigit(h) && !IsDigit(p))) flush(i);
        }
        if (len < kMaxWordBytes) buf[len++] = static_cast<char>(h | (IsAsciiAlpha(h) ? 0x20 : 0));
        ++i;
      }
      flush(i);
      continue;
    }
    if (size_t w = WordChar(t, i)) {
      const size_t begin = i;
      size_t len = 0;
      int letters = 0, upper = 0;
      // Most words are ASCII letters and apostrophes: hash them while reading. Anything else
      // (digits, accents, long runs, edge apostrophes) goes through EmitWord.
      uint64_t hash = kWordHashSeed;
      bool plain = true;
      while (i < n) {
        const auto b = static_cast<unsigned char>(t[i]);
        if (IsAsciiAlpha(b) || b == '\'') {
          const auto lower = static_cast<unsigned char>(b == '\'' ? b : (b | 0x20));
          if (b != '\'') {
            ++letters;
            if (b <= 'Z') ++upper;
          }
          if (len < kMaxWordBytes) buf[len++] = static_cast<char>(lower);
          hash = HashWordStep(hash, lower);
          ++i;
          continue;
        }
        if ((w = WordChar(t, i)) == 0) break;
        plain = false;
        if (w == 3) {
          if (len < kMaxWordBytes) buf[len++] = '\'';
        } else if (w == 2) {
          // Latin-1 capitals (U+00C0 .. U+00DE but ×) lowercase by +0x20 on the second byte.
          const auto b2 = static_cast<unsigned char>(t[i + 1]);
          const bool capital = b == 0xC3 && b2 >= 0x80 && b2 <= 0x9E && b2 != 0x97;
          if (len + 1 < kMaxWordBytes) {
            buf[len++] = t[i];
            buf[len++] = static_cast<char>(capital ? b2 + 0x20 : b2);
          }
          ++letters;
          if (capital) ++upper;
        } else {
          if (IsAsciiAlpha(b)) {
            ++letters;
            if (b <= 'Z') ++upper;
          }
          if (len < kMaxWordBytes) buf[len++] = static_cast<char>(IsAsciiAlpha(b) ? (b | 0x20) : b);
        }
        i += w;
      }
      if (letters >= 4 && upper == letters) ++out->caps_words;
      const std::string_view word(buf.data(), len);
      if (plain && len < kMaxWordBytes && word.front() != '\'' && word.back() != '\'') {
        out->words.push_back(ComplaintWord{hash, static_cast<uint32_t>(begin),
                                           static_cast<uint32_t>(i),
                                           Functions().Flags(hash, word)});
      } else {
        EmitWord(word, static_cast<uint32_t>(begin), static_cast<uint32_t>(i), out);
      }
      continue;
    }
    if (c == '?' || c == '!') {
      (c == '?' ? out->question : out->exclaim) = true;
      if (i + 1 < n && (t[i + 1] == '?' || t[i + 1] == '!')) out->repeated_punct = true;
    }
    if (c == '?' || c == '!' || c == ',' || c == '.' || c == ';' || c == ':' || c == '\n') {
      clause_break = true;
    }
    ++i;
  }
  mark_clause();
}

}  // namespace earshot
