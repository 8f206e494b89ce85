#include "tests/fakes/smtp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <optional>

namespace earshot::testing {
namespace {

std::string Base64Decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else continue;  // '=' and whitespace
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The address inside <...> of "FROM:<a@b> SIZE=10".
std::string Address(std::string_view arg) {
  const size_t open = arg.find('<');
  const size_t close = arg.find('>', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::string(arg);
  return std::string(arg.substr(open + 1, close - open - 1));
}

// One connection's line reader: CRLF (or bare LF) terminated lines.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  std::optional<std::string> Next() {
    for (;;) {
      const size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buf_;
};

void Send(int fd, const std::string& reply) {
  const std::string line = reply + "\r\n";
  size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::send(fd, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace

SmtpServer::SmtpServer(Options options) : options_(std::move(options)) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return;
  }
  listen_fd_ = fd;
  port_ = ntohs(addr.sin_port);
  accept_thread_ = std::thread([this] { AcceptLoop(); });
}

SmtpServer::~SmtpServer() { Stop(); }

void SmtpServer::Stop() {
  if (stopping_.exchange(true)) return;
  if (listen_fd_ >= 0) ::shutdown(listen_fd_, SHUT_RDWR);
  if (accept_thread_.joinable()) accept_thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  std::vector<std::thread> clients;
  {
    std::lock_guard lock(mu_);
    for (int fd : client_fds_) ::shutdown(fd, SHUT_RDWR);
    clients.swap(clients_);
  }
  for (std::thread& t : clients) t.join();
}

void SmtpServer::FailAt(Stage stage, int code, std::string text) {
  std::lock_guard lock(mu_);
  fail_stage_ = stage;
  fail_code_ = code;
  fail_text_ = std::move(text);
}

std::vector<SmtpServer::Message> SmtpServer::messages() const {
  std::lock_guard lock(mu_);
  return messages_;
}

std::vector<std::string> SmtpServer::commands() const {
  std::lock_guard lock(mu_);
  return commands_;
}

void SmtpServer::AcceptLoop() {
  while (!stopping_.load()) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stopping_.load()) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    std::lock_guard lock(mu_);
    if (stopping_.load()) {
      ::close(fd);
      return;
    }
    client_fds_.push_back(fd);
    clients_.emplace_back([this, fd] { Serve(fd); });
  }
}

void SmtpServer::Serve(int fd) {
  LineReader in(fd);
  const bool auth_required = !options_.username.empty();
  Message msg;
  bool authed = !auth_required;
  bool have_from = false;
  // A scripted failure for `stage`, if one is set: "451 try again later".
  auto failure = [this](Stage stage) -> std::optional<std::string> {
    std::lock_guard lock(mu_);
    if (fail_stage_ != stage) return std::nullopt;
    return std::to_string(fail_code_) + " " + fail_text_;
  };
  auto reset = [&] {
    msg.mail_from.clear();
    msg.rcpt_to.clear();
    msg.data.clear();
    have_from = false;
  };
  auto check_login = [&](const std::string& user, const std::string& pass) {
    if (user == options_.username && pass == options_.password) {
      authed = true;
      msg.auth_user = user;
      Send(fd, "235 2.7.0 authentication succeeded");
    } else {
      Send(fd, "535 5.7.8 authentication credentials invalid");
    }
  };

  Send(fd, "220 127.0.0.1 ESMTP earshot-test");
  while (std::optional<std::string> line = in.Next()) {
    {
      std::lock_guard lock(mu_);
      commands_.push_back(*line);
    }
    const size_t sp = line->find(' ');
    const std::string verb = Upper(line->substr(0, sp));
    const std::string arg = sp == std::string::npos ? "" : line->substr(sp + 1);
    if (verb == "EHLO") {
      msg.helo = arg;
      reset();
      Send(fd, "250-127.0.0.1 greets " + arg);
      if (options_.advertise_starttls) Send(fd, "250-STARTTLS");
      if (auth_required) Send(fd, "250-AUTH PLAIN LOGIN");
      Send(fd, "250-8BITMIME");
      Send(fd, "250 SIZE 10485760");
    } else if (verb == "HELO") {
      msg.helo = arg;
      reset();
      Send(fd, "250 127.0.0.1");
    } else if (verb == "STARTTLS") {
      // Advertised only to test that a client refuses or goes on; no TLS on loopback.
      Send(fd, "454 4.7.0 TLS not available on this test server");
    } else if (verb == "AUTH") {
      if (!auth_required) {
        Send(fd, "503 5.5.1 AUTH not offered");
        continue;
      }
      const size_t sp2 = arg.find(' ');
      const std::string mech = Upper(arg.substr(0, sp2));
      std::string initial = sp2 == std::string::npos ? "" : arg.substr(sp2 + 1);
      if (mech == "PLAIN") {
        if (initial.empty()) {
          Send(fd, "334 ");
          std::optional<std::string> resp = in.Next();
          if (!resp) break;
          initial = *resp;
        }
        // authzid NUL authcid NUL passwd
        const std::string decoded = Base64Decode(initial);
        const size_t a = decoded.find('\0');
        const size_t b = a == std::string::npos ? a : decoded.find('\0', a + 1);
        if (b == std::string::npos) {
          Send(fd, "501 5.5.2 malformed AUTH PLAIN");
          continue;
        }
        check_login(decoded.substr(a + 1, b - a - 1), decoded.substr(b + 1));
      } else if (mech == "LOGIN") {
        std::string user;
        if (!initial.empty()) {
          user = Base64Decode(initial);
        } else {
          Send(fd, "334 VXNlcm5hbWU6");  // "Username:"
          std::optional<std::string> u = in.Next();
          if (!u) break;
          user = Base64Decode(*u);
        }
        Send(fd, "334 UGFzc3dvcmQ6");  // "Password:"
        std::optional<std::string> p = in.Next();
        if (!p) break;
        check_login(user, Base64Decode(*p));
      } else {
        Send(fd, "504 5.5.4 unrecognised authentication mechanism");
      }
    } else if (verb == "MAIL") {
      if (!authed) {
        Send(fd, "530 5.7.0 authentication required");
      } else if (auto f = failure(Stage::kMailFrom)) {
        Send(fd, *f);
      } else {
        reset();
        msg.mail_from = Address(arg);
        have_from = true;
        Send(fd, "250 2.1.0 ok");
      }
    } else if (verb == "RCPT") {
      if (!have_from) {
        Send(fd, "503 5.5.1 MAIL first");
      } else if (auto f = failure(Stage::kRcptTo)) {
        Send(fd, *f);
      } else {
        msg.rcpt_to.push_back(Address(arg));
        Send(fd, "250 2.1.5 ok");
      }
    } else if (verb == "DATA") {
      if (msg.rcpt_to.empty()) {
        Send(fd, "503 5.5.1 RCPT first");
        continue;
      }
      Send(fd, "354 end data with <CR><LF>.<CR><LF>");
      std::string data;
      bool ended = false;
      while (std::optional<std::string> d = in.Next()) {
        if (*d == ".") {
          ended = true;
          break;
        }
        // Dot-unstuffing (RFC 5321 4.5.2): a leading dot was doubled by the client.
        data += (!d->empty() && (*d)[0] == '.') ? d->substr(1) : *d;
        data += "\r\n";
      }
      if (!ended) break;
      if (auto f = failure(Stage::kData)) {
        Send(fd, *f);
      } else {
        msg.data = std::move(data);
        {
          std::lock_guard lock(mu_);
          messages_.push_back(msg);
        }
        Send(fd, "250 2.0.0 queued");
      }
      reset();
    } else if (verb == "RSET") {
      reset();
      Send(fd, "250 2.0.0 ok");
    } else if (verb == "NOOP") {
      Send(fd, "250 2.0.0 ok");
    } else if (verb == "QUIT") {
      Send(fd, "221 2.0.0 bye");
      break;
    } else {
      Send(fd, "502 5.5.2 command not recognised");
    }
  }
  std::lock_guard lock(mu_);
  for (int& f : client_fds_) {
    if (f == fd) f = -1;
  }
  ::close(fd);
}

}  // namespace earshot::testing
