// The console and JSONL file sinks against real streams and files.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sinks/console_sink.h"
#include "daemon/model/escalation_json.h"
#include "sinks/file_sink.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

using namespace std::string_literals;
using testing::SampleEscalation;
using testing::SinkTempDir;

std::vector<std::string> Lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST_CASE("ConsoleSink: severity, kind, incident, summary, author, reach, link", "[sinks]") {
  std::ostringstream out;
  ConsoleSink sink(out, /*color=*/false);
  Escalation e = SampleEscalation(7, FromUnixMillis(1795342500000));
  std::stop_source never;
  REQUIRE(sink.Deliver(e, never.get_token()).delivered());
  CHECK(out.str() ==
        "HIGH     open    inc-1000  Lost bag in Denver, nobody answers #7 (lost-baggage, "
        "complaint) [new incident]\n"
        "         @jane@air.example (Jane, 152k followers): \"@AcmeAir lost my bag in Denver and "
        "nobody answers the phone\" https://air.example/@jane/109007\n");

  std::ostringstream colored;
  ConsoleSink color_sink(colored, /*color=*/true);
  REQUIRE(color_sink.Deliver(e, never.get_token()).delivered());
  CHECK_THAT(colored.str(), Catch::StartsWith("\x1b[1;31mHIGH    \x1b[0m open"));
}

TEST_CASE("ConsoleSink: a Reddit author is u/name and has no follower count", "[sinks]") {
  std::ostringstream out;
  ConsoleSink sink(out, /*color=*/false);
  Escalation e = SampleEscalation(8, FromUnixMillis(1795342500000));
  e.posts.front().network = "reddit";
  e.posts.front().author = "suitcase_sam";
  e.posts.front().author_name.clear();
  e.posts.front().followers = 0;
  std::stop_source never;
  REQUIRE(sink.Deliver(e, never.get_token()).delivered());
  CHECK_THAT(out.str(), Catch::Contains("\n         u/suitcase_sam: \"@AcmeAir lost my bag"));
  CHECK_THAT(out.str(), !Catch::Contains("followers"));
}

TEST_CASE("ConsoleSink: control bytes, escape sequences and bidi overrides from a post are shown escaped", "[sinks]") {
  // A stranger's post must not drive the operator's terminal: no raw ESC, BEL, NUL, C1 control
  // or bidi override/isolate reaches it, with or without colour.
  Escalation e = SampleEscalation(9, FromUnixMillis(1795342500000));
  e.summary = "bag\x1b]0;pwned\x07 lost";
  e.posts.front().author = "ev\0il"s;
  e.posts.front().author_name = "\xe2\x80\xae" "enaJ";  // U+202E RIGHT-TO-LEFT OVERRIDE
  e.posts.front().text =
      "lost \x1b[2J\x1b[31mred\x07 bag\0 \xc2\x9b" "31m C1 \xe2\x81\xa6iso\xe2\x81\xa9 caf\xc3\xa9\nnext"s;
  e.posts.front().url = "https://air.example/\x1b[8m";
  for (bool color : {false, true}) {
    std::ostringstream out;
    ConsoleSink sink(out, color);
    std::stop_source never;
    REQUIRE(sink.Deliver(e, never.get_token()).delivered());
    std::string text = out.str();
    if (color) {
      // Only earshot's own SGR sequences remain: ESC followed by '[' and digits and 'm'.
      for (size_t i = text.find('\x1b'); i != std::string::npos; i = text.find('\x1b', i + 1)) {
        const size_t m = text.find('m', i);
        REQUIRE(m != std::string::npos);
        CHECK(text.substr(i + 1, m - i).find_first_not_of("[0123456789;m") == std::string::npos);
      }
    } else {
      CHECK(text.find('\x1b') == std::string::npos);
    }
    CHECK(text.find('\x07') == std::string::npos);
    CHECK(text.find('\0') == std::string::npos);
    CHECK(text.find("\xc2\x9b") == std::string::npos);
    CHECK(text.find("\xe2\x80\xae") == std::string::npos);
    CHECK(text.find("\xe2\x81\xa6") == std::string::npos);
    CHECK(text.find("\xe2\x81\xa9") == std::string::npos);
    CHECK_THAT(text, Catch::Contains("bag\\x1b]0;pwned\\x07 lost"));
    CHECK_THAT(text, Catch::Contains("@ev\\x00il"));
    CHECK_THAT(text, Catch::Contains("(U+202EenaJ, 152k followers)"));
    CHECK_THAT(text, Catch::Contains("\"lost \\x1b[2J\\x1b[31mred\\x07 bag\\x00 U+009B31m C1 "
                                     "U+2066isoU+2069 caf\xc3\xa9 next\""));
    CHECK_THAT(text, Catch::Contains("https://air.example/\\x1b[8m"));
    // One line per post: the post's own newline does not start a line of its own.
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);
  }
}

TEST_CASE("ConsoleSink: a failed stream is a retry", "[sinks]") {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  ConsoleSink sink(out, false);
  std::stop_source never;
  DeliveryResult r = sink.Deliver(SampleEscalation(1), never.get_token());
  CHECK(r.kind == DeliveryResult::Kind::kRetry);
  CHECK(r.detail == "stdout: write failed (closed pipe or full disk)");
}

