// Log lines as operators and journald see them: one line per event, no flood of repeats, the
// journal's priority prefix when stderr is the journal.
#include <catch2/catch.hpp>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/base/log.h"

namespace earshot {
namespace {

std::vector<std::string> ReadLines(std::FILE* f) {
  std::rewind(f);
  std::vector<std::string> lines;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, f) != nullptr) lines.emplace_back(buf);
  return lines;
}

struct CapturedLog {
  explicit CapturedLog(bool journal) : file(std::tmpfile()) {
    log::SetOutputForTesting(file, journal);
  }
  ~CapturedLog() {
    log::SetOutputForTesting(nullptr, false);
    std::fclose(file);
  }
  std::FILE* file;
};

TEST_CASE("log: key=value lines, quotes and newlines escaped into one line", "[base]") {
  CapturedLog captured(false);
  log::Warn("sink:oncall", "HTTP 429 from {}; \"waiting\"\nagain", "hooks.slack.com");
  const auto lines = ReadLines(captured.file);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("ts=", 0) == 0);
  CHECK(lines[0].find(" level=warn component=sink:oncall msg=\"HTTP 429 from hooks.slack.com; "
                      "\\\"waiting\\\"\\nagain\"\n") != std::string::npos);
}

TEST_CASE("log: the same line repeated in a burst is written kRepeatBurst times", "[base]") {
  CapturedLog captured(false);
  for (int i = 0; i < 20; ++i) log::Error("source:acme", "HTTP 503 from mastodon.example");
  log::Error("source:acme", "HTTP 500 from mastodon.example");  // a different line still shows
  const auto lines = ReadLines(captured.file);
  REQUIRE(lines.size() == log::kRepeatBurst + 1);
  CHECK(lines.back().find("HTTP 500") != std::string::npos);
}

TEST_CASE("log: under journald, a priority prefix and no timestamp", "[base]") {
  CapturedLog captured(true);
  log::Error("escalator", "store failed");
  log::Info("app", "ready");
  const auto lines = ReadLines(captured.file);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "<3>level=error component=escalator msg=\"store failed\"\n");
  CHECK(lines[1] == "<6>level=info component=app msg=\"ready\"\n");
}

}  // namespace
}  // namespace earshot
