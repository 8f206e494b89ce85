#include "daemon/cli/rule_test_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <ostream>
#include <set>

#include "daemon/base/ascii.h"
#include "daemon/base/clock.h"
#include "daemon/base/paths.h"
#include "daemon/config/yaml_reader.h"
#include "detectors/detector.h"
#include "detectors/explain_format.h"
#include "detectors/text_tags.h"
#include "detectors/rule_loader.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

constexpr int kPass = 0, kFail = 1, kUsage = 2, kConfig = 78;

struct Expect {
  std::optional<std::vector<std::string>> rules, categories;
  std::optional<bool> escalate;
  std::optional<std::string> severity;  // "none" for no live complaint
  Labels labels;
  std::optional<double> sentiment_above, sentiment_below;
};

struct Case {
  std::string name;
  int line = 0;
  Post post;
  Expect expect;
};

std::string Join(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return fmt::format("[{}]", fmt::join(v, ", "));
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::optional<Case> ReadCase(const YamlValue& item) {
  Case c;
  c.line = item.mark().line;
  MapReader m(item, "test");
  m.Required("name", &c.name);
  m.set_subject(fmt::format("test '{}'", c.name));
  m.Map("post", [&](MapReader& p) {
    p.Required("text", &c.post.text);
    bool tags = p.Has("hashtags"), mentions = p.Has("mentions");
    p.Optional("hashtags", &c.post.hashtags).Optional("mentions", &c.post.mentions);
    for (std::string& t : c.post.hashtags) t = AsciiLowered(t.starts_with("#") ? t.substr(1) : t);
    for (std::string& t : c.post.mentions) t = AsciiLowered(t.starts_with("@") ? t.substr(1) : t);
    std::vector<std::string> derived_tags, derived_mentions;
    DeriveTagsAndMentions(c.post.text, &derived_tags, &derived_mentions);
    if (!tags) c.post.hashtags = derived_tags;
    if (!mentions) c.post.mentions = derived_mentions;
    c.post.author.handle = "customer@example.social";
    c.post.network = "mastodon";
    c.post.language = "en";
    c.post.id = fmt::format("test-{}", c.line);
    p.Optional("author", &c.post.author.handle).Optional("followers", &c.post.author.followers);
    p.Optional("language", &c.post.language).Optional("network", &c.post.network);
    p.Optional("thread", &c.post.thread_key);
    if (auto t = p.Get("time")) {
      if (auto s = t->ReadString("time of " + m.subject())) {
        if (auto time = ParseIso8601(*s)) {
          c.post.created_at = *time;
        } else {
          t->Error(fmt::format("time of {}: '{}' is not an ISO-8601 time such as "
                               "2024-05-01T10:00:00Z", m.subject(), *s));
        }
      }
    }
  }, true);
  m.Map("expect", [&](MapReader& e) {
    Expect& x = c.expect;
    if (e.Has("rules")) e.Optional("rules", &x.rules.emplace());
    if (e.Has("categories")) e.Optional("categories", &x.categories.emplace());
    e.Optional("escalate", &x.escalate).Optional("severity", &x.severity);
    if (auto l = e.Get("labels")) {
      MapReader lm(*l, "labels of " + m.subject());
      for (const auto& [k, v] : lm.Entries()) {
        lm.Allow(k.scalar());
        if (auto s = v.ReadString("label " + k.scalar())) x.labels[k.scalar()] = *s;
      }
      lm.Finish();
    }
    e.Map("sentiment", [&](MapReader& s) {
      s.Optional("above", &x.sentiment_above).Optional("below", &x.sentiment_below);
    });
  }, true);
  m.Finish();
  return c;
}

// What went wrong with one case, one line per mismatch; empty when it passed.
std::vector<std::string> Judge(const Expect& x, const DetectedPost& got) {
  std::vector<std::string> problems;
  std::vector<std::string> rules, categories;
  std::optional<Severity> loudest;
  bool escalates = false;
  for (const Detection& d : got.detections) {
    rules.push_back(d.rule_id);
    categories.emplace_back(CategoryName(d.category));
    if (d.category == Category::kComplaint && !d.shadow) {
      escalates = true;
      if (!loudest || d.severity > *loudest) loudest = d.severity;
    }
  }
  rules = Sorted(rules);
  categories = Sorted(categories);
  if (x.rules && Sorted(*x.rules) != rules) {
    problems.push_back(fmt::format("rules: expected {}, got {}", Join(*x.rules), Join(rules)));
  }
  if (x.categories && Sorted(*x.categories) != categories) {
    problems.push_back(fmt::format("categories: expected {}, got {}", Join(*x.categories),
                                   Join(categories)));
  }
  if (x.escalate && *x.escalate != escalates) {
    problems.push_back(fmt::format("escalate: expected {}, got {}", *x.escalate, escalates));
  }
  if (x.severity) {
    std::string got_severity = loudest ? std::string(SeverityName(*loudest)) : "none";
    if (*x.severity != got_severity) {
      problems.push_back(fmt::format("severity: expected {}, got {}", *x.severity, got_severity));
    }
  }
  for (const auto& [k, v] : x.labels) {
    // Captured by name: clang 14 cannot capture structured bindings in a lambda.
    bool found = std::any_of(got.detections.begin(), got.detections.end(),
                             [&key = k, &value = v](const Detection& d) {
                               auto it = d.labels.find(key);
                               return it != d.labels.end() && it->second == value;
                             });
    if (!found) problems.push_back(fmt::format("labels: no detection has {}={}", k, v));
  }
  if ((x.sentiment_above && !(got.sentiment > *x.sentiment_above)) ||
      (x.sentiment_below && !(got.sentiment < *x.sentiment_below))) {
    problems.push_back(fmt::format("sentiment: expected {}{}{}, got {:.4f}",
                                   x.sentiment_above ? fmt::format("above {}", *x.sentiment_above)
                                                     : "",
                                   x.sentiment_above && x.sentiment_below ? " and " : "",
                                   x.sentiment_below ? fmt::format("below {}", *x.sentiment_below)
                                                     : "",
                                   got.sentiment));
  }
  return problems;
}

// Why a failed case came out as it did, indented under its failure lines: the candidate rules
// and the rules the case expected, which are often missing because no trigger of theirs fired.
std::string Explanation(const Detector& detector, const Case& c) {
  PostExplanation e = detector.Explain(c.post, /*all_rules=*/true);
  std::erase_if(e.rules, [&](const RuleTrace& t) {
    const std::string& id = detector.rules().rules()[static_cast<size_t>(t.rule)].id;
    return !t.candidate &&
           (!c.expect.rules || std::find(c.expect.rules->begin(), c.expect.rules->end(), id) ==
                                   c.expect.rules->end());
  });
  ExplainFormat format;
  format.indent = "    ";
  format.text = false;  // the failure lines show it
  format.strip_prefix = WorkingDirPrefix();
  std::string out = "  explanation:\n";
  AppendExplanationText(detector, c.post, e, format, &out);
  return out;
}

// Runs one test file; adds to the pass/fail counts. Returns false when the file is invalid.
bool RunFile(const fs::path& path, std::ostream& out, std::ostream& err, int* passed,
             int* failed) {
  Diagnostics diags;
  std::optional<YamlFile> file = YamlFile::Load(path, &diags);
  std::vector<fs::path> rule_files;
  RuleLoadOptions options;
  std::string lexicon_dir = DefaultRulesDir() + "/lexicon";
  std::vector<Case> cases;
  if (file) {
    MapReader root(file->root(), "rule test file");
    std::vector<std::string> names;
    root.Required("rule_files", &names).Optional("brands", &options.brands);
    for (const std::string& n : names) rule_files.push_back(path.parent_path() / n);
    if (auto l = root.Get("lexicon")) {
      if (auto s = l->ReadString("lexicon of rule test file")) {
        lexicon_dir = (path.parent_path() / *s).string();
      }
    }
    root.Each("tests", [&](const YamlValue& item) {
      if (auto c = ReadCase(item)) cases.push_back(std::move(*c));
    }, true);
    root.Finish();
  }
  std::shared_ptr<const RuleSet> rules;
  if (!diags.has_errors()) {
    auto loaded = LoadRules(rule_files, options, &diags);
    if (loaded.ok()) rules = *loaded;
  }
  std::shared_ptr<const SentimentAnalyzer> sentiment;
  std::shared_ptr<const ComplaintScorer> complaint;
  if (!diags.has_errors()) {
    auto lexicon = Lexicon::Load(lexicon_dir);
    if (lexicon.ok()) {
      sentiment = std::make_shared<const SentimentAnalyzer>(*lexicon);
    } else {
      diags.Error(lexicon_dir, 0, 0, lexicon.status().message());
    }
    auto model = ComplaintModel::Load(lexicon_dir);
    if (model.ok()) {
      complaint = std::make_shared<const ComplaintScorer>(*model);
    } else {
      diags.Error(lexicon_dir, 0, 0, model.status().message());
    }
  }
  for (const Diagnostic& d : diags.all()) err << d.ToString() << "\n";
  if (diags.has_errors()) return false;

  Detector detector(rules, sentiment, complaint);
  for (const Case& c : cases) {
    std::vector<std::string> problems = Judge(c.expect, detector.Detect(c.post));
    if (problems.empty()) {
      ++*passed;
      continue;
    }
    ++*failed;
    out << fmt::format("FAIL {}:{}: {}\n", path.string(), c.line, c.name);
    out << fmt::format("  text: {}\n", c.post.text);
    for (const std::string& p : problems) out << "  " << p << "\n";
    out << Explanation(detector, c);
  }
  return true;
}

}  // namespace

int RunRuleTestCommand(const std::vector<std::string>& args, std::ostream& out,
                       std::ostream& err) {
  if (args.empty()) {
    err << "usage: earshot test FILE...   (rule unit tests; see docs/rules.md)\n";
    return kUsage;
  }
  int passed = 0, failed = 0;
  bool invalid = false;
  for (const std::string& a : args) {
    if (a.starts_with("-")) {
      err << fmt::format("earshot test: unknown option '{}'\n", a);
      return kUsage;
    }
    if (!RunFile(a, out, err, &passed, &failed)) invalid = true;
  }
  out << fmt::format("{} passed, {} failed{}\n", passed, failed,
                     invalid ? ", and some test files could not run" : "");
  if (invalid) return kConfig;
  return failed > 0 ? kFail : kPass;
}

}  // namespace earshot
