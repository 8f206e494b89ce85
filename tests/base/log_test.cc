// Log lines as operators and journald see them: one line per event, no flood of repeats, the
// journal's priority prefix when stderr is the journal.
#include "daemon/base/log.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

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

// The line with its timestamp's value replaced by TS, for exact comparisons.
std::string WithoutTs(std::string line) {
  const size_t at = line.find("\"ts\":\"");
  if (at != std::string::npos) line.replace(at + 6, line.find('"', at + 6) - at - 6, "TS");
  return line;
}

struct JsonFormat {
  JsonFormat() { log::SetFormat(log::Format::kJson); }
  ~JsonFormat() { log::SetFormat(log::Format::kKeyValue); }
};

TEST_CASE("log: fields are key=value suffixes in text format, quoted only when needed", "[base]") {
  CapturedLog captured(true);
  log::Warn("sink:oncall",
            {{"incident_id", "inc-3f2a"},
             {"seq", uint64_t{7}},
             {"sink", "oncall"},
             {"detail", "HTTP 503 \"busy\" from x"},
             {"first", true},
             {"delta", -3}},
            "seq {} attempt 1 failed", 7);
  const auto lines = ReadLines(captured.file);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] ==
        "<4>level=warn component=sink:oncall msg=\"seq 7 attempt 1 failed\" incident_id=inc-3f2a "
        "seq=7 sink=oncall detail=\"HTTP 503 \\\"busy\\\" from x\" first=true delta=-3\n");
}

TEST_CASE("log: fields are top-level keys in json format, numbers as numbers", "[base]") {
  CapturedLog captured(true);
  JsonFormat json;
  log::Fields fields{{"incident_id", "inc-3f2a"}, {"seq", 7}};
  fields.Add({"sink", std::string("on\ncall")}).Add({"msg", "mine"}).Add({"bad key", 1});
  log::Info("sink:oncall", fields, "delivered \"{}\"", "x");
  const auto lines = ReadLines(captured.file);
  REQUIRE(lines.size() == 1);
  // A field cannot shadow the line's own keys; a key is never more than [A-Za-z0-9_.-].
  CHECK(WithoutTs(lines[0]) ==
        "<6>{\"ts\":\"TS\",\"level\":\"info\",\"component\":\"sink:oncall\",\"msg\":\"delivered "
        "\\\"x\\\"\",\"incident_id\":\"inc-3f2a\",\"seq\":7,\"sink\":\"on\\ncall\","
        "\"field_msg\":\"mine\",\"bad_key\":1}\n");
}

TEST_CASE("log: lines that differ only in their fields are not suppressed as repeats", "[base]") {
  CapturedLog captured(false);
  for (uint64_t seq = 1; seq <= 20; ++seq) {
    log::Warn("sink:oncall", {{"seq", seq}}, "attempt failed: HTTP 503");
  }
  CHECK(ReadLines(captured.file).size() == 20);
}

TEST_CASE("log: Line renders without writing, in the current format", "[base]") {
  CapturedLog captured(true);
  CHECK(log::Line(log::Level::kError, "main", {{"file", "/etc/earshot/earshot.yaml"}},
                  "cannot start") ==
        "<3>level=error component=main msg=\"cannot start\" file=/etc/earshot/earshot.yaml\n");
  JsonFormat json;
  CHECK(WithoutTs(log::Line(log::Level::kError, "main", {}, "cannot start")) ==
        "<3>{\"ts\":\"TS\",\"level\":\"error\",\"component\":\"main\",\"msg\":\"cannot start\"}\n");
  CHECK(ReadLines(captured.file).empty());
}

TEST_CASE("log: ParseFormat knows the values of log.format", "[base]") {
  log::Format f = log::Format::kKeyValue;
  CHECK(log::ParseFormat("json", &f));
  CHECK(f == log::Format::kJson);
  CHECK(log::ParseFormat("keyvalue", &f));
  CHECK(f == log::Format::kKeyValue);
  CHECK_FALSE(log::ParseFormat("JSON", &f));
  CHECK_FALSE(log::ParseFormat("", &f));
}

}  // namespace
}  // namespace earshot
