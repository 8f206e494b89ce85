// SseClient: one long-lived streaming HTTP GET (Server-Sent Events) over libcurl, driven in
// slices: Open starts the request, each Pump waits at most a given time for bytes and hands them
// over, so the caller (a poller thread) stays responsive between slices and the connection
// stays open across calls. A stop request wakes a Pump at once (curl_multi_wakeup).
//
// Unlike HttpClient::Send there is no total timeout (a stream lasts for hours); an idle timeout
// (no byte at all, heartbeats included, for `idle_timeout`) ends the stream instead.
// Nothing in it is specific to Server-Sent Events: the body is handed over as it arrives, so it
// also carries X's newline-delimited JSON stream (XStreamSource splits the lines itself).
//
// Secrets: errors name the host only, never the path, query or headers (the bearer token).
// Threads: an instance belongs to one thread. Not thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/net/http_client.h"

namespace earshot {

class SseClient {
 public:
  enum class State { kIdle, kOpen, kEnded };

  // kInternal when libcurl cannot be initialised.
  static Result<std::unique_ptr<SseClient>> Create(std::string user_agent);
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  // Starts `request` (GET; its total_timeout is used as the idle timeout, and 0 means none: the
  // caller watches for a stall itself). Closes a stream that is still open first. kInvalidArgument
  // for a URL that is not absolute http(s).
  Status Open(const HttpRequest& request);

  // Waits up to `max_wait` for body bytes and appends them to *body; returns as soon as some
  // arrived. Returns the state afterwards: kOpen (call again), kEnded (the server closed or the
  // transfer failed: see end_status()). kCancelled when `stop` was requested.
  Result<State> Pump(std::stop_token stop, std::chrono::milliseconds max_wait, std::string* body);

  // Closes the connection (if any); the next Open makes a new one.
  void Close();

  State state() const { return state_; }
  // The HTTP status once the response head arrived, else 0.
  long status() const { return status_; }
  // Response headers (names lowercased), once the head arrived.
  std::optional<std::string_view> Header(std::string_view lower_name) const;
  // Why the stream ended: Ok when the server closed it cleanly, else kUnavailable,
  // kDeadlineExceeded (connect or idle timeout) naming the host.
  const Status& end_status() const { return end_status_; }

 private:
  struct Handles;
  explicit SseClient(std::unique_ptr<Handles> handles, std::string user_agent);

  std::unique_ptr<Handles> handles_;
  const std::string user_agent_;
  State state_ = State::kIdle;
  long status_ = 0;
  std::string what_;  // "GET host" for errors
  Status end_status_;
  // Filled by libcurl's callbacks during Pump.
  std::string received_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

}  // namespace earshot
