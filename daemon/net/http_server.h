// HttpServer: a small HTTP/1.1 server on a loopback address. It serves the fake networks that
// tests and `earshot demo` use (FakeMastodon), fake webhook receivers in sink tests, and the
// daemon's /metrics endpoint. It is deliberately plain: Content-Length bodies (no chunked
// requests), keep-alive, one thread per connection (bounded), no TLS. A response may also be a
// stream written over time (Server-Sent Events), ended by closing the connection.
//
// Because it exists to test clients, a response can also misbehave on purpose: arrive late,
// announce more bytes than it sends, or be raw bytes that are not HTTP at all.
//
// Threads: the handler runs on the connection's thread, so it may be called concurrently from
// several connections and must be thread-safe. Start, port, base_url and Stop may be called from
// any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/net/url.h"

namespace earshot {

struct HttpServerRequest {
  std::string method;  // "GET"
  std::string path;    // "/api/v1/timelines/tag/cats", percent-decoded
  std::string query;   // "limit=2&min_id=1", raw, without '?'
  // Query parameters in order, percent- and '+'-decoded. Repeated keys are kept as given
  // ("types[]" twice for types[]=mention&types[]=follow).
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  SteadyTime received_at{};  // when the request head was complete (steady clock)
  std::string peer_address;  // the client's IPv4 address, "127.0.0.1"

  // The first header `lower_name`, or nullopt.
  std::optional<std::string_view> Header(std::string_view lower_name) const;
  // The first value of query parameter `name`, or nullopt.
  std::optional<std::string_view> Param(std::string_view name) const;
  // Every value of query parameter `name`, in order.
  std::vector<std::string_view> Params(std::string_view name) const;
};

struct HttpServerResponse {
  int status = 200;
  // Content-Length and Connection are added by the server; Content-Type is not.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Waits this long before sending anything (a slow server). A Stop() cuts the wait short.
  std::chrono::milliseconds delay{0};
  // Sends the head with the full Content-Length but only this many body bytes, then closes
  // (a truncated response).
  std::optional<size_t> truncate_body_at;
  // Sends these bytes instead of a status line, headers and body, then closes.
  std::optional<std::string> raw;
  // Closes the connection after this response even when the client wants keep-alive.
  bool close = false;
  // A streaming response (Server-Sent Events, say): when set, the server sends the status line
  // and headers without Content-Length (the body ends when the connection closes), then calls
  // stream(stop, write) on the connection's thread. `write` sends bytes at once and returns
  // false when the peer is gone; `stop` is requested by Stop(). The connection closes when
  // stream returns. `body` and the fault fields are ignored.
  std::function<void(std::stop_token stop, const std::function<bool(std::string_view)>& write)>
      stream;
};

using HttpHandler = std::function<HttpServerResponse(const HttpServerRequest&)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";  // IPv4 address to bind; loopback by default
  uint16_t port = 0;                  // 0: the kernel picks a free port; see port()
  size_t max_connections = 64;        // beyond this, new connections are closed at once
  size_t max_request_bytes = 1 << 20; // head + body; larger requests get 413 and a close
  std::chrono::milliseconds idle_timeout{30000};  // keep-alive connections idle this long close
};

class HttpServer {
 public:
  // Binds, listens and starts the accept thread. Errors: kUnavailable when the address cannot
  // be bound (in use, not local), kInvalidArgument for a malformed address.
  static Result<std::unique_ptr<HttpServer>> Start(HttpHandler handler,
                                                   HttpServerOptions options = {});

  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  // "http://127.0.0.1:<port>", no trailing slash.
  std::string base_url() const;

  // Stops accepting, wakes every connection (delays included), closes them and joins every
  // thread. A handler call in progress runs to its end. Idempotent.
  void Stop();

 private:
  class Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace earshot
