#include "daemon/app/metrics_server.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>

namespace earshot {

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(std::string_view address,
                                                            MetricsHandlers handlers) {
  const size_t colon = address.rfind(':');
  unsigned port = 0;
  if (colon == std::string_view::npos || colon == 0 ||
      std::from_chars(address.data() + colon + 1, address.data() + address.size(), port).ec !=
          std::errc() ||
      port > 65535) {
    return Status::InvalidArgument(
        fmt::format("metrics.address '{}': expected host:port, e.g. 127.0.0.1:9464", address));
  }
  HttpServerOptions options;
  options.address = std::string(address.substr(0, colon));
  options.port = static_cast<uint16_t>(port);
  // A console page holds an event stream open and the browser up to six connections more.
  options.max_connections = handlers.other ? 64 : 16;
  auto handler = [h = std::move(handlers)](const HttpServerRequest& req) {
    const bool own = req.path == "/metrics" || req.path == "/healthz" || req.path == "/readyz";
    if (!own && h.other) return h.other(req);
    HttpServerResponse resp;
    resp.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    if (req.method != "GET") {
      resp.status = 405;
      resp.headers.emplace_back("Allow", "GET");
      resp.body = "only GET\n";
    } else if (req.path == "/metrics") {
      resp.headers[0].second = "text/plain; version=0.0.4; charset=utf-8";
      resp.body = h.metrics();
    } else if (req.path == "/healthz") {
      const std::vector<std::string> stale = h.stale();
      resp.status = stale.empty() ? 200 : 503;
      resp.body = stale.empty() ? "ok\n" : fmt::format("stale: {}\n", fmt::join(stale, ", "));
    } else if (req.path == "/readyz") {
      const bool ready = h.ready();
      const std::vector<std::string> failing =
          ready && h.failing ? h.failing() : std::vector<std::string>{};
      resp.status = ready && failing.empty() ? 200 : 503;
      resp.body = !ready           ? "not ready\n"
                  : failing.empty() ? "ready\n"
                                    : fmt::format("failing: {}\n", fmt::join(failing, "; "));
    } else {
      resp.status = 404;
      resp.body = "earshot serves /metrics, /healthz and /readyz\n";
    }
    return resp;
  };
  auto server = HttpServer::Start(std::move(handler), options);
  if (!server.ok()) {
    return server.status().Annotate(fmt::format("metrics.address {}", address));
  }
  return std::unique_ptr<MetricsServer>(new MetricsServer(*std::move(server)));
}

}  // namespace earshot
