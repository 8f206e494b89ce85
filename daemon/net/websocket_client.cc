#include "daemon/net/websocket_client.h"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <optional>
#include <variant>

namespace earshot {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

// The longest the loop runs Asio without looking at the stop token.
constexpr std::chrono::milliseconds kStopCheck{50};

struct WsUrl {
  bool secure = false;
  std::string host;         // without brackets
  std::string port;         // "443" when the URL names none
  std::string host_header;  // host[:port] as the URL wrote it
  std::string target;       // path and query, "/" at least
};

Result<WsUrl> ParseWsUrl(std::string_view url) {
  WsUrl out;
  std::string_view rest;
  if (url.starts_with("wss://")) {
    out.secure = true;
    rest = url.substr(6);
  } else if (url.starts_with("ws://")) {
    rest = url.substr(5);
  } else {
    return Status::InvalidArgument("a WebSocket URL starts with ws:// or wss://");
  }
  const size_t slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument("a WebSocket URL needs a host (and no user:password@)");
  }
  out.host_header = std::string(authority);
  std::string_view host = authority, port;
  if (authority.front() == '[') {  // [v6]:port
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("unclosed '[' in host");
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      port = authority.substr(close + 2);
    }
  } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Status::InvalidArgument("a WebSocket URL needs a host");
  out.host = std::string(host);
  out.port = port.empty() ? (out.secure ? "443" : "80") : std::string(port);
  return out;
}

}  // namespace

class WebSocketClient::Impl {
 public:
  explicit Impl(WebSocketOptions options)
      : options_(std::move(options)), tls_(ssl::context::tls_client) {
    tls_.set_default_verify_paths();
    tls_.set_verify_mode(ssl::verify_peer);
  }
  ~Impl() { Close(); }

  Status Connect(std::string_view url, std::stop_token stop, WebSocketRefusal* refusal) {
    Close();
    Result<WsUrl> parsed = ParseWsUrl(url);
    if (!parsed.ok()) return parsed.status();
    url_ = *std::move(parsed);
    if (url_.secure) {
      stream_.emplace<Secure>(ioc_, tls_);
    } else {
      stream_.emplace<Plain>(ioc_);
    }
    Visit([&](auto& ws) {
      ws.read_message_max(options_.max_message_bytes);
      ws.set_option(websocket::stream_base::decorator(
          [ua = options_.user_agent](websocket::request_type& req) {
            req.set(http::field::user_agent, ua);
          }));
    });

    // Handlers write members, never locals, and only while their generation is current: an
    // operation Asio finishes after Abort can never touch a frame or a connection that is gone.
    const uint64_t gen = generation_;
    op_done_ = false;
    op_error_ = {};
    step_ = "resolving";
    response_ = {};
    auto finish = [this, gen](beast::error_code ec) {
      if (gen != generation_) return;
      op_error_ = ec;
      op_done_ = true;
    };
    auto upgrade = [this, finish] {
      step_ = "upgrading";
      Visit([&](auto& ws) {
        ws.async_handshake(response_, url_.host_header, url_.target,
                           [finish](beast::error_code ec) { finish(ec); });
      });
    };
    resolver_.async_resolve(
        url_.host, url_.port,
        [this, finish, upgrade, gen](beast::error_code ec,
                                     const tcp::resolver::results_type& found) {
          if (ec || gen != generation_) return finish(ec);
          step_ = "connecting";
          asio::async_connect(
              Socket(), found,
              [this, finish, upgrade, gen](beast::error_code ec2, const tcp::endpoint&) {
                if (ec2 || gen != generation_) return finish(ec2);
                auto* secure = std::get_if<Secure>(&stream_);
                if (secure == nullptr) return upgrade();
                step_ = "in the TLS handshake";
                SSL_set_tlsext_host_name(secure->next_layer().native_handle(), url_.host.c_str());
                secure->next_layer().set_verify_callback(ssl::host_name_verification(url_.host));
                secure->next_layer().async_handshake(ssl::stream_base::client,
                                                     [finish, upgrade](beast::error_code ec3) {
                                                       if (ec3) return finish(ec3);
                                                       upgrade();
                                                     });
              });
        });

    const Wait wait =
        RunUntil(op_done_, std::chrono::steady_clock::now() + options_.connect_timeout, stop);
    if (wait != Wait::kDone) {
      Abort();
      if (wait == Wait::kStopped) return Status::Cancelled();
      return Status::DeadlineExceeded(fmt::format("{}: no connection within {} ms ({})",
                                                  url_.host_header,
                                                  options_.connect_timeout.count(), step_));
    }
    if (const beast::error_code error = op_error_) {
      if (error == websocket::error::upgrade_declined && refusal != nullptr) {
        refusal->http_status = static_cast<int>(response_.result_int());
        if (auto it = response_.find(http::field::retry_after); it != response_.end()) {
          refusal->retry_after = std::string(it->value());
        }
      }
      std::string why = error == websocket::error::upgrade_declined
                            ? fmt::format("the server answered HTTP {} instead of upgrading",
                                          response_.result_int())
                            : error.message();
      Abort();
      return Status::Unavailable(fmt::format("{}: {} ({})", url_.host_header, why, step_));
    }
    open_ = true;
    return Status::Ok();
  }

