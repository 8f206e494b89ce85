// LoadRules: reads rule files (Falco's shape: `- list:`, `- macro:`, `- rule:` items, with
// `override:` to change a rule, list or macro defined in an earlier file) and compiles them into
// one immutable RuleSet. Every problem in every file is reported to Diagnostics with its
// 1-based position, so `earshot check` shows them all at once; the language is documented in
// docs/rules.md. Runs on the loading thread (startup, reload, check); does file I/O.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/base/result.h"
#include "daemon/config/diagnostics.h"
#include "detectors/rule_set.h"

namespace earshot {

struct RuleLoadOptions {
  // The company names that fill {{brand}} ("AcmeAir"); each brand-using rule is instantiated
  // once per brand and its detections carry labels["brand"] = the brand, lowercased.
  std::vector<std::string> brands;
  // RE2 memory budgets; a rule that does not fit is an error at load, never a failure at match
  // time. See MatcherOptions for how they were sized.
  int64_t re2_max_mem_per_regex = MatcherOptions{}.max_mem_per_regex;
  int64_t re2_max_mem_total = MatcherOptions{}.max_mem_total;
};

// Loads `files` in order (later files may override earlier ones). On any error, every
// diagnostic is in `diags` and the Status summarises them; warnings alone do not fail.
Result<std::shared_ptr<const RuleSet>> LoadRules(const std::vector<std::filesystem::path>& files,
                                                 const RuleLoadOptions& options,
                                                 Diagnostics* diags);

// The same over texts in memory: {display name, YAML text}. `file:` lists resolve against the
// display name's directory.
Result<std::shared_ptr<const RuleSet>> LoadRulesFromText(
    const std::vector<std::pair<std::string, std::string>>& files, const RuleLoadOptions& options,
    Diagnostics* diags);

}  // namespace earshot
