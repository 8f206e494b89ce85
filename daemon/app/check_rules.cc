#include "daemon/app/check_rules.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

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

size_t CountLiveComplaintRules(const RuleSet& rules) {
  std::set<std::string> ids;
  for (const Rule& r : rules.rules()) {
    if (r.category == Category::kComplaint && !r.shadow) ids.insert(r.id);
  }
  return ids.size();
}

bool CheckLiveComplaintRules(const RuleSet& rules, bool required, const RulePosition& where,
                             const RulePosition& required_where, Diagnostics* diags) {
  if (CountLiveComplaintRules(rules) > 0) return true;
  std::set<std::string> shadow;
  for (const Rule& r : rules.rules()) {
    if (r.category == Category::kComplaint && r.shadow) shadow.insert(r.id);
  }
  // Say why: an analyst who switched the last one to shadow needs a different fix from one
  // whose list of files lost complaints.yaml.
  const std::string why =
      shadow.empty()
          ? std::string("no enabled rule has category: complaint")
          : fmt::format("every complaint rule is in shadow mode ({})",
                        fmt::join(shadow, ", "));
  if (required) {
    diags->Error(required_where.file, required_where.line, required_where.column,
                 fmt::format("rules.require_complaint_rules is true, but the rule files hold no "
                             "live complaint rule ({}): nothing could page; add one (or set it "
                             "to mode: live, enabled: true), or set "
                             "rules.require_complaint_rules: false",
                             why));
    return false;
  }
  diags->Warning(where.file, where.line, where.column,
                 fmt::format("the rule files hold no live complaint rule ({}): earshot will page "
                             "nobody; set rules.require_complaint_rules: true to refuse such a "
                             "reload",
                             why));
  return true;
}

}  // namespace earshot
