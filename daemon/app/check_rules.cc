#include "daemon/app/check_rules.h"

#include <fmt/format.h>

#include <ostream>
#include <set>

namespace earshot {

std::string DescribeRuleSet(const RuleSet& rules) {
  std::set<std::string> ids;
  size_t shadow = 0;
  for (const Rule& r : rules.rules()) {
    ids.insert(r.id);
    if (r.shadow) ++shadow;
  }
  std::string out = fmt::format("{} rule(s)", ids.size());
  if (rules.rules().size() != ids.size()) {
    out += fmt::format(" ({} with brands)", rules.rules().size());
  }
  out += fmt::format(", {} regex(es) in one RE2::Set, {} phrase group(s)",
                     rules.matcher().regex_count(), rules.matcher().phrase_group_count());
  if (rules.always_evaluated() > 0) {
    out += fmt::format(", {} evaluated for every post", rules.always_evaluated());
  }
  if (shadow > 0) out += fmt::format(", {} in shadow mode", shadow);
  return out;
}

int CheckRules(const std::vector<std::filesystem::path>& files, const RuleLoadOptions& options,
               bool json, std::ostream& out, std::ostream& err) {
  Diagnostics diags;
  auto rules = LoadRules(files, options, &diags);
  if (json) {
    out << diags.ToJson() << "\n";
  } else {
    for (const Diagnostic& d : diags.all()) err << d.ToString() << "\n";
    if (diags.has_errors()) {
      err << fmt::format("rules: {} error(s), {} warning(s)\n", diags.error_count(),
                         diags.warning_count());
    } else if (rules.ok()) {
      out << fmt::format("rules: ok: {} from {} file(s){}\n", DescribeRuleSet(**rules),
                         files.size(),
                         diags.warning_count() > 0
                             ? fmt::format(", {} warning(s)", diags.warning_count())
                             : std::string());
    }
  }
  return diags.has_errors() || !rules.ok() ? 78 : 0;
}

}  // namespace earshot
