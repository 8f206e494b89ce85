// NatsServer and NatsCluster: real nats-server processes with JetStream on 127.0.0.1, for the
// tests of daemon/nats. Nothing is faked: the tests kill, pause and restart real servers and
// watch real leader elections, because the cluster's promises (no acknowledged message lost,
// one lease holder) only mean something against the real server's raft.
//
// Each server keeps its JetStream store and its log in a fresh temporary directory (removed
// with the server). Client and monitoring ports are the kernel's choice (-p -1, -m -1), read
// back from the server's ports file; a restart reuses them, so a client's server list stays
// valid across a restart.
//
// Failures (nats-server missing, not ready within 15 s) throw std::runtime_error with the log's
// tail, which Catch2 reports as the test's failure.
//
// Ownership: the test owns them. Threads: one test thread.
#pragma once

#include <simdjson.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fakes/child_process.h"

namespace earshot::testing {

struct NatsServerOptions {
  std::string name = "n0";  // --server_name: unique within a cluster, shown in /jsz
  std::string token;        // "" = no auth; otherwise clients must send this token
  // Clustering: all three set, or none. `routes` are the other servers' cluster ports.
  std::string cluster_name;
  int cluster_port = 0;
  std::vector<int> route_ports;
};

class NatsServer {
 public:
  // Starts the server and waits until it is ready (its /healthz answers 200).
  explicit NatsServer(NatsServerOptions options = {});
  ~NatsServer();  // kills the server and removes its directory
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  const std::string& name() const { return options_.name; }
  std::string url() const;  // "nats://127.0.0.1:PORT"
  int port() const { return port_; }
  int monitor_port() const { return monitor_port_; }
  const std::string& dir() const { return dir_; }
  bool running() const { return process_ != nullptr; }
  bool paused() const { return paused_; }
  pid_t pid() const { return process_ != nullptr ? process_->pid() : -1; }

  void Kill();    // SIGKILL, and waits for the exit: no clean shutdown, no flushed store
  void Pause();   // SIGSTOP: the process lives, holds its sockets, and answers nothing
  void Resume();  // SIGCONT
  // Starts it again (after Kill) on the same ports and the same store, and waits until ready.
  void Restart();

  // GET http://127.0.0.1:<monitor_port><path>; the body on a 200, nullopt otherwise (also when
  // the server is down or paused: the read times out after a second).
  std::optional<std::string> Monitor(const std::string& path) const;

  // The last `lines` lines of the server's log, for failure messages.
  std::string LogTail(int lines = 30) const;

 private:
  void Start();
  void WaitReady();

  NatsServerOptions options_;
  std::string binary_, dir_;
  int port_ = -1, monitor_port_ = -1;  // -1 until the first start picks them
  std::unique_ptr<ChildProcess> process_;
  bool paused_ = false;
};

class NatsCluster {
 public:
  // Starts `size` servers named n0..n<size-1> routed to each other, and waits for a JetStream
  // meta leader.
  explicit NatsCluster(int size = 3, std::string token = "");

  int size() const { return static_cast<int>(servers_.size()); }
  NatsServer& server(int i) { return *servers_.at(static_cast<size_t>(i)); }
  std::vector<std::string> urls() const;  // every server's client URL, running or not

  // Waits (up to `timeout`) until the running servers agree on a JetStream meta leader and it
  // counts every other running server as current; throws when that does not happen. Even then
  // the leader may not yet know every server's resources, so creating a replicated stream can
  // still answer "no suitable peers" (kUnavailable) for a moment: callers retry, as nodes do.
  void WaitReady(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // The index of the server that leads the JetStream meta group, by the running servers'
  // /jsz; nullopt while there is none (an election is under way).
  std::optional<int> MetaLeader();
  // The index of the server that leads `stream`'s raft group; nullopt while there is none.
  std::optional<int> StreamLeader(const std::string& stream);
  // How many messages server `i`'s replica of `stream` holds; nullopt when that server is down
  // or holds no replica (yet). A restarted server has caught up when it matches the leader.
  std::optional<uint64_t> StreamMessages(int i, const std::string& stream);

 private:
  std::optional<int> IndexOf(std::string_view name) const;
  bool MetaCurrent();
  // The "stream_detail" entry for `stream` in server `i`'s /jsz, with `parser` owning it.
  std::optional<simdjson::dom::element> StreamDetail(int i, const std::string& stream,
                                                     simdjson::dom::parser& parser);
  std::vector<std::unique_ptr<NatsServer>> servers_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed): for
// cluster ports, which every server must know before any of them starts.
int PickFreePort();

}  // namespace earshot::testing
