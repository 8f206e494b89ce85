// ConsoleAuth: loopback sessions without a secret, and refusal of every other address naming the
// setting; with a secret, Bearer and sign-in with a lockout after five failures; sessions that
// expire and end; the CSRF token and Origin checks on changes; the cookie's attributes.
#include "daemon/console/console_auth.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "tests/console/console_rig.h"

namespace earshot {
namespace {

using testing::CookiePair;
using testing::kT0;
using testing::Request;
using namespace std::chrono_literals;

constexpr std::string_view kSecret = "correct horse battery staple";

ConsoleAuthOptions WithSecret(std::string secret = std::string(kSecret)) {
  ConsoleAuthOptions o;
  o.secret = std::move(secret);
  return o;
}

HttpServerRequest WithCookie(const std::string& set_cookie, std::string peer = "127.0.0.1") {
  return Request("GET", "/incidents", std::move(peer), {{"cookie", CookiePair(set_cookie)}});
}

TEST_CASE("ConsoleAuth: IsLoopbackAddress is 127.0.0.0/8 only", "[console]") {
  CHECK(IsLoopbackAddress("127.0.0.1"));
  CHECK(IsLoopbackAddress("127.1.2.3"));
  CHECK_FALSE(IsLoopbackAddress("10.0.0.5"));
  CHECK_FALSE(IsLoopbackAddress("128.0.0.1"));
  CHECK_FALSE(IsLoopbackAddress("0.0.0.0"));
  CHECK_FALSE(IsLoopbackAddress(""));
  CHECK_FALSE(IsLoopbackAddress("1.127.0.0"));
}

TEST_CASE("ConsoleAuth: RequestCookie finds a cookie among several, spaces or none", "[console]") {
  auto req = [](std::vector<std::pair<std::string, std::string>> headers) {
    return Request("GET", "/", "127.0.0.1", std::move(headers));
  };
  CHECK(RequestCookie(req({{"cookie", "earshot_session=abc"}}), "earshot_session") == "abc");
  CHECK(RequestCookie(req({{"cookie", "theme=dark; earshot_session=abc; lang=en"}}),
                      "earshot_session") == "abc");
  CHECK(RequestCookie(req({{"cookie", "theme=dark;earshot_session=abc"}}), "earshot_session") ==
        "abc");
  CHECK(RequestCookie(req({{"cookie", "theme=dark;   earshot_session=abc"}}),
                      "earshot_session") == "abc");
  // A name that only ends or starts like ours is another cookie.
  CHECK_FALSE(RequestCookie(req({{"cookie", "xearshot_session=abc; earshot_session_old=1"}}),
                            "earshot_session"));
  // A second Cookie header is read too.
  CHECK(RequestCookie(req({{"cookie", "theme=dark"}, {"cookie", "earshot_session=def"}}),
                      "earshot_session") == "def");
  CHECK(RequestCookie(req({{"cookie", "earshot_session="}}), "earshot_session") == "");
  CHECK_FALSE(RequestCookie(req({}), "earshot_session"));
  CHECK_FALSE(RequestCookie(req({{"x-cookie", "earshot_session=abc"}}), "earshot_session"));
}

TEST_CASE("ConsoleAuth: ConstantTimeEquals and RandomToken", "[console]") {
  CHECK(ConstantTimeEquals("", ""));
  CHECK(ConstantTimeEquals("secret", "secret"));
  CHECK_FALSE(ConstantTimeEquals("secret", "secreT"));
  CHECK_FALSE(ConstantTimeEquals("secret", "secret2"));
  CHECK_FALSE(ConstantTimeEquals("secret", ""));
  CHECK_FALSE(ConstantTimeEquals(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
  const std::string a = RandomToken(), b = RandomToken();
  CHECK(a.size() == 64);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
}

TEST_CASE("ConsoleAuth: without a secret a loopback browser gets a session it is known by",
          "[console]") {
  ManualClock clock(kT0);
  ConsoleAuth auth({}, clock);
  CHECK_FALSE(auth.needs_login());
  const HttpServerRequest bare = Request("GET", "/incidents");
  CHECK_FALSE(auth.RefusePeer(bare));
  CHECK_FALSE(auth.Identify(bare).allowed());  // no session yet

  ConsoleCaller started;
  auto cookie = auth.StartLoopbackSession(bare, &started);
  REQUIRE(cookie);
  CHECK(started.via == ConsoleCaller::Via::kSession);
  CHECK(started.csrf_token.size() == 64);
  CHECK(cookie->starts_with("earshot_session=" + started.session_id + ";"));

  const ConsoleCaller found = auth.Identify(WithCookie(*cookie));
  CHECK(found.via == ConsoleCaller::Via::kSession);
  CHECK(found.session_id == started.session_id);
  CHECK(found.csrf_token == started.csrf_token);

  // An unknown session id is nobody.
  CHECK_FALSE(auth.Identify(Request("GET", "/", "127.0.0.1",
                                    {{"cookie", "earshot_session=" + RandomToken()}}))
                  .allowed());
  // Without a secret, a Bearer header means nothing.
  CHECK_FALSE(
      auth.Identify(Request("GET", "/", "127.0.0.1", {{"authorization", "Bearer x"}})).allowed());
  // A second browser gets a session of its own.
  ConsoleCaller other;
  auto cookie2 = auth.StartLoopbackSession(bare, &other);
  REQUIRE(cookie2);
  CHECK(other.session_id != started.session_id);
  CHECK(other.csrf_token != started.csrf_token);
}

TEST_CASE("ConsoleAuth: without a secret another host is refused, naming console.secret_file",
          "[console]") {
  ManualClock clock(kT0);
  ConsoleAuth auth({}, clock);
  const HttpServerRequest remote = Request("GET", "/incidents", "10.0.0.5");
  auto why = auth.RefusePeer(remote);
  REQUIRE(why);
  CHECK_THAT(*why, Catch::Contains("console.secret_file"));
  CHECK_THAT(*why, Catch::Contains("10.0.0.5"));
  ConsoleCaller caller;
  CHECK_FALSE(auth.StartLoopbackSession(remote, &caller));
  CHECK_FALSE(caller.allowed());

  // Even a valid session cookie, carried to another address, is refused there.
  auto cookie = auth.StartLoopbackSession(Request("GET", "/"), &caller);
  REQUIRE(cookie);
  CHECK(auth.Identify(WithCookie(*cookie)).allowed());
  CHECK_FALSE(auth.Identify(WithCookie(*cookie, "10.0.0.5")).allowed());
}

TEST_CASE("ConsoleAuth: with a secret, Bearer or a signed-in session from any address",
          "[console]") {
  ManualClock clock(kT0);
  ConsoleAuth auth(WithSecret(), clock);
  CHECK(auth.needs_login());
  const std::string remote = "10.0.0.5";
  CHECK_FALSE(auth.RefusePeer(Request("GET", "/", remote)));

  auto bearer = [&](std::string value) {
    return auth.Identify(Request("GET", "/api/v1/incidents", remote, {{"authorization", value}}));
  };
  CHECK(bearer("Bearer " + std::string(kSecret)).via == ConsoleCaller::Via::kBearer);
  CHECK_FALSE(bearer("Bearer wrong").allowed());
  CHECK_FALSE(bearer("Bearer " + std::string(kSecret) + "x").allowed());
  CHECK_FALSE(bearer("Bearer ").allowed());
  CHECK_FALSE(bearer("Basic " + std::string(kSecret)).allowed());
  CHECK_FALSE(auth.Identify(Request("GET", "/", remote)).allowed());

  // No loopback shortcut when a secret is set.
  ConsoleCaller caller;
  CHECK_FALSE(auth.StartLoopbackSession(Request("GET", "/"), &caller));

  bool locked = true;
  CHECK_FALSE(auth.Login(Request("POST", "/login", remote), "wrong", &locked));
  CHECK_FALSE(locked);
  auto cookie = auth.Login(Request("POST", "/login", remote), kSecret, &locked);
  REQUIRE(cookie);
  CHECK_FALSE(locked);
  const ConsoleCaller signed_in = auth.Identify(WithCookie(*cookie, remote));
  CHECK(signed_in.via == ConsoleCaller::Via::kSession);
  CHECK(signed_in.csrf_token.size() == 64);
}

TEST_CASE("ConsoleAuth: five wrong sign-ins lock the address for a minute, right secret or not",
          "[console]") {
  ManualClock clock(kT0);
  ConsoleAuth auth(WithSecret(), clock);
  const HttpServerRequest from = Request("POST", "/login", "10.0.0.5");
  bool locked = false;
  for (int i = 0; i < 5; ++i) {
    INFO("attempt " << i + 1);
    CHECK_FALSE(auth.Login(from, "wrong", &locked));
    CHECK_FALSE(locked);
  }
  CHECK_FALSE(auth.Login(from, kSecret, &locked));
  CHECK(locked);
  // Another address is not locked out by this one's failures.
  CHECK(auth.Login(Request("POST", "/login", "10.0.0.6"), kSecret, &locked));
  CHECK_FALSE(locked);

  clock.Advance(59s);
  CHECK_FALSE(auth.Login(from, kSecret, &locked));
  CHECK(locked);
  clock.Advance(1s);
  auto cookie = auth.Login(from, kSecret, &locked);
  CHECK(cookie);
  CHECK_FALSE(locked);
  // A success forgets the failures: five more are needed to lock again.
  for (int i = 0; i < 4; ++i) CHECK_FALSE(auth.Login(from, "wrong", &locked));
  CHECK(auth.Login(from, kSecret, &locked));
  CHECK_FALSE(locked);
}

TEST_CASE("ConsoleAuth: a session ends after session_ttl, and at Logout", "[console]") {
  ManualClock clock(kT0);
  ConsoleAuthOptions options = WithSecret();
  options.session_ttl = std::chrono::hours(1);
  ConsoleAuth auth(options, clock);
  bool locked = false;
  auto cookie = auth.Login(Request("POST", "/login"), kSecret, &locked);
  REQUIRE(cookie);
  CHECK_THAT(*cookie, Catch::Contains("Max-Age=3600"));
  clock.Advance(59min + 59s);
  CHECK(auth.Identify(WithCookie(*cookie)).allowed());
  clock.Advance(1s);
  CHECK_FALSE(auth.Identify(WithCookie(*cookie)).allowed());

  auto second = auth.Login(Request("POST", "/login"), kSecret, &locked);
  REQUIRE(second);
  const ConsoleCaller caller = auth.Identify(WithCookie(*second));
  REQUIRE(caller.allowed());
  const std::string cleared = auth.Logout(caller);
  CHECK(cleared.starts_with("earshot_session=;"));
  CHECK_THAT(cleared, Catch::Contains("Max-Age=0"));
  CHECK_FALSE(auth.Identify(WithCookie(*second)).allowed());
}

TEST_CASE("ConsoleAuth: past max_sessions the oldest session ends", "[console]") {
  ManualClock clock(kT0);
  ConsoleAuthOptions options;
  options.max_sessions = 2;
  ConsoleAuth auth(options, clock);
  ConsoleCaller c;
  auto first = auth.StartLoopbackSession(Request("GET", "/"), &c);
  clock.Advance(1s);
  auto second = auth.StartLoopbackSession(Request("GET", "/"), &c);
  clock.Advance(1s);
  auto third = auth.StartLoopbackSession(Request("GET", "/"), &c);
  REQUIRE((first && second && third));
  CHECK_FALSE(auth.Identify(WithCookie(*first)).allowed());
  CHECK(auth.Identify(WithCookie(*second)).allowed());
  CHECK(auth.Identify(WithCookie(*third)).allowed());
}

TEST_CASE("ConsoleAuth: RefuseChange wants the session's CSRF token and our own Origin",
          "[console]") {
  ManualClock clock(kT0);
  ConsoleAuth auth({}, clock);
  ConsoleCaller session;
  REQUIRE(auth.StartLoopbackSession(Request("GET", "/"), &session));
  auto post = [](std::vector<std::pair<std::string, std::string>> headers) {
    headers.emplace_back("host", "127.0.0.1:9464");
    return Request("POST", "/api/v1/incidents/inc-1/ack", "127.0.0.1", std::move(headers));
  };

  ConsoleCaller bearer;
  bearer.via = ConsoleCaller::Via::kBearer;
  CHECK_FALSE(auth.RefuseChange(post({}), bearer));
  CHECK(auth.RefuseChange(post({{"x-csrf-token", session.csrf_token}}), ConsoleCaller{}) ==
        "not signed in");

  auto missing = auth.RefuseChange(post({}), session);
  REQUIRE(missing);
  CHECK_THAT(*missing, Catch::Contains("X-CSRF-Token"));
  CHECK(auth.RefuseChange(post({{"x-csrf-token", ""}}), session));
  CHECK(auth.RefuseChange(post({{"x-csrf-token", RandomToken()}}), session));
  CHECK(auth.RefuseChange(post({{"x-csrf-token", session.csrf_token + "0"}}), session));
  CHECK_FALSE(auth.RefuseChange(post({{"x-csrf-token", session.csrf_token}}), session));

  // Origin: our own (from Host) is fine, another site is refused even with the token.
  CHECK_FALSE(auth.RefuseChange(
      post({{"x-csrf-token", session.csrf_token}, {"origin", "http://127.0.0.1:9464"}}), session));
  auto foreign = auth.RefuseChange(
      post({{"x-csrf-token", session.csrf_token}, {"origin", "https://evil.example"}}), session);
  REQUIRE(foreign);
  CHECK_THAT(*foreign, Catch::Contains("evil.example"));
  CHECK(auth.RefuseChange(
      post({{"x-csrf-token", session.csrf_token}, {"origin", "http://127.0.0.1:9465"}}), session));
  CHECK(auth.RefuseChange(
      post({{"x-csrf-token", session.csrf_token}, {"origin", "http://127.0.0.1:9464.evil.example"}}),
      session));
  CHECK(auth.RefuseChange(post({{"x-csrf-token", session.csrf_token}, {"origin", "null"}}),
                          session));
  // Behind a TLS proxy the browser's origin is https.
  CHECK_FALSE(auth.RefuseChange(post({{"x-csrf-token", session.csrf_token},
                                      {"origin", "https://127.0.0.1:9464"},
                                      {"x-forwarded-proto", "https"}}),
                                session));
  CHECK(auth.RefuseChange(
      post({{"x-csrf-token", session.csrf_token}, {"origin", "https://127.0.0.1:9464"}}), session));
}

TEST_CASE("ConsoleAuth: the cookie is HttpOnly and SameSite=Strict, Secure unless plain loopback",
          "[console]") {
  ManualClock clock(kT0);
  ConsoleCaller caller;
  auto has = [](const std::string& cookie, std::string_view attribute) {
    return cookie.find(std::string("; ") + std::string(attribute)) != std::string::npos;
  };

  ConsoleAuth loopback({}, clock);
  auto plain = loopback.StartLoopbackSession(Request("GET", "/"), &caller);
  REQUIRE(plain);
  CHECK(has(*plain, "HttpOnly"));
  CHECK(has(*plain, "SameSite=Strict"));
  CHECK(has(*plain, "Path=/"));
  CHECK_FALSE(has(*plain, "Secure"));
  auto proxied = loopback.StartLoopbackSession(
      Request("GET", "/", "127.0.0.1", {{"x-forwarded-proto", "https"}}), &caller);
  REQUIRE(proxied);
  CHECK(has(*proxied, "HttpOnly"));
  CHECK(has(*proxied, "SameSite=Strict"));
  CHECK(has(*proxied, "Secure"));

  ConsoleAuth secret(WithSecret(), clock);
  bool locked = false;
  auto remote = secret.Login(Request("POST", "/login", "10.0.0.5"), kSecret, &locked);
  REQUIRE(remote);
  CHECK(has(*remote, "HttpOnly"));
  CHECK(has(*remote, "SameSite=Strict"));
  CHECK(has(*remote, "Secure"));
  auto local = secret.Login(Request("POST", "/login"), kSecret, &locked);
  REQUIRE(local);
  CHECK_FALSE(has(*local, "Secure"));
}

}  // namespace
}  // namespace earshot
