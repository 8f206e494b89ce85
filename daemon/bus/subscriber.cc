#include "daemon/bus/subscriber.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/bus/endpoint.h"
#include "daemon/bus/tsan_annotations.h"

namespace earshot::bus {

Result<std::unique_ptr<Subscriber>> Subscriber::Create(zmq::context_t& context,
                                                       std::string endpoint,
                                                       const SubscriberOptions& options) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::sub);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::rcvhwm, options.receive_high_water_mark);
    socket.set(zmq::sockopt::subscribe, kTopic);
    socket.connect(endpoint);
    return std::unique_ptr<Subscriber>(new Subscriber(std::move(socket), std::move(endpoint),
                                                      options));
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument(fmt::format(
        "bus endpoint '{}': cannot connect: {}; expected ipc:///path or tcp://127.0.0.1:<port>",
        endpoint, e.what()));
  }
}

Subscriber::Subscriber(zmq::socket_t socket, std::string endpoint,
                       const SubscriberOptions& options)
    : socket_(std::move(socket)), endpoint_(std::move(endpoint)), options_(options) {}

Subscriber::~Subscriber() = default;

Result<std::optional<std::string>> Subscriber::Receive(std::stop_token stop,
                                                       std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  try {
    while (!stop.stop_requested()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      const auto slice = std::clamp(left, std::chrono::milliseconds(0), options_.poll_slice);
      if (zmq::poll(&item, 1, slice) == 0) {
        if (left <= std::chrono::milliseconds(0)) return std::optional<std::string>();
        continue;
      }
      zmq::message_t topic;
      if (!socket_.recv(topic, zmq::recv_flags::dontwait)) continue;
      internal::TsanAcquire();
      const bool topic_ok = topic.to_string_view() == kTopic;
      bool more = topic.more();
      if (!more) {
        ++malformed_;
        continue;
      }
      zmq::message_t body;
      (void)socket_.recv(body, zmq::recv_flags::none);  // frames of one message arrive together
      more = body.more();
      // Drain any extra frames so the next Receive starts on a message boundary; a message with
      // extra frames is not one of ours.
      bool extra = false;
      while (more) {
        zmq::message_t frame;
        (void)socket_.recv(frame, zmq::recv_flags::none);
        more = frame.more();
        extra = true;
      }
      if (!topic_ok || extra || body.size() == 0) {
        ++malformed_;
        continue;
      }
      std::string json = body.to_string();
      {
        [[maybe_unused]] internal::TsanSerialized serialized;
        body = zmq::message_t();  // drops our reference to the shared body
      }
      return std::optional<std::string>(std::move(json));
    }
  } catch (const zmq::error_t& e) {
    return Status::Unavailable(
        fmt::format("bus endpoint '{}': receive failed: {}", endpoint_, e.what()));
  }
  return std::optional<std::string>();
}

}  // namespace earshot::bus
