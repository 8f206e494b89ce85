// NotifyListener: plays systemd's side of the notify protocol for tests. It binds a unix
// datagram socket (the path goes into the daemon's NOTIFY_SOCKET) and records every datagram,
// split into its KEY=value lines, in arrival order.
#pragma once

#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace earshot::testing {

class NotifyListener {
 public:
  explicit NotifyListener(const std::string& dir);  // binds <dir>/notify.sock
  ~NotifyListener();

  const std::string& path() const { return path_; }
  // Every line received so far ("READY=1", "STATUS=...", "WATCHDOG=1"), in order.
  std::vector<std::string> Lines() const;
  size_t Count(const std::string& line) const;
  // Index of the first line equal to `line` at or after `from`, or -1.
  int Find(const std::string& line, size_t from = 0) const;
  // True when some line starts with `prefix`.
  bool Any(const std::string& prefix) const;

 private:
  void Run();

  std::string path_;
  int fd_ = -1;
  int wake_[2] = {-1, -1};
  mutable std::mutex mu_;
  std::vector<std::string> lines_;  // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace earshot::testing
