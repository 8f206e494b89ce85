// JSON string escaping, shared by the log, the wire format and the sinks.
#pragma once

#include <string>
#include <string_view>

namespace earshot {

// Escapes `s` for use inside a JSON string literal (quotes not included). Control characters
// become \uXXXX; invalid UTF-8 bytes are replaced by U+FFFD so the output is always valid JSON.
std::string JsonEscape(std::string_view s);
void AppendJsonEscaped(std::string_view s, std::string* out);
// `s` as a whole JSON string literal, quotes included: what payload builders splice into JSON.
std::string JsonQuoted(std::string_view s);

// As AppendJsonEscaped, and also safe where a page embeds the JSON in an HTML <script> element
// or evaluates it as JavaScript: '<', '>' and '&' become \u003c, \u003e, \u0026 (so a post's
// "</script>" or "<!--" cannot end the element) and U+2028, U+2029 become \u2028, \u2029
// (line terminators in older JavaScript). Any JSON parser reads back the same text.
void AppendJsonEscapedForHtml(std::string_view s, std::string* out);
std::string JsonQuotedForHtml(std::string_view s);

}  // namespace earshot
