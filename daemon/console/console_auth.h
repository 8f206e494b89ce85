// ConsoleAuth: who may use the web console, and the defences of a browser session.
//
// The console listens where /metrics does (metrics.address, loopback by default). Two cases:
//  - A secret is configured (console.secret_file, typically a systemd credential): every page
//    and API call needs it, from any address: as `Authorization: Bearer SECRET` (scripts), or
//    typed once into /login, which starts a session kept in a cookie (HttpOnly, SameSite=Strict,
//    Secure unless the page was reached over plain HTTP on loopback).
//  - No secret: only loopback peers are served (each browser gets a session on its first page);
//    a request from any other address is refused with 403, naming the setting that fixes it.
// Either way a change (POST) made with a session cookie must carry the session's CSRF token in
// X-CSRF-Token and, when the browser sends Origin, come from the console's own origin: another
// site open in the same browser can make the browser send the cookie, never read the token.
//
// Threads: every method is thread-safe (the HTTP server calls from its connection threads).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"
#include "daemon/net/http_server.h"

namespace earshot {

struct ConsoleAuthOptions {
  std::string secret;  // empty: loopback only, no login
  std::chrono::seconds session_ttl{std::chrono::hours(12)};
  size_t max_sessions = 1024;  // beyond this the oldest session ends
};

// What a request may do, as ConsoleAuth judged it.
struct ConsoleCaller {
  enum class Via { kNone, kBearer, kSession };
  Via via = Via::kNone;
  std::string session_id;  // kSession only
  std::string csrf_token;  // kSession only
  bool allowed() const { return via != Via::kNone; }
};

class ConsoleAuth {
 public:
  ConsoleAuth(ConsoleAuthOptions options, Clock& clock);

  bool needs_login() const { return !options_.secret.empty(); }

  // Who `req` is. kNone when it carries no valid credential (or, without a secret, when it comes
  // from another host or has no session yet).
  ConsoleCaller Identify(const HttpServerRequest& req);

  // Without a secret, a loopback request may be given a session: returns its cookie value
  // (Set-Cookie header value) and fills *caller, or nullopt when the request is not loopback.
  std::optional<std::string> StartLoopbackSession(const HttpServerRequest& req,
                                                  ConsoleCaller* caller);

  // POST /login with `secret`: on a match (compared in constant time), a new session's
  // Set-Cookie value; nullopt otherwise. Five failures in a minute from one address lock
  // logins from it for that minute (*locked says so).
  std::optional<std::string> Login(const HttpServerRequest& req, std::string_view secret,
                                   bool* locked);
  // Ends the caller's session; the Set-Cookie value that clears the cookie.
  std::string Logout(const ConsoleCaller& caller);

  // Whether a change (POST) by `caller` may go ahead: bearer callers always, session callers
  // with the session's CSRF token in X-CSRF-Token and a same-origin Origin (when sent). The
  // refusal's reason otherwise.
  std::optional<std::string> RefuseChange(const HttpServerRequest& req,
                                          const ConsoleCaller& caller) const;

  // Why a request from `req`'s peer is refused outright (no secret, not loopback), or nullopt.
  std::optional<std::string> RefusePeer(const HttpServerRequest& req) const;

 private:
  struct Session {
    std::string csrf_token;
    SystemTime expires_at{};
    SystemTime created_at{};
  };
  struct Failures {
    int count = 0;
    SystemTime since{};
  };
  std::string NewSession(const HttpServerRequest& req, ConsoleCaller* caller) REQUIRES(mu_);
  std::string CookieFor(const HttpServerRequest& req, std::string_view value,
                        std::chrono::seconds max_age) const;

  const ConsoleAuthOptions options_;
  Clock& clock_;
  mutable Mutex mu_;
  std::map<std::string, Session> sessions_ GUARDED_BY(mu_);
  std::map<std::string, Failures> failures_ GUARDED_BY(mu_);
};

// True for 127.0.0.0/8.
bool IsLoopbackAddress(std::string_view ipv4);
// The value of cookie `name` in the request's Cookie headers, or nullopt.
std::optional<std::string> RequestCookie(const HttpServerRequest& req, std::string_view name);
// 32 bytes from the kernel's CSPRNG (getrandom), as 64 hex digits.
std::string RandomToken();
// Equal in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace earshot
