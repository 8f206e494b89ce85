#include "tests/integration/daemon_rig.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "daemon/model/escalation_json.h"

namespace earshot::testing {
namespace {

constexpr const char* kToken = "rig-secret-token-7f3a";

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
}

}  // namespace

DaemonRig::DaemonRig(std::string extra_yaml, std::string extra_sources) {
  FakeMastodonOptions options;
  options.account = "AcmeAir";
  options.token = kToken;
  auto fake = FakeMastodon::Start(options);
  if (!fake.ok()) throw std::runtime_error(fake.status().ToString());
  fake_ = *std::move(fake);
  // "{fake}" in the extra YAML stands for the fake Mastodon's URL, unknown until it started.
  for (std::string* text : {&extra_yaml, &extra_sources}) {
    for (size_t at; (at = text->find("{fake}")) != std::string::npos;) {
      text->replace(at, 6, fake_->base_url());
    }
  }
  dir_ = MakeTempDir("earshot-it");
  notify_ = std::make_unique<NotifyListener>(dir_);
  WriteFile(dir_ + "/mastodon.token", std::string(kToken) + "\n");
  const std::string rules = std::string(EARSHOT_SOURCE_DIR) + "/rules";
  WriteFile(config_path(), fmt::format(R"(# written by the integration tests
brands: [AcmeAir]
state_dir: {dir}/state
log:
  level: debug
rules:
  files: [{rules}/complaints.yaml, {rules}/resolution.yaml, {rules}/praise.yaml]
  lexicon_dir: {rules}/lexicon
sources:
  - name: acmeair-sucks
    type: mastodon
    base_url: {url}
    hashtag: AcmeAirSucks
    poll_interval: 100ms
  - name: acmeair-mentions
    type: mastodon
    base_url: {url}
    mentions: true
    token_file: mastodon.token
    poll_interval: 100ms
{sources}
sinks:
  - name: archive
    type: file
    path: escalations.jsonl
{extra}
)",
                                       fmt::arg("dir", dir_), fmt::arg("rules", rules),
                                       fmt::arg("url", fake_->base_url()),
                                       fmt::arg("extra", extra_yaml),
                                       fmt::arg("sources", extra_sources)));
}

DaemonRig::~DaemonRig() {
  daemon_.reset();  // SIGKILLs a daemon still running
  notify_.reset();
  fake_->Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

bool DaemonRig::StartDaemon(std::vector<std::string> env) {
  ++runs_;
  const size_t ready_before = notify_->Count("READY=1");
  env.push_back("NOTIFY_SOCKET=" + notify_->path());
  const std::string log = fmt::format("{}/earshot.{}.log", dir_, runs_);
  daemon_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{EARSHOT_BINARY, "run", "--config", config_path()}, std::move(env),
      log, log);
  // Until READY=1 the daemon may not have blocked its signals yet: a SIGTERM then would kill
  // it instead of stopping it cleanly.
  return WaitUntil([&] { return notify_->Count("READY=1") > ready_before; },
                   std::chrono::seconds(60));
}

int DaemonRig::StopDaemon() {
  daemon_->Signal(SIGTERM);
  auto status = daemon_->Wait(std::chrono::seconds(60));
  return status.value_or(-1);
}

void DaemonRig::KillDaemon() {
  daemon_->Signal(SIGKILL);
  (void)daemon_->Wait(std::chrono::seconds(10));
}

std::string DaemonRig::DaemonLog() const {
  std::string all;
  for (int i = 1; i <= runs_; ++i) all += ReadFile(fmt::format("{}/earshot.{}.log", dir_, i));
  return all;
}

std::vector<Escalation> DaemonRig::Escalations() const {
  std::vector<Escalation> out;
  // Only complete lines: the sink may be halfway through writing the next one.
  std::string text = ReadFile(escalations_path());
  text.resize(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto e = EscalationFromJson(line);
    if (!e.ok()) throw std::runtime_error("bad JSONL line: " + line + ": " + e.status().ToString());
    out.push_back(*std::move(e));
  }
  return out;
}

bool DaemonRig::WaitForEscalations(size_t n) const {
  if (WaitUntil([&] { return Escalations().size() >= n; }, std::chrono::seconds(60))) return true;
  // The test will fail: show what the daemon said, so a CI log alone explains it.
  std::cerr << fmt::format("-- {} of {} escalations; the daemon's log:\n{}\n",
                           Escalations().size(), n, DaemonLog());
  return false;
}

uint16_t FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

FakeStatus Toot(std::string acct, int64_t followers, std::string text, std::string reply_to) {
  FakeStatus s;
  s.acct = std::move(acct);
  s.followers = followers;
  s.text = std::move(text);
  s.in_reply_to_id = std::move(reply_to);
  return s;
}

}  // namespace earshot::testing
