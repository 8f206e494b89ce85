// SourceHttp: the send, count, rate-budget and 429/5xx handling every polling source shares,
// against a loopback server that answers what each case needs.
#include "daemon/sources/source_http.h"

#include <atomic>
#include <catch2/catch.hpp>

#include "daemon/net/curl_http_client.h"
#include "daemon/net/http_server.h"
#include "tests/sources/manual_clock.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;

RateBudgetOptions Seeded() {
  RateBudgetOptions options;
  options.seed = 1;  // a fixed jitter
  return options;
}

// A SourceHttp as a source holds one: over the source's budget (sharing `shared` when given)
// and counting into the source's counters.
struct Rig {
  explicit Rig(std::shared_ptr<SharedRateBudget> shared = nullptr)
      : budget(clock, Seeded(), std::move(shared)) {}
  ManualClock clock{*ParseIso8601("2026-01-01T00:00:00Z")};
  RateBudget budget;
  SourceCounters stats;
  SourceHttp http{"t:a",  "t",   "127.0.0.1",
                  budget, stats, SourceHttp::Headers(budget, "x-limit", "x-remaining", "x-reset"),
                  5s};
};

struct Answer {
  int status;
  std::vector<std::pair<std::string, std::string>> headers;
};

TEST_CASE("SourceHttp: counts, observes the rate headers, waits as a 429 asks, backs off a 5xx",
          "[sources]") {
  std::atomic<int> next{0};
  const std::vector<Answer> answers = {
      {200, {{"x-limit", "300"}, {"x-remaining", "299"}}},
      {429, {{"Retry-After", "7"}}},
      {503, {}},
      {404, {}},
  };
  auto server = HttpServer::Start([&](const HttpServerRequest&) {
    const Answer& a = answers.at(static_cast<size_t>(next++));
    HttpServerResponse r;
    r.status = a.status;
    r.headers = a.headers;
    r.body = "{}";
    return r;
  });
  REQUIRE(server.ok());
  auto client = CurlHttpClient::Create();
  REQUIRE(client.ok());
  auto shared = std::make_shared<SharedRateBudget>("t:a");
  Rig rig(shared);
  SourceHttp& http = rig.http;
  SourceCounters& stats = rig.stats;

  auto send = [&]() {
    HttpRequest req;
    req.url = (*server)->base_url() + "/page";
    std::optional<Pace> failed;
    auto sent = http.Send(std::stop_token(), **client, std::move(req), &failed);
    REQUIRE(sent.ok());
    CHECK_FALSE(failed);
    return *std::move(sent);
  };
  HttpResponse ok = send();
  CHECK(ok.status == 200);
  CHECK_FALSE(http.Throttled(ok));
  CHECK(shared->Read().remaining == 299);

  std::optional<Pace> limited = http.Throttled(send());
  REQUIRE(limited);
  CHECK(limited->wait >= 7s);
  CHECK(stats.rate_limited == 1);

  std::optional<Pace> down = http.Throttled(send());
  REQUIRE(down);
  CHECK(down->wait > 0ms);
  CHECK(stats.server_errors == 1);
  CHECK(rig.budget.failures() == 1);

  CHECK_FALSE(http.Throttled(send()));  // a 404 is the source's to judge
  CHECK(stats.requests == 4);
  CHECK(stats.transport_errors == 0);
}

TEST_CASE("SourceHttp: a transport failure is counted and paced, a stop is kCancelled",
          "[sources]") {
  auto client = CurlHttpClient::Create();
  REQUIRE(client.ok());
  Rig rig;
  SourceHttp& http = rig.http;
  SourceCounters& stats = rig.stats;
  // A port nothing listens on: a server started and stopped.
  auto server = HttpServer::Start([](const HttpServerRequest&) { return HttpServerResponse{}; });
  REQUIRE(server.ok());
  const std::string url = (*server)->base_url() + "/page";
  (*server)->Stop();
  server->reset();

  HttpRequest req;
  req.url = url;
  std::optional<Pace> failed;
  auto sent = http.Send(std::stop_token(), **client, req, &failed);
  CHECK_FALSE(sent.ok());
  REQUIRE(failed);
  CHECK(failed->wait >= 100ms);
  CHECK(stats.transport_errors == 1);

  std::stop_source stop;
  stop.request_stop();
  failed.reset();
  auto cancelled = http.Send(stop.get_token(), **client, req, &failed);
  CHECK(cancelled.status().code() == Status::Code::kCancelled);
  CHECK_FALSE(failed);
}

TEST_CASE("SourceHttp: a page that parsed ends the failure streak and counts its bad items",
          "[sources]") {
  Rig rig;
  SourceHttp& http = rig.http;
  SourceCounters& stats = rig.stats;
  const Pace malformed = http.Malformed("page", 12, Status::InvalidArgument("cut off"));
  CHECK(malformed.wait >= 100ms);
  CHECK(stats.malformed_pages == 1);
  CHECK(rig.budget.failures() == 1);

  SourceBatch batch;
  http.PageArrived(&batch, {"missing field 'id'"}, "item");
  CHECK(batch.fetched);
  CHECK(rig.budget.failures() == 0);
  CHECK(stats.pages == 1);
  CHECK(stats.bad_items == 1);
}

}  // namespace
}  // namespace earshot
