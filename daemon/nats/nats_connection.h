// NatsConnection: one connection to a NATS cluster with its JetStream context. It reconnects by
// itself, forever, to any of the configured servers (a node keeps serving its local work while
// NATS is away, and its leases simply lapse); the log says when it drops and when it is back,
// with the server's address and never the credentials.
//
// Threads: libnats' connection and JetStream context are thread-safe; so is this class.
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "daemon/base/result.h"

namespace earshot::nats {

struct ConnectOptions {
  std::vector<std::string> servers;  // "nats://127.0.0.1:4222", tried in order, then any
  std::string name;                  // shown in the server's connz: the earshot node
  std::string token;                 // "" = none; never logged
  std::string credentials_file;      // a NATS .creds file (JWT and NKey seed), "" = none
  std::chrono::milliseconds timeout{2000};         // a connect, and each JetStream API call
  std::chrono::milliseconds reconnect_wait{250};   // between attempts to the same server
};

class Connection {
 public:
  // Connects to the first server that answers. kUnavailable names the servers tried when none
  // does; kPermissionDenied when the server refused the credentials.
  static Result<std::unique_ptr<Connection>> Connect(const ConnectOptions& options);
  ~Connection();  // closes the connection (pending publishes are flushed first)

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // True while connected (not reconnecting, not closed).
  bool connected() const;
  // The server now connected to ("nats://127.0.0.1:4222"), "" while disconnected.
  std::string connected_url() const;
  // How many times the connection was re-established since Connect.
  int64_t reconnects() const;
  std::chrono::milliseconds timeout() const { return timeout_; }

  natsConnection* raw() const { return nc_; }
  jsCtx* js() const { return js_; }

 private:
  Connection() = default;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  std::chrono::milliseconds timeout_{2000};
};

}  // namespace earshot::nats
