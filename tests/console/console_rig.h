// A console over a store in memory, on a clock that moves only when told: the incidents and
// silences live in a MemoryStore (OperatorStore), the sinks' cursors and dead letters in an
// in-memory StateStore (OutboxStore), and requests are HttpServerRequest values built by hand.
#pragma once

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/app/app.h"
#include "daemon/console/console.h"
#include "daemon/state/memory_store.h"
#include "daemon/state/state_store.h"
#include "tests/sources/manual_clock.h"

namespace earshot::testing {

inline const SystemTime kT0 = FromUnixMillis(1'795'000'000'000);

// A request as the HTTP server hands it over: `target` may carry a query ("/x?a=1&b=2"), whose
// parameters land in params as given (the tests use no escapes).
inline HttpServerRequest Request(std::string method, std::string_view target,
                                 std::string peer = "127.0.0.1",
                                 std::vector<std::pair<std::string, std::string>> headers = {},
                                 std::string body = "") {
  HttpServerRequest req;
  req.method = std::move(method);
  const size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) {
    req.query = std::string(target.substr(q + 1));
    std::string_view rest = req.query;
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      const size_t eq = pair.find('=');
      req.params.emplace_back(std::string(pair.substr(0, eq)),
                              eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    }
  }
  req.peer_address = std::move(peer);
  req.headers = std::move(headers);
  if (!req.Header("host")) req.headers.emplace_back("host", "127.0.0.1:9464");
  req.body = std::move(body);
  return req;
}

// The first response header `name` (any case), or nullopt.
inline std::optional<std::string> ResponseHeader(const HttpServerResponse& resp,
                                                 std::string_view name) {
  for (const auto& [key, value] : resp.headers) {
    if (key.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < key.size(); ++i) {
      same = same && std::tolower(static_cast<unsigned char>(key[i])) ==
                         std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return value;
  }
  return std::nullopt;
}

// "earshot_session=abc" from a Set-Cookie value: what a browser sends back in Cookie.
inline std::string CookiePair(std::string_view set_cookie) {
  return std::string(set_cookie.substr(0, set_cookie.find(';')));
}

// The shipped rules and lexicon, built once (only the explain tests need them).
inline std::shared_ptr<const Detector> ShippedDetector() {
  static const std::shared_ptr<const Detector> detector = [] {
    AppConfig config;
    config.brands = {"AcmeAir"};
    config.rule_files = {EARSHOT_SOURCE_DIR "/rules/complaints.yaml",
                         EARSHOT_SOURCE_DIR "/rules/resolution.yaml",
                         EARSHOT_SOURCE_DIR "/rules/praise.yaml"};
    config.lexicon_dir = EARSHOT_SOURCE_DIR "/rules/lexicon";
    Diagnostics diags;
    auto built = BuildDetector(config, &diags);
    INFO(diags.ToText());
    REQUIRE(built.ok());
    return *built;
  }();
  return detector;
}

struct ConsoleRig {
  explicit ConsoleRig(std::string secret = "") {
    auto opened = StateStore::Open(":memory:");
    REQUIRE(opened.ok());
    outbox = std::move(opened).value();
    ConsoleBackend backend;
    backend.operators = &store;
    backend.outbox = outbox.get();
    backend.detector = [] { return ShippedDetector(); };
    backend.sinks = {"slack", "pagerduty"};
    backend.clock = &clock;
    ConsoleAuthOptions auth;
    auth.secret = std::move(secret);
    console = std::make_unique<Console>(std::move(backend), std::move(auth));
  }

  // An open incident with one post, opened at kT0 + `minutes`, and an "open" event whose
  // notification is outbox seq `seq` (0: none).
  void AddIncident(const std::string& id, Severity severity, const std::string& rule,
                   const std::string& brand, int minutes, uint64_t seq = 0,
                   const std::string& text = "lost my bag in Denver") {
    EscalatorCommit c;
    IncidentRecord r;
    r.id = id;
    r.group_key = "mastodon|" + id;
    r.rule_id = rule;
    r.severity = severity;
    r.labels = {{"brand", brand}};
    r.summary = "summary of " + id;
    r.opened_at = kT0 + std::chrono::minutes(minutes);
    r.last_post_at = r.opened_at;
    r.post_count = 1;
    c.incidents.push_back(r);
    IncidentPost ip;
    ip.incident_id = id;
    ip.post.network = "mastodon";
    ip.post.id = id + "-post";
    ip.post.url = "https://air.example/" + id;
    ip.post.author = "jane@air.example";
    ip.post.text = text;
    ip.post.created_at = r.opened_at;
    c.posts.push_back(ip);
    c.events.push_back({id, r.opened_at, IncidentEventKind::kOpen, severity, "new incident", seq});
    if (seq > 0) {
      for (uint64_t s = next_seq; s <= seq; ++s) c.outbox.push_back({s, "{}", r.opened_at});
      next_seq = seq + 1;
    }
    Status s = store.Commit(c);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  HttpServerResponse Handle(const HttpServerRequest& req) { return console->Handle(req); }

  // A loopback browser's session: the cookie pair from a page, and the CSRF token the API gives.
  struct Browser {
    std::string cookie, csrf;
  };
  Browser OpenPage() {
    HttpServerResponse page = Handle(Request("GET", "/incidents"));
    REQUIRE(page.status == 200);
    auto set_cookie = ResponseHeader(page, "Set-Cookie");
    REQUIRE(set_cookie);
    Browser b{CookiePair(*set_cookie), ""};
    HttpServerResponse session =
        Handle(Request("GET", "/api/v1/session", "127.0.0.1", {{"cookie", b.cookie}}));
    REQUIRE(session.status == 200);
    simdjson::dom::parser parser;
    std::string_view token;
    REQUIRE(parser.parse(session.body).get_object()["csrf_token"].get(token) == simdjson::SUCCESS);
    b.csrf = std::string(token);
    REQUIRE(b.csrf.size() == 64);
    return b;
  }

  ManualClock clock{kT0};
  MemoryStore store;
  std::unique_ptr<StateStore> outbox;
  std::unique_ptr<Console> console;
  uint64_t next_seq = 1;
};

}  // namespace earshot::testing
