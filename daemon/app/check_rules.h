// CheckRules: the rule half of `earshot check`. Loads rule files exactly as the daemon would,
// prints every diagnostic (GCC format on `err`, or one JSON document on `out` with --json) and
// a one-line summary of what loaded, and returns the exit code (0 ok, 78 on any error).
// Runs on the calling thread; does file I/O.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "daemon/config/diagnostics.h"
#include "detectors/rule_loader.h"

namespace earshot {

// "12 rules (24 with brands), 41 regexes in one RE2::Set, 1 rule evaluated for every post".
std::string DescribeRuleSet(const RuleSet& rules);

int CheckRules(const std::vector<std::filesystem::path>& files, const RuleLoadOptions& options,
               bool json, std::ostream& out, std::ostream& err);

// Rules that can page: category complaint (only complaint detections open incidents), mode live
// (a shadow rule is recorded, never escalated), enabled and on. Disabled rules, and rules using
// {{brand}} while no brands are configured, are not in a loaded RuleSet at all. Counts rule ids,
// not brand instances.
size_t CountLiveComplaintRules(const RuleSet& rules);

// The "nothing can page" check of a reload and of `earshot check`: when `rules` holds no live
// complaint rule, a warning at `where` (the rules.files setting), or, when `required`
// (rules.require_complaint_rules: true, written at `required_where`), an error naming the setting.
// Returns false when it reported an error.
struct RulePosition {
  std::string file;
  int line = 0, column = 0;
};
bool CheckLiveComplaintRules(const RuleSet& rules, bool required, const RulePosition& where,
                             const RulePosition& required_where, Diagnostics* diags);

}  // namespace earshot
