// Mastodon's `content` HTML to the plain text detectors read.
#pragma once

#include <string>
#include <string_view>

namespace earshot::mastodon {

// Converts a status's HTML `content` to plain text:
//   - tags are dropped, their text kept: a hashtag link reads "#cats", a mention "@trwnh";
//   - <br> becomes "\n"; paragraphs (<p>...</p><p>...) are separated by "\n\n";
//   - <span class="invisible">...</span> (the parts of a URL Mastodon hides) is dropped, while
//     the "ellipsis" span's text is kept (without the "…" the web UI adds by CSS);
//   - <script>, <style> and comments are dropped;
//   - entities are decoded: &amp; &lt; &gt; &quot; &#39; &apos; &nbsp; (as a plain space), the
//     common named ones (&hellip; &mdash; &eacute; &euro; ...), &#NNN; and &#xHHH;. Invalid code
//     points become U+FFFD; unknown or unterminated entities stay as written;
//   - runs of spaces, tabs and source newlines collapse to one space; lines are trimmed.
// Never fails: malformed HTML (an unclosed tag, a stray '<', unbalanced spans) yields the best
// text it can. Linear in the input.
std::string HtmlToText(std::string_view html);

// The same text, written over *out (whose capacity is kept): a caller converting many statuses
// reuses one buffer instead of allocating a string per status.
void HtmlToText(std::string_view html, std::string* out);

// Escapes text for HTML: & < > " '. Used by the fake server to write realistic content.
std::string HtmlEscape(std::string_view text);

}  // namespace earshot::mastodon
