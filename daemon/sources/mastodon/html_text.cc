#include "daemon/sources/mastodon/html_text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <vector>

#include "daemon/base/ascii.h"
#include "daemon/base/utf8_encode.h"

namespace earshot::mastodon {
namespace {

struct NamedEntity {
  std::string_view name;
  uint32_t code;
};

// Sorted by name for binary search. The XML five, space-likes, and the named entities that
// appear in real posts (punctuation, currency, Latin-1 letters).
constexpr NamedEntity kEntities[] = {
    {"AElig", 0xC6},  {"Aacute", 0xC1}, {"Agrave", 0xC0}, {"Auml", 0xC4},   {"Ccedil", 0xC7},
    {"Eacute", 0xC9}, {"Egrave", 0xC8}, {"Iacute", 0xCD}, {"Ntilde", 0xD1}, {"Oacute", 0xD3},
    {"Oslash", 0xD8}, {"Ouml", 0xD6},   {"Uacute", 0xDA}, {"Uuml", 0xDC},   {"aacute", 0xE1},
    {"acirc", 0xE2},  {"aelig", 0xE6},  {"agrave", 0xE0}, {"amp", '&'},     {"apos", '\''},
    {"aring", 0xE5},  {"auml", 0xE4},   {"bull", 0x2022}, {"ccedil", 0xE7}, {"cent", 0xA2},
    {"copy", 0xA9},   {"deg", 0xB0},    {"divide", 0xF7}, {"eacute", 0xE9}, {"ecirc", 0xEA},
    {"egrave", 0xE8}, {"euml", 0xEB},   {"euro", 0x20AC}, {"frac12", 0xBD}, {"gt", '>'},
    {"hellip", 0x2026}, {"iacute", 0xED}, {"iexcl", 0xA1}, {"iquest", 0xBF}, {"laquo", 0xAB},
    {"ldquo", 0x201C}, {"lsquo", 0x2018}, {"lt", '<'},    {"mdash", 0x2014}, {"middot", 0xB7},
    {"nbsp", ' '},    {"ndash", 0x2013}, {"ntilde", 0xF1}, {"oacute", 0xF3}, {"ocirc", 0xF4},
    {"oslash", 0xF8}, {"ouml", 0xF6},   {"para", 0xB6},   {"pound", 0xA3},  {"quot", '"'},
    {"raquo", 0xBB},  {"rdquo", 0x201D}, {"reg", 0xAE},   {"rsquo", 0x2019}, {"sect", 0xA7},
    {"shy", 0xAD},    {"szlig", 0xDF},  {"times", 0xD7},  {"trade", 0x2122}, {"uacute", 0xFA},
    {"ucirc", 0xFB},  {"uuml", 0xFC},   {"yen", 0xA5},    {"zwj", 0x200D},  {"zwnj", 0x200C},
};

// Writes code point `cp` as UTF-8 to out[0..3]; returns the length. Invalid ones become U+FFFD.
size_t EncodeCodePoint(uint32_t cp, char* out) {
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  return EncodeUtf8(static_cast<char32_t>(cp), out);
}

// Decodes the entity starting at html[i] == '&' into out[0..*len) (at most 4 bytes). Returns the
// index just past ';', or i when there is no entity there (the caller emits '&' literally).
size_t DecodeEntity(std::string_view html, size_t i, char* out, size_t* len) {
  // The ';' must come within 32 bytes; looking no further keeps a run of bare '&'s linear.
  const size_t window = std::min<size_t>(html.size() - i - 1, 32);
  const auto* semi_ptr = static_cast<const char*>(std::memchr(html.data() + i + 1, ';', window));
  if (semi_ptr == nullptr) return i;
  const size_t semi = static_cast<size_t>(semi_ptr - html.data());
  std::string_view body = html.substr(i + 1, semi - i - 1);
  if (body.empty()) return i;
  if (body[0] == '#') {
    body.remove_prefix(1);
    int base = 10;
    if (!body.empty() && (body[0] == 'x' || body[0] == 'X')) {
      base = 16;
      body.remove_prefix(1);
    }
    if (body.empty()) return i;
    uint64_t cp = 0;
    auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), cp, base);
    if (p != body.data() + body.size()) return i;
    if (ec != std::errc() || cp > 0x10FFFF) cp = 0xFFFD;
    *len = EncodeCodePoint(static_cast<uint32_t>(cp), out);
    return semi + 1;
  }
  const auto* it = std::lower_bound(std::begin(kEntities), std::end(kEntities), body,
                                    [](const NamedEntity& e, std::string_view n) { return e.name < n; });
  if (it == std::end(kEntities) || it->name != body) return i;
  *len = EncodeCodePoint(it->code, out);
  return semi + 1;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// What the scan does at a byte: copy it as text, note a space, decode an entity, read a tag.
// A table, so that the common case (a run of plain text) costs one load per byte.
enum ByteClass : uint8_t { kText = 0, kSpaceByte, kAmpersand, kLess };
constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> t{};
  for (char c : {' ', '\t', '\n', '\r', '\f'}) t[static_cast<unsigned char>(c)] = kSpaceByte;
  t['&'] = kAmpersand;
  t['<'] = kLess;
  return t;
}();

