#include "tests/fakes/notify_listener.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <sstream>
#include <stdexcept>

namespace earshot::testing {

NotifyListener::NotifyListener(const std::string& dir) : path_(dir + "/notify.sock") {
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof(addr.sun_path)) throw std::runtime_error("notify path too long");
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  unlink(path_.c_str());
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      pipe2(wake_, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("notify socket: ") + std::strerror(errno));
  }
  thread_ = std::thread([this] { Run(); });
}

NotifyListener::~NotifyListener() {
  (void)!write(wake_[1], "x", 1);
  thread_.join();
  close(fd_);
  close(wake_[0]);
  close(wake_[1]);
  unlink(path_.c_str());
}

void NotifyListener::Run() {
  char buf[4096];
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) return;
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) continue;
    std::istringstream in(std::string(buf, static_cast<size_t>(n)));
    std::lock_guard lock(mu_);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines_.push_back(line);
    }
  }
}

std::vector<std::string> NotifyListener::Lines() const {
  std::lock_guard lock(mu_);
  return lines_;
}

size_t NotifyListener::Count(const std::string& line) const {
  size_t n = 0;
  for (const std::string& l : Lines()) n += l == line;
  return n;
}

int NotifyListener::Find(const std::string& line, size_t from) const {
  const std::vector<std::string> lines = Lines();
  for (size_t i = from; i < lines.size(); ++i) {
    if (lines[i] == line) return static_cast<int>(i);
  }
  return -1;
}

bool NotifyListener::Any(const std::string& prefix) const {
  for (const std::string& l : Lines()) {
    if (l.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace earshot::testing
