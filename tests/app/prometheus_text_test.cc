#include <catch2/catch.hpp>

#include "daemon/app/prometheus_text.h"
#include "daemon/base/latency_histogram.h"

namespace earshot {
namespace {

TEST_CASE("PrometheusText: families, labels and escaping in the exposition format", "[app]") {
  PrometheusText t;
  t.Family("earshot_posts_fetched_total", "counter", "Posts fetched per source.");
  t.Sample("earshot_posts_fetched_total", {{"source", "mastodon:acme"}}, 42);
  t.Sample("earshot_posts_fetched_total", {{"source", "we\"ird\\name\n"}}, 0.5);
  t.Family("earshot_up", "gauge", "1 while running.");
  t.Sample("earshot_up", {}, 1);
  CHECK(t.text() ==
        "# HELP earshot_posts_fetched_total Posts fetched per source.\n"
        "# TYPE earshot_posts_fetched_total counter\n"
        "earshot_posts_fetched_total{source=\"mastodon:acme\"} 42\n"
        "earshot_posts_fetched_total{source=\"we\\\"ird\\\\name\\n\"} 0.5\n"
        "# HELP earshot_up 1 while running.\n"
        "# TYPE earshot_up gauge\n"
        "earshot_up 1\n");
}

TEST_CASE("LatencyHistogram: cumulative buckets, +Inf, sum and count", "[app]") {
  LatencyHistogram h;
  h.Observe(std::chrono::microseconds(5));     // first bucket (<= 10 us)
  h.Observe(std::chrono::microseconds(50));    // <= 100 us
  h.Observe(std::chrono::milliseconds(2));     // <= 3 ms
  h.Observe(std::chrono::seconds(20));         // above every bound
  const auto snap = h.Read();
  CHECK(snap.count == 4);
  CHECK(snap.cumulative[0] == 1);
  CHECK(snap.cumulative[2] == 2);
  CHECK(snap.cumulative[5] == 3);
  CHECK(snap.cumulative.back() == 3);
  CHECK(snap.sum_seconds == Approx(20.002055));

  PrometheusText t;
  t.Family("earshot_detect_seconds", "histogram", "Detect latency.");
  t.Histogram("earshot_detect_seconds", {{"source", "a"}}, snap.bounds, snap.cumulative,
              snap.sum_seconds, snap.count);
  CHECK(t.text().find("earshot_detect_seconds_bucket{source=\"a\",le=\"1e-05\"} 1\n") !=
        std::string::npos);
  CHECK(t.text().find("earshot_detect_seconds_bucket{source=\"a\",le=\"+Inf\"} 4\n") !=
        std::string::npos);
  CHECK(t.text().find("earshot_detect_seconds_count{source=\"a\"} 4\n") != std::string::npos);
}

}  // namespace
}  // namespace earshot
