#include "daemon/console/console.h"

#include <fmt/format.h>

#include "daemon/console/console_api.h"
#include "daemon/console/console_assets.h"
#include "daemon/console/console_json.h"
#include "daemon/net/url.h"

namespace earshot {

// The pages, by path: each is layout.html around its own PAGE.main.html, with its title and
// scripts (console.js, which every page needs, is in the layout).
struct PageRoute {
  std::string_view path, title, main;
  std::string_view scripts;  // after console.js, in order
};

namespace {

constexpr PageRoute kPages[] = {
    {"/incidents", "Incidents", "incidents.main.html", "incidents.js"},
    {"/incident", "Incident", "incident.main.html", "incident.js"},
    {"/feed", "Live feed", "feed.main.html", "feed.js"},
    {"/explain", "Explain", "explain.main.html", "explain.js"},
    {"/silences", "Silences", "silences.main.html", "silences.js"},
    {"/rules", "Rules", "rules.main.html", "charts.js rules.js"},
    {"/sources", "Sources", "sources.main.html", "sources.js"},
    {"/sinks", "Sinks", "sinks.main.html", "sinks.js"},
};

// The page's HTML: the layout with the route's words in place. Every word is the build's own
// text, never a request's.
std::string RenderPage(const PageRoute& page) {
  const ConsoleAsset* layout = FindConsoleAsset("layout.html");
  const ConsoleAsset* main = FindConsoleAsset(page.main);
  if (layout == nullptr || main == nullptr) return {};
  std::string scripts;
  for (std::string_view rest = page.scripts; !rest.empty();) {
    const size_t space = rest.find(' ');
    scripts += fmt::format("<script src=\"/static/{}\" defer></script>\n", rest.substr(0, space));
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  std::string html(layout->body);
  auto put = [&html](std::string_view word, std::string_view text) {
    if (const size_t at = html.find(word); at != std::string::npos) html.replace(at, word.size(), text);
  };
  put("@TITLE@", page.title);
  put("@SCRIPTS@", scripts);
  put("@MAIN@", main->body);
  return html;
}

HttpServerResponse Text(int status, std::string body) {
  HttpServerResponse resp;
  resp.status = status;
  resp.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  resp.body = std::move(body);
  return resp;
}

HttpServerResponse Redirect(std::string_view to) {
  HttpServerResponse resp;
  resp.status = 303;
  resp.headers.emplace_back("Location", std::string(to));
  return resp;
}

HttpServerResponse JsonError(int status, std::string_view message) {
  HttpServerResponse resp;
  resp.status = status;
  resp.headers.emplace_back("Content-Type", "application/json");
  resp.body = ErrorJson(message);
  return resp;
}

HttpServerResponse Asset(const ConsoleAsset& asset) {
  HttpServerResponse resp;
  resp.headers.emplace_back("Content-Type", std::string(asset.content_type));
  resp.body = std::string(asset.body);
  return resp;
}

}  // namespace

void AddConsoleSecurityHeaders(HttpServerResponse* resp) {
  // No inline script or style anywhere: a post's text that became markup could not run.
  resp->headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  resp->headers.emplace_back("X-Frame-Options", "DENY");
  resp->headers.emplace_back("X-Content-Type-Options", "nosniff");
  resp->headers.emplace_back("Referrer-Policy", "no-referrer");
  resp->headers.emplace_back("Cache-Control", "no-store");
}

Console::Console(ConsoleBackend backend, ConsoleAuthOptions auth)
    : backend_(std::move(backend)),
      auth_(std::move(auth), *backend_.clock),
      api_(std::make_unique<ConsoleApi>(backend_)) {}

Console::~Console() = default;

HttpServerResponse Console::Page(const HttpServerRequest& req, const PageRoute& page) {
  std::string html = RenderPage(page);
  if (html.empty()) return Text(500, fmt::format("{} is missing from this build\n", page.main));
  HttpServerResponse resp;
  resp.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  resp.body = std::move(html);
  ConsoleCaller caller = auth_.Identify(req);
  if (caller.allowed()) return resp;
  if (auth_.needs_login()) return Redirect("/login");
  std::optional<std::string> cookie = auth_.StartLoopbackSession(req, &caller);
  if (!cookie) return Text(403, "not allowed\n");
  resp.headers.emplace_back("Set-Cookie", *cookie);
  return resp;
}

HttpServerResponse Console::LoginPost(const HttpServerRequest& req) {
  if (!auth_.needs_login()) return Redirect("/incidents");
  // Login CSRF: a form on another site must not sign this browser in. The origin must be ours
  // exactly (http or, behind a TLS proxy, https), not merely contain our host.
  if (auto origin = req.Header("origin"); origin) {
    const std::string_view host = req.Header("host").value_or("");
    if (*origin != fmt::format("http://{}", host) && *origin != fmt::format("https://{}", host)) {
      return Text(403, "a sign-in from another site is refused\n");
    }
  }
  std::string secret;
  for (std::string_view rest = req.body; !rest.empty();) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.starts_with("secret=")) secret = PercentDecode(pair.substr(7), true);
  }
  bool locked = false;
  std::optional<std::string> cookie = auth_.Login(req, secret, &locked);
  if (!cookie) {
    // Back to the form, which shows why (the query is the only state it has).
    return Redirect(locked ? "/login?error=locked" : "/login?error=wrong");
  }
  HttpServerResponse resp = Redirect("/incidents");
  resp.headers.emplace_back("Set-Cookie", *cookie);
  return resp;
}

HttpServerResponse Console::Handle(const HttpServerRequest& req) {
  HttpServerResponse resp = [&] {
    if (std::optional<std::string> why = auth_.RefusePeer(req)) return Text(403, *why + "\n");
    const std::string& path = req.path;
    if (path.starts_with("/static/")) {
      const ConsoleAsset* asset = FindConsoleAsset(std::string_view(path).substr(8));
      return asset != nullptr ? Asset(*asset) : Text(404, "no such file\n");
    }
    if (path == "/login") {
      if (req.method == "POST") return LoginPost(req);
      if (!auth_.needs_login()) return Redirect("/incidents");
      return Asset(*FindConsoleAsset("login.html"));
    }
    if (path == "/logout" && req.method == "POST") {
      const ConsoleCaller caller = auth_.Identify(req);
      if (auth_.RefuseChange(req, caller)) return Text(403, "refused\n");
      HttpServerResponse out = Redirect(auth_.needs_login() ? "/login" : "/incidents");
      out.headers.emplace_back("Set-Cookie", auth_.Logout(caller));
      return out;
    }
    if (path == "/" || path == "/index.html") return Redirect("/incidents");
    if (path.starts_with("/api/")) {
      const ConsoleCaller caller = auth_.Identify(req);
      if (!caller.allowed()) {
        return JsonError(401, auth_.needs_login()
                                  ? "sign in first: POST /login, or send Authorization: Bearer"
                                  : "no session: open the console's page first");
      }
      if (req.method != "GET") {
        if (std::optional<std::string> why = auth_.RefuseChange(req, caller)) {
          return JsonError(403, *why);
        }
      }
      return api_->Handle(req, caller);
    }
    for (const PageRoute& page : kPages) {
      if (path == page.path) {
        if (req.method != "GET") return Text(405, "only GET\n");
        return Page(req, page);
      }
    }
    return Text(404, "no such page; the console starts at /incidents\n");
  }();
  AddConsoleSecurityHeaders(&resp);
  return resp;
}

}  // namespace earshot
