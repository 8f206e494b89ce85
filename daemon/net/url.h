// URL helpers shared by the HTTP client, the server and the sources.
#pragma once

#include <string>
#include <string_view>

namespace earshot {

// The host (with port, if any) of an absolute URL, for log lines and error messages:
// "https://user:pw@mastodon.social:443/api?x=1" -> "mastodon.social:443". Never the userinfo,
// path or query. Returns "" when `url` has no "scheme://".
std::string UrlHost(std::string_view url);

// Percent-decodes `s`; with `plus_is_space`, '+' becomes ' ' (query strings). Malformed escapes
// are kept as they are.
std::string PercentDecode(std::string_view s, bool plus_is_space);

// Percent-encodes everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string PercentEncode(std::string_view s);

}  // namespace earshot
