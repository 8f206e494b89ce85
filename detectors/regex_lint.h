// Checks on analysts' regular expressions before RE2 sees them: syntax RE2 refuses by design
// (backreferences, lookaround) named plainly with a way out, and wildcard gaps (".{0,40}",
// ".*") between words, which make an RE2::Set slow and large and are better written as `near`.
// Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace earshot {

// "" when RE2 can run the pattern as far as these constructs go; else a message such as
// "uses a backreference '\1', which RE2 does not support (it matches in linear time); ...".
std::string UnsupportedRegexSyntax(std::string_view pattern);

// The first wildcard gap with content on both sides (".{0,40}", ".*", "[^.]+"), or "".
std::string FindWildcardGap(std::string_view pattern);

// Escapes `literal` for use inside an RE2 pattern.
std::string QuoteRegex(std::string_view literal);

}  // namespace earshot
