#include "detectors/rule_loader.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

namespace earshot {
namespace {

namespace fs = std::filesystem;

Post MakePost(std::string text, std::vector<std::string> tags = {},
              std::vector<std::string> mentions = {}) {
  Post p;
  p.network = "mastodon";
  p.text = std::move(text);
  p.hashtags = std::move(tags);
  p.mentions = std::move(mentions);
  p.language = "en";
  p.author.handle = "alice@example.social";
  p.author.followers = 100;
  return p;
}

std::shared_ptr<const RuleSet> LoadOk(const std::string& text, RuleLoadOptions options = {},
                                      Diagnostics* diags_out = nullptr) {
  Diagnostics diags;
  auto rules = LoadRulesFromText({{"rules/t.yaml", text}}, options, &diags);
  INFO(diags.ToText());
  REQUIRE(rules.ok());
  if (diags_out != nullptr) *diags_out = diags;
  return *rules;
}

std::vector<std::string> Load(const std::string& text, RuleLoadOptions options = {}) {
  Diagnostics diags;
  (void)LoadRulesFromText({{"rules/t.yaml", text}}, options, &diags);
  std::vector<std::string> lines;
  for (const Diagnostic& d : diags.all()) lines.push_back(d.ToString());
  return lines;
}

std::vector<std::string> Ids(const std::vector<Detection>& ds) {
  std::vector<std::string> out;
  for (const Detection& d : ds) out.push_back(d.rule_id);
  return out;
}

TEST_CASE("LoadRules: a rule's conditions, category, severity and labels", "[detectors]") {
  auto rules = LoadOk(R"(
- rule: lost-bag
  description: lost bag
  category: complaint
  severity: high
  labels: {team: baggage}
  match:
    any:
      - regex: '\blost\s+my\s+bag\b'
      - hashtag: LostBag
    all:
      - language: [en, fr]
      - sentiment: {below: -0.2}
    none:
      - author: [Staff@Example.Social]
)");
  REQUIRE(rules->rules().size() == 1);
  auto ds = rules->Evaluate(MakePost("They LOST my bag"), -0.5);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].rule_id == "lost-bag");
  CHECK(ds[0].category == Category::kComplaint);
  CHECK(ds[0].severity == Severity::kHigh);
  CHECK(ds[0].labels == Labels{{"team", "baggage"}});
  CHECK(ds[0].summary == "lost bag");
  CHECK_FALSE(ds[0].shadow);

  CHECK(rules->Evaluate(MakePost("something", {"lostbag"}), -0.5).size() == 1);
  CHECK(rules->Evaluate(MakePost("They LOST my bag"), 0.1).empty());   // not negative enough
  Post de = MakePost("They LOST my bag");
  de.language = "de";
  CHECK(rules->Evaluate(de, -0.5).empty());
  Post staff = MakePost("They LOST my bag");
  staff.author.handle = "staff@example.social";
  CHECK(rules->Evaluate(staff, -0.5).empty());
  CHECK(rules->Evaluate(MakePost("my bag is fine"), -0.5).empty());
}

TEST_CASE("LoadRules: {{brand}} makes one rule per brand, labelled with the brand",
          "[detectors]") {
  RuleLoadOptions options;
  options.brands = {"AcmeAir", "Beta Rail"};
  auto rules = LoadOk(R"(
- rule: brand-sucks
  description: "#{{brand}}Sucks"
  category: complaint
  severity: high
  match:
    any:
      - hashtag: "{{brand}}sucks"
      - regex: '\b{{brand}} is awful\b'
      - mention: "{{brand}}"
- rule: plain
  description: plain
  category: noise
  match:
    any: [{phrase: spam}]
)",
                      options);
  CHECK(rules->rules().size() == 3);
  auto ds = rules->Evaluate(MakePost("ugh", {"betarailsucks"}), 0);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].labels.at("brand") == "beta rail");
  CHECK(ds[0].summary == "#Beta RailSucks");
  ds = rules->Evaluate(MakePost("acmeair is awful and so is beta rail is awful", {}, {}), 0);
  CHECK(ds.size() == 2);
  ds = rules->Evaluate(MakePost("hi", {}, {"acmeair@mastodon.social"}), 0);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].labels.at("brand") == "acmeair");
  ds = rules->Evaluate(MakePost("pure spam"), 0);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].labels.count("brand") == 0);
}

