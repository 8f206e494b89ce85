// The libcurl client against the loopback server: both halves of earshot's HTTP layer.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "daemon/net/curl_http_client.h"
#include "daemon/net/http_server.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<HttpClient> NewClient() {
  auto client = CurlHttpClient::Create();
  REQUIRE(client.ok());
  return std::move(client).value();
}

std::unique_ptr<HttpServer> NewServer(HttpHandler handler) {
  auto server = HttpServer::Start(std::move(handler));
  REQUIRE(server.ok());
  return std::move(server).value();
}

TEST_CASE("UrlHost keeps host and port, drops userinfo, path and query", "[net]") {
  struct Case {
    const char* url;
    const char* host;
  } cases[] = {
      {"https://mastodon.social/api/v1/notifications?access_token=secret", "mastodon.social"},
      {"http://127.0.0.1:8080", "127.0.0.1:8080"},
      {"https://user:pw@example.com:443/x#frag", "example.com:443"},
      {"https://example.com?q=1", "example.com"},
      {"not a url", ""},
  };
  for (const auto& c : cases) {
    INFO(c.url);
    CHECK(UrlHost(c.url) == c.host);
  }
}

TEST_CASE("PercentDecode and PercentEncode", "[net]") {
  CHECK(PercentDecode("types%5B%5D=a+b%2Fc", true) == "types[]=a b/c");
  CHECK(PercentDecode("a+b", false) == "a+b");
  CHECK(PercentDecode("bad%zzescape%4", true) == "bad%zzescape%4");
  CHECK(PercentEncode("Qualitätskatzen a/b") == "Qualit%C3%A4tskatzen%20a%2Fb");
}

TEST_CASE("Client and server round-trip a request", "[net]") {
  std::mutex mu;
  HttpServerRequest seen;
  auto server = NewServer([&](const HttpServerRequest& req) {
    std::lock_guard lock(mu);
    seen = req;
    HttpServerResponse resp;
    resp.status = req.path == "/missing" ? 404 : 201;
    resp.headers = {{"Content-Type", "application/json"}, {"X-RateLimit-Remaining", "299"}};
    resp.body = "{\"echo\":\"" + req.body + "\"}";
    return resp;
  });
  auto client = NewClient();

  HttpRequest req;
  req.method = "POST";
  req.url = server->base_url() + "/api/v1/notifications?types%5B%5D=mention&types[]=follow&q=a+b";
  req.headers = {{"Authorization", "Bearer t0ken"}, {"Content-Type", "text/plain"}};
  req.body = "hello";
  auto resp = client->Send(req, std::stop_token());
  REQUIRE(resp.ok());
  CHECK(resp->status == 201);
  CHECK(resp->body == "{\"echo\":\"hello\"}");
  CHECK(resp->Header("x-ratelimit-remaining") == "299");
  CHECK(resp->Header("content-type") == "application/json");
  CHECK_FALSE(resp->Header("X-RateLimit-Remaining").has_value());  // names are lowercased
  {
    std::lock_guard lock(mu);
    CHECK(seen.method == "POST");
    CHECK(seen.path == "/api/v1/notifications");
    CHECK(seen.Params("types[]") == std::vector<std::string_view>{"mention", "follow"});
    CHECK(seen.Param("q") == "a b");
    CHECK(seen.Header("authorization") == "Bearer t0ken");
    CHECK(seen.Header("user-agent").value_or("").starts_with("earshot/"));
    CHECK(seen.body == "hello");
  }

  // A 404 is a response, not an error; the same client (and connection) keeps working.
  req = HttpRequest{};
  req.url = server->base_url() + "/missing";
  resp = client->Send(req, std::stop_token());
  REQUIRE(resp.ok());
  CHECK(resp->status == 404);
}

