#include "daemon/bus/publisher.h"

#include <fmt/format.h>

#include "daemon/bus/endpoint.h"
#include "daemon/bus/tsan_annotations.h"

namespace earshot::bus {

Result<std::unique_ptr<Publisher>> Publisher::Create(zmq::context_t& context,
                                                     const PublisherOptions& options) {
  if (!options.external_endpoint.empty()) {
    EARSHOT_RETURN_IF_ERROR(ValidateExternalEndpoint(options.external_endpoint));
  }
  std::string bound_external;
  try {
    zmq::socket_t socket(context, zmq::socket_type::pub);
    // Without LINGER=0, closing the socket and terminating the context wait for undelivered
    // messages to subscribers that may never read them; the outbox keeps them anyway.
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndhwm, options.send_high_water_mark);
    socket.bind(std::string(kInprocEndpoint));
    if (!options.external_endpoint.empty()) {
      try {
        socket.bind(options.external_endpoint);
      } catch (const zmq::error_t& e) {
        std::string fix = "choose a free port";
        if (options.external_endpoint.rfind("ipc://", 0) == 0) {
          fix = "create the socket's directory and let earshot write it "
                "(systemd: RuntimeDirectory=earshot)";
        }
        return Status::Unavailable(fmt::format("bus endpoint '{}': cannot bind: {}; {}",
                                               options.external_endpoint, e.what(), fix));
      }
      bound_external = socket.get(zmq::sockopt::last_endpoint);
    }
    return std::unique_ptr<Publisher>(new Publisher(std::move(socket), std::move(bound_external)));
  } catch (const zmq::error_t& e) {
    return Status::Unavailable(
        fmt::format("bus endpoint '{}': cannot bind: {}; is another publisher running in this "
                    "process?",
                    kInprocEndpoint, e.what()));
  }
}

Publisher::Publisher(zmq::socket_t socket, std::string external_endpoint)
    : socket_(std::move(socket)), external_endpoint_(std::move(external_endpoint)) {}

Publisher::~Publisher() = default;

Status Publisher::Publish(std::string_view json) {
  MutexLock lock(mu_);
  try {
    // dontwait: a PUB socket at its high-water mark drops instead of blocking; with dontwait a
    // would-block returns an empty result, which is the same drop.
    // The body is copied into its message here, on this thread, before the hand-over.
    zmq::message_t body(json.data(), json.size());
    internal::TsanRelease();
    (void)socket_.send(zmq::buffer(kTopic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    (void)socket_.send(body, zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    return Status::Unavailable(fmt::format("bus: publish failed: {}", e.what()));
  }
  published_.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

}  // namespace earshot::bus