  Result<WebSocketMessage> Read(std::chrono::milliseconds wait, std::stop_token stop) {
    if (!open_) return Status::Unavailable("not connected");
    if (!reading_) {
      buffer_.clear();
      read_done_ = false;
      reading_ = true;
      Visit([&](auto& ws) {
        ws.async_read(buffer_, [this, gen = generation_](beast::error_code ec, std::size_t) {
          if (gen != generation_) return;
          read_error_ = ec;
          read_done_ = true;
        });
      });
    }
    const Wait waited = RunUntil(read_done_, std::chrono::steady_clock::now() + wait, stop);
    if (waited == Wait::kStopped) return Status::Cancelled();
    if (waited == Wait::kTimedOut) return Status::DeadlineExceeded("no message yet");
    reading_ = false;
    if (read_error_) {
      std::string why;
      if (read_error_ == websocket::error::closed) {
        Visit([&](auto& ws) {
          const websocket::close_reason& r = ws.reason();
          why = fmt::format("closed by the server (code {}{}{})", static_cast<int>(r.code),
                            r.reason.empty() ? "" : ": ",
                            std::string_view(r.reason.data(), r.reason.size()));
        });
      } else if (read_error_ == websocket::error::message_too_big) {
        why = fmt::format("a message over {} bytes", options_.max_message_bytes);
      } else {
        why = read_error_.message();
      }
      closed_by_error_ = true;
      Close();
      return Status::Unavailable(fmt::format("{}: {}", url_.host_header, why));
    }
    WebSocketMessage message;
    const auto data = buffer_.cdata();
    message.data = std::string_view(static_cast<const char*>(data.data()), data.size());
    Visit([&](auto& ws) { message.binary = !ws.got_text(); });
    return message;
  }

  void Close() {
    if (std::holds_alternative<std::monostate>(stream_)) return;
    if (open_ && !closed_by_error_ && !reading_) {
      // A polite close: our frame, then the server's, within a second. Not while a read is in
      // flight: the server is then silent or gone, and waiting for it helps nobody.
      op_done_ = false;
      Visit([&](auto& ws) {
        ws.async_close(websocket::close_code::normal, [this, gen = generation_](beast::error_code) {
          if (gen == generation_) op_done_ = true;
        });
      });
      RunUntil(op_done_, std::chrono::steady_clock::now() + std::chrono::seconds(1), {});
    }
    Abort();
  }

  bool is_open() const { return open_; }

 private:
  using Plain = websocket::stream<tcp::socket>;
  using Secure = websocket::stream<ssl::stream<tcp::socket>>;
  enum class Wait { kDone, kTimedOut, kStopped };

  template <class F>
  void Visit(F&& f) {
    if (auto* p = std::get_if<Plain>(&stream_)) return f(*p);
    if (auto* s = std::get_if<Secure>(&stream_)) return f(*s);
  }

  tcp::socket& Socket() {
    if (auto* p = std::get_if<Plain>(&stream_)) return p->next_layer();
    return std::get<Secure>(stream_).next_layer().next_layer();
  }

  // Runs Asio's handlers until *done, the deadline, or `stop`.
  Wait RunUntil(bool& done, SteadyTime deadline, std::stop_token stop) {
    while (!done) {
      if (stop.stop_requested()) return Wait::kStopped;
      const SteadyTime now = std::chrono::steady_clock::now();
      if (now >= deadline) return Wait::kTimedOut;
      ioc_.restart();
      ioc_.run_one_until(std::min(deadline, now + kStopCheck));
    }
    return Wait::kDone;
  }

  // Closes the socket and lets every pending handler finish (with operation_aborted), so none
  // runs later against a stream that is gone.
  void Abort() {
    ++generation_;
    resolver_.cancel();
    if (!std::holds_alternative<std::monostate>(stream_)) {
      beast::error_code ignored;
      Socket().shutdown(tcp::socket::shutdown_both, ignored);
      Socket().close(ignored);
    }
    ioc_.restart();
    ioc_.run();
    stream_.emplace<std::monostate>();
    open_ = false;
    reading_ = false;
    closed_by_error_ = false;
  }

  const WebSocketOptions options_;
  asio::io_context ioc_;
  ssl::context tls_;
  tcp::resolver resolver_{ioc_};
  std::variant<std::monostate, Plain, Secure> stream_;
  WsUrl url_;
  websocket::response_type response_;
  beast::flat_buffer buffer_;
  bool open_ = false;
  bool reading_ = false;  // an async_read is in flight
  bool read_done_ = false;
  uint64_t generation_ = 0;  // one per connection attempt; stale handlers compare it
  bool op_done_ = false;     // the connect or close in progress finished
  beast::error_code op_error_;
  std::string step_;  // where the connect is, for its error message
  bool closed_by_error_ = false;
  beast::error_code read_error_;
};

WebSocketClient::WebSocketClient(WebSocketOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
WebSocketClient::~WebSocketClient() = default;

Status WebSocketClient::Connect(std::string_view url, std::stop_token stop,
                                WebSocketRefusal* refusal) {
  return impl_->Connect(url, stop, refusal);
}

Result<WebSocketMessage> WebSocketClient::Read(std::chrono::milliseconds wait,
                                               std::stop_token stop) {
  return impl_->Read(wait, stop);
}

void WebSocketClient::Close() { impl_->Close(); }

bool WebSocketClient::is_open() const { return impl_->is_open(); }

}  // namespace earshot
