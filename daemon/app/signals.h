// Signals: earshot blocks SIGTERM, SIGINT and SIGHUP in every thread before any thread starts,
// and the main thread reads them from a signalfd. No async-signal handler logic is needed.
#pragma once

#include <chrono>
#include <optional>

namespace earshot {

class SignalWaiter {
 public:
  // Blocks the signals in the calling thread (threads started later inherit the mask) and
  // opens the signalfd. Call from main before starting any thread.
  SignalWaiter();
  ~SignalWaiter();
  SignalWaiter(const SignalWaiter&) = delete;
  SignalWaiter& operator=(const SignalWaiter&) = delete;

  // Waits up to `timeout` for one of the signals; returns its number, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

}  // namespace earshot
