// `earshot explain` in-process: cues as the lexicon defines them, features that add up to the
// logit, condition trees that name the condition that failed, JSON that parses with every
// feature, verdicts that agree with replay, and the explanation under `earshot test` failures.
#include "daemon/cli/explain_command.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "daemon/cli/replay_command.h"
#include "daemon/cli/rule_test_command.h"
#include "detectors/complaint_model.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

const std::string kRulesDir = std::string(EARSHOT_SOURCE_DIR) + "/rules/";
const std::string kLexicon = kRulesDir + "lexicon";

// The shipped packs and lexicon, named explicitly so $EARSHOT_RULES_DIR cannot change them.
std::vector<std::string> Shipped(std::vector<std::string> more) {
  std::vector<std::string> args = {"--rules",   kRulesDir + "complaints.yaml",
                                   "--rules",   kRulesDir + "resolution.yaml",
                                   "--rules",   kRulesDir + "praise.yaml",
                                   "--lexicon", kLexicon,
                                   "--brand",   "AcmeAir"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

struct Run {
  int code;
  std::string out, err;
};

Run Explain(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  const int code = RunExplainCommand(args, in, out, err);
  return {code, out.str(), err.str()};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The cue lexicon's own entry for `phrase`: its class and its line, "" / 0 when absent.
std::pair<std::string, int> LexiconEntry(const std::string& phrase) {
  std::ifstream f(kLexicon + "/complaint_cues.tsv");
  int n = 0;
  for (std::string line; std::getline(f, line);) {
    ++n;
    if (line.rfind(phrase + "\t", 0) != 0) continue;
    const size_t a = phrase.size() + 1, b = line.find('\t', a);
    return {line.substr(a, b == std::string::npos ? b : b - a), n};
  }
  return {"", 0};
}

// The line of `out` that lists the cue `phrase`, "" when none does.
std::string CueLine(const std::string& out, const std::string& phrase) {
  for (const std::string& line : Lines(out)) {
    const std::string start = "    " + phrase;
    if (line.rfind(start + ": ", 0) == 0 || line.rfind(start + " (\"", 0) == 0) return line;
  }
  return "";
}

TEST_CASE("explain: each cue with its lexicon class, location, negation and contrast", "[app]") {
  struct Row {
    const char* text;
    const char* phrase;
    const char* matched;  // as written in the post
    const char* counted;  // "" = counted as its own class; else the class after negation
    const char* note;     // "negated", "before but", "after but" or ""
  } rows[] = {
      {"@AcmeAir still waiting on my refund", "still waiting", "still waiting", "", ""},
      {"@AcmeAir STILL WAITING, yet again", "still waiting", "STILL WAITING", "", ""},
      // The scorer's rule: a negated resolution is an unmet expectation.
      {"they never fixed my booking", "fixed", "fixed", "unmet", "negated"},
      // Numbers are read as <num>: the text it matched is shown beside the phrase.
      {"it took 3 hours today", "<num> hours", "3 hours", "", ""},
      // VADER's weights around "but": halved before it, raised after it.
      {"great flight but my bag is still missing", "great", "great", "", "before but"},
      {"great flight but my bag is still missing", "missing", "missing", "", "after but"},
  };
  for (const Row& r : rows) {
    INFO(r.text << " / " << r.phrase);
    const auto [cls, line] = LexiconEntry(r.phrase);
    REQUIRE(line > 0);  // the lexicon still lists the cue this row is about
    const Run run = Explain(Shipped({r.text}));
    REQUIRE(run.code == 0);
    const std::string cue = CueLine(run.out, r.phrase);
    INFO(run.out);
    REQUIRE(!cue.empty());
    std::string how = cls;
    if (*r.counted) how += std::string(" as ") + r.counted;
    // The matched text is shown when it differs from the phrase.
    const std::string text =
        std::string(r.matched) == r.phrase ? "" : fmt::format(" (\"{}\")", r.matched);
    CHECK_THAT(cue, Catch::StartsWith(fmt::format("    {}{}: {}, strength ", r.phrase, text, how)));
    CHECK_THAT(cue, Catch::EndsWith(fmt::format("complaint_cues.tsv:{}", line)));
    if (*r.note) {
      CHECK_THAT(cue, Catch::Contains(std::string(", ") + r.note));
    } else {
      CHECK_THAT(cue, !Catch::Contains("negated") && !Catch::Contains(" but"));
    }
  }
}

TEST_CASE("explain: features sorted by contribution, zeros left out, adding up to the logit",
          "[app]") {
  const Run run = Explain(Shipped({"@AcmeAir still no refund after 3 weeks, this is a joke!!"}));
  REQUIRE(run.code == 0);
  const std::vector<std::string> lines = Lines(run.out);
  double logit = 0;
  REQUIRE(std::sscanf(lines.at(1).c_str(), "  complaint %*f (logit %lf)", &logit) == 1);
  double sum = 0, previous = 1e9;
  int features = 0;
  bool in_features = false;
  for (const std::string& line : lines) {
    if (line == "  features (value x weight = contribution):") {
      in_features = true;
      continue;
    }
    if (!in_features) continue;
    if (line.rfind("  rules:", 0) == 0) break;
    char name[64];
    double value = 0, weight = 0, contribution = 0;
    INFO(line);
    REQUIRE(std::sscanf(line.c_str(), " %63s %lf x %lf = %lf", name, &value, &weight,
                        &contribution) == 4);
    CHECK(value != 0);
    CHECK(std::abs(contribution - value * weight) < 0.002);
    CHECK(std::abs(contribution) <= previous + 1e-9);
    previous = std::abs(contribution);
    sum += contribution;
    ++features;
  }
  CHECK(features > 3);
  CHECK(std::abs(sum - logit) < 0.001 * (features + 1));
}

// Parses one --json line, checks its shape, and returns it.
simdjson::dom::element ParseExplanation(simdjson::dom::parser& parser, const std::string& line) {
  simdjson::dom::element doc;
  INFO(line);
  REQUIRE(parser.parse(line).get(doc) == simdjson::SUCCESS);
  simdjson::dom::object obj;
  REQUIRE(doc.get_object().get(obj) == simdjson::SUCCESS);
  std::vector<std::string> keys;
  for (auto field : obj) keys.emplace_back(field.key);
  CHECK(keys == std::vector<std::string>{"id", "text", "complaint_score", "logit", "sentiment",
                                         "cues", "features", "contributions", "rules"});
  for (const char* section : {"features", "contributions"}) {
    simdjson::dom::object values;
    REQUIRE(obj[section].get_object().get(values) == simdjson::SUCCESS);
    size_t i = 0;
    for (auto field : values) {
      REQUIRE(i < kFeatureCount);
      CHECK(field.key == FeatureName(i++));
      CHECK(field.value.is_number());
    }
    CHECK(i == kFeatureCount);  // every feature, the zero-valued ones too
  }
  double logit = 0, score = 0, sum = 0;
  REQUIRE(obj["logit"].get_double().get(logit) == simdjson::SUCCESS);
  REQUIRE(obj["complaint_score"].get_double().get(score) == simdjson::SUCCESS);
  for (auto field : obj["contributions"].get_object()) sum += field.value.get_double().value();
  CHECK(std::abs(sum - logit) < 1e-9);
  CHECK(std::abs(score - 1 / (1 + std::exp(-logit))) < 1e-12);
  for (auto cue : obj["cues"].get_array()) {
    std::vector<std::string> cue_keys;
    for (auto field : cue.get_object()) cue_keys.emplace_back(field.key);
    CHECK(cue_keys == std::vector<std::string>{"phrase", "matched", "class", "counted_as",
                                               "strength", "negated", "contrast", "where"});
  }
  return doc;
}

TEST_CASE("explain --json: valid JSON with every feature, even for hostile text", "[app]") {
  const Run run = Explain(Shipped({"--json", "@AcmeAir still not working \"quoted\" \\ \x01 tab\t",
                                   "bad bytes \xff\xfe then still waiting", "", "hello"}));
  REQUIRE(run.code == 0);
  const auto lines = Lines(run.out);
  REQUIRE(lines.size() == 4);
  simdjson::dom::parser parser;
  for (const std::string& line : lines) ParseExplanation(parser, line);
  std::string_view text;
  REQUIRE(ParseExplanation(parser, lines[0])["text"].get_string().get(text) == simdjson::SUCCESS);
  CHECK(text == "@AcmeAir still not working \"quoted\" \\ \x01 tab\t");
}

TEST_CASE("explain agrees with replay on every post: score and rules matched", "[app]") {
  const std::string corpus =
      R"({"id":"1","text":"#AcmeAirSucks lost my bag in Denver"})"
      "\n"
      R"({"id":"2","text":"Thanks @AcmeAir, great flight"})"
      "\n"
      R"({"id":"3","text":"@AcmeAir still no refund, charged twice, this is a joke"})"
      "\n"
      R"({"id":"4","text":"@AcmeAir thanks, they found my bag, all good now"})"
      "\n"
      R"({"id":"5","text":"@AcmeAir 3 hours on hold and nobody answered"})"
      "\n"
      R"({"id":"6","text":"the weather is nice today"})"
      "\n"
      R"({"id":"7","text":"@AcmeAir thanks for nothing, you lost my luggage again"})"
      "\n"
      R"({"id":"8","text":"@AcmeAir my flight was cancelled without notice"})"
      "\n"
      R"({"id":"9","text":"@AcmeAir the gate agent was incredibly rude to me"})"
      "\n";
  std::istringstream replay_in(corpus);
  std::ostringstream replay_out, replay_err;
  REQUIRE(RunReplayCommand(Shipped({}), replay_in, replay_out, replay_err) == 0);
  const Run run = Explain(Shipped({"--json", "--all-rules"}), corpus);
  REQUIRE(run.code == 0);
  const auto explained = Lines(run.out), replayed = Lines(replay_out.str());
  REQUIRE(explained.size() == 9);
  REQUIRE(replayed.size() == 9);
  simdjson::dom::parser a, b;
  int matched_somewhere = 0;
  for (size_t i = 0; i < explained.size(); ++i) {
    INFO(explained[i] << "\n" << replayed[i]);
    simdjson::dom::element e = ParseExplanation(a, explained[i]);
    simdjson::dom::element r;
    REQUIRE(b.parse(replayed[i]).get(r) == simdjson::SUCCESS);
    CHECK(e["id"].get_string().value() == r["id"].get_string().value());
    // replay rounds the score to 4 decimals.
    CHECK(std::abs(e["complaint_score"].get_double().value() -
                   r["complaint_score"].get_double().value()) <= 0.00005);
    std::vector<std::string> want, got;
    for (auto id : r["rules"].get_array()) want.emplace_back(id.get_string().value());
    size_t traces = 0;
    for (auto rule : e["rules"].get_array()) {
      ++traces;
      if (rule["matched"].get_bool().value()) got.emplace_back(rule["id"].get_string().value());
      CHECK(rule["conditions"]["holds"].get_bool().value() == rule["matched"].get_bool().value());
    }
    CHECK(traces > 10);  // --all-rules: the whole pack, not just the candidates
    CHECK(got == want);
    matched_somewhere += want.empty() ? 0 : 1;
  }
  CHECK(matched_somewhere >= 6);  // the corpus exercises matches, not only misses
}

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("earshot-explain-" + Random())) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return (path_ / name).string();
  }

 private:
  static std::string Random() { return std::to_string(std::random_device{}()); }
  fs::path path_;
};

