// The rule loader on any rule file. There is no printer back to YAML, so the round trip checked
// is the loader's own: the same text loads to the same RuleSet with the same diagnostics
// (loading is deterministic), a load fails exactly when an error was reported, and a loaded set
// keeps RuleSet::Explain's contract, that a trace is `matched` exactly when Evaluate() returns
// its rule, on a post made of the input's own words (so the rules' atoms can fire).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "detectors/matcher.h"
#include "detectors/rule_loader.h"
#include "fuzz/fuzz_check.h"

namespace {

using earshot::Condition;
using earshot::RuleSet;

void DumpCondition(const RuleSet& set, const Condition& c, std::string* out) {
  *out += fmt::format("({} atom={} within={} name={}", static_cast<int>(c.kind), c.atom, c.within,
                      c.name);
  if (c.atom >= 0) {
    const auto& a = set.matcher().atom(c.atom);
    *out += fmt::format(" [{} {} {}]", static_cast<int>(a.kind), a.literal, a.pattern);
  }
  for (int n : c.near_atoms) *out += fmt::format(" near={}", n);
  for (const auto& v : c.values) *out += " v=" + v;
  if (c.above) *out += fmt::format(" above={}", *c.above);
  if (c.below) *out += fmt::format(" below={}", *c.below);
  for (const auto& child : c.children) DumpCondition(set, child, out);
  *out += ")";
}

// Everything a RuleSet is made of, in order, as text.
std::string Dump(const RuleSet& set) {
  std::string out;
  for (const auto& r : set.rules()) {
    out += fmt::format("rule {} |{}|{}| {} {} shadow={} brand={} at {}:{} labels:", r.id,
                       r.description, r.summary, static_cast<int>(r.category),
                       static_cast<int>(r.severity), r.shadow, r.brand, r.file, r.line);
    for (const auto& [k, v] : r.labels) out += " " + k + "=" + v;
    for (int a : r.capture_atoms) out += fmt::format(" capture={}", a);
    DumpCondition(set, r.match, &out);
    out += "\n";
  }
  out += fmt::format("atoms={} regexes={} always={}\n", set.matcher().atom_count(),
                     set.matcher().regex_count(), set.always_evaluated());
  return out;
}

struct Load {
  std::shared_ptr<const RuleSet> set;
  std::string diagnostics;
};

Load LoadText(std::string_view text) {
  earshot::RuleLoadOptions options;
  options.brands = {"AcmeAir", "Zed"};
  // Small budgets keep one input's regexes from taking the whole run.
  options.re2_max_mem_per_regex = 1 << 20;
  options.re2_max_mem_total = 8 << 20;
  earshot::Diagnostics diags;
  auto result = earshot::LoadRulesFromText({{"fuzz/rules.yaml", std::string(text)}}, options, &diags);
  FUZZ_CHECK(result.ok() == !diags.has_errors(), "a load fails exactly when it reports an error");
  Load load;
  load.diagnostics = diags.ToText();
  if (result.ok()) load.set = *result;
  return load;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Load first = LoadText(text);
  const Load second = LoadText(text);
  FUZZ_CHECK(first.diagnostics == second.diagnostics, "the same text reports the same problems");
  FUZZ_CHECK((first.set == nullptr) == (second.set == nullptr), "the same text loads the same way");
  if (first.set == nullptr) return 0;
  const RuleSet& set = *first.set;
  FUZZ_CHECK(Dump(set) == Dump(*second.set), "the same text loads the same rules");

  earshot::Post post;
  post.network = "mastodon";
  post.id = "1";
  post.text = std::string(text);
  post.language = "en";
  post.author.handle = "jane@travel.example";
  post.author.followers = static_cast<int64_t>(size) * 997;
  const auto words = earshot::SplitWords(text);
  for (size_t i = 0; i < words.size() && i < 8; ++i) {
    (i % 2 == 0 ? post.hashtags : post.mentions).push_back(words[i]);
  }
  // A negative complaint and a positive non-complaint: between them every sentiment and
  // complaint bound of the shipped packs goes both ways.
  for (const auto& [sentiment, complaint] : {std::pair{-0.9, 0.95}, std::pair{0.9, 0.05}}) {
    {
      const auto detections = set.Evaluate(post, sentiment, complaint);
      const auto all = set.Explain(post, sentiment, complaint, /*all_rules=*/true);
      const auto candidates = set.Explain(post, sentiment, complaint, /*all_rules=*/false);
      FUZZ_CHECK(all.size() == set.rules().size(), "Explain(all_rules) traces every rule");
      std::vector<int> matched, matched_candidates;
      for (const auto& t : all) {
        if (t.matched) matched.push_back(t.rule);
        FUZZ_CHECK(!t.matched || t.candidate, "only a candidate can match");
      }
      for (const auto& t : candidates) {
        FUZZ_CHECK(t.candidate, "Explain without all_rules traces candidates only");
        if (t.matched) matched_candidates.push_back(t.rule);
      }
      FUZZ_CHECK(matched == matched_candidates, "a rule matches whether or not all are traced");
      FUZZ_CHECK(matched.size() == detections.size(),
                 "Explain matches exactly the rules Evaluate returns");
      for (size_t i = 0; i < detections.size(); ++i) {
        const auto& rule = set.rules()[static_cast<size_t>(matched[i])];
        FUZZ_CHECK(detections[i].rule_id == rule.id, "Explain and Evaluate agree, in rule order");
        FUZZ_CHECK(rule.brand.empty() || detections[i].labels.at("brand") == rule.brand,
                   "a brand instance's detection carries its brand");
      }
    }
  }
  return 0;
}
