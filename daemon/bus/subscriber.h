// Subscriber: a sink's (or `earshot tail`'s) end of the bus. One ZeroMQ SUB socket connected to
// one endpoint and subscribed to kTopic; Receive() hands back each escalation's wire JSON.
//
// Ownership: the caller owns it; the zmq::context_t must outlive it.
// Threads: a ZeroMQ socket belongs to one thread. Create and use a Subscriber on the thread that
// reads it (SinkRunner creates it inside its own thread). Not thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "daemon/base/result.h"

namespace earshot::bus {

struct SubscriberOptions {
  // Messages queued before ZeroMQ drops (ZMQ_RCVHWM); a drop shows up as a gap in `seq`.
  int receive_high_water_mark = 100000;
  // How long one zmq_poll waits before Receive looks at the stop token again.
  std::chrono::milliseconds poll_slice{50};
};

class Subscriber {
 public:
  // Connects to `endpoint` (kInprocEndpoint, ipc://..., tcp://...). Connecting never waits for
  // the publisher: ZeroMQ reconnects in the background. kInvalidArgument for a malformed
  // endpoint, naming it.
  static Result<std::unique_ptr<Subscriber>> Create(zmq::context_t& context, std::string endpoint,
                                                    const SubscriberOptions& options = {});
  ~Subscriber();

  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // Waits up to `timeout` for the next escalation. nullopt on timeout or when `stop` is
  // requested (checked every poll_slice). Messages of another shape (wrong topic, frame count)
  // are skipped and counted in malformed(). kUnavailable when the context is terminating.
  Result<std::optional<std::string>> Receive(std::stop_token stop,
                                             std::chrono::milliseconds timeout);

  const std::string& endpoint() const { return endpoint_; }
  uint64_t malformed() const { return malformed_; }

 private:
  Subscriber(zmq::socket_t socket, std::string endpoint, const SubscriberOptions& options);

  zmq::socket_t socket_;
  const std::string endpoint_;
  const SubscriberOptions options_;
  uint64_t malformed_ = 0;
};

}  // namespace earshot::bus
