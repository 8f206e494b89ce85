// DemoPager: the on-call pager of `earshot demo --serve`, a loopback stand-in for PagerDuty's
// Events API v2, so an acknowledgement made in the console can be seen reaching "PagerDuty".
//
//   POST /v2/enqueue   as PagerDuty: 202 {"status":"success",...} for an event with a
//                      routing_key and an event_action, 400 {"status":"invalid event"} otherwise
//   GET  /v2/events    the fake's own: {"events":[...]} every accepted event, oldest first
//
// Threads: the HTTP server's; every method is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemon/base/mutex.h"
#include "daemon/base/result.h"
#include "daemon/net/http_server.h"

namespace earshot {

class DemoPager {
 public:
  static Result<std::unique_ptr<DemoPager>> Start();

  std::string enqueue_url() const { return server_->base_url() + "/v2/enqueue"; }
  std::string events_url() const { return server_->base_url() + "/v2/events"; }
  // The accepted events' bodies, oldest first.
  std::vector<std::string> events() const;
  void Stop() { server_->Stop(); }

 private:
  DemoPager() = default;
  HttpServerResponse Handle(const HttpServerRequest& req);

  std::unique_ptr<HttpServer> server_;
  mutable Mutex mu_;
  std::vector<std::string> events_ GUARDED_BY(mu_);
};

}  // namespace earshot
