#include "tests/cluster_daemon/cluster_rig.h"

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include <iostream>

#include "daemon/cluster/cluster_names.h"
#include "daemon/model/escalation_json.h"
#include "daemon/net/curl_http_client.h"
#include "tests/integration/daemon_rig.h"

namespace earshot::testing {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
}

// Distinct tags, each naming the brand, so each post lands on exactly one source.
const char* const kTags[ClusterRig::kSources] = {"AcmeAirSucks", "AcmeAirFail", "AcmeAirDelays",
                                                 "AcmeAirHelp"};

// Each names the brand and a failure the default rule pack pages on.
const char* const kComplaints[] = {
    "#{tag} AcmeAir lost my luggage again, case {n}",
    "#{tag} AcmeAir three hour delay and no food vouchers, gate {n}",
    "#{tag} AcmeAir cancelled my flight and no refund, booking {n}",
    "#{tag} AcmeAir broke my suitcase, terrible service, tag {n}",
};

}  // namespace

std::string SourceTag(int i) { return kTags[i % ClusterRig::kSources]; }

struct ClusterRig::Node {
  std::string name, dir;
  uint16_t metrics_port = 0;
  std::unique_ptr<NotifyListener> notify;
  std::unique_ptr<ChildProcess> process;
  int runs = 0;
  bool paused = false;
};

ClusterRig::ClusterRig(int nats_servers) {
  FakeMastodonOptions options;
  options.account = "AcmeAir";
  // Several nodes poll four hashtags for minutes in the trials: Mastodon's budget is not
  // what these tests are about.
  options.enforce_rate_limit = false;
  auto fake = FakeMastodon::Start(options);
  if (!fake.ok()) throw std::runtime_error(fake.status().ToString());
  fake_ = *std::move(fake);
  std::vector<std::string> urls;
  if (nats_servers == 1) {
    nats_server_ = std::make_unique<NatsServer>();
    urls = {nats_server_->url()};
  } else {
    nats_cluster_ = std::make_unique<NatsCluster>(nats_servers);
    urls = nats_cluster_->urls();
  }
  nats::ConnectOptions connect;
  connect.servers = urls;
  connect.name = "earshot-cluster-rig";
  auto connection = nats::Connection::Connect(connect);
  if (!connection.ok()) throw std::runtime_error(connection.status().ToString());
  connection_ = *std::move(connection);
  dir_ = MakeTempDir("earshot-cluster");
}

ClusterRig::~ClusterRig() {
  for (auto& n : nodes_) {
    if (n->process && n->paused) n->process->Signal(SIGCONT);
    n->process.reset();  // SIGKILLs a node still running
    n->notify.reset();
  }
  connection_.reset();
  fake_->Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

int ClusterRig::AddNode(const std::string& name, NodeOptions options) {
  auto node = std::make_unique<Node>();
  node->name = name;
  node->dir = dir_ + "/" + name;
  std::filesystem::create_directories(node->dir);
  node->metrics_port = FreeLoopbackPort();
  node->notify = std::make_unique<NotifyListener>(node->dir);
  const std::string rules = std::string(EARSHOT_SOURCE_DIR) + "/rules";
  std::string files = fmt::format("{0}/complaints.yaml, {0}/resolution.yaml, {0}/praise.yaml",
                                  rules);
  if (!options.extra_rule_file.empty()) files += ", " + options.extra_rule_file;
  std::string nats;
  for (const std::string& url :
       nats_cluster_ ? nats_cluster_->urls() : std::vector<std::string>{nats_server_->url()}) {
    nats += (nats.empty() ? "" : ", ") + url;
  }
  std::string sources;
  for (int i = 0; i < kSources; ++i) {
    sources += fmt::format(
        "  - name: tag-{}\n    type: mastodon\n    base_url: {}\n    hashtag: {}\n"
        "    poll_interval: 500ms\n",
        i, fake_->base_url(), kTags[i]);
  }
  WriteFile(node->dir + "/earshot.yaml",
            fmt::format(R"(# written by the cluster daemon tests
brands: [AcmeAir]
state_dir: {dir}/state
log:
  level: info
metrics:
  address: 127.0.0.1:{port}
rules:
  files: [{files}]
  lexicon_dir: {rules}/lexicon
cluster:
  node: {name}
  nats: [{nats}]
  lease_ttl: 3s
  replicas: {replicas}
  on_rules_mismatch: {mismatch}
sources:
{sources}
sinks:
  - name: {sink}
    type: file
    path: {file}
# One page per complaint is what these tests count; a storm of them is by design one surge
# incident whose inhibition drops the per-post pages, and the four brand hashtags would each
# open a new-hashtag incident besides.
escalation:
  surge:
    enabled: false
  new_hashtag:
    enabled: false
)",
                        fmt::arg("dir", node->dir), fmt::arg("port", node->metrics_port),
                        fmt::arg("files", files), fmt::arg("rules", rules),
                        fmt::arg("name", name), fmt::arg("nats", nats),
                        fmt::arg("replicas", nats_cluster_ ? 3 : 1),
                        fmt::arg("mismatch", options.on_rules_mismatch),
                        fmt::arg("sources", sources), fmt::arg("sink", kFileSink),
                        fmt::arg("file", escalations_path())));
  nodes_.push_back(std::move(node));
  return nodes() - 1;
}

