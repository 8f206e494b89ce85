// Connection::Connect against a real nats-server: reaching one, naming a dead one, refusing
// bad credentials, and coming back by itself after the server restarts.
#include <catch2/catch.hpp>

#include "daemon/nats/nats_connection.h"
#include "tests/fakes/nats_server.h"
#include "tests/nats/connect_for_test.h"

namespace earshot::nats {
namespace {

using earshot::testing::NatsServer;
using earshot::testing::NatsServerOptions;
using earshot::testing::PickFreePort;
using earshot::testing::WaitUntil;

Result<std::unique_ptr<Connection>> ConnectWithToken(const std::string& url, std::string token) {
  ConnectOptions options;
  options.servers = {url};
  options.token = std::move(token);
  return Connection::Connect(options);
}

TEST_CASE("Connect reaches a running server and reports where", "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  CHECK(connection->connected());
  CHECK(connection->connected_url() == server.url());
  CHECK(connection->reconnects() == 0);
}

TEST_CASE("Connect to a port nobody listens on is kUnavailable and names the URL", "[nats]") {
  const std::string url = "nats://127.0.0.1:" + std::to_string(PickFreePort());
  ConnectOptions options;
  options.servers = {url};
  auto connection = Connection::Connect(options);
  REQUIRE_FALSE(connection.ok());
  CHECK(connection.status().code() == Status::Code::kUnavailable);
  CHECK_THAT(connection.status().message(), Catch::Contains(url));
}

TEST_CASE("Connect with no servers is kInvalidArgument", "[nats]") {
  auto connection = Connection::Connect(ConnectOptions{});
  REQUIRE_FALSE(connection.ok());
  CHECK(connection.status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("A server with a token refuses a missing or wrong one and accepts the right one",
          "[nats]") {
  NatsServerOptions options;
  options.token = "s3cret-token";
  NatsServer server(options);

  auto missing = ConnectWithToken(server.url(), "");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Status::Code::kPermissionDenied);

  auto wrong = ConnectWithToken(server.url(), "not-the-token");
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() == Status::Code::kPermissionDenied);
  // The token is a secret: the error must not echo it.
  CHECK_THAT(wrong.status().message(), !Catch::Contains("not-the-token"));

  auto right = ConnectWithToken(server.url(), "s3cret-token");
  INFO(right.status().ToString());
  REQUIRE(right.ok());
  CHECK((*right)->connected());
}

TEST_CASE("A connection comes back by itself after its server restarts", "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  server.Kill();
  REQUIRE(WaitUntil([&] { return !connection->connected(); }, std::chrono::seconds(10)));
  CHECK(connection->connected_url().empty());
  server.Restart();
  REQUIRE(WaitUntil([&] { return connection->connected(); }, std::chrono::seconds(10)));
  CHECK(connection->reconnects() == 1);
  CHECK(connection->connected_url() == server.url());
}

}  // namespace
}  // namespace earshot::nats
