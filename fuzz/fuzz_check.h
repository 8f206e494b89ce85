// What every fuzz target shares: an invariant check that names the broken contract and aborts
// (so libFuzzer saves the input), and a strict UTF-8 validator written apart from the code under
// test, so a bug in earshot's own decoder cannot hide a bug in what it decoded.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

// FUZZ_CHECK(cond, "what should hold"): prints the file:line and the contract, then aborts.
#define FUZZ_CHECK(cond, what)                                                          \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", __FILE__, __LINE__,    \
                   what, #cond);                                                        \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

namespace earshot::fuzz {

// RFC 3629 UTF-8: no overlong forms, no surrogates (D800-DFFF), nothing past U+10FFFF.
inline bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // a continuation byte first, C0/C1 (always overlong), or F5-FF
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    i += len;
  }
  return true;
}

inline bool HasAsciiUpper(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

// Splits a fuzz input at its first byte: the byte picks a mode, the rest is the payload.
struct ModeInput {
  uint8_t mode = 0;
  std::string_view payload;
};
inline ModeInput SplitMode(const uint8_t* data, size_t size) {
  if (size == 0) return {};
  return {data[0], std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1)};
}

}  // namespace earshot::fuzz
