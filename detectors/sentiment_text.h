// The word-level text rules of VADER's tokenizer, shared by the scorer and the lexicon loader
// (which normalises overlay entries with them so that an entry matches exactly what the
// tokenizer produces).
//
// Stateless free functions; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace earshot::sentiment_text {

// string.punctuation: the ASCII characters the reference strips from the edges of a word.
constexpr bool IsAsciiPunctuationSlow(unsigned char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}
inline constexpr auto kPunctuationTable = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[c] = IsAsciiPunctuationSlow(static_cast<unsigned char>(c));
  return t;
}();
inline bool IsAsciiPunctuation(unsigned char c) { return kPunctuationTable[c]; }

// A whitespace-delimited token as the reference keeps it: punctuation stripped from both ends,
// unless that leaves two code points or fewer (then the token is probably an emoticon such
// as ":)" or ":-(" and is kept whole).
inline std::string_view StripPunctuationIfWord(std::string_view token);

// Code points in [p, end), a bad byte counting as one (Python's len()).
size_t CodePointCountSlow(const char* p, const char* end);

inline std::string_view StripPunctuationIfWord(std::string_view token) {
  size_t b = 0;
  size_t e = token.size();
  while (b < e && IsAsciiPunctuation(static_cast<unsigned char>(token[b]))) ++b;
  while (e > b && IsAsciiPunctuation(static_cast<unsigned char>(token[e - 1]))) --e;
  if (b == 0 && e == token.size()) return token;
  const size_t bytes = e - b;
  // Two code points take at most 8 bytes; more than 8 bytes is always more than two.
  if (bytes <= 2) return token;
  if (bytes <= 8 && CodePointCountSlow(token.data() + b, token.data() + e) <= 2) return token;
  return token.substr(b, bytes);
}

// What a word's letters say about str.isupper(), which is true when a word has an uppercase
// letter and no lowercase or titlecase one. Bits combine with | across the words of a phrase.
enum CaseBits : uint8_t { kHasUpper = 1, kHasLower = 2 };
inline bool IsUpper(uint8_t bits) { return bits == kHasUpper; }

// Appends Python's str.lower() of `token` to *out and returns its CaseBits.
uint8_t AppendLower(std::string_view token, std::string* out);

// Writes Python's str.lower() of `token` to `out`, which has room for 3 * token.size() / 2
// bytes, ORs its CaseBits into *case_bits, and returns the bytes written.
size_t LowerInto(std::string_view token, char* out, uint8_t* case_bits);

// An overlay entry in the form the scorer looks up: words split on whitespace, each stripped
// and lowercased as the tokenizer does, joined by single spaces. Empty when nothing is left.
std::string NormalizeEntry(std::string_view entry);

}  // namespace earshot::sentiment_text
