// The word-level text rules of VADER's tokenizer, shared by the scorer and the lexicon loader
// (which normalises overlay entries with them so that an entry matches exactly what the
// tokenizer produces).
//
// Stateless free functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace earshot::sentiment_text {

// string.punctuation: the ASCII characters the reference strips from the edges of a word.
inline bool IsAsciiPunctuation(unsigned char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

// A whitespace-delimited token as the reference keeps it: punctuation stripped from both ends,
// unless that leaves two code points or fewer (then the token is probably an emoticon such
// as ":)" or ":-(" and is kept whole).
std::string_view StripPunctuationIfWord(std::string_view token);

// What a word's letters say about str.isupper(), which is true when a word has an uppercase
// letter and no lowercase or titlecase one. Bits combine with | across the words of a phrase.
enum CaseBits : uint8_t { kHasUpper = 1, kHasLower = 2 };
inline bool IsUpper(uint8_t bits) { return bits == kHasUpper; }

// Appends Python's str.lower() of `token` to *out and returns its CaseBits.
uint8_t AppendLower(std::string_view token, std::string* out);

// An overlay entry in the form the scorer looks up: words split on whitespace, each stripped
// and lowercased as the tokenizer does, joined by single spaces. Empty when nothing is left.
std::string NormalizeEntry(std::string_view entry);

}  // namespace earshot::sentiment_text
