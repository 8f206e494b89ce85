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

#include "daemon/cli/corpus_input.h"
#include "daemon/model/escalation_json.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

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