const char* kRules = R"(- macro: to_acme
  match:
    any: [{mention: acme}, {hashtag: acme}]
- rule: angry-refund
  description: an angry refund complaint
  category: complaint
  severity: high
  match:
    all:
      - macro: to_acme
      - phrase: [no refund, still no refund]
      - sentiment: {below: -0.5}
- rule: outage
  description: an outage
  category: complaint
  severity: low
  match:
    any: [{phrase: outage}]
)";

TEST_CASE("explain: the condition tree shows the condition a post misses", "[app]") {
  TempDir dir;
  const std::vector<std::string> rules = {"--rules", dir.Write("rules.yaml", kRules), "--lexicon",
                                          kLexicon};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), rules.begin(), rules.end());
    return more;
  };
  const std::string polite = "@acme no refund yet, but thanks for trying";
  Run run = Explain(with({polite}));
  REQUIRE(run.code == 0);
  INFO(run.out);
  CHECK_THAT(run.out, Catch::Contains("    angry-refund complaint: not matched  "));
  CHECK_THAT(run.out, Catch::Contains("      all: false\n"
                                      "        macro to_acme: true\n"
                                      "          any: true\n"
                                      "            mention @acme: true\n"
                                      "            hashtag #acme: false\n"
                                      "        phrase [no refund, still no refund]: true\n"
                                      "        sentiment below -0.5: false ("));
  CHECK_THAT(run.out, !Catch::Contains("outage"));  // no trigger of it fired: not a candidate

  run = Explain(with({"--all-rules", polite}));
  CHECK_THAT(run.out, Catch::Contains("    outage complaint: not matched (no trigger fired)"));
  CHECK_THAT(run.out, Catch::Contains("        phrase [outage]: false\n"));

  run = Explain(with({"@acme still no refund, this is terrible and infuriating"}));
  CHECK_THAT(run.out, Catch::Contains("    angry-refund complaint: matched  "));
  CHECK_THAT(run.out, Catch::Contains("        sentiment below -0.5: true (-0."));

  run = Explain(with({"--json", polite}));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = ParseExplanation(parser, Lines(run.out).at(0));
  simdjson::dom::element rule = doc["rules"].at(0);
  CHECK(rule["id"].get_string().value() == "angry-refund");
  CHECK(rule["matched"].get_bool().value() == false);
  simdjson::dom::element tree = rule["conditions"];
  CHECK(tree["kind"].get_string().value() == "all");
  CHECK(tree["holds"].get_bool().value() == false);
  CHECK(tree["children"].at(0)["kind"].get_string().value() == "macro");
  CHECK(tree["children"].at(0)["what"].get_string().value() == "to_acme");
  CHECK(tree["children"].at(0)["holds"].get_bool().value() == true);
  CHECK(tree["children"].at(2)["kind"].get_string().value() == "sentiment");
  CHECK(tree["children"].at(2)["what"].get_string().value() == "below -0.5");
  CHECK(tree["children"].at(2)["holds"].get_bool().value() == false);
}

