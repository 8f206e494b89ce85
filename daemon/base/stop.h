// Stop-aware waiting. Every wait in earshot takes the stop token, so SIGTERM reaches a thread
// that sleeps on a rate limit or a retry backoff within milliseconds, never a busy loop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace earshot {

// Sleeps for `d` or until `stop` is requested. Returns false when woken by the stop request.
inline bool SleepFor(std::stop_token stop, std::chrono::steady_clock::duration d) {
  if (d <= d.zero()) return !stop.stop_requested();
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  // The predicate never holds, so wait_for returns false both on timeout and on stop; the token
  // itself tells the two apart.
  cv.wait_for(lock, stop, d, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace earshot
