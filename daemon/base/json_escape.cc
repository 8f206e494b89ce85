#include "daemon/base/json_escape.h"

#include <cstdint>

namespace earshot {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t len;
  uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; }
  else return 0;
  if (i + len > s.size()) return 0;
  uint32_t cp = c & (0xFF >> (len + 1));
  for (size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

void AppendJsonEscaped(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->reserve(out->size() + s.size() + 8);
  // Text that needs no escape (printable ASCII, valid UTF-8) is appended a run at a time: most
  // of a post is one run.
  size_t run = 0;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const size_t len = Utf8SequenceLength(s, i); len != 0) {
        i += len;
        continue;
      }
    }
    out->append(s.data() + run, i - run);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c >= 0x80) {
          out->append("\xEF\xBF\xBD");  // U+FFFD for a byte that is not valid UTF-8
        } else {
          const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
          out->append(escape, sizeof escape);
        }
    }
    run = ++i;
  }
  out->append(s.data() + run, s.size() - run);
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  AppendJsonEscaped(s, &out);
  return out;
}

std::string JsonQuoted(std::string_view s) {
  // Appended in place rather than "\"" + JsonEscape(s) + "\"": one allocation, and GCC 12 at -O3
  // reports a false -Wrestrict overlap in the operator+ form.
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  AppendJsonEscaped(s, &out);
  out.push_back('"');
  return out;
}

void AppendJsonEscapedForHtml(std::string_view s, std::string* out) {
  // Escape first, then rewrite: the escaped text is valid UTF-8 and holds '<', '>' and '&' only
  // as themselves, so the byte patterns below cannot start inside another character.
  const std::string escaped = JsonEscape(s);
  out->reserve(out->size() + escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    const char c = escaped[i];
    if (c == '<') {
      out->append("\\u003c");
    } else if (c == '>') {
      out->append("\\u003e");
    } else if (c == '&') {
      out->append("\\u0026");
    } else if (c == '\xE2' && i + 2 < escaped.size() && escaped[i + 1] == '\x80' &&
               (escaped[i + 2] == '\xA8' || escaped[i + 2] == '\xA9')) {
      out->append(escaped[i + 2] == '\xA8' ? "\\u2028" : "\\u2029");
      i += 2;
    } else {
      out->push_back(c);
    }
  }
}

std::string JsonQuotedForHtml(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('"');
  AppendJsonEscapedForHtml(s, &out);
  out.push_back('"');
  return out;
}

}  // namespace earshot
