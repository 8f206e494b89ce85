// `earshot replay` in-process: a corpus in, one JSON object per post out, in order; unreadable
// lines reported in place; --escalate runs the real escalator on the posts' own timestamps.
#include "daemon/cli/replay_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "daemon/base/duration.h"
#include "daemon/cli/corpus_input.h"
#include "daemon/model/escalation_json.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
using std::chrono::minutes;

const std::string kRulesDir = std::string(EARSHOT_SOURCE_DIR) + "/rules/";
const std::string kLexicon = std::string(EARSHOT_SOURCE_DIR) + "/rules/lexicon";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST_CASE("replay: one result per input line, in order, errors in place", "[app]") {
  std::istringstream in(
      R"({"id":"1","text":"#AcmeAirSucks lost my bag in Denver","followers":152000})"
      "\n"
      R"({"id":2,"text":"Thanks @acmeair, great flight"})"
      "\n"
      "not json\n"
      "\n"
      R"({"text":"no id"})"
      "\n"
      R"({"id":"5","text":"the weather is nice today"})"
      "\n");
  std::ostringstream out, err;
  const int code = RunReplayCommand(
      {"--rules", kRulesDir + "complaints.yaml", "--rules", kRulesDir + "resolution.yaml",
       "--rules", kRulesDir + "praise.yaml", "--lexicon", kLexicon, "--brand", "AcmeAir"},
      in, out, err);
  INFO(err.str());
  CHECK(code == 0);
  const auto lines = Lines(out.str());
  REQUIRE(lines.size() == 5);  // the blank line is not a post
  CHECK(lines[0].rfind(R"({"id":"1","rules":[)", 0) == 0);
  CHECK(lines[0].find(R"("brand-sucks-hashtag")") != std::string::npos);
  CHECK(lines[0].find(R"("complaint":true,"severity":"high")") != std::string::npos);
  CHECK(lines[1].find(R"("categories":["praise"],"complaint":false,"severity":null)") !=
        std::string::npos);
  CHECK(lines[2] == R"({"line":3,"error":"not a JSON object"})");
  CHECK(lines[3] == R"({"line":5,"error":"'id' is missing"})");
  CHECK(lines[4].find(R"("rules":[],"categories":[],"complaint":false)") != std::string::npos);
  CHECK(err.str().find("3 posts, 2 unreadable lines") != std::string::npos);
}

TEST_CASE("replay: a Mastodon status object is read as the API returns it", "[app]") {
  std::ifstream f(std::string(EARSHOT_SOURCE_DIR) + "/tests/data/mastodon/mastodon-status.json");
  std::stringstream status;
  status << f.rdbuf();
  std::string line = status.str();
  line.erase(std::remove(line.begin(), line.end(), '\n'), line.end());
  std::istringstream in(line + "\n");
  std::ostringstream out, err;
  CHECK(RunReplayCommand(
            {"--rules", kRulesDir + "complaints.yaml", "--rules", kRulesDir + "resolution.yaml",
             "--rules", kRulesDir + "praise.yaml", "--lexicon", kLexicon},
            in, out, err) == 0);
  CHECK(out.str().rfind(R"({"id":"103270115826048975",)", 0) == 0);
}

TEST_CASE("replay --escalate: open then resolve on the posts' own timestamps", "[app]") {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("earshot-replay-test-" + std::to_string(rd()));
  fs::create_directories(dir);
  std::istringstream in(
      R"({"id":"1","text":"#AcmeAirSucks lost my bag in Denver","author":"jane@travel.example","created_at":"2026-11-22T10:00:00Z"})"
      "\n"
      R"({"id":"2","text":"@AcmeAir still no bag #AcmeAirSucks","author":"jane@travel.example","thread":"1","created_at":"2026-11-22T10:05:00Z"})"
      "\n"
      R"({"id":"3","text":"#ThanksAcmeAir they found my bag","author":"jane@travel.example","thread":"1","created_at":"2026-11-22T11:00:00Z"})"
      "\n");
  std::ostringstream out, err;
  const std::string escalations = (dir / "escalations.jsonl").string();
  const int code = RunReplayCommand(
      {"--rules", kRulesDir + "complaints.yaml", "--rules", kRulesDir + "resolution.yaml",
       "--rules", kRulesDir + "praise.yaml", "--lexicon", kLexicon, "--brand", "AcmeAir",
       "--escalate", "--escalations", escalations},
      in, out, err);
  INFO(err.str());
  CHECK(code == 0);
  std::ifstream f(escalations);
  std::vector<Escalation> got;
  for (std::string line; std::getline(f, line);) got.push_back(*EscalationFromJson(line));
  fs::remove_all(dir);
  REQUIRE(got.size() == 2);
  CHECK(got[0].kind == Escalation::Kind::kOpen);
  CHECK(got[0].at == *ParseIso8601("2026-11-22T10:00:00Z"));
  CHECK(got[1].kind == Escalation::Kind::kResolve);
  CHECK(got[1].incident_id == got[0].incident_id);
}

