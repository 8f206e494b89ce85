#include "daemon/nats/nats_connection.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>

#include "daemon/base/log.h"
#include "daemon/nats/nats_error.h"

namespace earshot::nats {
namespace {

constexpr const char* kComponent = "nats";

std::string UrlOf(natsConnection* nc) {
  std::array<char, 256> url{};
  if (natsConnection_GetConnectedUrl(nc, url.data(), url.size()) != NATS_OK) return "";
  return url.data();
}

void OnDisconnected(natsConnection* nc, void* /*closure*/) {
  // libnats also calls this when we close the connection ourselves: nothing to report then.
  if (natsConnection_IsClosed(nc)) return;
  // natsConnection_GetLastError writes through its second argument, which must not be null.
  const char* detail = nullptr;
  const natsStatus last = natsConnection_GetLastError(nc, &detail);
  log::Warn(kComponent, "disconnected from NATS ({}); reconnecting",
            last != NATS_OK && detail != nullptr && *detail != '\0' ? detail : "connection lost");
}

void OnReconnected(natsConnection* nc, void* /*closure*/) {
  log::Info(kComponent, "reconnected to NATS at {}", UrlOf(nc));
}

void OnAsyncError(natsConnection* /*nc*/, natsSubscription* /*sub*/, natsStatus err,
                  void* /*closure*/) {
  log::Warn(kComponent, "NATS: {}", natsStatus_GetText(err));
}

// natsOptions freed on every path.
struct OptionsDeleter {
  void operator()(natsOptions* o) const { natsOptions_Destroy(o); }
};

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Connect(const ConnectOptions& options) {
  if (options.servers.empty()) {
    return Status::InvalidArgument("no NATS server to connect to (cluster.nats is empty)");
  }
  natsOptions* raw_opts = nullptr;
  if (natsStatus s = natsOptions_Create(&raw_opts); s != NATS_OK) {
    return FromNats(s, "NATS options");
  }
  std::unique_ptr<natsOptions, OptionsDeleter> opts(raw_opts);
  std::vector<const char*> servers;
  for (const std::string& s : options.servers) servers.push_back(s.c_str());
  const std::string tried = fmt::format("{}", fmt::join(options.servers, ", "));
  auto check = [&](natsStatus s, std::string_view what) {
    return FromNats(s, fmt::format("NATS option {}", what));
  };
  EARSHOT_RETURN_IF_ERROR(check(
      natsOptions_SetServers(opts.get(), servers.data(), static_cast<int>(servers.size())),
      "servers"));
  if (!options.name.empty()) {
    EARSHOT_RETURN_IF_ERROR(check(natsOptions_SetName(opts.get(), options.name.c_str()), "name"));
  }
  if (!options.token.empty()) {
    EARSHOT_RETURN_IF_ERROR(
        check(natsOptions_SetToken(opts.get(), options.token.c_str()), "token"));
  }
  if (!options.credentials_file.empty()) {
    EARSHOT_RETURN_IF_ERROR(check(natsOptions_SetUserCredentialsFromFiles(
                                      opts.get(), options.credentials_file.c_str(), nullptr),
                                  "credentials_file"));
  }
  EARSHOT_RETURN_IF_ERROR(check(natsOptions_SetTimeout(opts.get(), options.timeout.count()),
                                "timeout"));
  EARSHOT_RETURN_IF_ERROR(check(natsOptions_SetMaxReconnect(opts.get(), -1), "max_reconnect"));
  EARSHOT_RETURN_IF_ERROR(check(
      natsOptions_SetReconnectWait(opts.get(), options.reconnect_wait.count()), "reconnect_wait"));
  // Fail fast on a dead server: a lease must not outlive its holder's link by much.
  EARSHOT_RETURN_IF_ERROR(check(natsOptions_SetPingInterval(opts.get(), 2000), "ping_interval"));
  EARSHOT_RETURN_IF_ERROR(check(
      natsOptions_SetDisconnectedCB(opts.get(), OnDisconnected, nullptr), "disconnected"));
  EARSHOT_RETURN_IF_ERROR(
      check(natsOptions_SetReconnectedCB(opts.get(), OnReconnected, nullptr), "reconnected"));
  EARSHOT_RETURN_IF_ERROR(
      check(natsOptions_SetErrorHandler(opts.get(), OnAsyncError, nullptr), "error handler"));

  std::unique_ptr<Connection> c(new Connection());
  c->timeout_ = options.timeout;
  if (natsStatus s = natsConnection_Connect(&c->nc_, opts.get()); s != NATS_OK) {
    c->nc_ = nullptr;
    Status status = FromNats(s, fmt::format("connect to NATS ({})", tried));
    if (status.code() == Status::Code::kPermissionDenied) {
      return Status::PermissionDenied(
          fmt::format("{}; check cluster.token_file or cluster.credentials_file",
                      status.message()));
    }
    return Status::Unavailable(status.message());
  }
  jsOptions js_opts;
  jsOptions_Init(&js_opts);
  js_opts.Wait = options.timeout.count();
  if (natsStatus s = natsConnection_JetStream(&c->js_, c->nc_, &js_opts); s != NATS_OK) {
    c->js_ = nullptr;
    return FromNats(s, "JetStream context");
  }
  log::Info(kComponent, "connected to NATS at {}{}", UrlOf(c->nc_),
            options.name.empty() ? "" : " as " + options.name);
  return c;
}

Connection::~Connection() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) {
    natsConnection_FlushTimeout(nc_, timeout_.count());
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
  }
}

bool Connection::connected() const {
  return natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

std::string Connection::connected_url() const { return connected() ? UrlOf(nc_) : ""; }

int64_t Connection::reconnects() const {
  natsStatistics* stats = nullptr;
  if (natsStatistics_Create(&stats) != NATS_OK) return 0;
  uint64_t reconnected = 0;
  if (natsConnection_GetStats(nc_, stats) == NATS_OK) {
    natsStatistics_GetCounts(stats, nullptr, nullptr, nullptr, nullptr, &reconnected);
  }
  natsStatistics_Destroy(stats);
  return static_cast<int64_t>(reconnected);
}

}  // namespace earshot::nats
