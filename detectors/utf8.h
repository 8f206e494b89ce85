// UTF-8 and the few Unicode facts the VADER scorer needs to see text as Python's str does.
//
// The reference scorer is Python: it splits on str.isspace() code points, tests str.isupper()
// and compares str.lower() forms. These helpers give the same answers from UTF-8 bytes, using
// tables generated from Python's unicodedata (tests/sentiment/gen_utf8_tables.py).
//
// Decoding is lenient and total: an invalid or truncated sequence decodes as one code point per
// bad byte (kInvalidByteBase + byte), which is neither space nor cased and lowercases to itself,
// so any byte string can be scored and nothing reads past the end.
//
// Stateless free functions over constant tables; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace earshot::utf8 {

// A bad byte b decodes as kInvalidByteBase + b: outside Unicode, so it matches no table entry.
inline constexpr char32_t kInvalidByteBase = 0x110000;

struct Decoded {
  char32_t cp;
  uint32_t len;  // bytes consumed, 1 to 4
};

// Decodes the code point starting at p (p < end). Overlong forms, surrogates and values past
// U+10FFFF are invalid and consume one byte.
Decoded Decode(const char* p, const char* end);

// Writes cp as UTF-8 to out (room for 4 bytes) and returns its length; cp must be a Unicode
// scalar value.
size_t Encode(char32_t cp, char* out);
inline void Append(char32_t cp, std::string* out) {
  char buf[4];
  out->append(buf, Encode(cp, buf));
}

// Python's str.isspace() for one code point.
constexpr bool IsAsciiSpace(unsigned char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}
bool IsNonAsciiSpace(char32_t cp);

// How a code point bears on str.isupper(): kLowerOrTitle makes a word not ALL CAPS, kUpper
// makes it ALL CAPS when nothing else objects, kUncased (digits, punctuation, emoji) is neutral.
enum class CaseClass : uint8_t { kUncased = 0, kUpper = 1, kLowerOrTitle = 2 };
CaseClass ClassOf(char32_t cp);

// Writes Python's str.lower() of one non-ASCII code point to out (room for 4 bytes) and returns
// its length; returns 0, writing nothing, when the code point lowercases to itself (so the
// caller copies its original bytes).
size_t LowerNonAsciiInto(char32_t cp, char* out);

// Python's len(): code points, a bad byte counting as one.
size_t CodePointCount(const char* p, const char* end);

}  // namespace earshot::utf8

namespace earshot::utf8_internal {

struct CaseRun {
  char32_t first;
  char32_t last;
  uint8_t cls;
};
struct LowerPair {
  char32_t from;
  char32_t to;
};
extern const char32_t kSpaces[];
extern const size_t kSpacesSize;
extern const CaseRun kCaseRuns[];
extern const size_t kCaseRunsSize;
extern const LowerPair kLowerPairs[];
extern const size_t kLowerPairsSize;

}  // namespace earshot::utf8_internal
