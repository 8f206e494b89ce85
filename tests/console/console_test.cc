// Console::Handle, called in-process: the security headers on every response, pages and their
// sessions, sign-in with a secret, the static files, and the JSON API (incidents with filters,
// an incident's posts and deliveries per sink, acknowledgement behind the CSRF token, silences,
// explain) against a MemoryStore.
#include "daemon/console/app_console.h"
#include "daemon/console/console.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/console/console_rig.h"

namespace earshot {
namespace {

using testing::ConsoleRig;
using testing::CookiePair;
using testing::kT0;
using testing::Request;
using testing::ResponseHeader;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kSecret = "s3cret-for-tests";

std::string Bearer() { return "Bearer " + std::string(kSecret); }

// The body parsed (it must be JSON), kept alive with its parser.
struct Json {
  explicit Json(const HttpServerResponse& resp) : text(resp.body) {
    INFO(resp.body);
    REQUIRE(parser.parse(text).get(root) == simdjson::SUCCESS);
  }
  simdjson::dom::element operator[](std::string_view key) const { return root[key]; }
  std::string String(std::string_view key) const {
    std::string_view v;
    if (root[key].get(v) != simdjson::SUCCESS) return "<missing>";
    return std::string(v);
  }
  std::string text;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

std::vector<std::string> IncidentIds(const HttpServerResponse& resp) {
  Json json(resp);
  std::vector<std::string> ids;
  simdjson::dom::array list;
  REQUIRE(json["incidents"].get(list) == simdjson::SUCCESS);
  for (simdjson::dom::element inc : list) {
    std::string_view id;
    REQUIRE(inc["id"].get(id) == simdjson::SUCCESS);
    ids.emplace_back(id);
  }
  return ids;
}

bool IsJson(const HttpServerResponse& resp) {
  return ResponseHeader(resp, "Content-Type") == "application/json";
}

TEST_CASE("Console: every response carries the CSP, no framing and nosniff", "[console]") {
  ConsoleRig open_rig;
  ConsoleRig secret_rig{std::string(kSecret)};
  open_rig.AddIncident("inc-a", Severity::kHigh, "lost-baggage", "acmeair", 0);
  const ConsoleRig::Browser b = open_rig.OpenPage();
  struct Case {
    ConsoleRig* rig;
    HttpServerRequest req;
  };
  const std::vector<Case> cases = {
      {&open_rig, Request("GET", "/")},
      {&open_rig, Request("GET", "/incidents")},
      {&open_rig, Request("GET", "/static/console.js")},
      {&open_rig, Request("GET", "/static/nope.js")},
      {&open_rig, Request("GET", "/api/v1/incidents")},
      {&open_rig, Request("GET", "/api/v1/incidents", "127.0.0.1", {{"cookie", b.cookie}})},
      {&open_rig, Request("POST", "/api/v1/incidents/inc-a/ack", "127.0.0.1", {{"cookie", b.cookie}})},
      {&open_rig, Request("GET", "/api/v1/nope", "127.0.0.1", {{"cookie", b.cookie}})},
      {&open_rig, Request("GET", "/nope")},
      {&open_rig, Request("GET", "/incidents", "10.0.0.5")},
      {&secret_rig, Request("GET", "/incidents")},
      {&secret_rig, Request("GET", "/login")},
      {&secret_rig, Request("POST", "/login", "127.0.0.1", {}, "secret=wrong")},
      {&secret_rig, Request("GET", "/api/v1/incidents")},
  };
  for (const Case& c : cases) {
    const HttpServerResponse resp = c.rig->Handle(c.req);
    INFO(c.req.method << " " << c.req.path << " from " << c.req.peer_address << ": "
                      << resp.status);
    auto csp = ResponseHeader(resp, "Content-Security-Policy");
    REQUIRE(csp);
    CHECK_THAT(*csp, Catch::Contains("frame-ancestors 'none'"));
    CHECK_THAT(*csp, Catch::Contains("script-src 'self'"));
    CHECK_THAT(*csp, !Catch::Contains("unsafe-inline"));
    CHECK_THAT(*csp, !Catch::Contains("unsafe-eval"));
    CHECK(ResponseHeader(resp, "X-Frame-Options") == "DENY");
    CHECK(ResponseHeader(resp, "X-Content-Type-Options") == "nosniff");
  }
}

TEST_CASE("Console: / redirects to /incidents, unknown pages are 404", "[console]") {
  ConsoleRig rig;
  for (const char* path : {"/", "/index.html"}) {
    const HttpServerResponse resp = rig.Handle(Request("GET", path));
    CHECK(resp.status == 303);
    CHECK(ResponseHeader(resp, "Location") == "/incidents");
  }
  CHECK(rig.Handle(Request("GET", "/nope")).status == 404);
  CHECK(rig.Handle(Request("GET", "/incidents/extra")).status == 404);
}

TEST_CASE("Console: pages are HTML for loopback, with a session cookie on the first", "[console]") {
  ConsoleRig rig;
  for (const char* path : {"/incidents", "/incident", "/feed", "/explain", "/silences"}) {
    INFO(path);
    const HttpServerResponse first = rig.Handle(Request("GET", path));
    CHECK(first.status == 200);
    CHECK(ResponseHeader(first, "Content-Type") == "text/html; charset=utf-8");
    CHECK_THAT(first.body, Catch::Contains("<html"));
    // No inline script: the CSP would block it, so a page that had one would be broken.
    CHECK_THAT(first.body, !Catch::Contains("<script>"));
    auto set_cookie = ResponseHeader(first, "Set-Cookie");
    REQUIRE(set_cookie);
    CHECK(set_cookie->starts_with("earshot_session="));

    // The browser sends it back: the same session, no new cookie.
    const HttpServerResponse again =
        rig.Handle(Request("GET", path, "127.0.0.1", {{"cookie", CookiePair(*set_cookie)}}));
    CHECK(again.status == 200);
    CHECK_FALSE(ResponseHeader(again, "Set-Cookie"));

    CHECK(rig.Handle(Request("POST", path)).status == 405);
  }
  // Without a secret there is no sign-in.
  const HttpServerResponse login = rig.Handle(Request("GET", "/login"));
  CHECK(login.status == 303);
  CHECK(ResponseHeader(login, "Location") == "/incidents");
}

TEST_CASE("Console: the API wants a session from a page first", "[console]") {
  ConsoleRig rig;
  const HttpServerResponse resp = rig.Handle(Request("GET", "/api/v1/incidents"));
  CHECK(resp.status == 401);
  CHECK(IsJson(resp));
  CHECK_THAT(Json(resp).String("error"), Catch::Contains("session"));
  const ConsoleRig::Browser b = rig.OpenPage();
  CHECK(rig.Handle(Request("GET", "/api/v1/incidents", "127.0.0.1", {{"cookie", b.cookie}}))
            .status == 200);
}

TEST_CASE("Console: without a secret another host gets 403 naming console.secret_file",
          "[console]") {
  ConsoleRig rig;
  rig.AddIncident("inc-a", Severity::kHigh, "lost-baggage", "acmeair", 0);
  for (const char* path : {"/incidents", "/api/v1/incidents", "/api/v1/incidents/inc-a",
                           "/static/console.js", "/login", "/"}) {
    INFO(path);
    const HttpServerResponse resp = rig.Handle(Request("GET", path, "10.0.0.5"));
    CHECK(resp.status == 403);
    CHECK_THAT(resp.body, Catch::Contains("console.secret_file"));
    CHECK_FALSE(ResponseHeader(resp, "Set-Cookie"));
  }
  // Nor may it change anything.
  const HttpServerResponse ack = rig.Handle(Request("POST", "/api/v1/incidents/inc-a/ack",
                                                    "10.0.0.5", {}, R"({"by":"mallory"})"));
  CHECK(ack.status == 403);
  CHECK(rig.store.LoadIncident("inc-a").value()->status == IncidentStatus::kOpen);
}

TEST_CASE("Console: with a secret, pages go to /login and the API answers 401 until signed in",
          "[console]") {
  ConsoleRig rig{std::string(kSecret)};
  rig.AddIncident("inc-a", Severity::kHigh, "lost-baggage", "acmeair", 0);
  for (const char* peer : {"127.0.0.1", "10.0.0.5"}) {
    INFO(peer);
    const HttpServerResponse page = rig.Handle(Request("GET", "/incidents", peer));
    CHECK(page.status == 303);
    CHECK(ResponseHeader(page, "Location") == "/login");
    CHECK_FALSE(ResponseHeader(page, "Set-Cookie"));
    const HttpServerResponse api = rig.Handle(Request("GET", "/api/v1/incidents", peer));
    CHECK(api.status == 401);
    CHECK(IsJson(api));
    CHECK_THAT(Json(api).String("error"), Catch::Contains("sign in"));
    // A wrong bearer is no better.
    CHECK(rig.Handle(Request("GET", "/api/v1/incidents", peer, {{"authorization", "Bearer no"}}))
              .status == 401);
    // The right one reads and acts without a cookie or a CSRF token.
    const HttpServerResponse bearer =
        rig.Handle(Request("GET", "/api/v1/incidents", peer, {{"authorization", Bearer()}}));
    CHECK(bearer.status == 200);
    CHECK(IncidentIds(bearer) == std::vector<std::string>{"inc-a"});
    CHECK(rig.Handle(Request("GET", "/incidents", peer, {{"authorization", Bearer()}})).status ==
          200);
  }
  const HttpServerResponse login = rig.Handle(Request("GET", "/login"));
  CHECK(login.status == 200);
  CHECK(ResponseHeader(login, "Content-Type") == "text/html; charset=utf-8");

  const HttpServerResponse ack =
      rig.Handle(Request("POST", "/api/v1/incidents/inc-a/ack", "10.0.0.5",
                         {{"authorization", Bearer()}}, R"({"by":"script"})"));
  CHECK(ack.status == 200);
  CHECK(rig.store.LoadIncident("inc-a").value()->status == IncidentStatus::kAcknowledged);
}

TEST_CASE("Console: signing in with the form, a wrong secret, and signing out", "[console]") {
  ConsoleRig rig{std::string(kSecret)};
  const Headers form = {{"content-type", "application/x-www-form-urlencoded"}};

  const HttpServerResponse wrong = rig.Handle(Request("POST", "/login", "10.0.0.5", form,
                                                      "secret=nope"));
  CHECK(wrong.status == 303);
  CHECK(ResponseHeader(wrong, "Location") == "/login?error=wrong");
  CHECK_FALSE(ResponseHeader(wrong, "Set-Cookie"));

  // The secret is percent-decoded as a form sends it ('-' stays, "%33" is '3').
  const HttpServerResponse right = rig.Handle(
      Request("POST", "/login", "10.0.0.5", form, "next=%2F&secret=s%33cret-for-tests"));
  CHECK(right.status == 303);
  CHECK(ResponseHeader(right, "Location") == "/incidents");
  auto set_cookie = ResponseHeader(right, "Set-Cookie");
  REQUIRE(set_cookie);
  CHECK_THAT(*set_cookie, Catch::Contains("; Secure"));
  const std::string cookie = CookiePair(*set_cookie);
  CHECK(rig.Handle(Request("GET", "/incidents", "10.0.0.5", {{"cookie", cookie}})).status == 200);
  const HttpServerResponse session =
      rig.Handle(Request("GET", "/api/v1/session", "10.0.0.5", {{"cookie", cookie}}));
  REQUIRE(session.status == 200);
  const std::string csrf = Json(session).String("csrf_token");
  CHECK(csrf.size() == 64);

  // Signing out is a change: the token is needed.
  CHECK(rig.Handle(Request("POST", "/logout", "10.0.0.5", {{"cookie", cookie}})).status == 403);
  const HttpServerResponse out = rig.Handle(
      Request("POST", "/logout", "10.0.0.5", {{"cookie", cookie}, {"x-csrf-token", csrf}}));
  CHECK(out.status == 303);
  CHECK(ResponseHeader(out, "Location") == "/login");
  CHECK_THAT(ResponseHeader(out, "Set-Cookie").value_or(""), Catch::Contains("Max-Age=0"));
  CHECK(rig.Handle(Request("GET", "/api/v1/incidents", "10.0.0.5", {{"cookie", cookie}})).status ==
        401);
}

TEST_CASE("Console: five wrong sign-ins lock the form for a minute", "[console]") {
  ConsoleRig rig{std::string(kSecret)};
  for (int i = 0; i < 5; ++i) {
    CHECK(ResponseHeader(rig.Handle(Request("POST", "/login", "10.0.0.5", {}, "secret=x")),
                         "Location") == "/login?error=wrong");
  }
  const std::string right = "secret=" + std::string(kSecret);
  CHECK(ResponseHeader(rig.Handle(Request("POST", "/login", "10.0.0.5", {}, right)), "Location") ==
        "/login?error=locked");
  rig.clock.Advance(std::chrono::seconds(60));
  CHECK(ResponseHeader(rig.Handle(Request("POST", "/login", "10.0.0.5", {}, right)), "Location") ==
        "/incidents");
}

TEST_CASE("Console: a sign-in posted from another site is refused", "[console]") {
  ConsoleRig rig{std::string(kSecret)};
  const std::string right = "secret=" + std::string(kSecret);
  auto login = [&](std::string host, std::string origin) {
    return rig.Handle(
        Request("POST", "/login", "10.0.0.5", {{"host", host}, {"origin", origin}}, right));
  };
  CHECK(login("console.example.com", "https://evil.example").status == 403);
  // An origin that merely contains our host is another site too.
  const HttpServerResponse lookalike =
      login("console.example.com", "https://console.example.com.evil.example");
  CHECK(lookalike.status == 403);
  CHECK_FALSE(ResponseHeader(lookalike, "Set-Cookie"));
  CHECK(login("console.example.com", "https://evil.example/console.example.com").status == 403);
  // Our own origin, over plain HTTP or behind a TLS proxy, signs in.
  CHECK(ResponseHeader(login("console.example.com", "https://console.example.com"), "Set-Cookie"));
  CHECK(ResponseHeader(login("127.0.0.1:9464", "http://127.0.0.1:9464"), "Set-Cookie"));
}

TEST_CASE("Console: /static/ serves the scripts, none of which writes HTML", "[console]") {
  ConsoleRig rig;
  for (const char* name : {"console.js", "incidents.js", "incident.js", "explain.js", "feed.js",
                           "silences.js", "login.js"}) {
    INFO(name);
    const HttpServerResponse resp = rig.Handle(Request("GET", std::string("/static/") + name));
    CHECK(resp.status == 200);
    CHECK_THAT(ResponseHeader(resp, "Content-Type").value_or(""), Catch::Contains("javascript"));
    CHECK_FALSE(resp.body.empty());
    CHECK_THAT(resp.body, !Catch::Contains("innerHTML"));
    CHECK_THAT(resp.body, !Catch::Contains("outerHTML"));
    CHECK_THAT(resp.body, !Catch::Contains("insertAdjacentHTML"));
    CHECK_THAT(resp.body, !Catch::Contains("document.write"));
    CHECK_THAT(resp.body, !Catch::Contains("eval("));
  }
  const HttpServerResponse css = rig.Handle(Request("GET", "/static/console.css"));
  CHECK(css.status == 200);
  CHECK_THAT(ResponseHeader(css, "Content-Type").value_or(""), Catch::Contains("text/css"));
  CHECK(rig.Handle(Request("GET", "/static/nope.js")).status == 404);
  CHECK(rig.Handle(Request("GET", "/static/../console.cc")).status == 404);
  CHECK(rig.Handle(Request("GET", "/static/")).status == 404);
}

TEST_CASE("Console: acknowledging needs the session's CSRF token", "[console]") {
  ConsoleRig rig;
  rig.AddIncident("inc-a", Severity::kHigh, "lost-baggage", "acmeair", 0);
  const ConsoleRig::Browser b = rig.OpenPage();
  const std::string body = R"({"by":"ana"})";
  auto ack = [&](Headers headers, std::string id = "inc-a") {
    headers.emplace_back("cookie", b.cookie);
    return rig.Handle(
        Request("POST", "/api/v1/incidents/" + id + "/ack", "127.0.0.1", std::move(headers), body));
  };
  auto status = [&] { return rig.store.LoadIncident("inc-a").value()->status; };

  const HttpServerResponse missing = ack({});
  CHECK(missing.status == 403);
  CHECK(IsJson(missing));
  CHECK_THAT(Json(missing).String("error"), Catch::Contains("X-CSRF-Token"));
  CHECK(status() == IncidentStatus::kOpen);

  CHECK(ack({{"x-csrf-token", std::string(64, '0')}}).status == 403);
  CHECK(ack({{"x-csrf-token", b.csrf}, {"origin", "https://evil.example"}}).status == 403);
  CHECK(status() == IncidentStatus::kOpen);
  // Another browser's token is not this session's.
  const ConsoleRig::Browser other = rig.OpenPage();
  CHECK(ack({{"x-csrf-token", other.csrf}}).status == 403);
  CHECK(status() == IncidentStatus::kOpen);

  const HttpServerResponse ok = ack({{"x-csrf-token", b.csrf}, {"origin", "http://127.0.0.1:9464"}});
  CHECK(ok.status == 200);
  CHECK(Json(ok).String("acknowledged_by") == "ana");
  CHECK(Json(ok).String("id") == "inc-a");
  CHECK(status() == IncidentStatus::kAcknowledged);
  auto events = rig.store.LoadIncidentEvents("inc-a");
  REQUIRE(events.ok());
  REQUIRE(events->size() == 2);
  CHECK(events->back().kind == IncidentEventKind::kAcknowledged);
  CHECK_THAT(events->back().reason, Catch::Contains("ana"));
  CHECK(events->back().at == kT0);
  auto pending = rig.store.LoadPendingAcks();
  REQUIRE(pending.ok());
  CHECK(pending->size() == 1);

  const HttpServerResponse unknown = ack({{"x-csrf-token", b.csrf}}, "inc-nope");
  CHECK(unknown.status == 404);
  CHECK(IsJson(unknown));
  CHECK_THAT(Json(unknown).String("error"), Catch::Contains("inc-nope"));
  // A body that is not JSON is refused.
  CHECK(rig.Handle(Request("POST", "/api/v1/incidents/inc-a/ack", "127.0.0.1",
                           {{"cookie", b.cookie}, {"x-csrf-token", b.csrf}}, "by=ana"))
            .status == 400);
}

TEST_CASE("Console: resolving by hand leaves a pending resolve for the escalator", "[console]") {
  ConsoleRig rig;
  rig.AddIncident("inc-a", Severity::kHigh, "lost-baggage", "acmeair", 0);
  const ConsoleRig::Browser b = rig.OpenPage();
  auto resolve = [&](Headers headers, std::string id = "inc-a") {
    headers.emplace_back("cookie", b.cookie);
    return rig.Handle(Request("POST", "/api/v1/incidents/" + id + "/resolve", "127.0.0.1",
                              std::move(headers), R"({"by":"ana"})"));
  };
  // Without the token: refused, nothing pending.
  CHECK(resolve({}).status == 403);
  auto pending = rig.store.LoadPendingResolves();
  REQUIRE(pending.ok());
  CHECK(pending->empty());

  const HttpServerResponse ok = resolve({{"x-csrf-token", b.csrf}});
  CHECK(ok.status == 200);
  CHECK(Json(ok).String("resolved_by") == "ana");
  pending = rig.store.LoadPendingResolves();
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  CHECK(pending->front().incident_id == "inc-a");
  // The escalator resolves it at its next step; a second request tells nothing new.
  CHECK(resolve({{"x-csrf-token", b.csrf}}).status == 200);
  CHECK(rig.store.LoadPendingResolves()->size() == 1);
  CHECK(resolve({{"x-csrf-token", b.csrf}}, "inc-nope").status == 404);
}

TEST_CASE("Console: silences are added with checked matchers, listed and expired", "[console]") {
  ConsoleRig rig;
  const ConsoleRig::Browser b = rig.OpenPage();
  auto post = [&](std::string path, std::string body) {
    return rig.Handle(Request("POST", path, "127.0.0.1",
                              {{"cookie", b.cookie}, {"x-csrf-token", b.csrf}}, std::move(body)));
  };
  auto get = [&](std::string path) {
    return rig.Handle(Request("GET", path, "127.0.0.1", {{"cookie", b.cookie}}));
  };

  for (const char* bad : {R"({"matchers":"brand=~\"(\"","for":"2h"})",
                          R"({"matchers":"brand","for":"2h"})",
                          R"({"matchers":"brand=\"acme","for":"2h"})",
                          R"({"matchers":"","for":"2h"})",
                          R"({"for":"2h"})",
                          R"({"matchers":"brand=\"acmeair\"","for":"soon"})",
                          R"({"matchers":"brand=\"acmeair\"","for":"0s"})",
                          R"({"matchers":"brand=\"acmeair\""})",
                          R"(["brand"])",
                          "not json"}) {
    INFO(bad);
    const HttpServerResponse resp = post("/api/v1/silences", bad);
    CHECK(resp.status == 400);
    CHECK(IsJson(resp));
    CHECK(Json(resp).String("error").size() > 5);
  }
  CHECK(rig.store.ListSilences(kT0, false).value().empty());
  // Without the token, nothing is added.
  CHECK(rig.Handle(Request("POST", "/api/v1/silences", "127.0.0.1", {{"cookie", b.cookie}},
                           R"({"matchers":"brand=\"acmeair\"","for":"2h"})"))
            .status == 403);
  CHECK(rig.store.ListSilences(kT0, false).value().empty());

  const HttpServerResponse added =
      post("/api/v1/silences",
           R"({"matchers":"brand=\"acmeair\",severity=~\"low|medium\"","for":"2h",)"
           R"("comment":"maintenance <b>window</b>","by":"ana"})");
  REQUIRE(added.status == 201);
  const std::string id = Json(added).String("id");
  CHECK(Json(added).String("state") == "active");
  auto list = rig.store.ListSilences(kT0, true);
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  const SilenceRecord& s = list->front();
  CHECK(s.id == id);
  CHECK_THAT(s.matchers, Catch::Contains("brand=\"acmeair\""));
  CHECK_THAT(s.matchers, Catch::Contains("severity=~\"low|medium\""));
  CHECK(s.comment == "maintenance <b>window</b>");
  CHECK(s.created_by == "ana");
  CHECK(s.starts_at == kT0);
  CHECK(s.ends_at == kT0 + std::chrono::hours(2));

  const HttpServerResponse listed = get("/api/v1/silences");
  CHECK(listed.status == 200);
  CHECK_THAT(listed.body, Catch::Contains("\"id\":\"" + id + "\""));

  const HttpServerResponse unknown = post("/api/v1/silences/sil-99/expire", "");
  CHECK(unknown.status == 404);
  CHECK(IsJson(unknown));
  CHECK(post("/api/v1/silences/nonsense/expire", "").status == 404);

  rig.clock.Advance(std::chrono::minutes(5));
  const HttpServerResponse expired = post("/api/v1/silences/" + id + "/expire", "");
  CHECK(expired.status == 200);
  CHECK(Json(expired).String("state") == "expired");
  CHECK(rig.store.ListSilences(rig.clock.Now(), true).value().empty());
  CHECK(rig.store.ListSilences(rig.clock.Now(), false).value().size() == 1);
  CHECK_THAT(get("/api/v1/silences").body, !Catch::Contains(id));
  const HttpServerResponse all = get("/api/v1/silences?all=1");
  CHECK_THAT(all.body, Catch::Contains(id));
  CHECK_THAT(all.body, Catch::Contains("\"state\":\"expired\""));
}

