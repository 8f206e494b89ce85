// Publisher: the escalator's end of the bus. One ZeroMQ PUB socket bound to kInprocEndpoint for
// the built-in sinks and, when configured, to one external endpoint for outside subscribers.
// Each escalation goes out as a two-frame message: [kTopic, wire JSON (daemon/model/escalation_json.h)].
//
// PUB drops messages for a subscriber that is slow or not yet connected (ZeroMQ's high-water
// mark and "slow joiner"); that is by design: the outbox, not the socket, records what was
// promised, and a subscriber that sees a gap in `seq` catches up from it.
//
// Ownership: the App owns the zmq::context_t and the Publisher; the context must outlive it.
// Threads: the socket is guarded by a mutex, so the Publisher may be created on the main thread
// and used from the escalator thread (and from `earshot test sinks`) without a hand-over; the
// lock is uncontended in the daemon, where only the escalator publishes.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "daemon/base/mutex.h"
#include "daemon/base/result.h"

namespace earshot::bus {

struct PublisherOptions {
  // "" for none; otherwise checked by ValidateExternalEndpoint. "tcp://127.0.0.1:*" picks a
  // free port (tests); external_endpoint() tells which.
  std::string external_endpoint;
  // Messages queued per subscriber before PUB drops (ZMQ_SNDHWM). Drops are caught up from the
  // outbox, so this only bounds memory.
  int send_high_water_mark = 100000;
};

class Publisher {
 public:
  // Binds the sockets. kInvalidArgument for a bad endpoint; kUnavailable when binding fails
  // (address in use, missing directory for an ipc path), naming the endpoint and the fix.
  static Result<std::unique_ptr<Publisher>> Create(zmq::context_t& context,
                                                   const PublisherOptions& options);
  ~Publisher();

  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Publishes one escalation's wire JSON. Never blocks. kUnavailable only when the socket
  // failed (the context is terminating); a slow subscriber is not an error.
  Status Publish(std::string_view json);

  // The external endpoint as bound ("tcp://127.0.0.1:40123"), "" when there is none.
  const std::string& external_endpoint() const { return external_endpoint_; }
  uint64_t published() const { return published_.load(std::memory_order_relaxed); }

 private:
  Publisher(zmq::socket_t socket, std::string external_endpoint);

  Mutex mu_;
  zmq::socket_t socket_ GUARDED_BY(mu_);
  const std::string external_endpoint_;
  std::atomic<uint64_t> published_{0};
};

}  // namespace earshot::bus
