// RateLimiter: a token bucket that spaces out a sink's deliveries (`rate_limit: 1/s`). Owned by
// one SinkRunner and used from its thread only; not thread-safe.
#pragma once

#include <algorithm>
#include <chrono>

#include "daemon/base/clock.h"

namespace earshot {

class RateLimiter {
 public:
  // `limit` tokens per `period`, and a burst of `limit`. limit <= 0 never waits.
  RateLimiter(int limit, std::chrono::milliseconds period) : limit_(limit), period_(period) {
    tokens_ = limit_;
  }

  // How long to wait before the next delivery may go, given the time now. Zero when a token is
  // available; Take() then spends it.
  std::chrono::milliseconds Wait(SteadyTime now) {
    if (limit_ <= 0) return std::chrono::milliseconds(0);
    Refill(now);
    if (tokens_ >= 1.0) return std::chrono::milliseconds(0);
    const double per_token_ms = static_cast<double>(period_.count()) / limit_;
    return std::chrono::milliseconds(static_cast<int64_t>((1.0 - tokens_) * per_token_ms) + 1);
  }
  void Take(SteadyTime now) {
    if (limit_ <= 0) return;
    Refill(now);
    tokens_ -= 1.0;
  }

 private:
  void Refill(SteadyTime now) {
    if (last_ != SteadyTime{}) {
      const double elapsed_ms =
          std::chrono::duration<double, std::milli>(now - last_).count();
      tokens_ = std::min<double>(limit_, tokens_ + elapsed_ms * limit_ / period_.count());
    }
    last_ = now;
  }

  const int limit_;
  const std::chrono::milliseconds period_;
  double tokens_ = 0;
  SteadyTime last_{};
};

}  // namespace earshot
