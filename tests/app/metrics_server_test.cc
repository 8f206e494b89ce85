#include <catch2/catch.hpp>

#include <atomic>

#include "daemon/app/metrics_server.h"
#include "daemon/net/curl_http_client.h"

namespace earshot {
namespace {

TEST_CASE("MetricsServer: /metrics, /healthz and /readyz over loopback HTTP", "[app]") {
  std::atomic<bool> ready{false};
  std::atomic<bool> stuck{false};
  MetricsHandlers handlers;
  handlers.metrics = [] { return std::string("earshot_up 1\n"); };
  handlers.stale = [&] {
    return stuck ? std::vector<std::string>{"sink:slack"} : std::vector<std::string>{};
  };
  handlers.ready = [&] { return ready.load(); };
  auto server = MetricsServer::Start("127.0.0.1:0", handlers);
  REQUIRE(server.ok());
  auto client = CurlHttpClient::Create({.user_agent = "earshot-test"});
  REQUIRE(client.ok());
  auto get = [&](const std::string& path) {
    HttpRequest req;
    req.url = fmt::format("http://127.0.0.1:{}{}", (*server)->port(), path);
    auto resp = (*client)->Send(req, std::stop_token());
    REQUIRE(resp.ok());
    return *resp;
  };
  auto metrics = get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body == "earshot_up 1\n");
  CHECK(get("/readyz").status == 503);
  ready = true;
  CHECK(get("/readyz").status == 200);
  CHECK(get("/healthz").status == 200);
  stuck = true;
  auto health = get("/healthz");
  CHECK(health.status == 503);
  CHECK(health.body.find("sink:slack") != std::string::npos);
  CHECK(get("/nope").status == 404);
}

TEST_CASE("MetricsServer: a malformed address is named", "[app]") {
  auto server = MetricsServer::Start("localhost", {});
  REQUIRE_FALSE(server.ok());
  CHECK(server.status().message().find("host:port") != std::string::npos);
}

}  // namespace
}  // namespace earshot
