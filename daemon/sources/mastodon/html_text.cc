#include "daemon/sources/mastodon/html_text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <vector>

#include "daemon/base/ascii.h"

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

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the entity starting at html[i] == '&'. On success appends it, returns the index just
// past ';'. Otherwise returns i (the caller emits '&' literally).
size_t DecodeEntity(std::string_view html, size_t i, std::string* out) {
  const size_t semi = html.find(';', i + 1);
  if (semi == std::string_view::npos || semi - i > 32) return i;
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
    AppendUtf8(static_cast<uint32_t>(cp), out);
    return semi + 1;
  }
  const auto* it = std::lower_bound(std::begin(kEntities), std::end(kEntities), body,
                                    [](const NamedEntity& e, std::string_view n) { return e.name < n; });
  if (it == std::end(kEntities) || it->name != body) return i;
  AppendUtf8(it->code, out);
  return semi + 1;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// The value of attribute `name` inside a tag's attribute text, or "".
std::string_view Attribute(std::string_view attrs, std::string_view name) {
  size_t pos = 0;
  while (pos < attrs.size()) {
    while (pos < attrs.size() && (IsSpace(attrs[pos]) || attrs[pos] == '/')) ++pos;
    const size_t key_start = pos;
    while (pos < attrs.size() && !IsSpace(attrs[pos]) && attrs[pos] != '=' && attrs[pos] != '/') ++pos;
    const std::string key = AsciiLowered(attrs.substr(key_start, pos - key_start));
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
    if (key == name) return value;
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

// Builds the output, collapsing whitespace and trimming lines as it goes.
class TextBuilder {
 public:
  void Text(char c) {
    if (IsSpace(c)) {
      pending_space_ = true;
      return;
    }
    if (pending_space_ && !out_.empty() && out_.back() != '\n') out_.push_back(' ');
    pending_space_ = false;
    out_.push_back(c);
  }
  void Append(std::string_view s) {
    for (char c : s) Text(c);
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
  std::string Finish() {
    while (!out_.empty() && (out_.back() == '\n' || out_.back() == ' ')) out_.pop_back();
    return std::move(out_);
  }

 private:
  std::string out_;
  bool pending_space_ = false;
};

}  // namespace

std::string HtmlToText(std::string_view html) {
  TextBuilder text;
  std::vector<bool> spans;  // open <span>s: true for class="invisible"
  int hidden = 0;           // how many open spans hide their content
  size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '&') {
      std::string decoded;
      const size_t next = DecodeEntity(html, i, &decoded);
      if (next != i) {
        if (hidden == 0) {
          // &nbsp; decodes to a plain space, which collapses like any other.
          text.Append(decoded);
        }
        i = next;
        continue;
      }
      if (hidden == 0) text.Text('&');
      ++i;
      continue;
    }
    if (c != '<') {
      if (hidden == 0) text.Text(c);
      ++i;
      continue;
    }
    // A tag, a comment, or a stray '<'.
    if (html.substr(i, 4) == "<!--") {
      const size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    size_t j = i + 1;
    const bool closing = j < html.size() && html[j] == '/';
    if (closing) ++j;
    const size_t name_start = j;
    while (j < html.size() && std::isalnum(static_cast<unsigned char>(html[j]))) ++j;
    if (j == name_start && !(j < html.size() && html[j] == '!')) {
      if (hidden == 0) text.Text('<');  // "a < b": not a tag
      ++i;
      continue;
    }
    const std::string name = AsciiLowered(html.substr(name_start, j - name_start));
    // Find the end of the tag, skipping '>' inside quoted attribute values.
    size_t k = j;
    char quote = 0;
    while (k < html.size() && (quote != 0 || html[k] != '>')) {
      if (quote != 0 && html[k] == quote) {
        quote = 0;
      } else if (quote == 0 && (html[k] == '"' || html[k] == '\'')) {
        quote = html[k];
      }
      ++k;
    }
    if (k >= html.size()) break;  // unterminated tag at the end: drop it
    const std::string_view attrs = html.substr(j, k - j);
    i = k + 1;

    if (name == "br") {
      if (hidden == 0) text.LineBreak();
    } else if (name == "p" || name == "div" || name == "blockquote" || name == "li" ||
               name == "pre" || name == "ul" || name == "ol" || (name.size() == 2 && name[0] == 'h' &&
                                                                  name[1] >= '1' && name[1] <= '6')) {
      if (hidden == 0) text.ParagraphBreak();
    } else if (name == "span") {
      if (closing) {
        if (!spans.empty()) {
          if (spans.back()) --hidden;
          spans.pop_back();
        }
      } else if (attrs.empty() || attrs.back() != '/') {
        const bool invisible = HasClass(Attribute(attrs, "class"), "invisible");
        spans.push_back(invisible);
        if (invisible) ++hidden;
      }
    } else if (!closing && (name == "script" || name == "style")) {
      const std::string end_tag = "</" + name;
      size_t end = i;
      for (;;) {
        end = html.find('<', end);
        if (end == std::string_view::npos) break;
        if (AsciiLowered(html.substr(end, end_tag.size())) == end_tag) break;
        ++end;
      }
      if (end == std::string_view::npos) break;
      const size_t gt = html.find('>', end);
      i = gt == std::string_view::npos ? html.size() : gt + 1;
    }
    // Every other tag (a, em, strong, ...) only wraps text that stays.
  }
  return text.Finish();
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
