#include "sinks/exec_sink.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "daemon/model/escalation_json.h"
#include "sinks/terminal_text.h"

extern char** environ;

namespace earshot {
namespace {

constexpr int kExitTempFail = 75;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// The first line of the child's stderr, at most 200 bytes cut between characters, shown
// terminal-safe: a command may echo the post it was given, and this detail is logged and printed
// by `earshot deadletter list` on an operator's terminal. A CR (the end of a CRLF line, a
// progress bar) and tabs become spaces.
std::string FirstLine(std::string_view s) {
  const size_t nl = s.find('\n');
  if (nl != std::string_view::npos) s = s.substr(0, nl);
  if (s.size() > 200) {
    size_t cut = 200;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s = s.substr(0, cut);
  }
  std::string flat;
  for (char c : s) flat.push_back(c == '\r' || c == '\t' ? ' ' : c);
  while (!flat.empty() && flat.back() == ' ') flat.pop_back();
  return TerminalSafe(flat);
}

class ExecSinkFactory final : public SinkFactory {
 public:
  std::string_view type() const override { return "exec"; }
  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption("command", OptionKind::kList,
                     "argv: an absolute path, then its arguments; no shell")
            .Required(),
        ConfigOption("timeout", OptionKind::kDuration, "the child is killed after this")
            .Default("30s"),
    };
    return *spec;
  }
  Result<SinkPtr> Create(const SinkOptions& o) const override {
    ExecSinkConfig c;
    c.name = o.name();
    c.argv = o.List("command");
    c.timeout = o.Duration("timeout");
    if (c.argv.empty() || c.argv[0].empty() || c.argv[0][0] != '/') {
      return Status::InvalidArgument(
          "option 'command': the first word must be an absolute path, e.g. [/usr/local/bin/page, "
          "--team, care]");
    }
    if (::access(c.argv[0].c_str(), X_OK) != 0) {
      return Status::InvalidArgument(fmt::format("option 'command': {}: {}; install it or fix "
                                                 "its mode",
                                                 c.argv[0], std::strerror(errno)));
    }
    return SinkPtr(std::make_unique<ExecSink>(std::move(c)));
  }
};

}  // namespace

DeliveryResult ExecSink::Deliver(const Escalation& e, std::stop_token stop) {
  const std::string& program = config_.argv[0];
  // A command that exits without reading stdin makes our write raise SIGPIPE, which would kill
  // earshot. Blocked on this (the runner's) thread, the write fails with EPIPE instead, and the
  // pending signal is consumed below.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);
  int in_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) {
    return DeliveryResult::Retry(fmt::format("{}: pipe: {}", program, std::strerror(errno)));
  }
  Fd in_read(in_pipe[0]), in_write(in_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    return DeliveryResult::Retry(fmt::format("{}: pipe: {}", program, std::strerror(errno)));
  }
  Fd err_read(err_pipe[0]), err_write(err_pipe[1]);

  // Everything the child needs is built before spawning: posix_spawn is safe in a threaded
  // process, unlike fork() followed by allocation.
  std::vector<std::string> env_strings;
  for (char** p = environ; *p != nullptr; ++p) {
    if (std::strncmp(*p, "CREDENTIALS_DIRECTORY=", 22) == 0) continue;
    if (std::strncmp(*p, "EARSHOT_", 8) == 0) continue;
    env_strings.emplace_back(*p);
  }
  env_strings.push_back("EARSHOT_INCIDENT_ID=" + e.incident_id);
  env_strings.push_back(fmt::format("EARSHOT_SEQ={}", e.seq));
  env_strings.push_back(fmt::format("EARSHOT_KIND={}", KindName(e.kind)));
  env_strings.push_back(fmt::format("EARSHOT_SEVERITY={}", SeverityName(e.severity)));
  std::vector<char*> envp, argv;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = config_.argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_write.get(), STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a timeout kills whatever the command started too.
  posix_spawnattr_setpgroup(&attr, 0);
  short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK;
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);  // earshot blocks SIGTERM etc.; the child must not
  posix_spawnattr_setflags(&attr, flags);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    if (rc == ENOENT || rc == EACCES || rc == ENOEXEC) {
      return DeliveryResult::Permanent(fmt::format("{}: cannot run: {}", program,
                                                   std::strerror(rc)));
    }
    return DeliveryResult::Retry(fmt::format("{}: cannot run: {}", program, std::strerror(rc)));
  }
  in_read.Close();
  err_write.Close();

  std::string input = EscalationToJson(e);
  input.push_back('\n');
  (void)::fcntl(in_write.get(), F_SETFL, O_NONBLOCK);
  (void)::fcntl(err_read.get(), F_SETFL, O_NONBLOCK);
  size_t written = 0;
  std::string err_text;
  const auto deadline = std::chrono::steady_clock::now() + config_.timeout;
  int status = 0;
  bool exited = false, timed_out = false, stopped = false;
  while (!exited) {
    if (written == input.size()) in_write.Close();
    pollfd fds[2];
    nfds_t n = 0;
    if (err_read.get() >= 0) fds[n++] = {err_read.get(), POLLIN, 0};
    if (in_write.get() >= 0) fds[n++] = {in_write.get(), POLLOUT, 0};
    (void)::poll(fds, n, 20);
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].fd == in_write.get() && (fds[i].revents & (POLLOUT | POLLERR | POLLHUP))) {
        const ssize_t w = ::write(in_write.get(), input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        else if (w < 0 && errno != EAGAIN && errno != EINTR) {
          written = input.size();  // EPIPE: the child does not want it
          const timespec zero{0, 0};
          (void)::sigtimedwait(&pipe_set, nullptr, &zero);
        }
      } else if (fds[i].fd == err_read.get() && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        char buf[512];
        const ssize_t r = ::read(err_read.get(), buf, sizeof buf);
        if (r > 0 && err_text.size() < 4096) err_text.append(buf, static_cast<size_t>(r));
        if (r == 0) err_read.Close();
      }
    }
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) {
      exited = true;
      break;
    }
    stopped = stop.stop_requested();
    timed_out = std::chrono::steady_clock::now() >= deadline;
    if (stopped || timed_out) {
      ::kill(-pid, SIGKILL);
      (void)::waitpid(pid, &status, 0);
      break;
    }
  }
  const std::string said = FirstLine(err_text);
  const std::string tail = said.empty() ? "" : ": " + said;
  if (stopped) return DeliveryResult::Retry(fmt::format("{}: stopped by shutdown", program));
  if (timed_out) {
    return DeliveryResult::Retry(
        fmt::format("{}: killed after the {} ms timeout{}", program, config_.timeout.count(), tail));
  }
  if (WIFSIGNALED(status)) {
    return DeliveryResult::Retry(
        fmt::format("{}: killed by signal {}{}", program, WTERMSIG(status), tail));
  }
  const int code = WEXITSTATUS(status);
  if (code == 0) return DeliveryResult::Delivered();
  if (code == 126 || code == 127) {
    return DeliveryResult::Permanent(fmt::format("{}: exit {}{}", program, code, tail));
  }
  (void)kExitTempFail;  // 75 and every other failure are retried alike; see the header
  return DeliveryResult::Retry(fmt::format("{}: exit {}{}", program, code, tail));
}

std::unique_ptr<SinkFactory> NewExecSinkFactory() { return std::make_unique<ExecSinkFactory>(); }

}  // namespace earshot