TEST_CASE("LoadRules: a brand's rule waits for that brand, not for what all brands share",
          "[detectors]") {
  // Every brand's instance holds the phrase "lost bag"; only its own mention tells them apart.
  // A post about a lost bag that names one brand makes that brand's instance a candidate, and
  // no other brand's: the cost of a post follows the brands it names.
  RuleLoadOptions options;
  for (int i = 0; i < 50; ++i) options.brands.push_back("Brand" + std::to_string(i));
  options.brands.push_back("AcmeAir");
  const std::string text = R"yaml(
- rule: lost-baggage
  description: "lost bag ({{brand}})"
  category: complaint
  severity: high
  match:
    all:
      - any:
          - mention: "{{brand}}"
          - hashtag: "{{brand}}"
      - phrase: ["lost bag"]
)yaml";
  auto rules = LoadOk(text, options);
  REQUIRE(rules->rules().size() == 51);
  const Post post = MakePost("they lost bag again", {}, {"acmeair@mastodon.social"});
  const std::vector<RuleTrace> traces = rules->Explain(post, 0, 0);
  REQUIRE(traces.size() == 1);  // the candidates only
  CHECK(rules->rules()[static_cast<size_t>(traces[0].rule)].brand == "acmeair");
  CHECK(traces[0].matched);
  CHECK(rules->Explain(MakePost("they lost bag again"), 0, 0).empty());
  // A single brand: the phrase is the rarer trigger, and the answer is the same. A post with
  // the phrase but not the brand is not judged either: every child of `all` must have fired.
  options.brands = {"AcmeAir"};
  auto one = LoadOk(text, options);
  CHECK(one->Explain(MakePost("they lost bag again"), 0, 0).empty());
  CHECK(one->Explain(MakePost("hello", {}, {"acmeair"}), 0, 0).empty());
  CHECK(one->Explain(post, 0, 0).size() == 1);
  CHECK(one->Evaluate(post, 0).size() == 1);
}

// A rule is judged only when every child of its `all` (nested ones too) has an atom that
// fired, not only the child chosen as its trigger: the others cannot hold without theirs.
TEST_CASE("LoadRules: a rule is not judged while one of its all-children has nothing that fired",
          "[detectors]") {
  auto rules = LoadOk(R"yaml(
- rule: refund-and-card
  description: x
  category: complaint
  severity: medium
  match:
    all:
      - phrase: ["refund"]
      - all:
          - any: [{phrase: ["my card"]}, {hashtag: "charged"}]
          - phrase: ["twice"]
)yaml");
  REQUIRE(rules->rules().size() == 1);
  for (const char* partial : {"where is my refund", "refund my card", "refund, charged twice",
                              "my card was charged twice", "refund twice"}) {
    INFO(partial);
    CHECK(rules->Explain(MakePost(partial), 0, 0).empty());
    // Judged anyway (all_rules), it does not hold: the filter only spares the work.
    const std::vector<RuleTrace> all = rules->Explain(MakePost(partial), 0, 0, true);
    REQUIRE(all.size() == 1);
    CHECK_FALSE(all[0].candidate);
    CHECK_FALSE(all[0].matched);
  }
  for (const Post& whole : {MakePost("refund please, my card was charged twice"),
                            MakePost("refund twice", {"charged"})}) {
    INFO(whole.text);
    const std::vector<RuleTrace> traces = rules->Explain(whole, 0, 0);
    REQUIRE(traces.size() == 1);
    CHECK(traces[0].matched);
    CHECK(rules->Evaluate(whole, 0).size() == 1);
  }
}

