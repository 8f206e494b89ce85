// OrderedReader: reads a stream's messages in order, from a given sequence on, through an
// ordered JetStream consumer (ephemeral, no acks, flow-controlled). libnats recreates the
// consumer where it left off when a message goes missing or the connection moves to another
// server, so the reader sees every message once, in sequence order, across reconnects.
//
// Threads: one thread reads (Next); the object is not shared.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/base/result.h"
#include "daemon/nats/jetstream.h"
#include "daemon/nats/nats_connection.h"

namespace earshot::nats {

class OrderedReader {
 public:
  // Reads `stream` from `start_seq` on (1 = from the beginning), only the subjects matching
  // `filter` ("earshot.state.>"; "" = all).
  static Result<std::unique_ptr<OrderedReader>> Open(const Connection& connection,
                                                     std::string_view stream,
                                                     std::string_view filter, uint64_t start_seq);
  ~OrderedReader();

  OrderedReader(const OrderedReader&) = delete;
  OrderedReader& operator=(const OrderedReader&) = delete;

  // The next message; nullopt when none came within `timeout`.
  Result<std::optional<StoredMessage>> Next(std::chrono::milliseconds timeout);

 private:
  OrderedReader() = default;
  natsSubscription* sub_ = nullptr;
  std::string stream_;
};

}  // namespace earshot::nats
