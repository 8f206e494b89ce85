#include "sinks/terminal_text.h"

#include <fmt/format.h>

#include <cstdint>

namespace earshot {
namespace {

// The code point at s[i] and its length in bytes; length 0 for an invalid sequence (overlong,
// surrogate, past U+10FFFF or cut short).
std::pair<char32_t, size_t> DecodeAt(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t len;
  char32_t min;
  if (c < 0x80) return {c, 1};
  if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; }
  else return {0, 0};
  if (i + len > s.size()) return {0, 0};
  char32_t cp = c & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 0};
  return {cp, len};
}

bool IsBidiControl(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
         cp == 0x200F || cp == 0x061C;
}

// Characters that show nothing (or break a line where the excerpt promised one line).
bool IsInvisible(char32_t cp) {
  return cp == 0x200B || cp == 0x2060 || cp == 0xFEFF || cp == 0x2028 || cp == 0x2029;
}

}  // namespace

void AppendTerminalSafe(std::string_view s, std::string* out) {
  out->reserve(out->size() + s.size());
  for (size_t i = 0; i < s.size();) {
    const auto [cp, len] = DecodeAt(s, i);
    if (len == 0) {
      fmt::format_to(std::back_inserter(*out), "\\x{:02x}", static_cast<unsigned char>(s[i]));
      ++i;
      continue;
    }
    if (cp < 0x20 || cp == 0x7F) {
      fmt::format_to(std::back_inserter(*out), "\\x{:02x}", static_cast<unsigned>(cp));
    } else if ((cp >= 0x80 && cp <= 0x9F) || IsBidiControl(cp) || IsInvisible(cp)) {
      fmt::format_to(std::back_inserter(*out), "U+{:04X}", static_cast<uint32_t>(cp));
    } else {
      out->append(s.substr(i, len));
    }
    i += len;
  }
}

std::string TerminalSafe(std::string_view s) {
  std::string out;
  AppendTerminalSafe(s, &out);
  return out;
}

}  // namespace earshot
