#include "daemon/app/signals.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "daemon/base/check.h"

namespace earshot {

SignalWaiter::SignalWaiter() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  EARSHOT_CHECK(pthread_sigmask(SIG_BLOCK, &set, nullptr) == 0) << "cannot block signals";
  fd_ = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  EARSHOT_CHECK(fd_ >= 0) << "signalfd failed";
}

SignalWaiter::~SignalWaiter() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<int> SignalWaiter::Wait(std::chrono::milliseconds timeout) {
  pollfd pfd{fd_, POLLIN, 0};
  const int n = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
  if (n <= 0) return std::nullopt;
  signalfd_siginfo info{};
  if (::read(fd_, &info, sizeof(info)) != static_cast<ssize_t>(sizeof(info))) return std::nullopt;
  return static_cast<int>(info.ssi_signo);
}

}  // namespace earshot