TEST_CASE("Client maps every misbehaving server to its Status code", "[net]") {
  auto server = NewServer([](const HttpServerRequest& req) {
    HttpServerResponse resp;
    resp.body = std::string(1000, 'x');
    if (req.path == "/truncated") resp.truncate_body_at = 10;
    if (req.path == "/slow") resp.delay = 3s;
    if (req.path == "/garbage") resp.raw = "this is not HTTP\r\n\r\n";
    return resp;
  });
  auto client = NewClient();
  struct Case {
    const char* path;
    size_t max_bytes;
    std::chrono::milliseconds total_timeout;
    Status::Code code;
  } cases[] = {
      {"/ok", 1000, 5000ms, Status::Code::kOk},
      {"/ok", 999, 5000ms, Status::Code::kResourceExhausted},
      {"/truncated", 1000, 5000ms, Status::Code::kDataLoss},
      {"/slow", 1000, 300ms, Status::Code::kDeadlineExceeded},
      {"/garbage", 1000, 5000ms, Status::Code::kUnavailable},
  };
  for (const auto& c : cases) {
    INFO(c.path << " max_bytes=" << c.max_bytes);
    HttpRequest req;
    req.url = server->base_url() + c.path + "?access_token=s3cret";
    req.headers = {{"Authorization", "Bearer s3cret"}};
    req.max_response_bytes = c.max_bytes;
    req.total_timeout = c.total_timeout;
    auto resp = client->Send(req, std::stop_token());
    CHECK(resp.status().code() == c.code);
    if (!resp.ok()) {
      INFO(resp.status().message());
      CHECK(resp.status().message().find("127.0.0.1") != std::string::npos);
      CHECK(resp.status().message().find("s3cret") == std::string::npos);
      CHECK(resp.status().message().find(c.path) == std::string::npos);
    }
  }
}

TEST_CASE("Client reports a refused connection as Unavailable, naming the host", "[net]") {
  uint16_t port;
  {
    auto server = NewServer([](const HttpServerRequest&) { return HttpServerResponse{}; });
    port = server->port();
  }  // stopped: nothing listens there now
  auto client = NewClient();
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/x?token=abc";
  auto resp = client->Send(req, std::stop_token());
  REQUIRE_FALSE(resp.ok());
  CHECK(resp.status().code() == Status::Code::kUnavailable);
  CHECK(resp.status().message().find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
  CHECK(resp.status().message().find("abc") == std::string::npos);
}

TEST_CASE("Client rejects what it cannot send", "[net]") {
  auto client = NewClient();
  for (const char* url : {"ftp://example.com/x", "example.com", ""}) {
    HttpRequest req;
    req.url = url;
    CHECK(client->Send(req, std::stop_token()).status().code() ==
          Status::Code::kInvalidArgument);
  }
}

TEST_CASE("A stop request cancels a slow response promptly", "[net]") {
  auto server = NewServer([](const HttpServerRequest&) {
    HttpServerResponse resp;
    resp.delay = 10s;
    return resp;
  });
  auto client = NewClient();
  std::stop_source stop;
  std::jthread stopper([&] {
    std::this_thread::sleep_for(200ms);
    stop.request_stop();
  });
  HttpRequest req;
  req.url = server->base_url() + "/slow";
  // Without cancellation the server would answer OK after 10 s; Cancelled proves the stop cut it.
  auto resp = client->Send(req, stop.get_token());
  CHECK(resp.status().code() == Status::Code::kCancelled);

  // Already stopped: no request at all.
  CHECK(client->Send(req, stop.get_token()).status().code() == Status::Code::kCancelled);
}

TEST_CASE("Server keeps connections alive and stops while a response is delayed", "[net]") {
  std::atomic<int> calls{0};
  auto server = NewServer([&](const HttpServerRequest& req) {
    ++calls;
    HttpServerResponse resp;
    if (req.path == "/slow") resp.delay = 30s;
    resp.body = "ok";
    return resp;
  });
  auto client = NewClient();
  HttpRequest req;
  req.url = server->base_url() + "/fast";
  for (int i = 0; i < 5; ++i) {
    auto resp = client->Send(req, std::stop_token());
    REQUIRE(resp.ok());
    CHECK(resp->body == "ok");
  }
  CHECK(calls == 5);

  // Catch2 assertions are not thread-safe: the worker only records what it saw.
  std::atomic<bool> slow_ok{true};
  std::jthread slow([&] {
    auto other = NewClient();
    HttpRequest r;
    r.url = server->base_url() + "/slow";
    slow_ok = other->Send(r, std::stop_token()).ok();
  });
  while (calls < 6) std::this_thread::sleep_for(10ms);
  server->Stop();  // must not wait for the delayed response to finish
  slow.join();
  CHECK_FALSE(slow_ok.load());  // the server closed instead of answering
  server->Stop();  // idempotent
}

}  // namespace
}  // namespace earshot
