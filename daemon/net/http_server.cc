#include "daemon/net/http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <list>
#include <stop_token>
#include <thread>

#include "daemon/base/ascii.h"
#include "daemon/base/log.h"
#include "daemon/base/mutex.h"
#include "daemon/base/stop.h"

namespace earshot {
namespace {

constexpr std::string_view kComponent = "http-server";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

// Writes all of `data`; false when the peer is gone.
bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::optional<std::string_view> HttpServerRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<std::string_view> HttpServerRequest::Param(std::string_view name) const {
  for (const auto& [key, value] : params) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::vector<std::string_view> HttpServerRequest::Params(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [key, value] : params) {
    if (key == name) out.emplace_back(value);
  }
  return out;
}

class HttpServer::Impl {
 public:
  Impl(HttpHandler handler, HttpServerOptions options, int listen_fd, int wake_fd, uint16_t port)
      : handler_(std::move(handler)),
        options_(std::move(options)),
        listen_fd_(listen_fd),
        wake_fd_(wake_fd),
        port_(port) {
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~Impl() { Stop(); }

  uint16_t port() const { return port_; }
  const HttpServerOptions& options() const { return options_; }

  void Stop() EXCLUDES(stop_mu_, mu_) {
    MutexLock stop_lock(stop_mu_);
    if (stopped_) return;
    stopped_ = true;
    stop_.request_stop();
    const uint64_t one = 1;
    // The eventfd stays readable from now on: every poll() in every thread wakes up.
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
    if (accept_thread_.joinable()) accept_thread_.join();
    std::list<std::unique_ptr<Connection>> conns;
    {
      MutexLock lock(mu_);
      conns.swap(conns_);
    }
    for (auto& c : conns) {
      ::shutdown(c->fd, SHUT_RDWR);  // unblocks a send() to a peer that stopped reading
      if (c->thread.joinable()) c->thread.join();
      ::close(c->fd);
    }
    ::close(listen_fd_);
    ::close(wake_fd_);
  }

 private:
  struct Connection {
    int fd = -1;
    std::atomic<bool> done{false};
    std::thread thread;
  };

  void AcceptLoop() EXCLUDES(mu_) {
    while (!stop_.stop_requested()) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      const int rc = ::poll(fds, 2, -1);
      if (rc < 0) {
        if (errno == EINTR) continue;
        log::Error(kComponent, "poll: {}", std::strerror(errno));
        return;
      }
      if (fds[1].revents != 0 || stop_.stop_requested()) return;
      if ((fds[0].revents & POLLIN) == 0) continue;
      sockaddr_in peer{};
      socklen_t peer_len = sizeof(peer);
      const int fd =
          ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC);
      if (fd < 0) continue;  // EAGAIN, ECONNABORTED, EMFILE: nothing to serve
      char peer_text[INET_ADDRSTRLEN] = "";
      ::inet_ntop(AF_INET, &peer.sin_addr, peer_text, sizeof(peer_text));
      MutexLock lock(mu_);
      Reap();
      if (conns_.size() >= options_.max_connections) {
        ::close(fd);
        continue;
      }
      auto conn = std::make_unique<Connection>();
      conn->fd = fd;
      Connection* raw = conn.get();
      conn->thread = std::thread([this, raw, peer_address = std::string(peer_text)] {
        Serve(raw->fd, peer_address);
        ::shutdown(raw->fd, SHUT_RDWR);
        raw->done = true;
      });
      conns_.push_back(std::move(conn));
    }
  }

