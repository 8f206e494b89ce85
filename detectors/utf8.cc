#include "detectors/utf8.h"

#include <algorithm>

#include "daemon/base/utf8_encode.h"

namespace earshot::utf8 {

using namespace utf8_internal;

Decoded Decode(const char* p, const char* end) {
  const auto b0 = static_cast<unsigned char>(p[0]);
  if (b0 < 0x80) return {b0, 1};
  const Decoded bad{kInvalidByteBase + b0, 1};
  const size_t avail = static_cast<size_t>(end - p);
  auto cont = [&](size_t i) {
    return i < avail && (static_cast<unsigned char>(p[i]) & 0xC0) == 0x80;
  };
  auto bits = [&](size_t i) {
    return static_cast<char32_t>(static_cast<unsigned char>(p[i]) & 0x3F);
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!cont(1)) return bad;
    return {(static_cast<char32_t>(b0 & 0x1F) << 6) | bits(1), 2};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return bad;
    const char32_t cp =
        (static_cast<char32_t>(b0 & 0x0F) << 12) | (bits(1) << 6) | bits(2);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return bad;
    return {cp, 3};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return bad;
    const char32_t cp = (static_cast<char32_t>(b0 & 0x07) << 18) | (bits(1) << 12) |
                        (bits(2) << 6) | bits(3);
    if (cp < 0x10000 || cp > 0x10FFFF) return bad;
    return {cp, 4};
  }
  return bad;
}

size_t Encode(char32_t cp, char* out) { return EncodeUtf8(cp, out); }

bool IsNonAsciiSpace(char32_t cp) {
  // All of them sit below U+3001; most text never gets past the first comparison.
  if (cp < 0x85 || cp > 0x3000) return false;
  return std::binary_search(kSpaces, kSpaces + kSpacesSize, cp);
}

CaseClass ClassOf(char32_t cp) {
  if (cp < 0x80) {
    if (cp >= 'A' && cp <= 'Z') return CaseClass::kUpper;
    if (cp >= 'a' && cp <= 'z') return CaseClass::kLowerOrTitle;
    return CaseClass::kUncased;
  }
  const CaseRun* end = kCaseRuns + kCaseRunsSize;
  const CaseRun* it = std::upper_bound(kCaseRuns, end, cp,
                                       [](char32_t c, const CaseRun& r) { return c < r.first; });
  if (it == kCaseRuns) return CaseClass::kUncased;
  --it;
  return cp <= it->last ? static_cast<CaseClass>(it->cls) : CaseClass::kUncased;
}

size_t LowerNonAsciiInto(char32_t cp, char* out) {
  if (cp == 0x130) {  // LATIN CAPITAL LETTER I WITH DOT ABOVE: Python gives "i" + U+0307
    out[0] = 'i';
    return 1 + Encode(0x307, out + 1);
  }
  const LowerPair* end = kLowerPairs + kLowerPairsSize;
  const LowerPair* it = std::lower_bound(
      kLowerPairs, end, cp, [](const LowerPair& p, char32_t c) { return p.from < c; });
  if (it == end || it->from != cp) return 0;
  return Encode(it->to, out);
}

size_t CodePointCount(const char* p, const char* end) {
  size_t n = 0;
  while (p < end) {
    p += Decode(p, end).len;
    ++n;
  }
  return n;
}

}  // namespace earshot::utf8
