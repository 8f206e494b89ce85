// RateBudget: how a source paces its requests to one network account. It reads the network's
// rate-limit headers and spreads the remaining requests evenly until the window resets, instead
// of spending them in a burst and meeting a 429; it honours Retry-After; and it backs off
// exponentially, with full jitter, after 5xx answers and transport failures.
//
// Time comes from the injected Clock, randomness from a seeded generator, so tests are exact.
// Threads: used by one poller thread; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "daemon/base/clock.h"

namespace earshot {

struct RateBudgetOptions {
  std::chrono::milliseconds backoff_initial{1000};        // the first backoff's upper bound
  std::chrono::milliseconds backoff_max{5 * 60 * 1000};   // no backoff is ever longer
  // A full-jitter draw can be ~0 ms; never wait less than this after a failure (no busy loop).
  std::chrono::milliseconds backoff_min{100};
  uint64_t seed = 0;  // 0: seed from std::random_device
};

class RateBudget {
 public:
  explicit RateBudget(Clock& clock, RateBudgetOptions options = {});

  // Records the rate-limit headers of any response (2xx or 429). Each argument is the raw
  // header value or nullopt when absent. `reset` is ISO-8601 (Mastodon) or, when all digits,
  // Unix epoch seconds (X, Bluesky). Unparseable values are ignored, keeping what was known.
  void Observe(std::optional<std::string_view> limit, std::optional<std::string_view> remaining,
               std::optional<std::string_view> reset);

  // How long to wait before the next request so that the remaining requests last until the
  // reset: (reset - now) / remaining; until the reset itself when none remain; zero when nothing
  // is known or the window has already reset.
  std::chrono::milliseconds SpreadWait() const;

  // After a failure worth retrying (5xx, timeout, truncated or malformed body): a random wait in
  // [backoff_min, min(backoff_max, backoff_initial * 2^n)] for the n-th failure in a row (full
  // jitter), and never less than SpreadWait().
  std::chrono::milliseconds Backoff();

  // After a success: forgets the failure streak.
  void ResetBackoff() { failures_ = 0; }
  int failures() const { return failures_; }

  // The ceiling of the next Backoff() draw.
  std::chrono::milliseconds BackoffCeiling() const;

  // How long to wait after an HTTP 429, and why: the server's Retry-After (`retry_after`, the
  // header's value) when it sent a usable one, else the spread until the budget's reset, else
  // the next backoff step; never below backoff_min. Every network's source answers a 429 so.
  struct TooManyRequestsWait {
    std::chrono::milliseconds wait{0};
    const char* why = "";  // "Retry-After", "the rate limit's reset" or "backoff"
  };
  TooManyRequestsWait After429(std::optional<std::string_view> retry_after);

  const RateBudgetOptions& options() const { return options_; }
  std::optional<int64_t> limit() const { return limit_; }
  std::optional<int64_t> remaining() const { return remaining_; }
  std::optional<SystemTime> reset() const { return reset_; }

 private:
  Clock& clock_;
  const RateBudgetOptions options_;
  std::mt19937_64 rng_;
  int failures_ = 0;
  std::optional<int64_t> limit_, remaining_;
  std::optional<SystemTime> reset_;
};

// Parses a Retry-After value: delay-seconds ("120") or an HTTP-date
// ("Wed, 21 Oct 2015 07:28:00 GMT", IMF-fixdate). A date in the past yields zero. nullopt when
// malformed.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, SystemTime now);

}  // namespace earshot