const std::string& ClusterRig::name(int node) const { return nodes_.at(node)->name; }

std::string ClusterRig::config_path(int node) const {
  return nodes_.at(node)->dir + "/earshot.yaml";
}

bool ClusterRig::Start(const std::vector<int>& which) {
  std::vector<size_t> ready_before;
  for (int i : which) {
    Node& n = *nodes_.at(i);
    ready_before.push_back(n.notify->Count("READY=1"));
    ++n.runs;
    const std::string log = fmt::format("{}/earshot.{}.log", n.dir, n.runs);
    n.paused = false;
    n.process = std::make_unique<ChildProcess>(
        std::vector<std::string>{EARSHOT_BINARY, "run", "--config", config_path(i)},
        std::vector<std::string>{"NOTIFY_SOCKET=" + n.notify->path()}, log, log);
  }
  // Until READY=1 a node may not have blocked its signals yet: a SIGTERM then would kill it.
  for (size_t k = 0; k < which.size(); ++k) {
    const Node& n = *nodes_.at(which[k]);
    if (!WaitUntil([&] { return n.notify->Count("READY=1") > ready_before[k]; },
                   std::chrono::seconds(60))) {
      // Why it never got ready, in the test's output: the node's own last lines.
      const std::string log = ReadFile(fmt::format("{}/earshot.{}.log", n.dir, n.runs));
      std::cout << "node " << which[k] << " never got ready; its log ends:\n"
                << log.substr(log.size() > 4000 ? log.size() - 4000 : 0) << "\n";
      return false;
    }
  }
  return true;
}

void ClusterRig::Kill(int node) {
  Node& n = *nodes_.at(node);
  n.process->Signal(SIGKILL);
  (void)n.process->Wait(std::chrono::seconds(10));
  n.process.reset();
  n.paused = false;
}

int ClusterRig::Stop(int node) {
  Node& n = *nodes_.at(node);
  n.process->Signal(SIGTERM);
  const int status = n.process->Wait(std::chrono::seconds(60)).value_or(-1);
  n.process.reset();
  return status;
}

void ClusterRig::Pause(int node) {
  nodes_.at(node)->process->Signal(SIGSTOP);
  nodes_.at(node)->paused = true;
}

void ClusterRig::Resume(int node) {
  nodes_.at(node)->process->Signal(SIGCONT);
  nodes_.at(node)->paused = false;
}

bool ClusterRig::running(int node) const { return nodes_.at(node)->process != nullptr; }

std::vector<int> ClusterRig::Running() const {
  std::vector<int> out;
  for (int i = 0; i < nodes(); ++i) {
    if (running(i)) out.push_back(i);
  }
  return out;
}

std::string ClusterRig::Log(int node) const {
  const Node& n = *nodes_.at(node);
  std::string all;
  for (int i = 1; i <= n.runs; ++i) all += ReadFile(fmt::format("{}/earshot.{}.log", n.dir, i));
  return all;
}

std::string ClusterRig::AllLogs() const {
  std::string all;
  for (int i = 0; i < nodes(); ++i) {
    all += fmt::format("---- node {} ----\n{}", name(i), Log(i));
  }
  return all;
}

std::optional<double> ClusterRig::Metric(int node, const std::string& family) const {
  auto client = CurlHttpClient::Create({.user_agent = "earshot-test"});
  if (!client.ok()) return std::nullopt;
  HttpRequest req;
  req.url = fmt::format("http://127.0.0.1:{}/metrics", nodes_.at(node)->metrics_port);
  auto got = (*client)->Send(req, std::stop_token());
  if (!got.ok() || got->status != 200) return std::nullopt;
  const std::string sample = fmt::format("{}{{node=\"{}\"}} ", family, name(node));
  std::istringstream lines(got->body);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(sample)) return std::stod(line.substr(sample.size()));
  }
  return std::nullopt;
}

std::vector<std::string> ClusterRig::Leases() const {
  std::vector<std::string> out = {"escalator"};
  for (int i = 0; i < kSources; ++i) out.push_back(fmt::format("source:mastodon:tag-{}", i));
  out.push_back(fmt::format("sink:{}", kFileSink));
  return out;
}

std::optional<cluster::ClusterStatus> ClusterRig::Status() {
  auto status = cluster::ReadClusterStatus(*connection_, cluster::ClusterNames("earshot"));
  if (!status.ok()) return std::nullopt;
  return *std::move(status);
}

