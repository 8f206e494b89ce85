#include "tests/fakes/nats_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace earshot::testing {
namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(15);

std::string FindNatsServer() {
  if (::access("/usr/sbin/nats-server", X_OK) == 0) return "/usr/sbin/nats-server";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/nats-server";
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw std::runtime_error("nats-server not found; run scripts/install-deps.sh --test");
}

// A socket closed on every path.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

sockaddr_in Loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// A blocking HTTP/1.0 GET: the monitoring endpoint is all the tests ask, and a plain socket
// with a read timeout cannot hang on a SIGSTOPped server the way a library's retries might.
std::optional<std::string> HttpGet(int port, const std::string& path) {
  Fd sock{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (sock.fd < 0) return std::nullopt;
  timeval timeout{1, 0};
  ::setsockopt(sock.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(sock.fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr = Loopback(port);
  if (::connect(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return std::nullopt;
  }
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(sock.fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return std::nullopt;
  }
  std::string response;
  char buf[16384];
  while (true) {
    const ssize_t n = ::recv(sock.fd, buf, sizeof buf, 0);
    if (n == 0) break;               // HTTP/1.0: the server closes after the body
    if (n < 0) return std::nullopt;  // timed out or reset: not an answer
    response.append(buf, static_cast<size_t>(n));
  }
  if (response.rfind("HTTP/1.1 200", 0) != 0 && response.rfind("HTTP/1.0 200", 0) != 0) {
    return std::nullopt;
  }
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? std::string() : response.substr(body + 4);
}

// The port in the first URL of `key` in a ports file: {"nats":["nats://127.0.0.1:4222"], ...}.
int PortFromPortsFile(const std::string& json, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS) return -1;
  simdjson::dom::array urls;
  if (doc[key].get(urls) != simdjson::SUCCESS || urls.size() == 0) return -1;
  std::string_view url;
  if (urls.at(0).get(url) != simdjson::SUCCESS) return -1;
  const size_t colon = url.rfind(':');
  if (colon == std::string_view::npos) return -1;
  return std::atoi(std::string(url.substr(colon + 1)).c_str());
}

// True when every thread of `pid` is in state T (stopped), per /proc/<pid>/task/*/stat.
bool AllThreadsStopped(pid_t pid) {
  std::error_code error;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    // "<tid> (<comm>) <state> ...": the command may hold spaces and parentheses, the last ')'
    // ends it.
    const std::string stat = ReadFile((task.path() / "stat").string());
    const size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size()) return false;
    if (stat[paren + 2] != 'T') return false;
  }
  return !error;
}

}  // namespace

