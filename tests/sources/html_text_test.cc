#include <catch2/catch.hpp>

#include "daemon/sources/mastodon/html_text.h"

namespace earshot::mastodon {
namespace {

TEST_CASE("HtmlToText: Mastodon content to plain text", "[sources][mastodon]") {
  struct Case {
    const char* name;
    const char* html;
    const char* text;
  } cases[] = {
      {"plain paragraph", "<p>hello world</p>", "hello world"},
      {"paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo"},
      {"br", "<p>one<br>two<br/>three<br />four</p>", "one\ntwo\nthree\nfour"},
      {"named entities", "<p>&quot;a&quot; &amp; &lt;b&gt; it&#39;s &apos;x&apos;</p>",
       "\"a\" & <b> it's 'x'"},
      {"nbsp collapses like a space", "<p>a&nbsp;&nbsp;b</p>", "a b"},
      {"numeric entities", "<p>&#233;t&#xE9; &#x1F600; &#X41;</p>", "été 😀 A"},
      {"invalid code points", "<p>&#0;&#xD800;&#1114112;</p>", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"common named", "<p>wait&hellip; &mdash; &euro;5 caf&eacute;</p>", "wait… — €5 café"},
      {"unknown entity stays", "<p>&bogus; &amp &#xZZ; AT&T</p>", "&bogus; &amp &#xZZ; AT&T"},
      {"hashtag link", "<p><a href=\"https://m.example/tags/cats\" class=\"mention hashtag\" "
                       "rel=\"tag\">#<span>cats</span></a></p>",
       "#cats"},
      {"mention h-card",
       "<p><span class=\"h-card\"><a href=\"https://mastodon.social/@trwnh\" class=\"u-url "
       "mention\">@<span>trwnh</span></a></span> sup!</p>",
       "@trwnh sup!"},
      {"invisible spans dropped, ellipsis kept",
       "<p><a href=\"https://www.example.com/a/very/long/path\"><span class=\"invisible\">"
       "https://www.</span><span class=\"ellipsis\">example.com/a/very</span><span "
       "class=\"invisible\">/long/path</span></a></p>",
       "example.com/a/very"},
      {"nested span inside invisible", "<span class=\"invisible\">a<span>b</span>c</span>d", "d"},
      {"class list with invisible", "<span class=\"foo invisible\">x</span>y", "y"},
      {"whitespace collapses", "<p>  a \n\t b  </p>", "a b"},
      {"comments and scripts", "<p>a<!-- hidden -->b<script>alert(1)</script>c<style>p{}</style>d</p>",
       "abcd"},
      {"stray less-than", "<p>1 < 2 and 3 <= 4</p>", "1 < 2 and 3 <= 4"},
      {"unterminated tag", "<p>text<a href=\"x", "text"},
      {"unbalanced close span", "</span></span>text</p></p>", "text"},
      {"unclosed invisible hides the rest", "a<span class=\"invisible\">b", "a"},
      {"quoted >", "<a title=\"a>b\">link</a>", "link"},
      {"empty", "", ""},
      {"uppercase tags", "<P>A<BR>B</P>", "A\nB"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(HtmlToText(c.html) == c.text);
  }
}

TEST_CASE("HtmlToText never crashes on prefixes of real content", "[sources][mastodon]") {
  const std::string html =
      "<p>&quot;Hi&quot;</p><p><a href=\"https://x.example/\" rel=\"nofollow\"><span "
      "class=\"invisible\">https://</span><span class=\"ellipsis\">x.example</span></a> &#x1F600;"
      "<br><span class=\"h-card\"><a>@<span>bob</span></a></span></p>";
  for (size_t n = 0; n <= html.size(); ++n) {
    const std::string text = HtmlToText(html.substr(0, n));
    CHECK(text.size() <= n);
  }
  CHECK(HtmlToText(html) == "\"Hi\"\n\nx.example 😀\n@bob");
}

TEST_CASE("HtmlEscape round-trips through HtmlToText", "[sources][mastodon]") {
  const std::string text = "a < b & \"c\" 'd' > e";
  CHECK(HtmlEscape(text) == "a &lt; b &amp; &quot;c&quot; &#39;d&#39; &gt; e");
  CHECK(HtmlToText("<p>" + HtmlEscape(text) + "</p>") == text);
}

// Inputs the one-pass scan treats specially; the expected texts are what the earlier
// two-pass HtmlToText returned for them.
TEST_CASE("HtmlToText: entity limits, deep spans, end tags, hidden text", "[sources][mastodon]") {
  // An entity's ';' must come within 32 bytes of its '&'.
  CHECK(HtmlToText("&#" + std::string(28, '0') + "65;") == "A");
  CHECK(HtmlToText("&#" + std::string(29, '0') + "65;") == "&#" + std::string(29, '0') + "65;");
  CHECK(HtmlToText("a &" + std::string(40, 'x') + ";b &#x41;") ==
        "a &" + std::string(40, 'x') + ";b A");
  CHECK(HtmlToText("<p>&amp&amp;</p>") == "&amp&");
  // Entities that decode to whitespace collapse like it.
  CHECK(HtmlToText("a &#9; &#10;b&#32;&#32;c") == "a b c");
  // Spans nested deeper than 64 still close in order.
  std::string deep;
  for (int i = 0; i < 70; ++i) deep += i == 66 ? "<span class=\"invisible\">" : "<span>";
  deep += "hidden";
  for (int i = 0; i < 4; ++i) deep += "</span>";
  deep += "still</span>shown";
  CHECK(HtmlToText(deep) == "stillshown");
  // Tag names, attribute names and end tags in any case; an end tag is matched by its prefix.
  CHECK(HtmlToText("x<SPAN Class='Foo INVISIBLE'>y</SPAN>z<span CLASS=\"invisible\">w</span>!") ==
        "xyz!");
  CHECK(HtmlToText("a<SCRIPT>x</b></ScRiPt >b<style>y</styles>c") == "abc");
  CHECK(HtmlToText("a<script>never closed <p>b</p>") == "a");
  // Hidden text leaves nothing behind: no entity, break or space.
  CHECK(HtmlToText("<span class=\"invisible\">a &amp; b<br>c</span>d &nbsp; e") == "d e");
  CHECK(HtmlToText("a<p>b</p><br><br><p>c</p>") == "a\n\nb\n\nc");
}

TEST_CASE("HtmlToText into a reused buffer", "[sources][mastodon]") {
  std::string out = "left over from before";
  HtmlToText("<p>one &amp; two</p>", &out);
  CHECK(out == "one & two");
  HtmlToText("", &out);
  CHECK(out.empty());
}

}  // namespace
}  // namespace earshot::mastodon