ByteClass ClassOf(char c) { return static_cast<ByteClass>(kByteClass[static_cast<unsigned char>(c)]); }

// The value of attribute `name` (lowercase) inside a tag's attribute text, or "".
std::string_view Attribute(std::string_view attrs, std::string_view name) {
  size_t pos = 0;
  while (pos < attrs.size()) {
    while (pos < attrs.size() && (IsSpace(attrs[pos]) || attrs[pos] == '/')) ++pos;
    const size_t key_start = pos;
    while (pos < attrs.size() && !IsSpace(attrs[pos]) && attrs[pos] != '=' && attrs[pos] != '/') ++pos;
    const std::string_view key = attrs.substr(key_start, pos - key_start);
    while (pos < attrs.size() && IsSpace(attrs[pos])) ++pos;
    std::string_view value;
    if (pos < attrs.size() && attrs[pos] == '=') {
      ++pos;
      while (pos < attrs.size() && IsSpace(attrs[pos])) ++pos;
      if (pos < attrs.size() && (attrs[pos] == '"' || attrs[pos] == '\'')) {
        const char q = attrs[pos++];
        const size_t end = attrs.find(q, pos);
        value = attrs.substr(pos, end == std::string_view::npos ? attrs.npos : end - pos);
        pos = end == std::string_view::npos ? attrs.size() : end + 1;
      } else {
        const size_t start = pos;
        while (pos < attrs.size() && !IsSpace(attrs[pos])) ++pos;
        value = attrs.substr(start, pos - start);
      }
    }
    if (AsciiEqualsLowered(key, name)) return value;
    if (key.empty() && pos == key_start) ++pos;  // stray character: make progress
  }
  return {};
}

bool HasClass(std::string_view classes, std::string_view wanted) {
  size_t pos = 0;
  while (pos < classes.size()) {
    while (pos < classes.size() && IsSpace(classes[pos])) ++pos;
    const size_t start = pos;
    while (pos < classes.size() && !IsSpace(classes[pos])) ++pos;
    if (classes.substr(start, pos - start) == wanted) return true;
  }
  return false;
}

// The tags that change the text; every other tag (a, em, strong, ...) only wraps text that stays.
enum class TagKind { kOther, kBreak, kBlock, kSpan, kScript, kStyle };

TagKind KindOf(std::string_view name) {
  // The longest name that matters is "blockquote"; a longer one is some other tag.
  if (name.empty() || name.size() > 10) return TagKind::kOther;
  char lower[10];
  for (size_t i = 0; i < name.size(); ++i) lower[i] = AsciiLower(name[i]);
  const std::string_view n(lower, name.size());
  switch (n.size()) {
    case 1:
      return n == "p" ? TagKind::kBlock : TagKind::kOther;
    case 2:
      if (n == "br") return TagKind::kBreak;
      if (n == "li" || n == "ul" || n == "ol" || (n[0] == 'h' && n[1] >= '1' && n[1] <= '6')) {
        return TagKind::kBlock;
      }
      return TagKind::kOther;
    case 3:
      return n == "div" || n == "pre" ? TagKind::kBlock : TagKind::kOther;
    case 4:
      return n == "span" ? TagKind::kSpan : TagKind::kOther;
    case 5:
      return n == "style" ? TagKind::kStyle : TagKind::kOther;
    case 6:
      return n == "script" ? TagKind::kScript : TagKind::kOther;
    case 10:
      return n == "blockquote" ? TagKind::kBlock : TagKind::kOther;
    default:
      return TagKind::kOther;
  }
}

// The open <span>s, innermost last: whether each hides its content. Real content nests a few
// deep, so the flags live in one word; deeper (hostile) nesting spills into a vector rather
// than being refused, so the text is the same at any depth.
class SpanStack {
 public:
  bool empty() const { return depth_ == 0; }
  void Push(bool invisible) {
    if (depth_ < 64) {
      const uint64_t bit = uint64_t{1} << depth_;
      bits_ = invisible ? bits_ | bit : bits_ & ~bit;
    } else {
      spill_.push_back(invisible);
    }
    ++depth_;
  }
  // Requires !empty(). Returns whether the span closed was invisible.
  bool Pop() {
    --depth_;
    if (depth_ < 64) return (bits_ >> depth_) & 1;
    const bool invisible = spill_.back();
    spill_.pop_back();
    return invisible;
  }

 private:
  uint64_t bits_ = 0;
  size_t depth_ = 0;
  std::vector<bool> spill_;
};

// Builds the output, collapsing whitespace and trimming lines as it goes.
class TextBuilder {
 public:
  explicit TextBuilder(std::string* out) : out_(*out) {}

