#include "detectors/sentiment_text.h"

#include <cstring>

#include "detectors/utf8.h"

namespace earshot::sentiment_text {

size_t CodePointCountSlow(const char* p, const char* end) { return utf8::CodePointCount(p, end); }

size_t LowerInto(std::string_view token, char* out, uint8_t* case_bits) {
  uint8_t bits = 0;
  char* const start = out;
  const char* p = token.data();
  const char* const end = p + token.size();
  while (p < end) {
    const auto c = static_cast<unsigned char>(*p);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') {
        bits |= kHasUpper;
        *out++ = static_cast<char>(c + ('a' - 'A'));
      } else {
        if (c >= 'a' && c <= 'z') bits |= kHasLower;
        *out++ = static_cast<char>(c);
      }
      ++p;
      continue;
    }
    const utf8::Decoded d = utf8::Decode(p, end);
    switch (utf8::ClassOf(d.cp)) {
      case utf8::CaseClass::kUpper: bits |= kHasUpper; break;
      case utf8::CaseClass::kLowerOrTitle: bits |= kHasLower; break;
      case utf8::CaseClass::kUncased: break;
    }
    const size_t written = utf8::LowerNonAsciiInto(d.cp, out);
    if (written == 0) {
      std::memcpy(out, p, d.len);
      out += d.len;
    } else {
      out += written;
    }
    p += d.len;
  }
  *case_bits |= bits;
  return static_cast<size_t>(out - start);
}

uint8_t AppendLower(std::string_view token, std::string* out) {
  const size_t old = out->size();
  out->resize(old + token.size() * 3 / 2 + 4);
  uint8_t bits = 0;
  out->resize(old + LowerInto(token, out->data() + old, &bits));
  return bits;
}

std::string NormalizeEntry(std::string_view entry) {
  std::string out;
  const char* p = entry.data();
  const char* end = p + entry.size();
  while (p < end) {
    // Skip whitespace, then take one word up to the next whitespace.
    const utf8::Decoded d = utf8::Decode(p, end);
    const bool space = d.cp < 0x80 ? utf8::IsAsciiSpace(static_cast<unsigned char>(d.cp))
                                   : utf8::IsNonAsciiSpace(d.cp);
    if (space) {
      p += d.len;
      continue;
    }
    const char* word_begin = p;
    while (p < end) {
      const utf8::Decoded w = utf8::Decode(p, end);
      const bool ws = w.cp < 0x80 ? utf8::IsAsciiSpace(static_cast<unsigned char>(w.cp))
                                  : utf8::IsNonAsciiSpace(w.cp);
      if (ws) break;
      p += w.len;
    }
    if (!out.empty()) out.push_back(' ');
    AppendLower(StripPunctuationIfWord(std::string_view(word_begin, p - word_begin)), &out);
  }
  return out;
}

}  // namespace earshot::sentiment_text