TEST_CASE("Console: the incident list filters by severity, brand and rule", "[console]") {
  ConsoleRig rig;
  rig.AddIncident("inc-a", Severity::kHigh, "lost-baggage", "acmeair", 0);
  rig.AddIncident("inc-b", Severity::kLow, "hours-on-hold", "acmeair", 1);
  rig.AddIncident("inc-c", Severity::kHigh, "hours-on-hold", "betarail", 2);
  const ConsoleRig::Browser b = rig.OpenPage();
  auto ids = [&](std::string query) {
    const HttpServerResponse resp =
        rig.Handle(Request("GET", "/api/v1/incidents" + query, "127.0.0.1", {{"cookie", b.cookie}}));
    INFO(query << ": " << resp.body);
    REQUIRE(resp.status == 200);
    return IncidentIds(resp);
  };
  using V = std::vector<std::string>;
  // Newest activity first.
  CHECK(ids("") == V{"inc-c", "inc-b", "inc-a"});
  CHECK(ids("?severity=high") == V{"inc-c", "inc-a"});
  CHECK(ids("?severity=critical").empty());
  CHECK(ids("?brand=acmeair") == V{"inc-b", "inc-a"});
  CHECK(ids("?brand=betarail") == V{"inc-c"});
  CHECK(ids("?rule=hours-on-hold") == V{"inc-c", "inc-b"});
  CHECK(ids("?rule=hours-on-hold&brand=acmeair") == V{"inc-b"});
  CHECK(ids("?severity=high&brand=acmeair&rule=lost-baggage") == V{"inc-a"});
  CHECK(ids("?limit=2") == V{"inc-c", "inc-b"});
  CHECK(ids("?severity=high&limit=1") == V{"inc-c"});
  // The limit counts what the filters keep, whatever the status asked for.
  CHECK(ids("?status=all") == V{"inc-c", "inc-b", "inc-a"});
  CHECK(ids("?status=all&severity=low&limit=1") == V{"inc-b"});
  CHECK(ids("?status=open&brand=acmeair&limit=1") == V{"inc-b"});

  for (const char* bad : {"?limit=0", "?limit=-1", "?limit=ten"}) {
    const HttpServerResponse resp =
        rig.Handle(Request("GET", std::string("/api/v1/incidents") + bad, "127.0.0.1",
                           {{"cookie", b.cookie}}));
    CHECK(resp.status == 400);
    CHECK(IsJson(resp));
  }

  // An acknowledged incident is still active; its status says so.
  REQUIRE(rig.store.AcknowledgeIncident("inc-b", "ana", kT0).ok());
  CHECK(ids("") == V{"inc-c", "inc-b", "inc-a"});
  CHECK(ids("?status=acknowledged") == V{"inc-b"});
  CHECK(ids("?status=open") == V{"inc-c", "inc-a"});
}

