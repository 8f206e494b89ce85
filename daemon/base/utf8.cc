#include "daemon/base/utf8.h"

#include <cstdint>
#include <cstring>

namespace earshot::utf8 {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The bytes of the sequence starting at p[0] (n > 0 bytes left): returns its length when it is
// valid; otherwise 0, with *bad the length of its maximal subpart (at least 1), which becomes one
// U+FFFD.
size_t Sequence(const unsigned char* p, size_t n, size_t* bad) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // UTF-16 surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    *bad = 1;  // a continuation byte, C0/C1 (always overlong), or F5..FF
    return 0;
  }
  size_t i = 1;
  for (; i < len && i < n; ++i) {
    const unsigned char b = p[i];
    const bool ok = i == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    if (!ok) break;
  }
  if (i == len) return len;
  *bad = i;
  return 0;
}

// Index of the first byte that is not plain ASCII, 8 bytes at a time.
size_t AsciiPrefix(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ULL) break;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a "\uXXXX" escape at s[i] (s[i] is the backslash), or -1.
int EscapeAt(std::string_view s, size_t i) {
  if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return -1;
  int unit = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    const int h = HexValue(s[k]);
    if (h < 0) return -1;
    unit = unit * 16 + h;
  }
  return unit;
}

// Whether `s` has a "\u" followed by d/D and 8-F: the only way a surrogate escape can start.
// Escaped backslashes are not told apart here; the slow path does that.
bool MaySurrogate(std::string_view s) {
  for (size_t i = s.find('\\'); i != std::string_view::npos; i = s.find('\\', i + 1)) {
    if (i + 3 < s.size() && s[i + 1] == 'u' && (s[i + 2] == 'd' || s[i + 2] == 'D')) {
      const char c = s[i + 3];
      if ((c >= '8' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) {
        return true;
      }
    }
  }
  return false;
}

// Replaces lone surrogate escapes with \uFFFD, copying everything else as it is.
std::string ScrubSurrogates(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const size_t slash = s.find('\\', i);
    if (slash == std::string_view::npos) {
      out.append(s.substr(i));
      break;
    }
    out.append(s.substr(i, slash - i));
    i = slash;
    const int unit = EscapeAt(s, i);
    if (unit < 0) {
      // Any other escape ("\\", "\"", "\n", a malformed "\u"): copied as two characters so an
      // escaped backslash never starts an escape of its own.
      out.append(s.substr(i, std::min<size_t>(2, s.size() - i)));
      i += 2;
      continue;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      const int next = EscapeAt(s, i + 6);
      if (next >= 0xDC00 && next <= 0xDFFF) {
        out.append(s.substr(i, 12));  // a proper pair
        i += 12;
        continue;
      }
      out.append("\\uFFFD");
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      out.append("\\uFFFD");  // a low surrogate with no high one before it
    } else {
      out.append(s.substr(i, 6));
    }
    i += 6;
  }
  return out;
}

}  // namespace

bool IsValid(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = AsciiPrefix(s);
  while (i < s.size()) {
    if (p[i] < 0x80) {
      i += AsciiPrefix(s.substr(i));
      continue;
    }
    size_t bad = 0;
    const size_t len = Sequence(p + i, s.size() - i, &bad);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string Scrub(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t i = 0;
  while (i < s.size()) {
    size_t bad = 0;
    const size_t len = Sequence(p + i, s.size() - i, &bad);
    if (len > 0) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.append(kReplacement);
      i += bad;
    }
  }
  return out;
}

bool ScrubInPlace(std::string* s) {
  if (IsValid(*s)) return false;
  *s = Scrub(*s);
  return true;
}

std::string_view ScrubJson(std::string_view body, std::string* storage) {
  const bool valid = IsValid(body);
  if (valid && !MaySurrogate(body)) return body;
  std::string text = valid ? std::string(body) : Scrub(body);
  *storage = MaySurrogate(text) ? ScrubSurrogates(text) : std::move(text);
  return *storage;
}

}  // namespace earshot::utf8