// Whether `xml` is one element with every tag closed in order: enough to catch a chart cut
// short or a tag left open, without an XML library. Attribute values hold no '>' (the chart
// escapes its text).
bool WellFormed(const std::string& xml) {
  std::vector<std::string> open;
  size_t roots = 0;
  for (size_t at = xml.find('<'); at != std::string::npos; at = xml.find('<', at + 1)) {
    const size_t end = xml.find('>', at);
    if (end == std::string::npos) return false;
    const std::string tag = xml.substr(at + 1, end - at - 1);
    if (tag.starts_with('/')) {
      if (open.empty() || open.back() != tag.substr(1)) return false;
      open.pop_back();
      continue;
    }
    if (open.empty()) ++roots;
    if (!tag.ends_with('/')) open.push_back(tag.substr(0, tag.find(' ')));
  }
  return open.empty() && roots == 1;
}

size_t Count(const std::string& hay, std::string_view needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// A temp directory with an earshot.yaml for AcmeAir whose care team is acme_care, plus `extra`.
fs::path CareTeamConfigDir(const std::string& extra = "") {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("earshot-replay-test-" + std::to_string(rd()));
  fs::create_directories(dir);
  std::ofstream(dir / "earshot.yaml")
      << "brands: [AcmeAir]\nstate_dir: state\nrules:\n  files: [" << kRulesDir
      << "complaints.yaml, " << kRulesDir << "resolution.yaml, " << kRulesDir
      << "praise.yaml]\n  lexicon_dir: " << kLexicon
      << "\nsinks:\n  - name: c\n    type: console\n"
         "escalation:\n  staff_authors: [acme_care]\n"
      << extra;
  return dir;
}

// tests/data/replay/first-responses.jsonl: two days of complaints to AcmeAir and the replies
// of its support account, acme_care. The report comes from the escalator's own store.
TEST_CASE("replay --report: the response report and chart of a replayed corpus", "[app]") {
  const fs::path dir = CareTeamConfigDir();
  const std::string corpus =
      std::string(EARSHOT_SOURCE_DIR) + "/tests/data/replay/first-responses.jsonl";
  const std::string escalations = (dir / "escalations.jsonl").string();
  const std::string svg = (dir / "week.svg").string();
  std::istringstream in;
  std::ostringstream out, err;
  const int code =
      RunReplayCommand({"--config", (dir / "earshot.yaml").string(), "--escalate", "--escalations",
                        escalations, "--report", "--svg", svg, corpus},
                       in, out, err);
  INFO(err.str());
  REQUIRE(code == 0);
  CHECK(Lines(out.str()).size() == 8);  // stdout stays one result per post

  // Eve's complaint (post 7) is the one nobody answers.
  std::ifstream f(escalations);
  std::string eve;
  for (std::string line; std::getline(f, line);) {
    auto e = EscalationFromJson(line);
    REQUIRE(e.ok());
    if (e->kind == Escalation::Kind::kOpen && e->posts.front().id == "7") eve = e->incident_id;
  }
  REQUIRE(!eve.empty());

  // From the corpus: jane waits 10:00 to 10:20, bob 10:05 to 11:05, kim 09:00 to 09:45 the next
  // day. Nearest rank of 20m, 45m, 60m: p50 the 2nd, p90 the 3rd. Each day's median: 20m
  // (of 20m and 60m, the smaller), then 45m.
  const std::string report = err.str();
  CHECK_THAT(report,
             Catch::Contains("First responses, 2026-11-22 10:00 to 2026-11-23 09:45 (UTC)"));
  std::vector<std::string> all_row, eve_row, days;
  for (const std::string& line : Lines(report)) {
    const auto words = Words(line);
    if (words.size() > 1 && words[0] == "acmeair" && words[1] == "all") all_row = words;
    if (line.ends_with(eve)) eve_row = words;
    if (line.starts_with("2026-11-2")) days.push_back(line);
  }
  CHECK(all_row == std::vector<std::string>{"acmeair", "all", "4", "3", FormatWait(minutes(45)),
                                            FormatWait(minutes(60)), FormatWait(minutes(60)), "0"});
  // Opened 09:30; the replay ends with the last post, kim's answer at 09:45, and counts it.
  CHECK(eve_row == std::vector<std::string>{"acmeair", "high", "2026-11-23", "09:30",
                                            FormatWait(minutes(15)), "-", eve});
  REQUIRE(days.size() == 2);
  CHECK(Words(days[0]) == std::vector<std::string>{"2026-11-22", "2", FormatWait(minutes(20))});
  CHECK(Words(days[1]) == std::vector<std::string>{"2026-11-23", "2", FormatWait(minutes(45))});
  CHECK(report.ends_with(fmt::format("earshot replay: chart of 2 day(s) written to {}\n", svg)));

  std::ifstream chart_file(svg, std::ios::binary);
  const std::string chart((std::istreambuf_iterator<char>(chart_file)),
                          std::istreambuf_iterator<char>());
  fs::remove_all(dir);
  CHECK(chart.starts_with("<svg "));
  CHECK(WellFormed(chart));
  // A bar per day, two complaints each; a point per day on the median line, and the legend's.
  CHECK(Count(chart, ": 2 complaints</title></rect>") == 2);
  CHECK(Count(chart, ": median first response 20m00s</title></circle>") == 1);
  CHECK(Count(chart, ": median first response 45m00s</title></circle>") == 1);
  CHECK(Count(chart, "<circle ") == 3);
}

// The same corpus with response targets: the replayed escalator keeps each incident's deadline,
// so the report counts the answers that came too late, in the business calendar's zone.
TEST_CASE("replay --report: targets in the config count breaches, days in its zone", "[app]") {
  const fs::path dir = CareTeamConfigDir(
      "response:\n  business_hours: {time_zone: Europe/Berlin, hours: \"mon-sun 00:00-24:00\"}\n"
      "  targets: {high: 30m}\n");
  std::istringstream in;
  std::ostringstream out, err;
  const int code = RunReplayCommand(
      {"--config", (dir / "earshot.yaml").string(), "--escalate", "--escalations",
       (dir / "escalations.jsonl").string(), "--report",
       std::string(EARSHOT_SOURCE_DIR) + "/tests/data/replay/first-responses.jsonl"},
      in, out, err);
  fs::remove_all(dir);
  INFO(err.str());
  REQUIRE(code == 0);
  // 11:00 Berlin is 10:00 UTC. Of the answers after 20m, 60m and 45m, two missed the 30m
  // target; Eve has waited 15m, inside it.
  CHECK_THAT(err.str(),
             Catch::Contains("First responses, 2026-11-22 11:00 to 2026-11-23 10:45 "
                             "(Europe/Berlin)"));
  std::vector<std::string> all_row;
  for (const std::string& line : Lines(err.str())) {
    const auto words = Words(line);
    if (words.size() > 1 && words[0] == "acmeair" && words[1] == "all") all_row = words;
  }
  REQUIRE(all_row.size() == 8);
  CHECK(all_row[7] == "2");
}

TEST_CASE("replay --report: its options need it, and it needs the escalator", "[app]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--report"}, "--report needs --escalate --escalations FILE"},
      {{"--escalate", "--escalations", "/dev/null", "--svg", "x.svg"},
       "--svg is an option of --report"},
      {{"--escalate", "--escalations", "/dev/null", "--tz", "UTC"},
       "--tz is an option of --report"},
      {{"--escalate", "--escalations", "/dev/null", "--report", "--tz", "Europe/Berln"},
       "did you mean 'Europe/Berlin'?"},
  };
  for (const auto& [args, message] : cases) {
    std::istringstream in;
    std::ostringstream out, err;
    INFO(args.back());
    CHECK(RunReplayCommand(args, in, out, err) == 2);
    CHECK_THAT(err.str(), Catch::StartsWith("earshot replay: ") && Catch::Contains(message));
  }
}