TEST_CASE("LoadRules: without brands, brand rules are off with a warning", "[detectors]") {
  Diagnostics diags;
  auto rules = LoadOk(R"(
- rule: brand-sucks
  description: x
  category: complaint
  severity: high
  match:
    any: [{hashtag: "{{brand}}sucks"}]
)",
                      {}, &diags);
  CHECK(rules->rules().empty());
  REQUIRE(diags.all().size() == 2);
  CHECK(diags.all()[0].ToString() ==
        "rules/t.yaml:2:3: warning: rule 'brand-sucks' uses {{brand}} but no brands are "
        "configured (brands: in earshot.yaml); the rule is off");
}

// Seven: the invalid regex and the unknown macro sit beside shape errors of their own rules,
// and are reported in the same run.
TEST_CASE("LoadRules: five distinct mistakes give seven positioned errors", "[detectors]") {
  auto lines = Load(R"(- rule: lost-bag
  description: lost bag
  category: complaint
  severty: high
  match:
    any:
      - regex: '(\bbag'
      - hashtg: lostbag
- rule: rude
  description: rude
  category: complaint
  severity: hihg
  match:
    all:
      - macro: mentions_brnd
      - sentiment: {below: -2}
)");
  CHECK(lines == std::vector<std::string>{
      "rules/t.yaml:1:3: error: rule 'lost-bag': missing required key 'severity' (complaints "
      "page people: say how loudly, one of info, low, medium, high, critical)",
      "rules/t.yaml:4:3: error: unknown key 'severty' in rule 'lost-bag' (did you mean "
      "'severity'?)",
      "rules/t.yaml:7:16: error: regex in rule 'lost-bag' invalid regex: missing ): (\\bbag",
      "rules/t.yaml:8:9: error: unknown condition 'hashtg' in rule 'lost-bag' (did you mean "
      "'hashtag'?); known: hashtag, mention, regex, phrase, near, language, author, network, "
      "followers, sentiment, complaint, macro, any, all, none",
      "rules/t.yaml:12:13: error: severity of rule 'rude': unknown value 'hihg' (did you mean "
      "'high'?); known: info, low, medium, high, critical",
      "rules/t.yaml:15:16: error: rule 'rude' uses unknown macro 'mentions_brnd'",
      "rules/t.yaml:16:28: error: below of 'sentiment' condition in rule 'rude': -2 is out of "
      "range [-1, 1]",
  });
}

TEST_CASE("LoadRules: every problem is reported at once, compile errors included",
          "[detectors]") {
  auto lines = Load(R"(- rule: a
  description: a
  category: complaint
  severity: low
  match:
    any:
      - regex: '(\bbag'
      - macro: mentions_brnd
      - hashtag: {in: tagz}
- macro: mentions_brand
  match:
    any: [{mention: acme}]
- list: tags
  items: [a]
)");
  CHECK(lines == std::vector<std::string>{
      "rules/t.yaml:7:16: error: regex in rule 'a' invalid regex: missing ): (\\bbag",
      "rules/t.yaml:8:16: error: rule 'a' uses unknown macro 'mentions_brnd' (did you mean "
      "'mentions_brand'?)",
      "rules/t.yaml:9:18: error: rule 'a' uses unknown list 'tagz' (did you mean 'tags'?)",
      "rules/t.yaml:10:3: warning: macro 'mentions_brand' is never used; remove it or use it "
      "with '- macro: mentions_brand'",
      "rules/t.yaml:13:3: warning: list 'tags' is never used; remove it or use it with {in: "
      "tags}",
  });
}

TEST_CASE("LoadRules: backreferences and lookaround are refused naming rule and construct",
          "[detectors]") {
  auto lines = Load(R"(- rule: repeat
  description: r
  category: noise
  match:
    any:
      - regex: '\b(\w+) \1\b'
      - hashtag: {regex: 'acme(?!air)'}
)");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        "rules/t.yaml:6:16: error: regex in rule 'repeat' regex uses a backreference '\\1', "
        "which RE2 does not support (it matches in linear time); match the repeated word with a "
        "second condition instead");
  CHECK_THAT(lines[1], Catch::StartsWith("rules/t.yaml:7:26: error: hashtag regex in rule "
                                         "'repeat' hashtag regex uses a negative lookahead"));
}

