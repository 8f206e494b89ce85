// A webhook receiver on loopback for the HTTP sink tests: records every request and answers
// as the test says (200, 202, 429 with Retry-After, 500, 404, or a hang).
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "daemon/net/http_server.h"

namespace earshot::testing {

class Receiver {
 public:
  // kEchoError: 500 with the request's path, query and body echoed back, as careless receivers
  // do; whatever secret the request carried is then in the response.
  enum class Mode { kOk, kAccepted, kTooMany, kError, kNotFound, kHang, kEchoError };

  explicit Receiver(uint16_t port = 0) {
    HttpServerOptions o;
    o.port = port;
    auto s = HttpServer::Start([this](const HttpServerRequest& r) { return Handle(r); }, o);
    if (s.ok()) server_ = *std::move(s);
  }
  bool ok() const { return server_ != nullptr; }
  uint16_t port() const { return server_->port(); }
  std::string url(std::string_view path) const { return server_->base_url() + std::string(path); }
  void Stop() { server_->Stop(); }

  void SetMode(Mode m, std::string body = "") {
    std::lock_guard lock(mu_);
    mode_ = m;
    body_ = std::move(body);
  }
  struct Seen {
    HttpServerRequest request;
    int status;
  };
  std::vector<Seen> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  // Requests answered 2xx.
  std::vector<HttpServerRequest> accepted() const {
    std::lock_guard lock(mu_);
    std::vector<HttpServerRequest> out;
    for (const Seen& s : seen_) {
      if (s.status / 100 == 2) out.push_back(s.request);
    }
    return out;
  }

 private:
  HttpServerResponse Handle(const HttpServerRequest& r) {
    std::lock_guard lock(mu_);
    HttpServerResponse resp;
    resp.body = body_;
    switch (mode_) {
      case Mode::kOk: resp.status = 200; if (resp.body.empty()) resp.body = "ok"; break;
      case Mode::kAccepted: resp.status = 202; break;
      case Mode::kTooMany:
        resp.status = 429;
        resp.headers.emplace_back("Retry-After", "0");
        break;
      case Mode::kError: resp.status = 500; break;
      case Mode::kEchoError:
        resp.status = 500;
        resp.body = "cannot handle " + r.path + "?" + r.query + " " + r.body;
        break;
      case Mode::kNotFound: resp.status = 404; break;
      case Mode::kHang:
        resp.status = 200;
        resp.delay = std::chrono::milliseconds(60000);
        break;
    }
    seen_.push_back({r, resp.status});
    return resp;
  }

  mutable std::mutex mu_;
  Mode mode_ = Mode::kOk;
  std::string body_;
  std::vector<Seen> seen_;
  std::unique_ptr<HttpServer> server_;
};

}  // namespace earshot::testing