TEST_CASE("Console: an incident's fields and its hostile post text as valid JSON", "[console]") {
  ConsoleRig rig;
  const std::string hostile = "<script>alert(1)</script>\"\x01\\ \n\u00e9</b>";
  rig.AddIncident("inc-a", Severity::kHigh, "lost-baggage", "acmeair", 0, 0, hostile);
  rig.clock.Advance(std::chrono::minutes(10));
  const ConsoleRig::Browser b = rig.OpenPage();
  const HttpServerResponse resp =
      rig.Handle(Request("GET", "/api/v1/incidents/inc-a", "127.0.0.1", {{"cookie", b.cookie}}));
  REQUIRE(resp.status == 200);
  CHECK(IsJson(resp));
  // Nothing of the post reaches the wire as markup-ready bytes: the control byte is escaped.
  CHECK(resp.body.find('\x01') == std::string::npos);
  Json json(resp);
  simdjson::dom::element inc = json["incident"];
  std::string_view field;
  REQUIRE(inc["id"].get(field) == simdjson::SUCCESS);
  CHECK(field == "inc-a");
  REQUIRE(inc["status"].get(field) == simdjson::SUCCESS);
  CHECK(field == "open");
  REQUIRE(inc["severity"].get(field) == simdjson::SUCCESS);
  CHECK(field == "high");
  REQUIRE(inc["rule"].get(field) == simdjson::SUCCESS);
  CHECK(field == "lost-baggage");
  REQUIRE(inc["labels"]["brand"].get(field) == simdjson::SUCCESS);
  CHECK(field == "acmeair");
  REQUIRE(inc["opened_at"].get(field) == simdjson::SUCCESS);
  CHECK(field == FormatIso8601(kT0));
  int64_t waiting = 0;
  REQUIRE(inc["waiting_seconds"].get(waiting) == simdjson::SUCCESS);
  CHECK(waiting == 600);

  simdjson::dom::array posts;
  REQUIRE(json["posts"].get(posts) == simdjson::SUCCESS);
  REQUIRE(posts.size() == 1);
  REQUIRE(posts.at(0)["text"].get(field) == simdjson::SUCCESS);
  CHECK(field == hostile);
  REQUIRE(posts.at(0)["id"].get(field) == simdjson::SUCCESS);
  CHECK(field == "inc-a-post");

  const HttpServerResponse missing =
      rig.Handle(Request("GET", "/api/v1/incidents/inc-nope", "127.0.0.1", {{"cookie", b.cookie}}));
  CHECK(missing.status == 404);
  CHECK(IsJson(missing));
  CHECK_THAT(Json(missing).String("error"), Catch::Contains("inc-nope"));
}

