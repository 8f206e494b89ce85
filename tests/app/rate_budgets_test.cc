// One rate budget per credential: which sources share one, and what /metrics shows of it.
#include <catch2/catch.hpp>

#include "daemon/app/prometheus_text.h"
#include "daemon/app/rate_budgets.h"
#include "tests/sources/manual_clock.h"

namespace earshot {
namespace {

using namespace std::chrono_literals;

SourceSettings Source(std::string type, std::string name, std::string secret) {
  SourceSettings s;
  s.type = std::move(type);
  s.name = std::move(name);
  s.secret = std::move(secret);
  return s;
}

TEST_CASE("RateBudgetRegistry: one budget per network, host and credential", "[app]") {
  RateBudgetRegistry registry;
  auto airline = registry.For(Source("x", "airline", "bearer-one"));
  auto brand = registry.For(Source("x", "brand", "bearer-one"));
  auto other = registry.For(Source("x", "press", "bearer-two"));
  SourceSettings proxied = Source("x", "proxied", "bearer-one");
  proxied.options.Set("base_url", "https://x-proxy.example");
  auto elsewhere = registry.For(proxied);
  SourceSettings tag = Source("mastodon", "tag", "token-one");
  tag.options.Set("base_url", "https://mastodon.social");
  SourceSettings mentions = tag;
  mentions.name = "mentions";
  mentions.options.Set("mentions", true);
  auto m1 = registry.For(tag);
  auto m2 = registry.For(mentions);
  SourceSettings bsky = Source("bluesky", "b1", "app-password");
  bsky.options.Set("identifier", "AcmeAir.bsky.social");
  SourceSettings bsky2 = Source("bluesky", "b2", "other-password");
  bsky2.options.Set("identifier", "acmeair.bsky.social");  // handles are case-insensitive
  auto b1 = registry.For(bsky);
  auto b2 = registry.For(bsky2);
  SourceSettings r1 = Source("reddit", "r1", "secret-a");
  r1.options.Set("client_id", "client-1");
  SourceSettings r2 = Source("reddit", "r2", "secret-b");
  r2.options.Set("client_id", "client-2");

  // X counts the mention timeline apart from recent search, even under one bearer token.
  SourceSettings x_mentions = Source("x", "mentions", "bearer-one");
  x_mentions.options.Set("mentions_of", "AcmeAir");
  auto xm = registry.For(x_mentions);

  CHECK(airline == brand);
  CHECK(airline != xm);
  CHECK(airline != other);
  CHECK(airline != elsewhere);
  CHECK(m1 == m2);
  CHECK(b1 == b2);
  CHECK(registry.For(r1) != registry.For(r2));
  CHECK(airline->name() == "x:airline,x:brand");
  CHECK(m1->name() == "mastodon:tag,mastodon:mentions");
  // The key never holds a secret in clear.
  for (const SourceSettings& s : {Source("x", "a", "bearer-one"), tag, r1}) {
    CHECK(RateBudgetKey(s).find(s.secret) == std::string::npos);
  }
  CHECK(RateBudgetKey(r1).find("client-1") == std::string::npos);
}

TEST_CASE("Rate budget metrics: remaining, limit and reset per budget, never a secret",
          "[app]") {
  ManualClock clock(*ParseIso8601("2026-01-01T00:00:00Z"));
  RateBudgetRegistry registry;
  auto shared = registry.For(Source("x", "airline", "bearer-one"));
  registry.For(Source("x", "brand", "bearer-one"));
  registry.For(Source("reddit", "quiet", "client-secret"));  // nothing heard yet: no samples
  RateBudget budget(clock, {}, shared);
  budget.Observe("450", "440", "1767226500");  // 00:15:00
  PrometheusText t;
  WriteRateBudgetMetrics(&t, registry, clock.Now() + 300s);
  const std::string& text = t.text();
  INFO(text);
  CHECK(text.find("earshot_rate_budget_remaining{network=\"x\",budget=\"x:airline,x:brand\"} 440\n") !=
        std::string::npos);
  CHECK(text.find("earshot_rate_budget_limit{network=\"x\",budget=\"x:airline,x:brand\"} 450\n") !=
        std::string::npos);
  CHECK(text.find("earshot_rate_budget_reset_seconds{network=\"x\",budget=\"x:airline,x:brand\"} "
                  "600\n") != std::string::npos);
  CHECK(text.find("reddit:quiet") == std::string::npos);
  CHECK(text.find("bearer-one") == std::string::npos);
  CHECK(text.find("client-secret") == std::string::npos);
}

TEST_CASE("Rate budget estimate: polls per window, and none for a stream", "[app]") {
  SourceSettings x = Source("x", "a", "t");
  x.poll_interval = 60s;
  CHECK(RequestsPerWindow(x) == 15);
  SourceSettings bsky = Source("bluesky", "b", "p");
  bsky.poll_interval = 30s;
  CHECK(RequestsPerWindow(bsky) == 20);  // 10 polls, each a search and a profile lookup
  SourceSettings stream = Source("mastodon", "s", "t");
  stream.options.Set("mode", "stream");
  CHECK(RequestsPerWindow(stream) == 0);
  SourceSettings reddit = Source("reddit", "r", "s");
  reddit.poll_interval = 7s;
  CHECK(RequestsPerWindow(reddit) == 9);  // 60 s / 7 s, rounded up
}

}  // namespace
}  // namespace earshot
