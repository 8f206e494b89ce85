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

}  // namespace earshot