TEST_CASE("Console: each notification's delivery state per sink", "[console]") {
  ConsoleRig rig;  // sinks: slack, pagerduty
  rig.AddIncident("inc-1", Severity::kHigh, "lost-baggage", "acmeair", 0, 1);
  rig.AddIncident("inc-2", Severity::kHigh, "lost-baggage", "acmeair", 1, 2);
  rig.AddIncident("inc-3", Severity::kHigh, "lost-baggage", "acmeair", 2, 3);
  REQUIRE(rig.outbox->SaveSinkCursor("slack", 2).ok());
  REQUIRE(rig.outbox->SaveSinkCursor("pagerduty", 1).ok());
  // Parking seq 2 also moves pagerduty's cursor to 2: the dead letter must still show as one.
  REQUIRE(rig.outbox->AddDeadLetter({"pagerduty", 2, "HTTP 400: invalid routing key", kT0}).ok());
  REQUIRE(rig.store.AcknowledgeIncident("inc-1", "ana", kT0).ok());
  const ConsoleRig::Browser b = rig.OpenPage();

  struct Delivery {
    std::string sink, state, reason;
    bool operator==(const Delivery&) const = default;
  };
  // The deliveries of each event of the incident, oldest event first.
  auto deliveries = [&](const std::string& id) {
    const HttpServerResponse resp =
        rig.Handle(Request("GET", "/api/v1/incidents/" + id, "127.0.0.1", {{"cookie", b.cookie}}));
    REQUIRE(resp.status == 200);
    Json json(resp);
    std::vector<std::vector<Delivery>> out;
    simdjson::dom::array events;
    REQUIRE(json["events"].get(events) == simdjson::SUCCESS);
    for (simdjson::dom::element e : events) {
      std::vector<Delivery> ds;
      simdjson::dom::array list;
      REQUIRE(e["deliveries"].get(list) == simdjson::SUCCESS);
      for (simdjson::dom::element d : list) {
        std::string_view sink, state, reason;
        REQUIRE(d["sink"].get(sink) == simdjson::SUCCESS);
        REQUIRE(d["state"].get(state) == simdjson::SUCCESS);
        if (d["reason"].get(reason) != simdjson::SUCCESS) reason = "";
        ds.push_back({std::string(sink), std::string(state), std::string(reason)});
      }
      out.push_back(ds);
    }
    return out;
  };
  using D = std::vector<Delivery>;
  // inc-1: seq 1, at or below both cursors; its acknowledgement (no seq) has no deliveries.
  CHECK(deliveries("inc-1") ==
        std::vector<D>{{{"slack", "done", ""}, {"pagerduty", "done", ""}}, {}});
  CHECK(deliveries("inc-2") ==
        std::vector<D>{{{"slack", "done", ""},
                        {"pagerduty", "dead letter", "HTTP 400: invalid routing key"}}});
  CHECK(deliveries("inc-3") ==
        std::vector<D>{{{"slack", "pending", ""}, {"pagerduty", "pending", ""}}});
  REQUIRE(rig.outbox->SaveSinkCursor("slack", 3).ok());
  CHECK(deliveries("inc-3") ==
        std::vector<D>{{{"slack", "done", ""}, {"pagerduty", "pending", ""}}});
}

