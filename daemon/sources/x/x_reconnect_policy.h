// XReconnectPolicy: how long the X filtered stream waits before it connects again, after X's
// documented policy ("Handling disconnections", docs.x.com filtered stream):
//   kNetwork      TCP/IP-level trouble: refused, reset, cut mid-line, stalled (no byte, not even
//                 the 20 s keep-alive, for 90 s). Linear: 250 ms, +250 ms per attempt, at most
//                 16 s.
//   kHttp         the connect answered an HTTP error (401, 403, 409, 5xx, ...). Exponential:
//                 5 s, doubling, at most 320 s.
//   kRateLimited  HTTP 429. Exponential: 60 s, doubling. X names no ceiling; we stop doubling at
//                 15 minutes (900 s), the length of X's rate-limit window, after which the
//                 window has turned over anyway.
// Each kind keeps its own attempt count. All counts are forgotten once a stream has stayed up
// for `stable_after` (60 s by default) after its 200 answer, not at its first line: a server
// that accepts, sends a line and drops at once is not reconnected to every 250 ms (each
// reconnect also costs a gap-fill request). The wait is measured on the injected Clock, so a
// test drives it with a manual clock.
//
// Threads: owned by its source, used on the poller thread only.
#pragma once

#include <chrono>

#include "daemon/base/clock.h"

namespace earshot::x {

class XReconnectPolicy {
 public:
  enum class Failure { kNetwork, kHttp, kRateLimited };

  static constexpr std::chrono::milliseconds kNetworkStep{250}, kNetworkMax{16000};
  static constexpr std::chrono::milliseconds kHttpFirst{5000}, kHttpMax{320000};
  static constexpr std::chrono::milliseconds kRateLimitedFirst{60000}, kRateLimitedMax{900000};

  explicit XReconnectPolicy(Clock& clock,
                            std::chrono::milliseconds stable_after = std::chrono::seconds(60))
      : clock_(clock), stable_after_(stable_after) {}

  // A connection failed in the way `kind` says: counts the attempt and returns the wait before
  // the next one; Remaining() counts it down from now.
  std::chrono::milliseconds Failed(Failure kind);
  // Time left until the next connect may be made; zero when it may be made now.
  std::chrono::milliseconds Remaining() const;
  // A stream answered 200 now.
  void Connected();
  // The stream is still up: once it has been up for stable_after, every count is forgotten.
  void StillUp();
  // Forgets every count (and any pending wait).
  void Reset();

  int attempts(Failure kind) const { return attempts_[static_cast<int>(kind)]; }

 private:
  Clock& clock_;
  const std::chrono::milliseconds stable_after_;
  int attempts_[3] = {0, 0, 0};
  SteadyTime retry_at_{};
  SteadyTime connected_at_{};
  bool connected_ = false;
};

}  // namespace earshot::x
