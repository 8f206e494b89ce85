// ResponseMetrics: what /metrics says about first responses. Per (brand, severity): a histogram
// of first-response times (from the incident's opening to the first staff reply in its thread)
// and a count of response-target breaches told. The escalator records both after the commit
// that stored them, so a scrape counts each once, as the state store does; a scrape on another
// thread reads a copy. Bounded: brands come from `brands:` and the rule packs' labels.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "daemon/base/mutex.h"
#include "daemon/base/severity.h"

namespace earshot {

class ResponseMetrics {
 public:
  // Upper bounds in seconds, on the scale support teams speak in: 1m, 5m, 15m, 30m, 1h, 2h,
  // 4h, 8h, 1d, 2d, 1w (a +Inf bucket follows).
  static constexpr std::array<double, 11> kBounds = {60,    300,   900,    1800,   3600,  7200,
                                                     14400, 28800, 86400, 172800, 604800};

  struct Series {
    std::array<uint64_t, kBounds.size() + 1> buckets{};  // per bound, not cumulative; last: +Inf
    uint64_t count = 0;
    double sum_seconds = 0;
    uint64_t breaches = 0;
  };
  using Key = std::pair<std::string, Severity>;  // (brand, severity)

  // Any thread.
  void ObserveFirstResponse(const std::string& brand, Severity severity,
                            std::chrono::seconds after) EXCLUDES(mu_);
  void CountBreach(const std::string& brand, Severity severity) EXCLUDES(mu_);
  std::map<Key, Series> Read() const EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::map<Key, Series> series_ GUARDED_BY(mu_);
};

}  // namespace earshot
