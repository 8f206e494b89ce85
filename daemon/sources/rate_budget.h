// RateBudget: how a source paces its requests to one network account. It reads the network's
// rate-limit headers and spreads the remaining requests evenly until the window resets, instead
// of spending them in a burst and meeting a 429; it honours Retry-After; and it backs off
// exponentially, with full jitter, after 5xx answers and transport failures.
//
// Several sources may spend one quota: a Mastodon hashtag and the mentions of one token, two X
// queries under one bearer token. They then share one SharedRateBudget (below), which holds the
// quota as the network last reported it and hands out request slots so that the sources
// together spend it evenly until the reset, and which carries one 429/Retry-After for all of
// them. Each source keeps its own RateBudget, a handle on the shared one: the failure streak
// (5xx backoff) and its jitter stay per source, so one source's 5xx never slows another.
//
// Time comes from the injected Clock, randomness from a seeded generator, so tests are exact.
// Threads: a RateBudget is used by one poller thread; the SharedRateBudget behind it is
// thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"

namespace earshot {

struct RateBudgetOptions {
  std::chrono::milliseconds backoff_initial{1000};        // the first backoff's upper bound
  std::chrono::milliseconds backoff_max{5 * 60 * 1000};   // no backoff is ever longer
  // A full-jitter draw can be ~0 ms; never wait less than this after a failure (no busy loop).
  std::chrono::milliseconds backoff_min{100};
  uint64_t seed = 0;  // 0: seed from std::random_device
};

// One credential's quota as the network reports it, shared by every source that spends it.
// Clockless: callers pass `now`. Thread-safe.
class SharedRateBudget {
 public:
  // `name` labels the budget in /metrics ("x:airline,x:brand"); never a secret.
  explicit SharedRateBudget(std::string name = "");

  // Records a response's parsed headers; the latest answer wins, as with a budget of one's own.
  void Record(std::optional<int64_t> limit, std::optional<int64_t> remaining,
              std::optional<SystemTime> reset);

  // The spacing between two requests of all users together: (reset - now) / remaining, rounded
  // up; until the reset when none remain; zero when nothing is known or the window has passed.
  std::chrono::milliseconds Spacing(SystemTime now) const;

  // Reserves `user`'s next request at the earliest time >= now + floor that is at least one
  // spacing away from every other user's reservation and from `now` (the user's own last
  // request, whose answer it is acting on), and not before a shared 429 block ends; at the
  // reset when none remain, unless a Retry-After block says otherwise. Replaces the user's
  // previous reservation. Returns the wait from `now`.
  std::chrono::milliseconds Reserve(uint64_t user, SystemTime now, std::chrono::milliseconds floor);

  // A 429 with Retry-After: nobody sends before `until`.
  void BlockUntil(SystemTime until);
  // How long the shared 429 block still lasts.
  std::chrono::milliseconds Blocked(SystemTime now) const;

  uint64_t Join();               // a new user's id
  void Leave(uint64_t user);     // forgets the user's reservation

  struct Snapshot {
    std::optional<int64_t> limit, remaining;
    std::optional<SystemTime> reset;
  };
  Snapshot Read() const;

  std::string name() const;
  void set_name(std::string name);

 private:
  std::chrono::milliseconds SpacingLocked(SystemTime now) const REQUIRES(mu_);

  mutable Mutex mu_;
  std::string name_ GUARDED_BY(mu_);
  std::optional<int64_t> limit_ GUARDED_BY(mu_), remaining_ GUARDED_BY(mu_);
  std::optional<SystemTime> reset_ GUARDED_BY(mu_);
  std::optional<SystemTime> blocked_until_ GUARDED_BY(mu_);
  std::map<uint64_t, SystemTime> slots_ GUARDED_BY(mu_);  // each user's last slot
  uint64_t next_user_ GUARDED_BY(mu_) = 1;
};

class RateBudget {
 public:
  // `shared`: the credential's budget, shared with the other sources that spend it; nullptr
  // gives this source a budget of its own.
  explicit RateBudget(Clock& clock, RateBudgetOptions options = {},
                      std::shared_ptr<SharedRateBudget> shared = nullptr);
  ~RateBudget();
  RateBudget(const RateBudget&) = delete;
  RateBudget& operator=(const RateBudget&) = delete;

  // Records the rate-limit headers of any response (2xx or 429). Each argument is the raw
  // header value or nullopt when absent. `reset` is ISO-8601 (Mastodon) or, when all digits,
  // Unix epoch seconds (X, Bluesky). Unparseable values are ignored, keeping what was known.
  void Observe(std::optional<std::string_view> limit, std::optional<std::string_view> remaining,
               std::optional<std::string_view> reset);

  // The spacing that makes the remaining requests last until the reset: (reset - now) /
  // remaining; until the reset itself when none remain; zero when nothing is known or the
  // window has already reset. At least the shared 429 block. Reserves nothing.
  std::chrono::milliseconds SpreadWait() const;

  // How long to wait before this source's next request, at least `floor` (the poll interval,
  // or zero while paging): reserves the next free slot of the shared budget, so that all the
  // sources of one credential together spend the remaining requests evenly until the reset.
  // Call once per request to come, when deciding the wait. Const: the reservation lives in the
  // shared budget, not in this handle.
  std::chrono::milliseconds NextSlot(std::chrono::milliseconds floor) const;

  // After a failure worth retrying (5xx, timeout, truncated or malformed body): a random wait in
  // [backoff_min, min(backoff_max, backoff_initial * 2^n)] for the n-th failure in a row (full
  // jitter) of this source, and never earlier than its next free slot (it reserves one).
  std::chrono::milliseconds Backoff();

  // After a success: forgets the failure streak.
  void ResetBackoff() { failures_ = 0; }
  int failures() const { return failures_; }

  // The ceiling of the next Backoff() draw.
  std::chrono::milliseconds BackoffCeiling() const;

  // How long to wait after an HTTP 429, and why: the server's Retry-After (`retry_after`, the
  // header's value) when it sent a usable one, else the spread until the budget's reset, else
  // the next backoff step; never below backoff_min. Every network's source answers a 429 so.
  // A Retry-After holds back every source of the shared budget, not only this one.
  struct TooManyRequestsWait {
    std::chrono::milliseconds wait{0};
    const char* why = "";  // "Retry-After", "the rate limit's reset" or "backoff"
  };
  TooManyRequestsWait After429(std::optional<std::string_view> retry_after);

  const RateBudgetOptions& options() const { return options_; }
  std::optional<int64_t> limit() const { return shared_->Read().limit; }
  std::optional<int64_t> remaining() const { return shared_->Read().remaining; }
  std::optional<SystemTime> reset() const { return shared_->Read().reset; }
  const std::shared_ptr<SharedRateBudget>& shared() const { return shared_; }

 private:
  Clock& clock_;
  const RateBudgetOptions options_;
  std::mt19937_64 rng_;
  int failures_ = 0;  // this source's streak only
  const std::shared_ptr<SharedRateBudget> shared_;
  const uint64_t user_;
};

// Parses a Retry-After value: delay-seconds ("120") or an HTTP-date
// ("Wed, 21 Oct 2015 07:28:00 GMT", IMF-fixdate). A date in the past yields zero. nullopt when
// malformed.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value, SystemTime now);

}  // namespace earshot
