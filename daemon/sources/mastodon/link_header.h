// RFC 8288 `Link` header parsing, for Mastodon's pagination:
//   Link: <https://m.example/api/v1/timelines/tag/cats?max_id=1>; rel="next",
//         <https://m.example/api/v1/timelines/tag/cats?min_id=9>; rel="prev"
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace earshot::mastodon {

struct LinkValue {
  std::string url;  // the target between < and >, as written
  std::string rel;  // the rel parameter, unquoted, lowercased; "" when absent
  std::vector<std::pair<std::string, std::string>> params;  // every parameter, names lowercased
};

// Parses every link-value in `header`. Tolerant: a link without rel (Mastodon's docs print one),
// quoted or bare parameter values, commas inside quotes or <...>, extra whitespace. A
// link-value without <...> is skipped. Never fails.
std::vector<LinkValue> ParseLinkHeader(std::string_view header);

// The URL of the first link whose rel (a space-separated list) contains `rel` (lowercase), or
// nullopt.
std::optional<std::string> FindLink(const std::vector<LinkValue>& links, std::string_view rel);

}  // namespace earshot::mastodon