TEST_CASE("explain: JSON posts on stdin in replay's format, errors in place", "[app]") {
  std::ifstream f(std::string(EARSHOT_SOURCE_DIR) + "/tests/data/mastodon/mastodon-status.json");
  std::stringstream status;
  status << f.rdbuf();
  std::string mastodon = status.str();
  mastodon.erase(std::remove(mastodon.begin(), mastodon.end(), '\n'), mastodon.end());
  const std::string input =
      R"({"id":"n1","text":"still no refund","mentions":["AcmeAir"],"followers":10})"
      "\n" +
      mastodon +
      "\n"
      "\n"
      "not json\n";
  Run run = Explain(Shipped({"--json", "first text", "-"}), input);
  REQUIRE(run.code == 0);
  const auto lines = Lines(run.out);
  REQUIRE(lines.size() == 4);
  simdjson::dom::parser parser;
  CHECK(ParseExplanation(parser, lines[0])["id"].get_string().value() == "1");
  simdjson::dom::element given = ParseExplanation(parser, lines[1]);
  CHECK(given["id"].get_string().value() == "n1");
  // The mention was given, not written: the rules still see a post addressed to the brand.
  int to_brand = 0;
  for (auto rule : given["rules"].get_array()) {
    for (auto c : rule["conditions"]["children"].get_array()) {
      if (c["kind"].get_string().value() == "macro" &&
          c["what"].get_string().value() == "mentions_brand") {
        CHECK(c["holds"].get_bool().value());
        ++to_brand;
      }
    }
  }
  CHECK(to_brand > 0);
  CHECK(given["features"]["addressed"].get_double().value() == 1);
  CHECK(ParseExplanation(parser, lines[2])["id"].get_string().value() == "103270115826048975");
  CHECK(lines[3] == R"({"line":4,"error":"not a JSON object"})");

  run = Explain(Shipped({}), input);  // no TEXT: stdin; the error goes to stderr
  CHECK_THAT(run.out, Catch::StartsWith("post n1: still no refund\n"));
  CHECK_THAT(run.out, Catch::Contains("\npost 103270115826048975: "));
  CHECK(run.err == "earshot explain: line 4: not a JSON object\n");
}

