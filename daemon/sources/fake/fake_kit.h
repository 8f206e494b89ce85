// The parts every fake network shares: the queue of injected faults, the record of requests,
// the fixed rate-limit window, and the faults that spoil a good body. Each fake keeps its own
// lock and calls these under it; none of them locks.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"
#include "daemon/base/status.h"
#include "daemon/net/http_server.h"
#include "daemon/sources/fake/fake_mastodon.h"

namespace earshot::fake {

// Injected faults, consumed one request at a time (a fault with count 3 hits three requests).
class FaultQueue {
 public:
  void Inject(const FakeFault& f) {
    if (f.count > 0) faults_.push_back(f);
  }
  void Clear() { faults_.clear(); }
  std::optional<FakeFault> Take() {
    if (faults_.empty()) return std::nullopt;
    FakeFault f = faults_.front();
    if (--faults_.front().count <= 0) faults_.pop_front();
    return f;
  }

 private:
  std::deque<FakeFault> faults_;
};

// The faults that spoil an otherwise good answer: late, cut off, or broken JSON.
inline void ApplyBodyFault(const std::optional<FakeFault>& fault, HttpServerResponse* r) {
  if (!fault || r->status != 200) return;
  if (fault->kind == FakeFault::Kind::kSlow) r->delay = fault->delay;
  if (fault->kind == FakeFault::Kind::kTruncated) r->truncate_body_at = r->body.size() / 2;
  if (fault->kind == FakeFault::Kind::kMalformedJson) r->body.resize(r->body.size() / 2);
}

// What a test reads back of a request, with the status the fake answered.
inline RecordedRequest Record(const HttpServerRequest& req, int status) {
  return RecordedRequest{req.received_at, req.method,  req.path, req.query,
                         req.params,      req.headers, status};
}

// A fixed rate-limit window, as the networks count: `limit` requests per `length`, starting
// with the first request after the previous window ended.
struct RateWindow {
  std::optional<SystemTime> end;
  int64_t used = 0;

  // Counts one request at `now`; true while within `limit`.
  bool Spend(SystemTime now, std::chrono::seconds length, int64_t limit) {
    if (!end || now >= *end) {
      end = now + length;
      used = 0;
    }
    ++used;
    return used <= limit;
  }
  int64_t remaining(int64_t limit) const { return std::max<int64_t>(0, limit - used); }
  int64_t end_epoch_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(end->time_since_epoch()).count();
  }
};

// The HTTP side of a fake network: the loopback server it listens on, and the record of the
// requests it answered with the faults queued for them, all under the fake's one lock. A fake
// derives from it and answers in Route.
class FakeHttpApi {
 public:
  FakeHttpApi() = default;
  FakeHttpApi(const FakeHttpApi&) = delete;
  FakeHttpApi& operator=(const FakeHttpApi&) = delete;
  // The server calls Route until Stop: the fake must Stop before it is destroyed.
  virtual ~FakeHttpApi() = default;

  // Listens on `port` (0 = any free port); a failure is annotated with `fake_name`.
  Status Start(uint16_t port, std::string_view fake_name) {
    HttpServerOptions so;
    so.port = port;
    auto server = HttpServer::Start([this](const HttpServerRequest& r) { return Handle(r); }, so);
    if (!server.ok()) return server.status().Annotate(std::string(fake_name));
    server_ = std::move(server).value();
    return Status::Ok();
  }
  void Stop() {
    if (server_) server_->Stop();
  }
  std::string base_url() const { return server_->base_url(); }

  void InjectFault(const FakeFault& f) {
    MutexLock lock(mu_);
    faults_.Inject(f);
  }
  std::vector<RecordedRequest> requests() const {
    MutexLock lock(mu_);
    return requests_;
  }

 protected:
  // Answers one request.
  virtual HttpServerResponse Route(const HttpServerRequest& req) REQUIRES(mu_) = 0;

  mutable Mutex mu_;
  FaultQueue faults_ GUARDED_BY(mu_);

 private:
  HttpServerResponse Handle(const HttpServerRequest& req) EXCLUDES(mu_) {
    MutexLock lock(mu_);
    HttpServerResponse resp = Route(req);
    requests_.push_back(Record(req, resp.status));
    return resp;
  }

  std::unique_ptr<HttpServer> server_;
  std::vector<RecordedRequest> requests_ GUARDED_BY(mu_);
};

}  // namespace earshot::fake
