// HttpClient: how earshot talks HTTP. Sources poll networks through it and sinks (webhook, Slack,
// PagerDuty) deliver through it. The real implementation is CurlHttpClient (libcurl); tests use
// the real client against loopback servers (HttpServer, FakeMastodon) or wrap it to inject faults.
//
// Threads: an HttpClient instance belongs to one thread (a poller or a sink runner). It keeps
// connections alive between calls, so reuse it; never share one between threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/base/result.h"
#include "daemon/net/url.h"

namespace earshot {

// One request. Plain data.
struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, DELETE, HEAD, ...
  std::string url;             // absolute http:// or https:// URL
  // Extra request headers ("Authorization", "Content-Type", ...). Values may be secrets: the
  // client never logs them and never puts them into an error message.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;            // sent as is when non-empty (or when method is POST/PUT/PATCH)
  std::chrono::milliseconds connect_timeout{5000};  // TCP + TLS handshake
  std::chrono::milliseconds total_timeout{30000};   // the whole exchange, body included
  size_t max_response_bytes = 16 << 20;             // a larger (decoded) body fails the call
};

// One response, whatever its status code: a 404 or a 503 is a response, not an error.
struct HttpResponse {
  long status = 0;  // 200, 404, 429, ...
  // In arrival order; names lowercased, values trimmed. Repeated headers appear repeatedly.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // decoded (gzip/deflate/br undone)

  // The first header named `lower_name` (which must be given in lower case), or nullopt.
  std::optional<std::string_view> Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return std::string_view(value);
    }
    return std::nullopt;
  }
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Sends `request` and waits for the whole response, or for `stop`.
  //
  // Returns the response for every HTTP status code. Errors:
  //   kCancelled         `stop` was requested before or during the exchange. Returned promptly
  //                      (within milliseconds), even while a slow server is still sending.
  //   kDeadlineExceeded  connect_timeout or total_timeout passed.
  //   kUnavailable       DNS, connect, TLS, reset, or any other transport failure.
  //   kDataLoss          the server closed before sending the body it announced (truncated).
  //   kResourceExhausted the body exceeded max_response_bytes.
  //   kInvalidArgument   the request cannot be sent (bad URL or scheme, unknown method).
  // Error messages name the method and the host ("GET mastodon.social: timed out after 30000
  // ms"), never the path, the query string, a header value or a body, which may carry secrets.
  //
  // Redirects are not followed: a credential must never travel to another host.
  // Called from the owning thread only.
  virtual Result<HttpResponse> Send(const HttpRequest& request, std::stop_token stop) = 0;
};

}  // namespace earshot
