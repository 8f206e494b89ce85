// UTF-8 hygiene for text from outside (network pages, stream events, corpus lines): one bad
// byte or one lone surrogate in one post must never cost a whole page. Invalid UTF-8 becomes
// U+FFFD, as docs/bus.md promises, and the JSON parsers (simdjson rejects a whole document for
// either) see a body they accept.
//
// Replacement follows Unicode's "maximal subpart" practice (as WHATWG's decoder and
// JsonEscape do): each maximal prefix of a valid sequence, or each lone bad byte, becomes one
// U+FFFD. Overlong forms, UTF-16 surrogates encoded in UTF-8 (ED A0..BF) and code points past
// U+10FFFF are invalid.
#pragma once

#include <string>
#include <string_view>

namespace earshot::utf8 {

// True when `s` is well-formed UTF-8.
bool IsValid(std::string_view s);

// `s` with every invalid sequence replaced by U+FFFD (EF BF BD). Valid input comes back equal.
std::string Scrub(std::string_view s);

// Scrubs *s in place when it needs it; true when something was replaced.
bool ScrubInPlace(std::string* s);

// A JSON text made safe to parse, item by item: invalid UTF-8 becomes U+FFFD, and a lone
// surrogate escape (a \uD800-\uDBFF not followed by a \uDC00-\uDFFF escape, or a \uDC00-\uDFFF
// not preceded by a high one), which JavaScript servers emit when they cut a string inside an
// emoji, becomes \uFFFD. An escaped backslash is skipped as one ("\\ud83d" is text, not an
// escape). Nothing else changes, so a body that was not JSON stays not JSON.
//
// Fast path: when the body is valid UTF-8 and has no "\u" followed by d/D and 8-F, returns
// `body` itself without copying. Otherwise the fixed text is written to *storage and the
// returned view points into it (valid until *storage changes).
std::string_view ScrubJson(std::string_view body, std::string* storage);

}  // namespace earshot::utf8
