#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "daemon/app/check_rules.h"
#include "daemon/cli/rule_test_command.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir()
      : path_(fs::temp_directory_path() /
              ("earshot-rule-tools-" + std::to_string(std::random_device{}()))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return path_ / name;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

const char* kRules = R"(- rule: lost-bag
  description: lost bag
  category: complaint
  severity: high
  match:
    all:
      - near: 2
        terms: [lost, bag]
- rule: trial
  description: trial
  category: complaint
  severity: low
  mode: shadow
  match:
    any: [{phrase: delayed}]
)";

TEST_CASE("CheckRules: ok prints a summary, errors exit 78 in text or JSON", "[detectors]") {
  TempDir dir;
  fs::path good = dir.Write("good.yaml", kRules);
  std::ostringstream out, err;
  CHECK(CheckRules({good}, {}, false, out, err) == 0);
  CHECK(out.str() == "rules: ok: 2 rule(s), 0 regex(es) in one RE2::Set, 3 phrase group(s), 1 in "
                     "shadow mode from 1 file(s)\n");
  CHECK(err.str().empty());

  fs::path bad = dir.Write("bad.yaml", "- rule: x\n  description: x\n  category: complaint\n"
                                       "  severity: high\n  match: {any: [{regex: 'a(?=b)'}]}\n");
  out.str("");
  err.str("");
  CHECK(CheckRules({bad}, {}, false, out, err) == 78);
  CHECK_THAT(err.str(), Catch::StartsWith(bad.string() + ":5:25: error: regex in rule 'x' regex "
                                          "uses a lookahead '(?='"));
  CHECK_THAT(err.str(), Catch::EndsWith("rules: 1 error(s), 0 warning(s)\n"));

  out.str("");
  err.str("");
  CHECK(CheckRules({bad}, {}, true, out, err) == 78);
  CHECK_THAT(out.str(), Catch::StartsWith(R"({"errors":1,"warnings":0,"diagnostics":[{"level":)"
                                          R"("error","file":")"));
  CHECK_THAT(out.str(), Catch::Contains(R"("line":5,"column":25,)"));
}

TEST_CASE("RunRuleTestCommand: passing, failing and invalid test files", "[detectors]") {
  TempDir dir;
  dir.Write("rules.yaml", kRules);
  fs::path pass = dir.Write("pass_test.yaml", R"(rule_files: [rules.yaml]
lexicon: )" + std::string(EARSHOT_SOURCE_DIR) + R"(/rules/lexicon
tests:
  - name: lost bag
    post: {text: "they lost my bag"}
    expect: {rules: [lost-bag], categories: [complaint], escalate: true, severity: high}
  - name: shadow rules never escalate
    post: {text: "flight delayed"}
    expect: {rules: [trial], escalate: false, severity: none}
  - name: nothing
    post: {text: "a fine day"}
    expect: {rules: [], escalate: false, sentiment: {above: 0}}
)");
  std::ostringstream out, err;
  CHECK(RunRuleTestCommand({pass.string()}, out, err) == 0);
  CHECK(out.str() == "3 passed, 0 failed\n");
  CHECK(err.str().empty());

  fs::path fail = dir.Write("fail_test.yaml", R"(rule_files: [rules.yaml]
lexicon: )" + std::string(EARSHOT_SOURCE_DIR) + R"(/rules/lexicon
tests:
  - name: wrong expectations
    post: {text: "they lost my bag"}
    expect:
      rules: [trial]
      escalate: false
      severity: low
      labels: {team: x}
)");
  out.str("");
  CHECK(RunRuleTestCommand({pass.string(), fail.string()}, out, err) == 1);
  // The failure lines, then why (the explanation, tested in tests/cli/explain_command_test.cc).
  CHECK_THAT(out.str(), Catch::StartsWith("FAIL " + fail.string() + ":4: wrong expectations\n"
                                          "  text: they lost my bag\n"
                                          "  rules: expected [trial], got [lost-bag]\n"
                                          "  escalate: expected false, got true\n"
                                          "  severity: expected low, got high\n"
                                          "  labels: no detection has team=x\n"
                                          "  explanation:\n"));
  CHECK_THAT(out.str(), Catch::EndsWith("3 passed, 1 failed\n"));

  fs::path invalid = dir.Write("invalid_test.yaml", R"(rule_files: [missing.yaml]
tests:
  - name: x
    post: {txt: "a"}
)");
  out.str("");
  err.str("");
  CHECK(RunRuleTestCommand({invalid.string()}, out, err) == 78);
  CHECK_THAT(err.str(), Catch::Contains(":4:12: error: unknown key 'txt' in 'post' of test 'x' "
                                        "(did you mean 'text'?)"));
  CHECK(RunRuleTestCommand({}, out, err) == 2);
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

// The rule set `text` loads into, for the complaint-rule checks.
std::shared_ptr<const RuleSet> LoadText(const std::string& text,
                                        std::vector<std::string> brands = {}) {
  Diagnostics diags;
  RuleLoadOptions options;
  options.brands = std::move(brands);
  auto rules = LoadRulesFromText({{"r.yaml", text}}, options, &diags);
  INFO(diags.ToText());
  REQUIRE(rules.ok());
  return *rules;
}

const char* kPraise = R"(- rule: thanks
  description: thanks
  category: praise
  match:
    any: [{phrase: thank you}]
)";

TEST_CASE("Live complaint rules: category complaint, live, enabled, on", "[detectors]") {
  // kRules: one live complaint and one in shadow.
  CHECK(CountLiveComplaintRules(*LoadText(kRules)) == 1);
  CHECK(CountLiveComplaintRules(*LoadText(kPraise)) == 0);
  // A resolution rule gates on the complaint score too, yet never pages: not a complaint rule.
  CHECK(CountLiveComplaintRules(*LoadText(R"(- rule: fixed
  description: fixed
  category: resolution
  match:
    all: [{phrase: fixed}, {complaint: {below: 0.5}}]
)")) == 0);
  // Switched off the way an override file does it.
  CHECK(CountLiveComplaintRules(*LoadText(std::string(kRules) + R"(- rule: lost-bag
  enabled: false
)")) == 0);
  // A brand rule is off without brands, and counts once however many brands fill it.
  const std::string brand_rule = R"(- rule: to-brand
  description: to the brand
  category: complaint
  severity: medium
  match:
    all: [{mention: "{{brand}}"}, {complaint: {above: 0.5}}]
)";
  CHECK(CountLiveComplaintRules(*LoadText(brand_rule)) == 0);
  CHECK(CountLiveComplaintRules(*LoadText(brand_rule, {"AcmeAir", "Globex"})) == 1);
}

TEST_CASE("Live complaint rules: none is a warning, or an error naming the setting when required",
          "[detectors]") {
  const RulePosition files{"earshot.yaml", 4, 3};
  const RulePosition setting{"earshot.yaml", 6, 28};
  {
    Diagnostics diags;
    CHECK(CheckLiveComplaintRules(*LoadText(kRules), true, files, setting, &diags));
    CHECK(diags.empty());
  }
  {
    Diagnostics diags;
    CHECK(CheckLiveComplaintRules(*LoadText(kPraise), false, files, setting, &diags));
    CHECK(diags.error_count() == 0);
    REQUIRE(diags.warning_count() == 1);
    CHECK(diags.all()[0].ToString() ==
          "earshot.yaml:4:3: warning: the rule files hold no live complaint rule (no enabled rule "
          "has category: complaint): earshot will page nobody; set "
          "rules.require_complaint_rules: true to refuse such a reload");
  }
  {
    // The last live complaint switched to shadow: the message says so.
    Diagnostics diags;
    CHECK_FALSE(CheckLiveComplaintRules(
        *LoadText(std::string(kRules) + "- rule: lost-bag\n  mode: shadow\n  override: {mode: "
                  "replace}\n"),
        true, files, setting, &diags));
    REQUIRE(diags.error_count() == 1);
    const std::string text = diags.all()[0].ToString();
    CHECK_THAT(text, Catch::StartsWith("earshot.yaml:6:28: error: "
                                       "rules.require_complaint_rules is true, but the rule files "
                                       "hold no live complaint rule (every complaint rule is in "
                                       "shadow mode (lost-bag, trial))"));
    CHECK_THAT(text, Catch::Contains("rules.require_complaint_rules: false"));
  }
}

}  // namespace
}  // namespace earshot