  // Joins and closes finished connections.
  void Reap() REQUIRES(mu_) {
    for (auto it = conns_.begin(); it != conns_.end();) {
      if ((*it)->done) {
        (*it)->thread.join();
        ::close((*it)->fd);
        it = conns_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // Reads more bytes into *buf. False on close, error, idle timeout or stop.
  bool ReadMore(int fd, std::string* buf) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    for (;;) {
      const int rc = ::poll(fds, 2, static_cast<int>(options_.idle_timeout.count()));
      if (rc < 0 && errno == EINTR) continue;
      if (rc <= 0 || fds[1].revents != 0) return false;
      break;
    }
    char chunk[16384];
    for (;;) {
      const ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf->append(chunk, static_cast<size_t>(n));
      return true;
    }
  }

  void Serve(int fd, const std::string& peer_address) {
    std::string buf;
    while (!stop_.stop_requested()) {
      size_t head_end;
      while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (buf.size() > options_.max_request_bytes) {
          SendSimple(fd, 413, "request head too large");
          return;
        }
        if (!ReadMore(fd, &buf)) return;
      }
      HttpServerRequest req;
      req.received_at = std::chrono::steady_clock::now();
      req.peer_address = peer_address;
      bool keep_alive = true;
      size_t content_length = 0;
      if (!ParseHead(std::string_view(buf).substr(0, head_end), &req, &keep_alive,
                     &content_length, fd)) {
        return;
      }
      if (head_end + 4 + content_length > options_.max_request_bytes) {
        SendSimple(fd, 413, "request too large");
        return;
      }
      while (buf.size() < head_end + 4 + content_length) {
        if (!ReadMore(fd, &buf)) return;
      }
      req.body = buf.substr(head_end + 4, content_length);
      buf.erase(0, head_end + 4 + content_length);

      HttpServerResponse resp;
      try {
        resp = handler_(req);
      } catch (const std::exception& e) {
        log::Error(kComponent, "handler for {} {} threw: {}", req.method, req.path, e.what());
        resp = HttpServerResponse{};
        resp.status = 500;
        resp.body = "handler failed";
      }
      if (resp.delay.count() > 0) {
        // SleepFor's return value cannot tell a stop from a timeout; ask the token itself.
        SleepFor(stop_.get_token(), resp.delay);
        if (stop_.stop_requested()) return;
      }
      if (resp.stream) {
        std::string out = fmt::format("HTTP/1.1 {} {}\r\n", resp.status, Reason(resp.status));
        for (const auto& [name, value] : resp.headers) {
          out += fmt::format("{}: {}\r\n", name, value);
        }
        out += "Connection: close\r\n\r\n";
        if (!SendAll(fd, out)) return;
        const std::function<bool(std::string_view)> write = [fd](std::string_view data) {
          return SendAll(fd, data);
        };
        try {
          resp.stream(stop_.get_token(), write);
        } catch (const std::exception& e) {
          log::Error(kComponent, "stream for {} {} threw: {}", req.method, req.path, e.what());
        }
        return;
      }
      if (resp.raw.has_value()) {
        SendAll(fd, *resp.raw);
        return;
      }
      const bool close = resp.close || !keep_alive || resp.truncate_body_at.has_value();
      std::string out = fmt::format("HTTP/1.1 {} {}\r\n", resp.status, Reason(resp.status));
      for (const auto& [name, value] : resp.headers) out += fmt::format("{}: {}\r\n", name, value);
      out += fmt::format("Content-Length: {}\r\n", resp.body.size());
      if (close) out += "Connection: close\r\n";
      out += "\r\n";
      if (req.method != "HEAD") {
        const size_t n = resp.truncate_body_at.value_or(resp.body.size());
        out.append(resp.body, 0, std::min(n, resp.body.size()));
      }
      if (!SendAll(fd, out) || close) return;
    }
  }

  // Parses the request line and headers. On a malformed head, answers 400/501 and returns false.
  bool ParseHead(std::string_view head, HttpServerRequest* req, bool* keep_alive,
                 size_t* content_length, int fd) {
    size_t line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    const size_t sp1 = line.find(' ');
    const size_t sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1) {
      SendSimple(fd, 400, "malformed request line");
      return false;
    }
    req->method = std::string(line.substr(0, sp1));
    const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!version.starts_with("HTTP/1.")) {
      SendSimple(fd, 400, "unsupported HTTP version");
      return false;
    }
    *keep_alive = version != "HTTP/1.0";
    const size_t q = target.find('?');
    req->path = PercentDecode(target.substr(0, q), false);
    if (q != std::string_view::npos) {
      req->query = std::string(target.substr(q + 1));
      std::string_view rest = req->query;
      while (!rest.empty()) {
        const size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        if (!pair.empty()) {
          const size_t eq = pair.find('=');
          req->params.emplace_back(
              PercentDecode(pair.substr(0, eq), true),
              eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true));
        }
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
      }
    }
    while (line_end != std::string_view::npos) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      line = head.substr(start, line_end == std::string_view::npos ? head.npos : line_end - start);
      if (line.empty()) continue;
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) {
        SendSimple(fd, 400, "malformed header line");
        return false;
      }
      req->headers.emplace_back(AsciiLowered(Trim(line.substr(0, colon))),
                                std::string(Trim(line.substr(colon + 1))));
    }
    if (auto conn = req->Header("connection")) {
      const std::string v = AsciiLowered(*conn);
      if (v == "close") *keep_alive = false;
      if (v == "keep-alive") *keep_alive = true;
    }
    if (req->Header("transfer-encoding").has_value()) {
      SendSimple(fd, 501, "chunked request bodies are not supported; send Content-Length");
      return false;
    }
    if (auto cl = req->Header("content-length")) {
      auto [p, ec] = std::from_chars(cl->data(), cl->data() + cl->size(), *content_length);
      if (ec != std::errc() || p != cl->data() + cl->size()) {
        SendSimple(fd, 400, "malformed Content-Length");
        return false;
      }
    }
    return true;
  }

  static void SendSimple(int fd, int status, std::string_view body) {
    SendAll(fd, fmt::format("HTTP/1.1 {} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n"
                            "Connection: close\r\n\r\n{}",
                            status, Reason(status), body.size(), body));
  }

  const HttpHandler handler_;
  const HttpServerOptions options_;
  const int listen_fd_;
  const int wake_fd_;
  const uint16_t port_;
  std::stop_source stop_;
  std::thread accept_thread_;

  Mutex stop_mu_;
  bool stopped_ GUARDED_BY(stop_mu_) = false;

  Mutex mu_;
  std::list<std::unique_ptr<Connection>> conns_ GUARDED_BY(mu_);
};

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpHandler handler,
                                                      HttpServerOptions options) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(options.port);
  if (::inet_pton(AF_INET, options.address.c_str(), &addr.sin_addr) != 1) {
    return Status::InvalidArgument(
        fmt::format("http server: '{}' is not an IPv4 address", options.address));
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Unavailable(fmt::format("http server: socket: {}", std::strerror(errno)));
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 128) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::Unavailable(fmt::format("http server: cannot listen on {}:{}: {}",
                                           options.address, options.port, std::strerror(err)));
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const int wake = ::eventfd(0, EFD_CLOEXEC);
  if (wake < 0) {
    const int err = errno;
    ::close(fd);
    return Status::Unavailable(fmt::format("http server: eventfd: {}", std::strerror(err)));
  }
  auto impl = std::make_unique<Impl>(std::move(handler), std::move(options), fd, wake,
                                     ntohs(addr.sin_port));
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }
uint16_t HttpServer::port() const { return impl_->port(); }
std::string HttpServer::base_url() const {
  return fmt::format("http://{}:{}", impl_->options().address, impl_->port());
}
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace earshot
