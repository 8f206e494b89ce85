// `earshot run` as a log pipeline sees it: with json chosen, every line it writes is one JSON
// object, the fatal start-up errors included; without json they are plain sentences. Runs the
// real binary, since what matters is everything that reaches its stderr.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

using testing::SinkTempDir;

struct Run {
  int exit_code = -1;
  std::vector<std::string> lines;  // stderr, line by line
};

// Runs `earshot run ARGS` with `env` ("KEY=value ..." or "") in front, stderr captured.
Run RunEarshot(const SinkTempDir& dir, const std::string& env, const std::string& args) {
  const std::filesystem::path err = dir.path() / "stderr.txt";
  const std::string command = fmt::format(
      "env -u EARSHOT_LOG_FORMAT -u JOURNAL_STREAM {} '{}' run {} "
      ">/dev/null 2>'{}' </dev/null",
      env, EARSHOT_BINARY, args, err.string());
  const int status = std::system(command.c_str());
  Run run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err);
  for (std::string l; std::getline(in, l);) run.lines.push_back(l);
  return run;
}

std::filesystem::path WriteConfig(const SinkTempDir& dir, const std::string& text) {
  const std::filesystem::path p = dir.path() / "earshot.yaml";
  std::ofstream(p) << text;
  return p;
}

// Each line is one JSON object with string level, component and msg; returns them parsed.
struct Parsed {
  std::string level, component, msg;
  std::string raw;
};
std::vector<Parsed> RequireJsonLines(const std::vector<std::string>& lines) {
  std::vector<Parsed> out;
  simdjson::dom::parser parser;
  for (const std::string& line : lines) {
    INFO(line);
    simdjson::dom::element doc;
    REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
    REQUIRE(doc.is_object());
    std::string_view level, component, msg;
    REQUIRE(doc["level"].get(level) == simdjson::SUCCESS);
    REQUIRE(doc["component"].get(component) == simdjson::SUCCESS);
    REQUIRE(doc["msg"].get(msg) == simdjson::SUCCESS);
    out.push_back({std::string(level), std::string(component), std::string(msg), line});
  }
  return out;
}

TEST_CASE("run: log.format json, a config that is not YAML fails in JSON lines only", "[app]") {
  SinkTempDir dir;
  const auto config = WriteConfig(dir, "log:\n  format: json\nrules: {files: [unclosed\n");
  const Run run = RunEarshot(dir, "", "--config " + config.string());
  CHECK(run.exit_code == 78);
  REQUIRE(!run.lines.empty());
  const std::vector<Parsed> parsed = RequireJsonLines(run.lines);
  CHECK(parsed.back().level == "error");
  CHECK_THAT(parsed.back().msg, Catch::Contains("nothing started"));
}

TEST_CASE("run: log.format json, each configuration problem is a JSON line with its position",
          "[app]") {
  SinkTempDir dir;
  const auto config = WriteConfig(dir, "log: {format: json}\nbogus_key: 1\n");
  const Run run = RunEarshot(dir, "", "--config " + config.string());
  CHECK(run.exit_code == 78);
  const std::vector<Parsed> parsed = RequireJsonLines(run.lines);
  bool positioned = false;
  simdjson::dom::parser parser;
  for (const Parsed& p : parsed) {
    if (p.msg.find("bogus_key") == std::string::npos) continue;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(p.raw).get(doc) == simdjson::SUCCESS);
    std::string_view file;
    int64_t line = 0;
    const bool here = doc["file"].get(file) == simdjson::SUCCESS &&
                      doc["line"].get(line) == simdjson::SUCCESS && line == 2 &&
                      p.component == "config" && p.level == "error";
    positioned = positioned || here;
    CHECK(file == config.string());
  }
  CHECK(positioned);
}

TEST_CASE("run: EARSHOT_LOG_FORMAT=json makes usage errors and an unreadable config JSON",
          "[app]") {
  SinkTempDir dir;
  const Run missing =
      RunEarshot(dir, "EARSHOT_LOG_FORMAT=json", "--config " + (dir.path() / "nope.yaml").string());
  CHECK(missing.exit_code == 78);
  REQUIRE(!missing.lines.empty());
  RequireJsonLines(missing.lines);

  const Run usage = RunEarshot(dir, "EARSHOT_LOG_FORMAT=json", "--bogus");
  CHECK(usage.exit_code == 2);
  REQUIRE(usage.lines.size() == 1);
  CHECK_THAT(RequireJsonLines(usage.lines)[0].msg, Catch::Contains("unexpected argument"));

  // The environment wins over the file, so the whole run speaks one format.
  const auto config = WriteConfig(dir, "log: {format: keyvalue}\nbogus_key: 1\n");
  const Run env_wins = RunEarshot(dir, "EARSHOT_LOG_FORMAT=json", "--config " + config.string());
  CHECK(env_wins.exit_code == 78);
  REQUIRE(!env_wins.lines.empty());
  RequireJsonLines(env_wins.lines);

  const Run bad = RunEarshot(dir, "EARSHOT_LOG_FORMAT=xml", "--config " + config.string());
  CHECK(bad.exit_code == 78);
  REQUIRE(bad.lines.size() == 1);
  CHECK_THAT(bad.lines[0], Catch::Contains("EARSHOT_LOG_FORMAT=xml: expected keyvalue or json"));
}

TEST_CASE("run: log.format json, a metrics port in use stops the start in JSON lines", "[app]") {
  SinkTempDir dir;
  // Holds a loopback port, so the daemon's metrics server cannot have it.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 1) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const int port = ntohs(addr.sin_port);
  const auto config = WriteConfig(
      dir,
      fmt::format("brands: [AcmeAir]\nstate_dir: {}\nlog: {{format: json}}\n"
                  "metrics: {{address: \"127.0.0.1:{}\"}}\n"
                  "rules:\n  files: [{}/rules/complaints.yaml]\n  lexicon_dir: {}/rules/lexicon\n"
                  "sinks:\n  - name: c\n    type: console\n",
                  (dir.path() / "state").string(), port, EARSHOT_SOURCE_DIR, EARSHOT_SOURCE_DIR));
  const Run run = RunEarshot(dir, "", "--config " + config.string());
  ::close(fd);
  CHECK(run.exit_code == 1);
  const std::vector<Parsed> parsed = RequireJsonLines(run.lines);
  bool said_why = false;
  for (const Parsed& p : parsed) {
    said_why = said_why ||
               (p.level == "error" && p.msg.find("Address already in use") != std::string::npos);
  }
  CHECK(said_why);
}

TEST_CASE("run: in key=value format, start-up errors stay plain sentences", "[app]") {
  SinkTempDir dir;
  const auto config = WriteConfig(dir, "bogus_key: 1\n");
  const Run run = RunEarshot(dir, "", "--config " + config.string());
  CHECK(run.exit_code == 78);
  REQUIRE(!run.lines.empty());
  for (const std::string& l : run.lines) CHECK(l.rfind('{', 0) == std::string::npos);
  CHECK_THAT(run.lines.back(),
             Catch::StartsWith("earshot: ") && Catch::EndsWith("nothing started"));
}

}  // namespace
}  // namespace earshot