  // A run of bytes none of which is whitespace, copied at once.
  void Run(const char* p, size_t n) {
    if (pending_space_ && !out_.empty() && out_.back() != '\n') out_.push_back(' ');
    pending_space_ = false;
    out_.append(p, n);
  }
  void Space() { pending_space_ = true; }
  void Text(char c) {
    if (IsSpace(c)) {
      Space();
    } else {
      Run(&c, 1);
    }
  }
  void LineBreak() {
    pending_space_ = false;
    out_.push_back('\n');
  }
  void ParagraphBreak() {
    pending_space_ = false;
    if (out_.empty()) return;
    while (!out_.empty() && out_.back() == '\n') out_.pop_back();
    out_ += "\n\n";
  }
  void Finish() {
    while (!out_.empty() && (out_.back() == '\n' || out_.back() == ' ')) out_.pop_back();
  }

 private:
  std::string& out_;
  bool pending_space_ = false;
};

}  // namespace

std::string HtmlToText(std::string_view html) {
  std::string out;
  HtmlToText(html, &out);
  return out;
}

void HtmlToText(std::string_view html, std::string* out) {
  out->clear();
  // The text never outgrows the HTML (each output byte stands for input bytes of its own).
  out->reserve(html.size());
  TextBuilder text(out);
  SpanStack spans;
  int hidden = 0;  // how many open spans hide their content
  const char* const data = html.data();
  const size_t size = html.size();
  size_t i = 0;
  while (i < size) {
    if (hidden > 0) {
      // Hidden text leaves no trace, entities and whitespace included (no entity that decodes
      // contains '<'), so only the next tag can matter.
      const auto* lt = static_cast<const char*>(std::memchr(data + i, '<', size - i));
      if (lt == nullptr) break;
      i = static_cast<size_t>(lt - data);
    }
    switch (ClassOf(data[i])) {
      case kText: {
        size_t j = i + 1;
        for (;;) {
          while (j < size && ClassOf(data[j]) == kText) ++j;
          // One space between two text bytes stays as it is, so it joins the run: a sentence
          // is copied at once rather than word by word.
          if (j + 1 < size && data[j] == ' ' && ClassOf(data[j + 1]) == kText) {
            j += 2;
            continue;
          }
          break;
        }
        text.Run(data + i, j - i);
        i = j;
        continue;
      }
      case kSpaceByte:
        text.Space();
        ++i;
        continue;
      case kAmpersand: {
        char decoded[4];
        size_t len = 0;
        const size_t next = DecodeEntity(html, i, decoded, &len);
        if (next != i) {
          // &nbsp; decodes to a plain space, which collapses like any other.
          for (size_t k = 0; k < len; ++k) text.Text(decoded[k]);
          i = next;
        } else {
          text.Run("&", 1);
          ++i;
        }
        continue;
      }
      case kLess:
        break;
    }
    // A tag, a comment, or a stray '<'.
    if (size - i >= 4 && std::memcmp(data + i, "<!--", 4) == 0) {
      const size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? size : end + 3;
      continue;
    }
    size_t j = i + 1;
    const bool closing = j < size && data[j] == '/';
    if (closing) ++j;
    const size_t name_start = j;
    while (j < size && IsAsciiAlnum(data[j])) ++j;
    if (j == name_start && !(j < size && data[j] == '!')) {
      if (hidden == 0) text.Run("<", 1);  // "a < b": not a tag
      ++i;
      continue;
    }
    const std::string_view name = html.substr(name_start, j - name_start);
    // Find the end of the tag, skipping '>' inside quoted attribute values.
    size_t k = j;
    while (k < size && data[k] != '>') {
      if (data[k] == '"' || data[k] == '\'') {
        const auto* close = static_cast<const char*>(std::memchr(data + k + 1, data[k], size - k - 1));
        k = close == nullptr ? size : static_cast<size_t>(close - data) + 1;
      } else {
        ++k;
      }
    }
    if (k >= size) break;  // unterminated tag at the end: drop it
    const std::string_view attrs = html.substr(j, k - j);
    i = k + 1;

    switch (KindOf(name)) {
      case TagKind::kBreak:
        if (hidden == 0) text.LineBreak();
        break;
      case TagKind::kBlock:
        if (hidden == 0) text.ParagraphBreak();
        break;
      case TagKind::kSpan:
        if (closing) {
          if (!spans.empty() && spans.Pop()) --hidden;
        } else if (attrs.empty() || attrs.back() != '/') {
          const bool invisible = HasClass(Attribute(attrs, "class"), "invisible");
          spans.Push(invisible);
          if (invisible) ++hidden;
        }
        break;
      case TagKind::kScript:
      case TagKind::kStyle: {
        if (closing) break;
        // Everything up to the matching end tag ("</script", any case) is dropped.
        const std::string_view tag = KindOf(name) == TagKind::kScript ? "script" : "style";
        size_t end = i;
        for (;;) {
          end = html.find('<', end);
          if (end == std::string_view::npos) break;
          if (end + 1 < size && data[end + 1] == '/' &&
              AsciiEqualsLowered(html.substr(end + 2, tag.size()), tag)) {
            break;
          }
          ++end;
        }
        if (end == std::string_view::npos) {
          i = size;  // the rest of the input is script: nothing more to read
          break;
        }
        const size_t gt = html.find('>', end);
        i = gt == std::string_view::npos ? size : gt + 1;
        break;
      }
      case TagKind::kOther:
        break;
    }
  }
  text.Finish();
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace earshot::mastodon
