// SseClient's idle guard against a loopback stream: with an idle timeout it ends a silent
// stream; with 0 it leaves a stream of sparse 2-byte keep-alives (X's filtered stream) open,
// which libcurl's low-speed check, averaging over a few seconds, would otherwise call idle.
#include "daemon/net/sse_client.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "daemon/net/http_server.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;

// A server whose one stream writes "\r\n" every `interval` (never, for 0) until it stops.
std::unique_ptr<HttpServer> KeepAliveServer(std::chrono::milliseconds interval) {
  auto server = HttpServer::Start([interval](const HttpServerRequest&) {
    HttpServerResponse r;
    r.stream = [interval](std::stop_token stop,
                          const std::function<bool(std::string_view)>& write) {
      while (!stop.stop_requested()) {
        const auto wake = std::chrono::steady_clock::now() + (interval.count() ? interval : 1h);
        while (!stop.stop_requested() && std::chrono::steady_clock::now() < wake) {
          std::this_thread::sleep_for(20ms);
        }
        if (stop.stop_requested() || !write("\r\n")) return;
      }
    };
    return r;
  });
  REQUIRE(server.ok());
  return std::move(server).value();
}

struct Pumped {
  SseClient::State state;
  std::string body;
  double seconds;
  Status end;
};

Pumped PumpFor(const std::string& url, std::chrono::milliseconds idle_timeout,
               std::chrono::milliseconds for_at_most) {
  auto client = SseClient::Create("test");
  REQUIRE(client.ok());
  HttpRequest req;
  req.url = url;
  req.total_timeout = idle_timeout;
  REQUIRE((*client)->Open(req).ok());
  const auto start = std::chrono::steady_clock::now();
  Pumped out{SseClient::State::kOpen, "", 0, Status::Ok()};
  while (std::chrono::steady_clock::now() - start < for_at_most) {
    auto state = (*client)->Pump(std::stop_token(), 200ms, &out.body);
    REQUIRE(state.ok());
    out.state = *state;
    if (out.state == SseClient::State::kEnded) break;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.end = (*client)->end_status();
  return out;
}

TEST_CASE("SseClient: an idle timeout ends a silent stream", "[net]") {
  auto server = KeepAliveServer(0ms);
  const Pumped p = PumpFor(server->base_url() + "/s", 2000ms, 10000ms);
  CHECK(p.state == SseClient::State::kEnded);
  CHECK(p.end.code() == Status::Code::kDeadlineExceeded);
  CHECK(p.seconds < 6.0);
}

TEST_CASE("SseClient: idle timeout 0 keeps a stream of sparse keep-alives open", "[net]") {
  auto server = KeepAliveServer(1500ms);  // 2 bytes per 1.5 s: "slower" than 1 byte/s
  const Pumped p = PumpFor(server->base_url() + "/s", 0ms, 5000ms);
  CHECK(p.state == SseClient::State::kOpen);
  CHECK(p.body.size() >= 4);
}

}  // namespace
}  // namespace earshot
