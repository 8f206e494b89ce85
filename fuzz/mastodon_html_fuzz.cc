// HtmlToText, the pass every Mastodon status goes through: never fails, never grows the text,
// and keeps html_text.h's promises about the text it returns.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/sources/mastodon/html_text.h"
#include "fuzz/fuzz_check.h"

namespace {

bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// What HtmlToText makes of text without markup: runs of whitespace become one space, and the
// ends are trimmed. Written apart from html_text.cc on purpose.
std::string CollapseSpaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (IsHtmlSpace(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using earshot::fuzz::IsValidUtf8;
  using earshot::mastodon::HtmlEscape;
  using earshot::mastodon::HtmlToText;
  const std::string_view html(reinterpret_cast<const char*>(data), size);

  const std::string text = HtmlToText(html);
  // Every output byte stands for input bytes of its own (the shortest entity, "&lt;", is longer
  // than the longest code point it can name, and a break replaces a tag): text never grows.
  FUZZ_CHECK(text.size() <= html.size(), "HtmlToText never grows the text");
  // Tags, comments and entities are delimited by ASCII bytes, so valid text stays valid.
  FUZZ_CHECK(!IsValidUtf8(html) || IsValidUtf8(text), "valid UTF-8 in, valid UTF-8 out");
  // Whitespace collapses and lines are trimmed.
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    FUZZ_CHECK(c != '\t' && c != '\r' && c != '\f', "source whitespace collapses to spaces");
    if (c == ' ') {
      FUZZ_CHECK(i > 0 && i + 1 < text.size(), "text is trimmed");
      FUZZ_CHECK(text[i - 1] != ' ' && text[i - 1] != '\n', "no run of spaces, no leading space");
      FUZZ_CHECK(text[i + 1] != ' ' && text[i + 1] != '\n', "no trailing space on a line");
    }
  }
  FUZZ_CHECK(text.empty() || text.back() != '\n', "no trailing break");

  // Markup from the post never survives as a tag: text escaped for HTML (as the fake server
  // writes realistic content) comes back as itself, whitespace collapsed.
  const std::string escaped = HtmlEscape(html);
  FUZZ_CHECK(HtmlToText(escaped) == CollapseSpaces(html),
             "HtmlToText(HtmlEscape(t)) is t with whitespace collapsed");
  return 0;
}
