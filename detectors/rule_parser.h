// ParseRuleFile: one rule file's YAML to rule definitions (Falco's shape: `- list:`,
// `- macro:`, `- rule:` items, with `override:` to change an item of an earlier file). Every
// shape problem is reported with its file:line:column and parsing goes on, so that one run of
// `earshot check` shows them all. Nothing is resolved here: that is the compiler's job
// (rule_compiler.h).
#pragma once

#include <filesystem>

#include "daemon/config/diagnostics.h"
#include "daemon/config/yaml_reader.h"
#include "detectors/rule_definitions.h"

namespace earshot::rules_internal {

// Adds the items of `file` to *defs: new ones are appended, overrides change the item an
// earlier file defined. `file:` lists resolve against `base_dir`. Reads list files (I/O).
void ParseRuleFile(const YamlFile& file, const std::filesystem::path& base_dir, Diagnostics* diags,
                   RuleDefinitions* defs);

}  // namespace earshot::rules_internal
