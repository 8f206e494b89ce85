#include "daemon/sources/mastodon/streaming_redirect.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string_view>

#include "daemon/base/ascii.h"

namespace earshot::mastodon {
namespace {

constexpr std::string_view kStreamingPath = "/api/v1/streaming";

}  // namespace

bool IsStreamingRedirect(long status) {
  return status == 301 || status == 302 || status == 307 || status == 308;
}

Result<std::string> StreamingBaseFromRedirect(std::string_view location, std::string_view from) {
  const std::string lower = AsciiLowered(location.substr(0, 8));
  std::string scheme;
  if (lower.starts_with("https://")) {
    scheme = "https://";
  } else if (lower.starts_with("http://")) {
    scheme = "http://";
  } else if (location.starts_with("/")) {
    return Status::InvalidArgument("the Location has no host");
  } else {
    const size_t colon = location.find(':');
    return Status::InvalidArgument(
        colon == std::string_view::npos || colon > 16
            ? std::string("the Location is not an absolute http(s) URL")
            : fmt::format("the Location's scheme '{}' is not http(s)", location.substr(0, colon)));
  }
  const std::string_view rest = location.substr(scheme.size());
  const size_t end = std::min(rest.find_first_of("/?#"), rest.size());
  const std::string_view authority = rest.substr(0, end);
  if (authority.empty() || authority.front() == ':') {
    return Status::InvalidArgument("the Location has no host");
  }
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("the Location carries credentials");
  }
  const bool host_chars = std::all_of(authority.begin(), authority.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
  });
  if (!host_chars) return Status::InvalidArgument("the Location's host is not a host name");
  if (scheme == "http://" && from.starts_with("https://")) {
    return Status::InvalidArgument("it goes from https to cleartext http");
  }
  std::string_view path = rest.substr(end);
  path = path.substr(0, std::min(path.find_first_of("?#"), path.size()));
  const size_t at = path.find(kStreamingPath);
  const size_t after = at == std::string_view::npos ? 0 : at + kStreamingPath.size();
  if (at == std::string_view::npos || (after < path.size() && path[after] != '/')) {
    return Status::InvalidArgument("its path is not under /api/v1/streaming");
  }
  std::string base = scheme + std::string(authority) + std::string(path.substr(0, at));
  while (base.back() == '/') base.pop_back();
  return base;
}

}  // namespace earshot::mastodon