TEST_CASE("LoadRules: duplicate keys, tabs and YAML errors are positioned", "[detectors]") {
  CHECK(Load("- rule: a\n  description: a\n  description: b\n  category: noise\n"
             "  match: {any: [{phrase: x}]}\n") ==
        std::vector<std::string>{"rules/t.yaml:3:3: error: duplicate key 'description' in rule "
                                 "'a' (first defined at line 2); remove one"});
  CHECK(Load("- rule: a\n\tdescription: a\n") ==
        std::vector<std::string>{
            "rules/t.yaml:2:1: error: tab in indentation; YAML indents with spaces only"});
  CHECK(Load("- rul: a\n") ==
        std::vector<std::string>{"rules/t.yaml:1:3: error: unknown item 'rul' (did you mean "
                                 "'rule'?); each item starts with rule:, list: or macro:"});
}

TEST_CASE("LoadRules: '.{0,N}' gaps are warned with a pointer to near", "[detectors]") {
  Diagnostics diags;
  LoadOk(R"(- rule: gap
  description: g
  category: noise
  match:
    any: [{regex: 'lost.{0,40}bag'}]
)",
         {}, &diags);
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].ToString() ==
        "rules/t.yaml:5:19: warning: regex in rule 'gap' joins words with the gap '.{0,40}': in "
        "an RE2::Set such gaps make matching about 10x slower and need far more memory; write "
        "`near: N` with `terms:` instead");
}

TEST_CASE("LoadRules: near measures word distance over separately matched terms",
          "[detectors]") {
  auto rules = LoadOk(R"(
- list: bags
  items: [bag, suitcase, car seat]
- rule: near
  description: n
  category: noise
  match:
    all:
      - near: 2
        terms: [[lost, "never arrived"], {in: bags}]
)");
  auto [text, hit] = GENERATE(table<const char*, bool>({
      {"they lost my bag", true},
      {"lost bag", true},
      {"my bag got lost", true},
      {"they lost my blue bag", true},
      {"they lost my big blue bag", false},
      {"the car seat never arrived", true},
      {"lost. Then a long story about a bag", false},
      {"lostbag", false},
      {"my bag", false},
  }));
  CAPTURE(text);
  CHECK(rules->Evaluate(MakePost(text), 0).size() == (hit ? 1u : 0u));
}

TEST_CASE("LoadRules: mode shadow marks detections, followers and sentiment bound",
          "[detectors]") {
  auto rules = LoadOk(R"(
- rule: big-account
  description: b
  category: complaint
  severity: critical
  mode: shadow
  match:
    all:
      - phrase: broken
      - followers: {above: 10000}
- rule: any-negative
  description: n
  category: complaint
  severity: low
  match:
    all:
      - sentiment: {above: -0.9, below: -0.5}
)");
  CHECK(rules->always_evaluated() == 1);
  Post p = MakePost("it is broken");
  p.author.followers = 20000;
  auto ds = rules->Evaluate(p, -0.7);
  REQUIRE(ds.size() == 2);
  CHECK(ds[0].shadow);
  CHECK_FALSE(ds[1].shadow);
  p.author.followers = 10000;
  CHECK(Ids(rules->Evaluate(p, -0.95)).empty());
}

TEST_CASE("LoadRules: override appends to or replaces a shipped rule from a local file",
          "[detectors]") {
  const std::string shipped = R"(
- list: bag_words
  items: [bag]
- rule: lost-bag
  description: lost bag
  category: complaint
  severity: high
  labels: {team: baggage}
  match:
    any:
      - phrase: {in: bag_words}
- rule: other
  description: other
  category: noise
  match:
    any: [{phrase: spam}]
)";
  const std::string local = R"(
- list: bag_words
  items: [suitcase]
  override: {items: append}
