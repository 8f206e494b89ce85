// DaemonRig: a fake Mastodon in this process and `earshot run` as a child process, configured
// the way an operator would configure it (earshot.yaml, a token file, a state directory), with
// the JSONL file sink as the test's window on what on-call staff would receive.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/sources/fake/fake_mastodon.h"
#include "daemon/model/escalation.h"
#include "tests/fakes/child_process.h"
#include "tests/fakes/notify_listener.h"

namespace earshot::testing {

class DaemonRig {
 public:
  // Starts the fake; writes earshot.yaml, the token file and an empty state dir under a fresh
  // temp dir. `extra_yaml` is appended to the config (more sources, escalation settings).
  // `extra_sources` is appended to the sources list (other networks). In both, "{fake}" is
  // replaced by the fake Mastodon's base URL.
  explicit DaemonRig(std::string extra_yaml = "", std::string extra_sources = "");
  ~DaemonRig();

  FakeMastodon& fake() { return *fake_; }
  const std::string& dir() const { return dir_; }
  std::string config_path() const { return dir_ + "/earshot.yaml"; }
  std::string escalations_path() const { return dir_ + "/escalations.jsonl"; }

  // Starts `earshot run --config ...` with NOTIFY_SOCKET pointing at notify(), and waits for
  // its READY=1 (false when it never came); its output goes to <dir>/earshot.<n>.log.
  bool StartDaemon(std::vector<std::string> env = {});
  // systemd's side of the notify protocol, shared by every run of the daemon.
  NotifyListener& notify() { return *notify_; }
  ChildProcess& daemon() { return *daemon_; }
  // SIGTERM and wait for a clean exit; returns the exit status.
  int StopDaemon();
  // SIGKILL, as a crash or the OOM killer would.
  void KillDaemon();
  std::string DaemonLog() const;

  // Every escalation the file sink wrote so far, in file order.
  std::vector<Escalation> Escalations() const;
  // Waits (up to 30 s) until at least `n` escalations are in the file.
  bool WaitForEscalations(size_t n) const;

 private:
  std::unique_ptr<FakeMastodon> fake_;
  std::string dir_;
  std::unique_ptr<NotifyListener> notify_;
  std::unique_ptr<ChildProcess> daemon_;
  int runs_ = 0;
};

// A TCP port on 127.0.0.1 that was free a moment ago, for the daemon's metrics listener.
uint16_t FreeLoopbackPort();

// A status as the fake should publish it.
FakeStatus Toot(std::string acct, int64_t followers, std::string text, std::string reply_to = "");

}  // namespace earshot::testing
