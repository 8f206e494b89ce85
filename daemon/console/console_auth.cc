#include "daemon/console/console_auth.h"

#include <fmt/format.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>


namespace earshot {
namespace {

constexpr std::string_view kCookie = "earshot_session";
constexpr int kMaxFailures = 5;
constexpr std::chrono::seconds kLockout{60};

// The origin the browser used to reach us, from Host ("http://127.0.0.1:9464"). Behind a TLS
// proxy the scheme comes from X-Forwarded-Proto.
std::string OwnOrigin(const HttpServerRequest& req) {
  const std::string_view host = req.Header("host").value_or("");
  const std::string_view proto = req.Header("x-forwarded-proto").value_or("http");
  return fmt::format("{}://{}", proto == "https" ? "https" : "http", host);
}

}  // namespace

bool IsLoopbackAddress(std::string_view ipv4) { return ipv4.starts_with("127."); }

std::optional<std::string> RequestCookie(const HttpServerRequest& req, std::string_view name) {
  for (const auto& [header, value] : req.headers) {
    if (header != "cookie") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
        return std::string(pair.substr(eq + 1));
      }
    }
  }
  return std::nullopt;
}

std::string RandomToken() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    // getrandom only fails on a kernel without it (before 3.17): no session is safer than a
    // guessable one.
    if (n < 0) throw std::runtime_error(fmt::format("getrandom: {}", std::strerror(errno)));
    got += static_cast<size_t>(n);
  }
  std::string hex;
  hex.reserve(64);
  for (unsigned char b : bytes) fmt::format_to(std::back_inserter(hex), "{:02x}", b);
  return hex;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

ConsoleAuth::ConsoleAuth(ConsoleAuthOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

std::optional<std::string> ConsoleAuth::RefusePeer(const HttpServerRequest& req) const {
  if (needs_login() || IsLoopbackAddress(req.peer_address)) return std::nullopt;
  return fmt::format(
      "the console answers {} only with a secret: set console.secret_file in earshot.yaml (see "
      "docs/console.md), or reach it from this host",
      req.peer_address);
}

ConsoleCaller ConsoleAuth::Identify(const HttpServerRequest& req) {
  ConsoleCaller caller;
  if (RefusePeer(req)) return caller;
  if (needs_login()) {
    if (auto auth = req.Header("authorization"); auth && auth->starts_with("Bearer ")) {
      if (ConstantTimeEquals(auth->substr(7), options_.secret)) caller.via = ConsoleCaller::Via::kBearer;
      return caller;
    }
  }
  const std::optional<std::string> id = RequestCookie(req, kCookie);
  if (!id) return caller;
  const SystemTime now = clock_.Now();
  MutexLock lock(mu_);
  auto it = sessions_.find(*id);
  if (it == sessions_.end()) return caller;
  if (it->second.expires_at <= now) {
    sessions_.erase(it);
    return caller;
  }
  caller.via = ConsoleCaller::Via::kSession;
  caller.session_id = it->first;
  caller.csrf_token = it->second.csrf_token;
  return caller;
}

std::string ConsoleAuth::NewSession(const HttpServerRequest& req, ConsoleCaller* caller) {
  const SystemTime now = clock_.Now();
  // Expired sessions go first; past the cap, the oldest.
  std::erase_if(sessions_, [&](const auto& s) { return s.second.expires_at <= now; });
  while (sessions_.size() >= options_.max_sessions) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.created_at < oldest->second.created_at) oldest = it;
    }
    sessions_.erase(oldest);
  }
  const std::string id = RandomToken();
  Session session{RandomToken(), now + options_.session_ttl, now};
  caller->via = ConsoleCaller::Via::kSession;
  caller->session_id = id;
  caller->csrf_token = session.csrf_token;
  sessions_.emplace(id, std::move(session));
  return CookieFor(req, id, options_.session_ttl);
}

std::string ConsoleAuth::CookieFor(const HttpServerRequest& req, std::string_view value,
                                   std::chrono::seconds max_age) const {
  // Secure keeps the cookie off plain HTTP. A browser on this host talking plain HTTP to
  // loopback has no other way, and its traffic never leaves the machine.
  const bool https = req.Header("x-forwarded-proto").value_or("") == "https";
  const bool secure = https || !IsLoopbackAddress(req.peer_address);
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kCookie, value,
                     max_age.count(), secure ? "; Secure" : "");
}

std::optional<std::string> ConsoleAuth::StartLoopbackSession(const HttpServerRequest& req,
                                                             ConsoleCaller* caller) {
  if (needs_login() || !IsLoopbackAddress(req.peer_address)) return std::nullopt;
  MutexLock lock(mu_);
  return NewSession(req, caller);
}

std::optional<std::string> ConsoleAuth::Login(const HttpServerRequest& req,
                                              std::string_view secret, bool* locked) {
  *locked = false;
  if (!needs_login()) return std::nullopt;
  const SystemTime now = clock_.Now();
  MutexLock lock(mu_);
  Failures& f = failures_[req.peer_address];
  if (now - f.since >= kLockout) f = Failures{0, now};
  if (f.count >= kMaxFailures) {
    *locked = true;
    return std::nullopt;
  }
  if (!ConstantTimeEquals(secret, options_.secret)) {
    ++f.count;
    return std::nullopt;
  }
  failures_.erase(req.peer_address);
  ConsoleCaller caller;
  return NewSession(req, &caller);
}

std::string ConsoleAuth::Logout(const ConsoleCaller& caller) {
  {
    MutexLock lock(mu_);
    sessions_.erase(caller.session_id);
  }
  return fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict", kCookie);
}

std::optional<std::string> ConsoleAuth::RefuseChange(const HttpServerRequest& req,
                                                     const ConsoleCaller& caller) const {
  if (caller.via == ConsoleCaller::Via::kBearer) return std::nullopt;
  if (caller.via != ConsoleCaller::Via::kSession) return "not signed in";
  if (auto origin = req.Header("origin"); origin && *origin != OwnOrigin(req)) {
    return fmt::format("a change from another origin ({}) is refused", *origin);
  }
  const std::string_view token = req.Header("x-csrf-token").value_or("");
  if (token.empty()) return "the X-CSRF-Token header is missing (GET /api/v1/session gives it)";
  if (!ConstantTimeEquals(token, caller.csrf_token)) return "the X-CSRF-Token does not match this session";
  return std::nullopt;
}

}  // namespace earshot
