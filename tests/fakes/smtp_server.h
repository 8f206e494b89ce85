// SmtpServer: a small real SMTP server on 127.0.0.1 (port 0 by default) for the email sink's
// tests. It speaks EHLO/HELO, AUTH PLAIN and LOGIN (when credentials are set), MAIL FROM,
// RCPT TO, DATA with dot-unstuffing, RSET, NOOP and QUIT, records every accepted message
// (envelope and raw data), and answers a 4xx or 5xx on demand at a chosen stage.
//
// STARTTLS is only advertised when asked (advertise_starttls); the server cannot actually
// negotiate TLS, so TLS itself is not tested on loopback: the tests use the email sink's
// `starttls: never`, and "required" against a server that does not offer it.
//
// Ownership: the test owns it. Threads: one accept thread plus one thread per connection;
// every public method is thread-safe and called from the test's thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace earshot::testing {

class SmtpServer {
 public:
  struct Message {
    std::string helo;
    std::string auth_user;  // "" without AUTH
    std::string mail_from;  // the address inside <...>
    std::vector<std::string> rcpt_to;
    std::string data;  // dot-unstuffed, CRLF line ends, without the final ".\r\n"
  };
  // Where a scripted failure answers instead of the normal reply.
  enum class Stage { kNone, kMailFrom, kRcptTo, kData };
  struct Options {
    std::string username, password;  // both set: AUTH is offered and required
    bool advertise_starttls = false;
  };

  SmtpServer() : SmtpServer(Options{}) {}
  explicit SmtpServer(Options options);
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  bool ok() const { return listen_fd_ >= 0; }
  uint16_t port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // From now on, answers `code text` (e.g. 451, 550) at `stage` instead of accepting.
  void FailAt(Stage stage, int code, std::string text = "try again later");
  std::vector<Message> messages() const;
  // Every command line the server received (AUTH payloads included), for secrecy checks.
  std::vector<std::string> commands() const;
  // Stops accepting and closes every connection.
  void Stop();

 private:
  void AcceptLoop();
  void Serve(int fd);

  const Options options_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;

  mutable std::mutex mu_;
  Stage fail_stage_ = Stage::kNone;  // GUARDED_BY(mu_)
  int fail_code_ = 0;                // GUARDED_BY(mu_)
  std::string fail_text_;            // GUARDED_BY(mu_)
  std::vector<Message> messages_;    // GUARDED_BY(mu_)
  std::vector<std::string> commands_;  // GUARDED_BY(mu_)
  std::vector<int> client_fds_;        // GUARDED_BY(mu_)
  std::vector<std::thread> clients_;   // GUARDED_BY(mu_)
};

}  // namespace earshot::testing
