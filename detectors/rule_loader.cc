#include "detectors/rule_loader.h"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <vector>

#include "daemon/config/yaml_reader.h"
#include "detectors/rule_compiler.h"
#include "detectors/rule_parser.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

// Parses every file (rule_parser.h), then compiles what they define (rule_compiler.h) into one
// matcher and the RuleSet over it.
Result<std::shared_ptr<const RuleSet>> Load(const std::vector<YamlFile>& files,
                                            const std::vector<fs::path>& base_dirs,
                                            const RuleLoadOptions& options, Diagnostics* diags,
                                            int errors_before, size_t diags_before) {
  rules_internal::RuleDefinitions defs;
  for (size_t i = 0; i < files.size(); ++i) {
    rules_internal::ParseRuleFile(files[i], base_dirs[i], diags, &defs);
  }

  MatcherOptions mopts;
  mopts.max_mem_per_regex = options.re2_max_mem_per_regex;
  mopts.max_mem_total = options.re2_max_mem_total;
  MatcherBuilder builder(mopts);
  std::vector<Rule> rules =
      rules_internal::CompileRules(&defs, options.brands, mopts, &builder, diags);
  diags->SortByPosition(diags_before);
  int errors = diags->error_count() - errors_before;
  if (errors > 0) {
    return Status::InvalidArgument(fmt::format("{} error(s) in rule files", errors));
  }
  Result<std::unique_ptr<const Matcher>> matcher = builder.Build();
  if (!matcher.ok()) {
    std::string file = files.empty() ? std::string() : files.front().name();
    diags->Error(file, 0, 0, matcher.status().message());
    return matcher.status();
  }
  if (rules.empty() && !files.empty()) {
    diags->Warning(files.front().name(), 0, 0, "no enabled rules: earshot will detect nothing");
  }
  return RuleSet::Create(std::move(rules), std::move(*matcher));
}

}  // namespace

Result<std::shared_ptr<const RuleSet>> LoadRules(const std::vector<fs::path>& paths,
                                                 const RuleLoadOptions& options,
                                                 Diagnostics* diags) {
  int errors_before = diags->error_count();
  size_t diags_before = diags->all().size();
  std::vector<YamlFile> files;
  std::vector<fs::path> dirs;
  for (const fs::path& p : paths) {
    if (std::optional<YamlFile> f = YamlFile::Load(p, diags)) {
      files.push_back(std::move(*f));
      dirs.push_back(p.parent_path());
    }
  }
  return Load(files, dirs, options, diags, errors_before, diags_before);
}

Result<std::shared_ptr<const RuleSet>> LoadRulesFromText(
    const std::vector<std::pair<std::string, std::string>>& texts, const RuleLoadOptions& options,
    Diagnostics* diags) {
  int errors_before = diags->error_count();
  size_t diags_before = diags->all().size();
  std::vector<YamlFile> files;
  std::vector<fs::path> dirs;
  for (const auto& [name, text] : texts) {
    if (std::optional<YamlFile> f = YamlFile::Parse(name, text, diags)) {
      files.push_back(std::move(*f));
      dirs.push_back(fs::path(name).parent_path());
    }
  }
  return Load(files, dirs, options, diags, errors_before, diags_before);
}

}  // namespace earshot
