// Which redirects of a Mastodon streaming request earshot follows. An instance whose streaming
// server runs on another host answers `GET /api/v1/streaming/...` on its web host with a
// 301/302/307/308 to the same path and query on the streaming host (Mastodon's
// StreamingController). MastodonStreamSource follows such a redirect itself (its HTTP clients
// never do) and sends the bearer token there, so the Location must name a plausible streaming
// server: see StreamingBaseFromRedirect.
#pragma once

#include <string>
#include <string_view>

#include "daemon/base/result.h"

namespace earshot::mastodon {

// True for the redirect statuses a Mastodon web host may answer a stream request with.
bool IsStreamingRedirect(long status);

// The streaming base URL a redirect's `location` names: "scheme://authority" plus any path
// prefix before "/api/v1/streaming", without a trailing slash ("https://streaming.example",
// "https://example.social/stream"). `from` is the URL the redirect answered (its scheme decides
// whether a move to http is a downgrade).
// kInvalidArgument, with a reason that never quotes the Location (its query could carry a
// secret), when the Location is not absolute http(s) (another scheme, or relative: no host),
// carries userinfo or a host that is no host name (only letters, digits, . - : [ ]), moves
// from https to http, or has a path not under /api/v1/streaming.
// The scheme is matched case-insensitively and returned lowercased.
Result<std::string> StreamingBaseFromRedirect(std::string_view location, std::string_view from);

}  // namespace earshot::mastodon
