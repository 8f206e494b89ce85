// What every test of daemon/nats starts with: a connection to the fixture's servers, failing the
// test (with the library's message) when there is none.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "daemon/nats/nats_connection.h"

namespace earshot::nats {

inline std::unique_ptr<Connection> ConnectForTest(std::vector<std::string> servers,
                                                  std::string token = "") {
  ConnectOptions options;
  options.servers = std::move(servers);
  options.name = "earshot-test";
  options.token = std::move(token);
  auto connection = Connection::Connect(options);
  INFO(connection.status().ToString());
  REQUIRE(connection.ok());
  return std::move(connection).value();
}

}  // namespace earshot::nats
