// `earshot silence [--config FILE] add|list|expire ...`: opens the state store the config names
// (the running daemon's, which picks the change up within a second) and hands the rest of the
// words to the escalator's silence command.
#include <fmt/format.h>

#include <ostream>

#include "daemon/app/commands.h"
#include "daemon/app/config_loader.h"
#include "daemon/escalator/silence_command.h"
#include "daemon/state/state_store.h"

namespace earshot {

int RunSilenceCommandFromMain(const std::vector<std::string>& args, std::ostream& out,
                              std::ostream& err) {
  std::string config_path = "/etc/earshot/earshot.yaml";
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else {
      rest.push_back(args[i]);
    }
  }
  Diagnostics diags;
  auto config = LoadAppConfig(config_path, &diags);
  if (!config.ok()) {
    for (const Diagnostic& d : diags.all()) err << d.ToString() << "\n";
    err << fmt::format("earshot silence: {}\n", config.status().message());
    return kExitConfig;
  }
  auto store = StateStore::Open(config->state_dir / "earshot.db");
  if (!store.ok()) {
    err << fmt::format("earshot silence: {}\n", store.status().message());
    return kExitFailure;
  }
  return RunSilenceCommand(rest, **store, RealClock(), out, err);
}

}  // namespace earshot