- rule: lost-bag
  severity: critical
  labels: {region: eu}
  match:
    none: [{phrase: found}]
  override: {match: append, labels: append, severity: replace}
- rule: other
  enabled: false
)";
  Diagnostics diags;
  auto rules = LoadRulesFromText({{"rules/a.yaml", shipped}, {"local/b.yaml", local}}, {},
                                 &diags);
  INFO(diags.ToText());
  REQUIRE(rules.ok());
  REQUIRE((*rules)->rules().size() == 1);
  auto ds = (*rules)->Evaluate(MakePost("my suitcase"), 0);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].severity == Severity::kCritical);
  CHECK(ds[0].labels == Labels{{"region", "eu"}, {"team", "baggage"}});
  CHECK((*rules)->Evaluate(MakePost("found my bag"), 0).empty());
  CHECK((*rules)->Evaluate(MakePost("spam"), 0).empty());

  const std::string replace = R"(
- rule: lost-bag
  match:
    any: [{phrase: luggage}]
  labels: {}
  override: {match: replace, labels: replace}
)";
  rules = LoadRulesFromText({{"rules/a.yaml", shipped}, {"local/c.yaml", replace}}, {}, &diags);
  REQUIRE(rules.ok());
  CHECK((*rules)->Evaluate(MakePost("my bag"), 0).size() == 0);
  ds = (*rules)->Evaluate(MakePost("my luggage"), 0);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].labels.empty());
}

TEST_CASE("LoadRules: override mistakes are explained", "[detectors]") {
  const std::string shipped = R"(- rule: lost-bag
  description: lost bag
  category: noise
  match:
    any: [{phrase: bag}]
)";
  Diagnostics diags;
  (void)LoadRulesFromText({{"rules/a.yaml", shipped},
                           {"local/b.yaml", R"(- rule: lost-bga
  match: {any: [{phrase: x}]}
  override: {match: append}
- rule: lost-bag
  description: again
  category: noise
  match: {any: [{phrase: x}]}
- rule: lost-bag
  severity: high
  match: {any: [{phrase: x}]}
  override: {match: append, severity: append}
)"}},
                          {}, &diags);
  std::vector<std::string> lines;
  for (const Diagnostic& d : diags.all()) lines.push_back(d.ToString());
  CHECK(lines == std::vector<std::string>{
      "local/b.yaml:1:3: error: override of unknown rule 'lost-bga' (did you mean 'lost-bag'?); "
      "a rule must be defined (in an earlier file) before it is overridden",
      "local/b.yaml:4:3: error: rule 'lost-bag' is already defined at rules/a.yaml:1; to change "
      "it, add override: {match: append} (or replace) naming each field",
      "local/b.yaml:9:3: error: 'severity' in the override of rule 'lost-bag' is not listed in "
      "override:; add 'severity: replace' (or append) to say what to do with it",
      "local/b.yaml:11:39: error: override of 'severity' in rule 'lost-bag': only replace is "
      "possible; append works for match, labels",
  });
}

TEST_CASE("LoadRules: lists read from files, relative to the rule file", "[detectors]") {
  fs::path dir = fs::temp_directory_path() /
                 ("earshot-rules-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir / "lists");
  {
    std::ofstream(dir / "lists" / "vip.txt") << "# VIP customers\n@Big@example.social\n\n"
                                                "  other@example.social  \n";
    std::ofstream(dir / "rules.yaml") << R"(
- list: vip
  file: lists/vip.txt
- rule: vip-complaint
  description: v
  category: complaint
  severity: high
  match:
    all:
      - author: {in: vip}
      - phrase: broken
)";
  }
  Diagnostics diags;
  auto rules = LoadRules({dir / "rules.yaml"}, {}, &diags);
  INFO(diags.ToText());
  REQUIRE(rules.ok());
  Post p = MakePost("it is broken");
  p.author.handle = "big@example.social";
  CHECK((*rules)->Evaluate(p, 0).size() == 1);
  p.author.handle = "small@example.social";
  CHECK((*rules)->Evaluate(p, 0).empty());

  fs::remove(dir / "lists" / "vip.txt");
  Diagnostics missing;
  CHECK_FALSE(LoadRules({dir / "rules.yaml"}, {}, &missing).ok());
  REQUIRE(missing.error_count() >= 1);
  CHECK_THAT(missing.all()[0].message, Catch::StartsWith("cannot read list file"));
  CHECK(missing.all()[0].line == 3);
  fs::remove_all(dir);
}