TEST_CASE("Console: an unknown API call is a 404 in JSON", "[console]") {
  ConsoleRig rig;
  const ConsoleRig::Browser b = rig.OpenPage();
  const Headers h = {{"cookie", b.cookie}, {"x-csrf-token", b.csrf}};
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/api/v1/nope"},
                                                        {"GET", "/api/v2/incidents"},
                                                        {"GET", "/api/"},
                                                        {"GET", "/api/x"},
                                                        {"GET", "/api/v1"},
                                                        {"GET", "/api/v1x/session"},
                                                        {"POST", "/api/v1/session"},
                                                        {"POST", "/api/v1/incidents"},
                                                        {"GET", "/api/v1/incidents/inc-a/ack"},
                                                        {"GET", "/api/v1/explain"},
                                                        {"DELETE", "/api/v1/silences"}}) {
    INFO(method << " " << path);
    const HttpServerResponse resp = rig.Handle(Request(method, path, "127.0.0.1", h, "{}"));
    CHECK(resp.status == 404);
    CHECK(IsJson(resp));
    CHECK_THAT(Json(resp).String("error"), Catch::Contains(path));
  }
}

TEST_CASE("Console: explain gives the text and the explanation of a post", "[console]") {
  ConsoleRig rig;
  const ConsoleRig::Browser b = rig.OpenPage();
  auto explain = [&](std::string body) {
    return rig.Handle(Request("POST", "/api/v1/explain", "127.0.0.1",
                              {{"cookie", b.cookie}, {"x-csrf-token", b.csrf}}, std::move(body)));
  };
  const HttpServerResponse resp =
      explain(R"({"text":"@AcmeAir you lost my bag again and nobody answers the phone #fail"})");
  REQUIRE(resp.status == 200);
  CHECK(IsJson(resp));
  Json json(resp);
  std::string_view text;
  REQUIRE(json["text"].get(text) == simdjson::SUCCESS);
  CHECK_FALSE(text.empty());
  simdjson::dom::object explanation;
  REQUIRE(json["explanation"].get(explanation) == simdjson::SUCCESS);
  CHECK(explanation.size() > 0);

  for (const char* bad : {R"({"text":""})", R"({})", R"({"text":7})", "[]", "text"}) {
    INFO(bad);
    const HttpServerResponse refused = explain(bad);
    CHECK(refused.status == 400);
    CHECK(IsJson(refused));
  }
  // Without the token it is refused like any change.
  CHECK(rig.Handle(Request("POST", "/api/v1/explain", "127.0.0.1", {{"cookie", b.cookie}},
                           R"({"text":"hello"})"))
            .status == 403);
}

}  // namespace
}  // namespace earshot

namespace earshot::testing {
namespace {

TEST_CASE("Console: explain names rule files from the rules' own directory", "[console]") {
  AppConfig config;
  config.rule_files = {"/usr/share/earshot/rules/complaints.yaml",
                       "/usr/share/earshot/rules/praise.yaml"};
  config.lexicon_dir = "/usr/share/earshot/rules/lexicon";
  CHECK(RulesDirOf(config) == "/usr/share/earshot/rules/");
  // Whole directories only, never half a name.
  config.rule_files = {"/srv/rules-a/x.yaml", "/srv/rules-b/y.yaml"};
  config.lexicon_dir = "/srv/rules-a/lexicon";
  CHECK(RulesDirOf(config) == "/srv/");
  CHECK(RulesDirOf(AppConfig{}).empty());
}

}  // namespace
}  // namespace earshot::testing
