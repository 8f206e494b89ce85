// Notifier: speaks systemd's notify protocol (sd_notify(3)) by hand: one datagram per state
// change to the AF_UNIX socket named by $NOTIFY_SOCKET ("@name" is the abstract namespace).
// Without $NOTIFY_SOCKET (not under systemd) every call is a no-op. Owned by the main thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace earshot {

class Notifier {
 public:
  // Reads $NOTIFY_SOCKET and $WATCHDOG_USEC/$WATCHDOG_PID as systemd sets them.
  Notifier();
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  bool enabled() const { return fd_ >= 0; }

  // Sends newline-separated assignments, e.g. "READY=1\nSTATUS=polling 2 sources".
  // Failures are ignored on purpose: the daemon must not stop because systemd went away.
  void Send(std::string_view state) const;

  // How often systemd expects WATCHDOG=1, when the unit sets WatchdogSec= for this process.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

 private:
  int fd_ = -1;
  std::string address_;  // sun_path, with a leading NUL for the abstract namespace
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace earshot
