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

}  // namespace
}  // namespace earshot::mastodon
