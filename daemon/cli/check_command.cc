// `earshot check --config FILE [--json]`: everything `run` would refuse, found without running:
// the config, every rule file, the lexicon and the silences file (whose ended entries are
// warnings, so the file gets cleaned), with every problem reported at once as
// file:line:col. Exit 78 on any error, so CI and `ExecReload=` wrappers can gate on it.
#include <fmt/format.h>

#include <ostream>

#include "daemon/app/app.h"
#include "daemon/app/check_rules.h"
#include "daemon/app/cluster_section.h"
#include "detectors/detector.h"
#include "daemon/app/config_loader.h"
#include "daemon/app/rate_budgets.h"
#include "daemon/base/log.h"
#include "daemon/cli/commands.h"

namespace earshot {

int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config_path;
  bool json = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else if (args[i] == "--json") {
      json = true;
    } else {
      err << fmt::format("earshot check: unexpected argument '{}'\n"
                         "usage: earshot check --config FILE [--json]\n", args[i]);
      return kExitUsage;
    }
  }
  if (config_path.empty()) {
    err << "earshot check: missing --config FILE\n";
    return kExitUsage;
  }
  log::SetLevel(log::Level::kError);
  Diagnostics diags;
  auto config = LoadAppConfig(config_path, &diags);
  std::string rules_summary;
  if (config.ok()) {
    CheckRateBudgets(*config, &diags);
    auto detector = BuildDetector(*config, &diags);
    if (detector.ok()) rules_summary = DescribeRuleSet((*detector)->rules());
    if (auto silences = LoadConfiguredSilences(*config, RealClock().Now(), &diags);
        silences && !config->silences_file.empty()) {
      rules_summary += fmt::format("; {} silence(s) in {}", silences->size(),
                                   config->silences_file_name);
    }
  }

  if (json) {
    out << diags.ToJson() << "\n";
  } else {
    for (const Diagnostic& d : diags.all()) err << d.ToString() << "\n";
    if (!diags.has_errors()) {
      out << fmt::format("{}: ok: {}; {} source(s), {} sink(s){}\n", config_path, rules_summary,
                         config->sources.size(), config->sinks.size(),
                         diags.warning_count() ? fmt::format(", {} warning(s)", diags.warning_count())
                                               : "");
      // Its own line: the summary above reads the same with or without a cluster.
      if (config->cluster) out << fmt::format("cluster: {}\n", DescribeCluster(*config->cluster));
    } else {
      err << fmt::format("{}: {} error(s), {} warning(s)\n", config_path, diags.error_count(),
                         diags.warning_count());
    }
  }
  return diags.has_errors() ? kExitConfig : kExitOk;
}

}  // namespace earshot
