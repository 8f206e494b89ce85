// WebSocketClient: one client WebSocket connection (RFC 6455), ws:// or wss://, for sources that
// read a stream of messages (Bluesky's Jetstream). Built on Boost.Beast, behind this small
// interface so no other file compiles Asio.
//
// Why Beast: it is header-only in Debian (libboost-dev), speaks RFC 6455 completely (fragments,
// ping/pong, close handshake, the 1009 "too big" close) and TLS through OpenSSL, which earshot
// already links for libcurl; and it reads one message at a time on the caller's thread, which
// is the shape a Source has (Next waits a slice for data). libwebsockets wants to own the event
// loop and call back into the application; websocketpp needs the same Asio underneath plus an
// older, callback-based API, and is no longer maintained.
//
// Reads are pull-based: Read waits up to a given time for the next complete message. A message
// still arriving when the time is up stays in flight and is finished by the next Read, so a
// slow sender never loses a message half-way. Nothing is read between calls: a caller that
// stops calling Read leaves the data in the kernel and, when that fills, in the server (TCP flow
// control), which is how a stream is paused without buffering it in earshot.
//
// Threads: one thread at a time; not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "daemon/base/result.h"
#include "daemon/base/status.h"

namespace earshot {

struct WebSocketOptions {
  // Name resolution, TCP connect, TLS and the HTTP upgrade together.
  std::chrono::milliseconds connect_timeout{10000};
  // A longer message fails the connection (close code 1009), as Beast does.
  std::size_t max_message_bytes = std::size_t{4} << 20;
  std::string user_agent = "earshot";
};

// Why a Connect failed, beyond its Status.
struct WebSocketRefusal {
  int http_status = 0;  // the server answered the upgrade with this status (0: it did not answer)
  std::optional<std::string> retry_after;  // its Retry-After header, if any
};

struct WebSocketMessage {
  std::string_view data;  // valid until the next Read or Close
  bool binary = false;    // a binary message (text otherwise)
};

class WebSocketClient {
 public:
  explicit WebSocketClient(WebSocketOptions options = {});
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // Opens `url` (ws://host[:port]/path?query or wss://...), closing any connection first.
  // kInvalidArgument for a URL that is not ws(s)://host...; kDeadlineExceeded after
  // connect_timeout; kCancelled when `stop` fires; kUnavailable otherwise (refused, TLS, or an
  // upgrade the server declined: then *refusal has its status and Retry-After). Error messages
  // name the host, never the path or query.
  Status Connect(std::string_view url, std::stop_token stop, WebSocketRefusal* refusal = nullptr);

  // The next message, waiting up to `wait`. kDeadlineExceeded when none completed in time (the
  // connection stays open and a partial message stays in flight); kCancelled when `stop` fires
  // (the connection stays open); kUnavailable when the connection ended (closed by the server,
  // with its close code and reason, reset, or a message over max_message_bytes): it is then
  // closed, and the next Read fails until a Connect.
  Result<WebSocketMessage> Read(std::chrono::milliseconds wait, std::stop_token stop);

  // Sends a close frame (waiting at most a second for the server's) and closes the socket.
  // Safe to call when not open.
  void Close();

  bool is_open() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace earshot