int PickFreePort() {
  Fd sock{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_in addr = Loopback(0);
  socklen_t len = sizeof addr;
  if (sock.fd < 0 || ::bind(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(sock.fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error(std::string("no free port on 127.0.0.1: ") + std::strerror(errno));
  }
  return ntohs(addr.sin_port);
}

NatsServer::NatsServer(NatsServerOptions options)
    : options_(std::move(options)), binary_(FindNatsServer()), dir_(MakeTempDir("earshot-nats")) {
  try {
    Start();
  } catch (...) {
    // No destructor runs for a constructor that throws: remove the directory here.
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    throw;
  }
}

NatsServer::~NatsServer() {
  Kill();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string NatsServer::url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

void NatsServer::Start() {
  // -p -1 and -m -1 (the first start) leave the ports to the kernel; the ports file names them.
  std::vector<std::string> argv = {binary_,     "-js",           "-a",
                                   "127.0.0.1", "--server_name", options_.name};
  argv.insert(argv.end(), {"-p", std::to_string(port_), "-m", std::to_string(monitor_port_)});
  argv.insert(argv.end(), {"-sd", dir_ + "/store", "-l", dir_ + "/server.log"});
  argv.insert(argv.end(), {"--ports_file_dir", dir_});
  if (!options_.token.empty()) {
    argv.insert(argv.end(), {"--auth", options_.token});
  }
  if (!options_.cluster_name.empty()) {
    std::string routes;
    for (int port : options_.route_ports) {
      routes +=
          (routes.empty() ? "" : ",") + std::string("nats://127.0.0.1:") + std::to_string(port);
    }
    argv.insert(argv.end(),
                {"--cluster_name", options_.cluster_name, "--cluster",
                 "nats://127.0.0.1:" + std::to_string(options_.cluster_port), "--routes", routes});
  }
  // A test that crashes runs no destructor; setpriv's parent-death signal still ends its
  // servers instead of leaving them running. (exec keeps the pid, so pid() is the server's.)
  if (::access("/usr/bin/setpriv", X_OK) == 0) {
    argv.insert(argv.begin(), {"/usr/bin/setpriv", "--pdeathsig", "KILL"});
  }
  // stdout/stderr catch what happens before the log file opens (a bad flag, a taken port).
  process_ = std::make_unique<ChildProcess>(argv, std::vector<std::string>{}, dir_ + "/stdout.log",
                                            dir_ + "/stdout.log");
  paused_ = false;
  WaitReady();
}

void NatsServer::WaitReady() {
  const std::string ports_file = dir_ + "/" + std::filesystem::path(binary_).filename().string() +
                                 "_" + std::to_string(process_->pid()) + ".ports";
  std::optional<int> exited;
  // The ports file appears once the server listens; it names the ports -1 left to the kernel.
  const bool ready = WaitUntil(
      [&] {
        if ((exited = process_->Wait(std::chrono::milliseconds(0)))) return true;
        const std::string ports = ReadFile(ports_file);
        const int port = PortFromPortsFile(ports, "nats");
        const int monitor = PortFromPortsFile(ports, "monitoring");
        if (port <= 0 || monitor <= 0) return false;
        port_ = port;
        monitor_port_ = monitor;
        // js-enabled-only: a clustered server is ready to serve before its peers are up; the
        // cluster waits for the meta leader separately.
        return Monitor("/healthz?js-enabled-only=true").has_value();
      },
      kReadyTimeout);
  if (exited || !ready) {
    const std::string why =
        exited ? "exited with status " + std::to_string(*exited) : "was not ready within 15 s";
    process_.reset();
    throw std::runtime_error("nats-server " + options_.name + " " + why + "; log tail:\n" +
                             LogTail());
  }
}

void NatsServer::Kill() {
  if (process_ == nullptr) return;
  process_->Signal(SIGKILL);
  process_->Wait(std::chrono::seconds(10));
  process_.reset();
  paused_ = false;
}

void NatsServer::Pause() {
  if (process_ == nullptr) return;
  process_->Signal(SIGSTOP);
  paused_ = true;
  // kill() returns before every thread has stopped: a thread on another core could still
  // answer a request sent right after. Paused means all of them are.
  const pid_t pid = process_->pid();
  if (!WaitUntil([&] { return AllThreadsStopped(pid); }, std::chrono::seconds(5))) {
    throw std::runtime_error("nats-server " + options_.name + " did not stop on SIGSTOP");
  }
}

void NatsServer::Resume() {
  if (process_ == nullptr) return;
  process_->Signal(SIGCONT);
  paused_ = false;
}

void NatsServer::Restart() {
  Kill();
  Start();
}

std::optional<std::string> NatsServer::Monitor(const std::string& path) const {
  if (process_ == nullptr || paused_ || monitor_port_ <= 0) return std::nullopt;
  return HttpGet(monitor_port_, path);
}

std::string NatsServer::LogTail(int lines) const {
  const std::string log = ReadFile(dir_ + "/stdout.log") + ReadFile(dir_ + "/server.log");
  size_t start = log.size();
  for (int i = 0; i <= lines && start > 0; ++i) {
    start = log.rfind('\n', start - 1);
    if (start == std::string::npos) {
      start = 0;
      break;
    }
  }
  return log.substr(start);
}

NatsCluster::NatsCluster(int size, std::string token) {
  std::vector<int> cluster_ports;
  for (int i = 0; i < size; ++i) cluster_ports.push_back(PickFreePort());
  for (int i = 0; i < size; ++i) {
    NatsServerOptions options;
    options.name = "n" + std::to_string(i);
    options.token = token;
    options.cluster_name = "earshot-test";
    options.cluster_port = cluster_ports[static_cast<size_t>(i)];
    for (int j = 0; j < size; ++j) {
      if (j != i) options.route_ports.push_back(cluster_ports[static_cast<size_t>(j)]);
    }
    servers_.push_back(std::make_unique<NatsServer>(std::move(options)));
  }
  WaitReady();
}

std::vector<std::string> NatsCluster::urls() const {
  std::vector<std::string> out;
  for (const auto& server : servers_) out.push_back(server->url());
  return out;
}

void NatsCluster::WaitReady(std::chrono::milliseconds timeout) {
  if (!WaitUntil([&] { return MetaCurrent(); }, timeout)) {
    std::string tails;
    for (const auto& server : servers_) {
      tails += "--- " + server->name() + ":\n" + server->LogTail(10);
    }
    throw std::runtime_error(
        "the NATS cluster has no JetStream meta leader with every running "
        "server current; logs:\n" +
        tails);
  }
}

std::optional<int> NatsCluster::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < servers_.size(); ++i) {
    if (servers_[i]->name() == name && servers_[i]->running()) return static_cast<int>(i);
  }
  return std::nullopt;
}

bool NatsCluster::MetaCurrent() {
  const std::optional<int> leader = MetaLeader();
  if (!leader) return false;
  const std::optional<std::string> body = server(*leader).Monitor("/jsz");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array replicas;
  if (!body || parser.parse(*body).get(doc) != simdjson::SUCCESS ||
      doc["meta_cluster"]["replicas"].get(replicas) != simdjson::SUCCESS) {
    return false;
  }
  // The leader's view of its followers: each running server must be there and current.
  for (int i = 0; i < size(); ++i) {
    if (i == *leader || !server(i).running()) continue;
    bool current = false;
    for (simdjson::dom::element replica : replicas) {
      std::string_view name;
      bool is_current = false;
      if (replica["name"].get(name) == simdjson::SUCCESS && name == server(i).name() &&
          replica["current"].get(is_current) == simdjson::SUCCESS) {
        current = is_current;
      }
    }
    if (!current) return false;
  }
  return true;
}

std::optional<int> NatsCluster::MetaLeader() {
  for (const auto& server : servers_) {
    const std::optional<std::string> body = server->Monitor("/jsz");
    if (!body) continue;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view leader;
    if (parser.parse(*body).get(doc) != simdjson::SUCCESS ||
        doc["meta_cluster"]["leader"].get(leader) != simdjson::SUCCESS || leader.empty()) {
      continue;
    }
    // A server cut off from the others may still name the old leader; only a running one counts.
    if (std::optional<int> index = IndexOf(leader)) return index;
  }
  return std::nullopt;
}

std::optional<simdjson::dom::element> NatsCluster::StreamDetail(int i, const std::string& stream,
                                                                simdjson::dom::parser& parser) {
  // /jsz lists, per account, the streams this server holds a replica of, each with its state
  // and its raft group's "cluster": {"leader": "<server name>", "replicas": [...]}.
  const std::optional<std::string> body = server(i).Monitor("/jsz?accounts=true&streams=true");
  if (!body) return std::nullopt;
  simdjson::dom::element doc;
  simdjson::dom::array accounts;
  if (parser.parse(*body).get(doc) != simdjson::SUCCESS ||
      doc["account_details"].get(accounts) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  for (simdjson::dom::element account : accounts) {
    simdjson::dom::array streams;
    if (account["stream_detail"].get(streams) != simdjson::SUCCESS) continue;
    for (simdjson::dom::element detail : streams) {
      std::string_view name;
      if (detail["name"].get(name) == simdjson::SUCCESS && name == stream) return detail;
    }
  }
  return std::nullopt;
}

std::optional<int> NatsCluster::StreamLeader(const std::string& stream) {
  for (int i = 0; i < size(); ++i) {
    simdjson::dom::parser parser;
    std::optional<simdjson::dom::element> detail = StreamDetail(i, stream, parser);
    std::string_view leader;
    if (!detail || (*detail)["cluster"]["leader"].get(leader) != simdjson::SUCCESS) continue;
    if (std::optional<int> index = IndexOf(leader)) return index;
  }
  return std::nullopt;
}

std::optional<uint64_t> NatsCluster::StreamMessages(int i, const std::string& stream) {
  simdjson::dom::parser parser;
  std::optional<simdjson::dom::element> detail = StreamDetail(i, stream, parser);
  uint64_t messages = 0;
  if (!detail || (*detail)["state"]["messages"].get(messages) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return messages;
}

}  // namespace earshot::testing