TEST_CASE("FileSink: one wire JSON object per line, reopened after rotation", "[sinks]") {
  SinkTempDir dir;
  const auto path = dir.path() / "escalations.jsonl";
  FileSink sink(path.string());
  std::stop_source never;
  std::vector<Escalation> sent;
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    sent.push_back(SampleEscalation(seq));
    REQUIRE(sink.Deliver(sent.back(), never.get_token()).delivered());
  }
  std::vector<std::string> lines = Lines(path);
  REQUIRE(lines.size() == 3);
  for (size_t i = 0; i < lines.size(); ++i) {
    CHECK(lines[i] == EscalationToJson(sent[i]));
    Result<Escalation> back = EscalationFromJson(lines[i]);
    REQUIRE(back.ok());
    CHECK(back->seq == i + 1);
  }

  // logrotate moves the file away; without Reopen the sink keeps writing to the moved file.
  const auto rotated = dir.path() / "escalations.jsonl.1";
  std::filesystem::rename(path, rotated);
  REQUIRE(sink.Deliver(SampleEscalation(4), never.get_token()).delivered());
  CHECK(Lines(rotated).size() == 4);
  CHECK_FALSE(std::filesystem::exists(path));
  sink.Reopen();
  REQUIRE(sink.Deliver(SampleEscalation(5), never.get_token()).delivered());
  REQUIRE(Lines(path).size() == 1);
  CHECK(EscalationFromJson(Lines(path)[0])->seq == 5);
}

TEST_CASE("FileSink: the escalation redelivered after a crash is not written twice", "[sinks]") {
  SinkTempDir dir;
  const auto path = dir.path() / "escalations.jsonl";
  std::stop_source never;
  {
    FileSink before_crash(path.string());
    REQUIRE(before_crash.Deliver(SampleEscalation(1), never.get_token()).delivered());
    REQUIRE(before_crash.Deliver(SampleEscalation(2), never.get_token()).delivered());
  }
  // A new process: the runner had not saved its cursor past seq 2, so it comes again.
  FileSink after_restart(path.string());
  REQUIRE(after_restart.Deliver(SampleEscalation(2), never.get_token()).delivered());
  REQUIRE(after_restart.Deliver(SampleEscalation(3), never.get_token()).delivered());
  const std::vector<std::string> lines = Lines(path);
  REQUIRE(lines.size() == 3);
  for (size_t i = 0; i < lines.size(); ++i) CHECK(EscalationFromJson(lines[i])->seq == i + 1);

  // A different escalation with a seq seen before (a fresh state directory) is still written.
  Escalation other = SampleEscalation(3);
  other.incident_id = "inc-from-a-new-state-dir";
  REQUIRE(after_restart.Deliver(other, never.get_token()).delivered());
  CHECK(Lines(path).size() == 4);
}

TEST_CASE("FileSink: a redelivered escalation longer than any read window is not written twice",
          "[sinks]") {
  // The last line is found however long it is: an 8 MB escalation once came out twice after a
  // crash because only the file's last 64 KiB were read.
  SinkTempDir dir;
  const auto path = dir.path() / "escalations.jsonl";
  std::stop_source never;
  Escalation big = SampleEscalation(2);
  big.posts.front().text = std::string(3 << 20, 'x') + " end";
  for (int i = 0; i < 3; ++i) big.posts.push_back(big.posts.front());
  {
    FileSink before_crash(path.string());
    REQUIRE(before_crash.Deliver(SampleEscalation(1), never.get_token()).delivered());
    REQUIRE(before_crash.Deliver(big, never.get_token()).delivered());
  }
  // The crash window: written and synced, the runner's cursor not yet saved past seq 2.
  FileSink after_restart(path.string());
  REQUIRE(after_restart.Deliver(big, never.get_token()).delivered());
  REQUIRE(after_restart.Deliver(SampleEscalation(3), never.get_token()).delivered());
  const std::vector<std::string> lines = Lines(path);
  REQUIRE(lines.size() == 3);
  for (size_t i = 0; i < lines.size(); ++i) CHECK(EscalationFromJson(lines[i])->seq == i + 1);
}

TEST_CASE("FileSink: full disk and missing directory are retries naming the path", "[sinks]") {
  std::stop_source never;
  if (std::filesystem::exists("/dev/full")) {
    FileSink full("/dev/full");
    DeliveryResult r = full.Deliver(SampleEscalation(1), never.get_token());
    CHECK(r.kind == DeliveryResult::Kind::kRetry);
    CHECK(r.detail == "/dev/full: cannot write: No space left on device");
  }
  SinkTempDir dir;
  const std::string path = (dir.path() / "missing" / "e.jsonl").string();
  FileSink missing(path);
  DeliveryResult r = missing.Deliver(SampleEscalation(1), never.get_token());
  CHECK(r.kind == DeliveryResult::Kind::kRetry);
  CHECK(r.detail == path + ": cannot open: No such file or directory");
  // The directory appears (an operator fixed it): the next attempt succeeds.
  std::filesystem::create_directories(dir.path() / "missing");
  CHECK(missing.Deliver(SampleEscalation(1), never.get_token()).delivered());
}

}  // namespace
}  // namespace earshot