TEST_CASE("replay: usage and unreadable files are named", "[app]") {
  std::istringstream in;
  std::ostringstream out, err;
  CHECK(RunReplayCommand({"--escalate"}, in, out, err) == 2);
  CHECK(err.str().find("--escalations") != std::string::npos);
  std::ostringstream out2, err2;
  CHECK(RunReplayCommand({"--rules", kRulesDir + "complaints.yaml", "--rules",
                          kRulesDir + "resolution.yaml", "--rules", kRulesDir + "praise.yaml",
                          "--lexicon", kLexicon, "/nonexistent/corpus.jsonl"},
                         in, out2, err2) == 1);
  CHECK(err2.str().find("/nonexistent/corpus.jsonl") != std::string::npos);
  for (const char* jobs : {"0", "x", "2x", "257"}) {
    std::ostringstream out3, err3;
    CHECK(RunReplayCommand({"--jobs", jobs}, in, out3, err3) == 2);
    CHECK_THAT(err3.str(),
               Catch::Contains(fmt::format("--jobs {}: not a number of threads", jobs)));
  }
}

// Lines are detected in chunks of 512 on several threads: an unreadable line keeps its number
// and its place however the corpus is cut, and the posts keep their order.
TEST_CASE("replay --jobs: errors and results in input order across chunks", "[app]") {
  std::string corpus;
  std::vector<int> bad = {1, 511, 512, 513, 1024, 1025, 1300};
  for (int line = 1; line <= 1300; ++line) {
    if (std::find(bad.begin(), bad.end(), line) != bad.end()) {
      corpus += "{not json\n";
    } else if (line % 97 == 0) {
      corpus += "\n";  // blank: no result, but it has a number
    } else {
      corpus += fmt::format(R"({{"id":"p{}","text":"lost my bag again @AcmeAir"}})", line) + "\n";
    }
  }
  std::string want;
  for (const char* jobs : {"1", "2", "5"}) {
    INFO("--jobs " << jobs);
    std::istringstream in(corpus);
    std::ostringstream out, err;
    REQUIRE(RunReplayCommand({"--jobs", jobs, "--rules", kRulesDir + "complaints.yaml", "--lexicon",
                              kLexicon, "--brand", "AcmeAir"},
                             in, out, err) == 0);
    const std::vector<std::string> lines = Lines(out.str());
    REQUIRE(lines.size() == 1300 - 13);  // 13 blank lines
    size_t i = 0;
    for (int line = 1; line <= 1300; ++line) {
      if (std::find(bad.begin(), bad.end(), line) != bad.end()) {
        CHECK_THAT(lines[i++], Catch::StartsWith(fmt::format(R"({{"line":{},"error":)", line)));
      } else if (line % 97 != 0) {
        CHECK_THAT(lines[i++], Catch::StartsWith(fmt::format(R"({{"id":"p{}",)", line)));
      }
    }
    CHECK_THAT(err.str(), Catch::Contains("1280 posts, 7 unreadable lines"));
    if (want.empty()) want = out.str();
    CHECK(out.str() == want);
  }
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

// A 50 MB line once took `replay` to 1.04 GB: a line past the limit is skipped, reported in
// place with its number, and the lines after it are read as usual.
TEST_CASE("replay: a line over the length limit is skipped and reported with its number", "[app]") {
  std::string corpus = R"({"id":"1","text":"lost my bag"})"
                       "\n";
  corpus += R"({"id":"2","text":")" + std::string(kMaxCorpusLineBytes + 10, 'x') + "\"}\n";
  corpus += R"({"id":"3","text":"the weather is nice today"})"
            "\n";
  std::istringstream in(corpus);
  std::ostringstream out, err;
  const int code = RunReplayCommand(
      {"--rules", kRulesDir + "complaints.yaml", "--lexicon", kLexicon, "--brand", "AcmeAir"}, in,
      out, err);
  INFO(err.str());
  CHECK(code == 0);
  const std::vector<std::string> lines = Lines(out.str());
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[0], Catch::Contains(R"("id":"1")"));
  CHECK(lines[1] == fmt::format(R"({{"line":2,"error":"a line of {} bytes, longer than the 1 MiB )"
                                R"(limit; skipped"}})",
                                kMaxCorpusLineBytes + 10 + 20));
  CHECK_THAT(lines[2], Catch::Contains(R"("id":"3")"));
  CHECK_THAT(err.str(), Catch::Contains("2 posts, 1 unreadable lines"));
}

