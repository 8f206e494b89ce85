// `earshot check` never prints an error without file:line:col: a second YAML document is
// reported at its '---', a missing rule file or lexicon directory at the earshot.yaml line that
// names it, and a rule's shape error does not hide the unknown macros and unsupported regexes of
// the same file (every error in one run).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "daemon/cli/commands.h"
#include "tests/state/temp_dir.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

struct Checked {
  int code = 0;
  std::string err;
  std::vector<std::string> errors;  // the "error:" lines
};

Checked Check(const fs::path& config) {
  std::ostringstream out, err;
  Checked c;
  c.code = RunCheckCommand({"--config", config.string()}, out, err);
  c.err = err.str();
  std::istringstream lines(c.err);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(": error: ") != std::string::npos) c.errors.push_back(line);
  }
  return c;
}

// Every error line starts with file:line:col and a line above 0.
void CheckPositioned(const Checked& c) {
  const std::regex positioned(R"(^[^:]+:[1-9][0-9]*:[1-9][0-9]*: error: .*)");
  for (const std::string& line : c.errors) {
    INFO(line);
    CHECK(std::regex_match(line, positioned));
  }
}

std::string Config(const std::string& files_block, const std::string& lexicon) {
  return "brands: [AcmeAir]\nstate_dir: state\nrules:\n" + files_block + "  lexicon_dir: " +
         lexicon + "\nsinks:\n  - name: c\n    type: console\n";
}

const std::string kLexicon = std::string(EARSHOT_SOURCE_DIR) + "/rules/lexicon";

TEST_CASE("check: a second YAML document is an error at its '---' line", "[app]") {
  TempDir dir;
  dir.Write("two.yaml", R"(# two documents by mistake
---
- rule: thanks
  description: thanks
  category: praise
  match:
    any: [{phrase: thank you}]
---
- rule: more-thanks
  description: thanks
  category: praise
  match:
    any: [{phrase: many thanks}]
)");
  const Checked c = Check(dir.Write("earshot.yaml", Config("  files: [two.yaml]\n", kLexicon)));
  INFO(c.err);
  CHECK(c.code == kExitConfig);
  REQUIRE(c.errors.size() == 1);
  CheckPositioned(c);
  CHECK_THAT(c.errors[0], Catch::Contains("two.yaml:8:1: error: a second YAML document starts "
                                          "here"));
}

TEST_CASE("check: a missing rule file or lexicon directory is an error at the line naming it",
          "[app]") {
  TempDir dir;
  const fs::path config = dir.Write("earshot.yaml", Config("  files:\n    - " +
                                                               std::string(EARSHOT_SOURCE_DIR) +
                                                               "/rules/complaints.yaml\n"
                                                               "    - /x/y.yaml\n",
                                                           "lexicon-missing"));
  const Checked c = Check(config);
  INFO(c.err);
  CHECK(c.code == kExitConfig);
  CheckPositioned(c);
  // Both at once: the missing lexicon does not hide the missing rule file.
  REQUIRE(c.errors.size() == 2);
  CHECK_THAT(c.errors[0], Catch::StartsWith(config.string() + ":6:7: error: rules.files[1]: "
                                            "/x/y.yaml: no such file"));
  CHECK_THAT(c.errors[1], Catch::StartsWith(config.string() + ":7:16: error: rules.lexicon_dir: " +
                                            (dir.path() / "lexicon-missing").string() +
                                            ": no such directory"));
}

TEST_CASE("check: a rule's shape error does not hide the file's unknown macros and regexes",
          "[app]") {
  TempDir dir;
  dir.Write("rules.yaml", R"(- rule: a
  description: "unknown severity"
  category: complaint
  severity: urgent
  match:
    any:
      - macro: no_such_macro
      - regex: '(\w+) \1'
- rule: b
  description: "a bad near"
  category: complaint
  severity: high
  match:
    all:
      - near: 100
        terms: [[lost], [bag]]
      - macro: other_missing
      - regex: 'foo(?!bar)'
- macro: broken_macro
  match:
    any:
      - hashtg: acme
      - regex: '(?<=x)y'
- rule: c
  description: "uses the broken macro"
  category: complaint
  severity: high
  match:
    any:
      - macro: broken_macro
      - near: 2
        terms: [lost, {in: no_such_list}]
)");
  const Checked c = Check(dir.Write("earshot.yaml", Config("  files: [rules.yaml]\n", kLexicon)));
  INFO(c.err);
  CHECK(c.code == kExitConfig);
  CheckPositioned(c);
  const std::string rules = (dir.path() / "rules.yaml").string();
  for (const std::string& expected : std::vector<std::string>{
           rules + ":4:13: error: severity of rule 'a': unknown value 'urgent'",
           rules + ":7:16: error: rule 'a' uses unknown macro 'no_such_macro'",
           rules + ":8:16: error: regex in rule 'a' regex uses a backreference",
           rules + ":15:15: error: 'near' condition in rule 'b' (words apart): 100 is out of range",
           rules + ":17:16: error: rule 'b' uses unknown macro 'other_missing'",
           rules + ":18:16: error: regex in rule 'b' regex uses a negative lookahead",
           rules + ":22:9: error: unknown condition 'hashtg' in macro 'broken_macro'",
           rules + ":23:16: error: regex in rule 'c' regex uses a lookbehind",
           rules + ":32:23: error: rule 'c' uses unknown list 'no_such_list'",
       }) {
    INFO(expected);
    CHECK(c.err.find(expected) != std::string::npos);
  }
  // Each once, nothing else: the broken macro is still known, so 'c' using it is no error.
  CHECK(c.errors.size() == 9);
  CHECK(c.err.find("unknown macro 'broken_macro'") == std::string::npos);
}

}  // namespace
}  // namespace earshot
