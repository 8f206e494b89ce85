// CompileRules: rule definitions to the rules of a RuleSet and the atoms of its matcher. Macros
// are expanded, lists inlined and {{brand}} filled (a rule that uses it once per brand); each
// regex, phrase, hashtag and mention becomes an atom of the MatcherBuilder. Problems only
// compiling finds (unknown macros and lists, macro cycles, regexes RE2 refuses) are reported at
// the position the definition was written.
#pragma once

#include <string>
#include <vector>

#include "daemon/config/diagnostics.h"
#include "detectors/matcher.h"
#include "detectors/rule.h"
#include "detectors/rule_definitions.h"

namespace earshot::rules_internal {

// Compiles every rule of *defs into `builder` for each of `brand_names` (none configured: the
// rules that use {{brand}} are off, with a warning) and returns the enabled ones. Disabled rules
// are compiled into a scratch matcher built with `mopts`: still checked, never run. Lists and
// macros nothing uses are reported as warnings.
std::vector<Rule> CompileRules(RuleDefinitions* defs, const std::vector<std::string>& brand_names,
                               const MatcherOptions& mopts, MatcherBuilder* builder,
                               Diagnostics* diags);

}  // namespace earshot::rules_internal
