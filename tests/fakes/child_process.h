// ChildProcess: runs the real earshot binary as a separate process for integration tests, the
// way systemd would: its own pid, stdout/stderr to files, killed with a real signal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace earshot::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`, extra environment `env` ("KEY=value") added to ours, and
  // stdout/stderr appended to the given files.
  ChildProcess(std::vector<std::string> argv, std::vector<std::string> env,
               const std::string& stdout_path, const std::string& stderr_path);
  ~ChildProcess();  // SIGKILLs a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signo) const;
  // Waits for exit up to `timeout`; returns the exit status (128+signal when killed), or nullopt
  // when still running.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

// Polls `predicate` every 20 ms until it holds or `timeout` passes; returns its last value.
template <class Predicate>
bool WaitUntil(Predicate predicate, std::chrono::milliseconds timeout);

std::string ReadFile(const std::string& path);
// A fresh empty directory under $TMPDIR, unique to this test run.
std::string MakeTempDir(const std::string& prefix);

}  // namespace earshot::testing

#include <thread>

template <class Predicate>
bool earshot::testing::WaitUntil(Predicate predicate, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}
