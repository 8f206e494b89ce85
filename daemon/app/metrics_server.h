// MetricsServer: earshot's own numbers and health for the people who run it, on a loopback
// address by default (metrics.address in earshot.yaml):
//   GET /metrics   Prometheus text format 0.0.4
//   GET /healthz   200 "ok" while every thread's heartbeat is fresh, else 503 naming the stale ones
//   GET /readyz    200 once sources and sinks are up, 503 while starting or stopping, and 503
//                  naming them while sources keep failing ("failing: mastodon:airline (...)")
//   anything else  the web console when `other` is set (docs/console.md)
// The callbacks run on the server's connection threads and must be thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/result.h"
#include "daemon/net/http_server.h"

namespace earshot {

struct MetricsHandlers {
  std::function<std::string()> metrics;               // the exposition text
  std::function<std::vector<std::string>()> stale;    // names of stale threads; empty = healthy
  std::function<bool()> ready;
  // Sources whose fetches keep failing, named with why; any makes /readyz 503. May be unset.
  std::function<std::vector<std::string>()> failing;
  // Every other path (the web console, daemon/console); unset: 404.
  HttpHandler other;
};

class MetricsServer {
 public:
  // `address` is "host:port" ("127.0.0.1:9464"; port 0 picks a free one). kInvalidArgument for
  // a malformed address, kUnavailable when it cannot be bound.
  static Result<std::unique_ptr<MetricsServer>> Start(std::string_view address,
                                                      MetricsHandlers handlers);
  uint16_t port() const { return server_->port(); }
  void Stop() { server_->Stop(); }

 private:
  explicit MetricsServer(std::unique_ptr<HttpServer> server) : server_(std::move(server)) {}
  std::unique_ptr<HttpServer> server_;
};

}  // namespace earshot