TEST_CASE("ReadCorpusLine: lines at, around and past the limit, with and without a last newline",
          "[app]") {
  const size_t max = 100000;  // past one 64 KiB chunk
  std::string input = std::string(max, 'a') + "\n" + std::string(max + 1, 'b') + "\n\n" +
                      std::string(65535, 'c') + "\n" + std::string(300000, 'd') + "\nlast";
  std::istringstream in(input);
  std::string line;
  size_t length = 0;
  CHECK(ReadCorpusLine(in, &line, &length, max) == CorpusLine::kLine);
  CHECK(line == std::string(max, 'a'));
  CHECK(ReadCorpusLine(in, &line, &length, max) == CorpusLine::kTooLong);
  CHECK(length == max + 1);
  CHECK(line.empty());
  CHECK(ReadCorpusLine(in, &line, &length, max) == CorpusLine::kLine);
  CHECK(line.empty());
  CHECK(ReadCorpusLine(in, &line, &length, max) == CorpusLine::kLine);
  CHECK(line == std::string(65535, 'c'));
  CHECK(ReadCorpusLine(in, &line, &length, max) == CorpusLine::kTooLong);
  CHECK(length == 300000);
  CHECK(ReadCorpusLine(in, &line, &length, max) == CorpusLine::kLine);
  CHECK(line == "last");
  CHECK(ReadCorpusLine(in, &line, &length, max) == CorpusLine::kEnd);
}

}  // namespace
}  // namespace earshot