TEST_CASE("LoadRules: macros nest, and a macro using itself is an error", "[detectors]") {
  auto lines = Load(R"(- macro: a
  match: {any: [{macro: b}]}
- macro: b
  match: {any: [{macro: a}]}
- rule: r
  description: r
  category: noise
  match: {any: [{macro: a}]}
)");
  REQUIRE_FALSE(lines.empty());
  CHECK(lines[0] == "rules/t.yaml:4:25: error: macro 'a' uses itself (a -> b -> a)");
}

TEST_CASE("LoadRules: named captures fill the summary", "[detectors]") {
  auto rules = LoadOk(R"Y(- rule: hold
  description: hold
  summary: "On hold for {{hours}} hours ({{unknown}})"
  category: complaint
  severity: medium
  match:
    any:
      - regex: '(?P<hours>\d+) hours on hold'
)Y");
  auto ds = rules->Evaluate(MakePost("3 hours on hold!"), 0);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].captures == Labels{{"hours", "3"}});
  CHECK(ds[0].summary == "On hold for 3 hours ({{unknown}})");
}

TEST_CASE("LoadRules: the total RE2 budget is an error at load", "[detectors]") {
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text += "- rule: r" + std::to_string(i) + R"(
  description: r
  category: noise
  match:
    any: [{regex: 'w)" + std::to_string(i) + R"(\s+(?:alpha|beta|gamma)\d{2,4}'}]
)";
  }
  RuleLoadOptions options;
  options.re2_max_mem_total = 128 << 10;
  Diagnostics diags;
  CHECK_FALSE(LoadRulesFromText({{"rules/t.yaml", text}}, options, &diags).ok());
  REQUIRE(diags.error_count() == 1);
  CHECK_THAT(diags.all()[0].ToString(),
             Catch::StartsWith("rules/t.yaml: error: the 200 regexes of the rule set need more"));
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

// One run reports every phase's errors: a shape error in a condition (a `near` out of range, a
// misspelt condition, a list where a string belongs) no longer drops the rule's other
// conditions, so compiling still finds their unknown macros and lists and the regexes RE2
// refuses; nested blocks keep their good children.
TEST_CASE("LoadRules: a shape error does not hide the same rule's compile errors", "[detectors]") {
  const std::vector<std::string> lines = Load(R"(- rule: a
  description: a
  category: complaint
  severity: high
  match:
    all:
      - near: 99
        terms: [[lost], {in: missing_list}]
      - any:
          - phrase: {bad: x}
          - macro: missing_macro
      - regex: [not, a, string]
      - none:
          - regex: 'a(?=b)'
)");
  CHECK(lines == std::vector<std::string>{
      "rules/t.yaml:7:15: error: 'near' condition in rule 'a' (words apart): 99 is out of range "
      "[0, 50]",
      "rules/t.yaml:8:25: error: rule 'a' uses unknown list 'missing_list'",
      "rules/t.yaml:10:21: error: 'phrase' condition in rule 'a': missing required key 'in'",
      "rules/t.yaml:10:22: error: unknown key 'bad' in 'phrase' condition in rule 'a'",
      "rules/t.yaml:11:20: error: rule 'a' uses unknown macro 'missing_macro'",
      "rules/t.yaml:12:16: error: 'regex' condition in rule 'a': expected a string, got a list",
      "rules/t.yaml:14:20: error: regex in rule 'a' regex uses a lookahead '(?=', which RE2 does "
      "not support (it matches in linear time); put the required words in an `all:` condition",
  });
}

}  // namespace
}  // namespace earshot