std::map<std::string, std::string> ClusterRig::Holders() {
  std::map<std::string, std::string> out;
  if (auto status = Status()) {
    for (const cluster::LeaseView& l : status->leases) {
      if (!l.record.holder.empty()) out[l.name] = l.record.holder;
    }
  }
  return out;
}

bool ClusterRig::Balanced(const std::vector<std::string>& names) {
  const auto holders = Holders();
  const std::vector<std::string> wanted = Leases();
  const size_t share = (wanted.size() + names.size() - 1) / names.size();
  std::map<std::string, size_t> per_node;
  for (const std::string& lease : wanted) {
    const auto it = holders.find(lease);
    if (it == holders.end()) return false;
    if (std::find(names.begin(), names.end(), it->second) == names.end()) return false;
    if (++per_node[it->second] > share) return false;
  }
  return true;
}

bool ClusterRig::WaitBalanced(const std::vector<std::string>& names,
                              std::chrono::milliseconds timeout) {
  return WaitUntil([&] { return Balanced(names); }, timeout);
}

int ClusterRig::Busiest() {
  const auto holders = Holders();
  int best = -1;
  size_t best_count = 0;
  bool best_leads = false;
  for (int i : Running()) {
    size_t count = 0;
    bool leads = false;
    for (const auto& [lease, holder] : holders) {
      if (holder != name(i)) continue;
      ++count;
      leads = leads || lease == "escalator";
    }
    if (count > best_count || (count == best_count && count > 0 && leads && !best_leads)) {
      best = i;
      best_count = count;
      best_leads = leads;
    }
  }
  return best;
}

int ClusterRig::HolderOf(const std::string& lease) {
  const auto holders = Holders();
  const auto it = holders.find(lease);
  if (it == holders.end()) return -1;
  for (int i = 0; i < nodes(); ++i) {
    if (name(i) == it->second) return i;
  }
  return -1;
}

std::vector<std::string> ClusterRig::LeasesOf(const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [lease, holder] : Holders()) {
    if (holder == name) out.push_back(lease);
  }
  return out;
}

std::optional<std::chrono::milliseconds> ClusterRig::WaitTakenOver(
    const std::string& gone, const std::vector<std::string>& leases,
    std::chrono::steady_clock::time_point since, std::chrono::milliseconds timeout) {
  auto taken = [&] {
    const auto holders = Holders();
    return std::all_of(leases.begin(), leases.end(), [&](const std::string& l) {
      const auto it = holders.find(l);
      return it != holders.end() && it->second != gone;
    });
  };
  if (!WaitUntil(taken, timeout)) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since);
}

std::map<std::string, uint64_t> ClusterRig::Revisions() {
  std::map<std::string, uint64_t> out;
  if (auto status = Status()) {
    for (const cluster::LeaseView& l : status->leases) {
      if (!l.record.holder.empty()) out[l.name] = l.revision;
    }
  }
  return out;
}

std::optional<std::chrono::milliseconds> ClusterRig::WaitReheld(
    const std::map<std::string, uint64_t>& before, std::chrono::steady_clock::time_point since,
    std::chrono::milliseconds timeout) {
  auto reheld = [&] {
    const auto now = Revisions();
    return std::all_of(before.begin(), before.end(), [&](const auto& lease) {
      const auto it = now.find(lease.first);
      return it != now.end() && it->second > lease.second;
    });
  };
  if (!WaitUntil(reheld, timeout)) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since);
}

int ClusterRig::StatusCommand(bool json, std::string* out) const {
  const std::string path = dir_ + "/status.out";
  std::filesystem::remove(path);
  std::vector<std::string> argv = {EARSHOT_BINARY, "cluster", "status", "--config",
                                   config_path(0)};
  if (json) argv.emplace_back("--json");
  ChildProcess status(argv, {}, path, dir_ + "/status.err");
  const int exit = status.Wait(std::chrono::seconds(30)).value_or(-1);
  *out = ReadFile(path);
  return exit;
}

void ClusterRig::Post(const std::string& author, int n) {
  const std::string text =
      fmt::format(fmt::runtime(kComplaints[n % 4]), fmt::arg("tag", kTags[n % kSources]),
                  fmt::arg("n", 100 + n));
  fake_->AddStatus(Toot(author, 20 + n, text));
}

std::vector<Escalation> ClusterRig::Escalations() const {
  std::vector<Escalation> out;
  // Only complete lines: a sink may be halfway through writing the next one.
  std::string text = ReadFile(escalations_path());
  text.resize(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    auto e = EscalationFromJson(line);
    if (!e.ok()) throw std::runtime_error("bad JSONL line: " + line + ": " + e.status().ToString());
    out.push_back(*std::move(e));
  }
  return out;
}

}  // namespace earshot::testing
