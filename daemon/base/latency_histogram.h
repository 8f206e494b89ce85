// LatencyHistogram: a fixed-bucket histogram of durations for /metrics (stage latencies).
// Observe is lock-free (relaxed atomics) so the hot path pays a few nanoseconds; a scrape reads
// a snapshot that may be a few observations apart between buckets, which Prometheus tolerates.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

namespace earshot {

class LatencyHistogram {
 public:
  // Upper bounds in seconds: 10 us .. 10 s, roughly x3 apart.
  static constexpr std::array<double, 13> kBounds = {1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01,
                                                     0.03, 0.1,  0.3,  1.0,  3.0,  10.0};

  void Observe(std::chrono::nanoseconds d) {
    const double s = std::chrono::duration<double>(d).count();
    size_t i = 0;
    while (i < kBounds.size() && s > kBounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<uint64_t>(d.count()), std::memory_order_relaxed);
  }

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;  // per bound, Prometheus' cumulative counts
    uint64_t count = 0;
    double sum_seconds = 0;
  };
  Snapshot Read() const {
    Snapshot s;
    s.bounds.assign(kBounds.begin(), kBounds.end());
    uint64_t running = 0;
    for (size_t i = 0; i < kBounds.size(); ++i) {
      running += buckets_[i].load(std::memory_order_relaxed);
      s.cumulative.push_back(running);
    }
    s.count = running + buckets_[kBounds.size()].load(std::memory_order_relaxed);
    s.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return s;
  }

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};  // last: above 10 s
  std::atomic<uint64_t> sum_ns_{0};
};

}  // namespace earshot
