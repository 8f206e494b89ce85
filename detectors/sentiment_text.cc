#include "detectors/sentiment_text.h"

#include "detectors/utf8.h"

namespace earshot::sentiment_text {

std::string_view StripPunctuationIfWord(std::string_view token) {
  size_t b = 0;
  size_t e = token.size();
  while (b < e && IsAsciiPunctuation(static_cast<unsigned char>(token[b]))) ++b;
  while (e > b && IsAsciiPunctuation(static_cast<unsigned char>(token[e - 1]))) --e;
  if (b == 0 && e == token.size()) return token;
  const size_t bytes = e - b;
  // Two code points take at most 8 bytes; more than 8 bytes is always more than two.
  if (bytes <= 2) return token;
  if (bytes <= 8 && utf8::CodePointCount(token.data() + b, token.data() + e) <= 2) return token;
  return token.substr(b, bytes);
}

uint8_t AppendLower(std::string_view token, std::string* out) {
  bool has_upper = false;
  bool has_lower = false;
  const char* p = token.data();
  const char* end = p + token.size();
  while (p < end) {
    const auto c = static_cast<unsigned char>(*p);
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') {
        has_upper = true;
        out->push_back(static_cast<char>(c + ('a' - 'A')));
      } else {
        has_lower |= (c >= 'a' && c <= 'z');
        out->push_back(static_cast<char>(c));
      }
      ++p;
      continue;
    }
    const utf8::Decoded d = utf8::Decode(p, end);
    switch (utf8::ClassOf(d.cp)) {
      case utf8::CaseClass::kUpper: has_upper = true; break;
      case utf8::CaseClass::kLowerOrTitle: has_lower = true; break;
      case utf8::CaseClass::kUncased: break;
    }
    if (!utf8::AppendLowerNonAscii(d.cp, out)) out->append(p, d.len);
    p += d.len;
  }
  return static_cast<uint8_t>((has_upper ? kHasUpper : 0) | (has_lower ? kHasLower : 0));
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
