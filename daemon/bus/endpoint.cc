#include "daemon/bus/endpoint.h"

#include <fmt/format.h>

namespace earshot::bus {

Status ValidateExternalEndpoint(std::string_view endpoint) {
  constexpr std::string_view kIpc = "ipc://", kTcp = "tcp://";
  if (endpoint.substr(0, kIpc.size()) == kIpc) {
    std::string_view path = endpoint.substr(kIpc.size());
    if (path.empty() || path.front() != '/') {
      return Status::InvalidArgument(fmt::format(
          "bus endpoint '{}': an ipc endpoint needs an absolute path, e.g. {}", endpoint,
          kDefaultExternalEndpoint));
    }
    return Status::Ok();
  }
  if (endpoint.substr(0, kTcp.size()) == kTcp) {
    std::string_view rest = endpoint.substr(kTcp.size());
    const size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == rest.size()) {
      return Status::InvalidArgument(fmt::format(
          "bus endpoint '{}': a tcp endpoint needs a port, e.g. tcp://127.0.0.1:5561", endpoint));
    }
    std::string_view host = rest.substr(0, colon);
    std::string_view port = rest.substr(colon + 1);
    if (host != "127.0.0.1" && host != "[::1]" && host != "localhost") {
      return Status::InvalidArgument(fmt::format(
          "bus endpoint '{}': earshot publishes escalations on loopback only; use "
          "tcp://127.0.0.1:<port> and reach it from elsewhere through an SSH tunnel",
          endpoint));
    }
    if (port != "*") {
      for (char c : port) {
        if (c < '0' || c > '9') {
          return Status::InvalidArgument(
              fmt::format("bus endpoint '{}': port '{}' is not a number", endpoint, port));
        }
      }
    }
    return Status::Ok();
  }
  return Status::InvalidArgument(fmt::format(
      "bus endpoint '{}': unknown transport; use ipc:///run/earshot/escalations.sock or "
      "tcp://127.0.0.1:<port>",
      endpoint));
}

}  // namespace earshot::bus