TEST_CASE("explain: usage and configuration errors", "[app]") {
  CHECK(Explain({"--bogus"}).code == 2);
  CHECK_THAT(Explain({"--rules"}).err, Catch::Contains("--rules needs a value"));
  const Run bad = Explain({"--rules", "/nonexistent/rules.yaml", "--lexicon", kLexicon, "x"});
  CHECK(bad.code == 78);
  CHECK_THAT(bad.err, Catch::Contains("/nonexistent/rules.yaml"));
  // After "--" every argument is a text, even one that looks like an option.
  const Run dashed = Explain(Shipped({"--", "--json"}));
  CHECK(dashed.code == 0);
  CHECK_THAT(dashed.out, Catch::StartsWith("post 1: --json\n"));
}

TEST_CASE("earshot test: a failing case prints the explanation under it", "[app]") {
  TempDir dir;
  dir.Write("rules.yaml", kRules);
  const std::string tests = dir.Write("rules_test.yaml", R"(rule_files: [rules.yaml]
lexicon: )" + kLexicon + R"(
tests:
  - name: polite refund complaint is still angry
    post: {text: "@acme no refund yet, but thanks for trying"}
    expect: {rules: [angry-refund, outage]}
  - name: angry refund complaint
    post: {text: "@acme still no refund, this is terrible and infuriating"}
    expect: {rules: [angry-refund]}
)");
  std::ostringstream out, err;
  CHECK(RunRuleTestCommand({tests}, out, err) == 1);
  const std::string o = out.str();
  INFO(o);
  CHECK_THAT(o, Catch::StartsWith("FAIL " + tests +
                                  ":4: polite refund complaint is still angry\n"
                                  "  text: @acme no refund yet, but thanks for trying\n"
                                  "  rules: expected [angry-refund, outage], got []\n"
                                  "  explanation:\n"
                                  "    complaint "));
  CHECK_THAT(o, Catch::Contains("\n    cues:\n"));
  CHECK_THAT(o, Catch::Contains("\n      refund: money, "));
  CHECK_THAT(o, Catch::Contains("\n      angry-refund complaint: not matched  "));
  CHECK_THAT(o, Catch::Contains("\n          sentiment below -0.5: false ("));
  // An expected rule none of whose triggers fired is shown too: that is why it missed.
  CHECK_THAT(o, Catch::Contains("\n      outage complaint: not matched (no trigger fired)"));
  CHECK_THAT(o, Catch::EndsWith("1 passed, 1 failed\n"));
  CHECK(o.find("post ") == std::string::npos);  // the text is printed once, by the failure
}

}  // namespace
}  // namespace earshot
