// CurlHttpClient: the HttpClient over libcurl. One multi handle plus one easy handle, both reused
// across calls, so connections to the same host stay alive (keep-alive) and DNS is cached.
// A std::stop_callback wakes curl_multi_poll() (curl_multi_wakeup), so a stop request
// interrupts even a response that trickles in slowly.
//
// Threads: like every HttpClient, an instance belongs to one thread. Creating instances from
// several threads at once is safe (curl_global_init runs once).
#pragma once

#include <memory>
#include <string>

#include "daemon/base/result.h"
#include "daemon/net/http_client.h"

namespace earshot {

struct CurlHttpClientOptions {
  // Sent as User-Agent on every request. Networks ask for a contact URL in it.
  std::string user_agent = "earshot/0.1 (+https://github.com/earshot)";
  // How long curl_multi_poll sleeps at most before it re-checks the stop token. The stop
  // callback wakes it at once; this is only a safety net.
  int poll_slice_ms = 200;
};

class CurlHttpClient final : public HttpClient {
 public:
  // Returns kInternal when libcurl cannot be initialised (out of memory).
  static Result<std::unique_ptr<HttpClient>> Create(CurlHttpClientOptions options = {});

  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request, std::stop_token stop) override;

 private:
  struct Handles;
  CurlHttpClient(CurlHttpClientOptions options, std::unique_ptr<Handles> handles);

  CurlHttpClientOptions options_;
  std::unique_ptr<Handles> handles_;
};

}  // namespace earshot
