// The console over loopback HTTP, served by MetricsServer beside /metrics as `earshot run` does:
// a real client opens a page, keeps its cookie, reads the CSRF token and acknowledges an
// incident; /metrics, /healthz and /readyz still answer from their own handlers.
#include <fmt/format.h>
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>

#include "daemon/app/metrics_server.h"
#include "daemon/net/curl_http_client.h"
#include "tests/console/console_rig.h"

namespace earshot {
namespace {

using testing::ConsoleRig;
using testing::CookiePair;

TEST_CASE("Console over HTTP: page, cookie, CSRF token and ack, with /metrics beside it", "[console]") {
  ConsoleRig rig;
  rig.AddIncident("inc-a", Severity::kHigh, "lost-baggage", "acmeair", 0);
  MetricsHandlers handlers;
  handlers.metrics = [] { return std::string("earshot_up 1\n"); };
  handlers.stale = [] { return std::vector<std::string>{}; };
  handlers.ready = [] { return true; };
  handlers.other = [&rig](const HttpServerRequest& req) { return rig.console->Handle(req); };
  auto server = MetricsServer::Start("127.0.0.1:0", std::move(handlers));
  REQUIRE(server.ok());
  auto client = CurlHttpClient::Create({.user_agent = "earshot-test"});
  REQUIRE(client.ok());
  auto send = [&](std::string method, const std::string& path, HttpRequest req = {}) {
    req.method = std::move(method);
    req.url = fmt::format("http://127.0.0.1:{}{}", (*server)->port(), path);
    auto resp = (*client)->Send(req, std::stop_token());
    INFO(resp.status().ToString());
    REQUIRE(resp.ok());
    return *std::move(resp);
  };

  const HttpResponse page = send("GET", "/incidents");
  CHECK(page.status == 200);
  CHECK(page.Header("content-type") == "text/html; charset=utf-8");
  CHECK_THAT(std::string(page.Header("content-security-policy").value_or("")),
             Catch::Contains("frame-ancestors 'none'"));
  auto set_cookie = page.Header("set-cookie");
  REQUIRE(set_cookie);
  CHECK_THAT(std::string(*set_cookie), Catch::Contains("HttpOnly"));
  CHECK_THAT(std::string(*set_cookie), !Catch::Contains("Secure"));  // plain HTTP on loopback
  const std::string cookie = CookiePair(*set_cookie);

  // The API without the cookie knows nobody.
  CHECK(send("GET", "/api/v1/session").status == 401);

  HttpRequest with_cookie;
  with_cookie.headers = {{"Cookie", cookie}};
  const HttpResponse session = send("GET", "/api/v1/session", with_cookie);
  REQUIRE(session.status == 200);
  simdjson::dom::parser parser;
  std::string_view token;
  REQUIRE(parser.parse(session.body).get_object()["csrf_token"].get(token) == simdjson::SUCCESS);
  const std::string csrf(token);

  HttpRequest ack;
  ack.headers = {{"Cookie", cookie}, {"Content-Type", "application/json"}};
  ack.body = R"({"by":"ana"})";
  const HttpResponse refused = send("POST", "/api/v1/incidents/inc-a/ack", ack);
  CHECK(refused.status == 403);
  CHECK(rig.store.LoadIncident("inc-a").value()->status == IncidentStatus::kOpen);

  ack.headers.emplace_back("X-CSRF-Token", csrf);
  const HttpResponse acked = send("POST", "/api/v1/incidents/inc-a/ack", ack);
  CHECK(acked.status == 200);
  CHECK(acked.Header("content-type") == "application/json");
  CHECK(rig.store.LoadIncident("inc-a").value()->status == IncidentStatus::kAcknowledged);
  const HttpResponse listed = send("GET", "/api/v1/incidents/inc-a", with_cookie);
  CHECK_THAT(listed.body, Catch::Contains("acknowledged by ana"));

  const HttpResponse metrics = send("GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body == "earshot_up 1\n");
  CHECK_FALSE(metrics.Header("content-security-policy"));
  CHECK(send("GET", "/healthz").status == 200);
  CHECK(send("GET", "/readyz").status == 200);
  CHECK(send("GET", "/").status == 303);
  CHECK(send("GET", "/nope").status == 404);
}

}  // namespace
}  // namespace earshot
