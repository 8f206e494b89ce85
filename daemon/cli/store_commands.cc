// The commands that work on a running (or stopped) daemon's state store, from the command line:
//   earshot silence    [--config FILE] add|list|expire ...
//   earshot deadletter [--config FILE] list|retry ...
//   earshot ack        [--config FILE] INCIDENT_ID [--by NAME]
//   earshot incidents  [--config FILE] [--status STATUS | --all] [--limit N]
// Each opens the store the config names (SQLite WAL lets it share the file with the daemon,
// which picks the change up within a second) and hands the remaining words to the command.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <ostream>

#include "daemon/app/config_loader.h"
#include "daemon/cli/ack_command.h"
#include "daemon/cli/commands.h"
#include "daemon/cli/config_arg.h"
#include "daemon/cli/deadletter_command.h"
#include "daemon/cli/silence_command.h"
#include "daemon/state/state_store.h"

namespace earshot {
namespace {

int WithStateStore(std::string_view command, const std::vector<std::string>& args,
                   std::ostream& err,
                   const std::function<int(const std::vector<std::string>&, StateStore&)>& run) {
  std::vector<std::string> rest;
  auto config = LoadConfigArg(command, args, &rest, err);
  if (!config) return kExitConfig;
  auto store = StateStore::Open(config->state_dir / "earshot.db");
  if (!store.ok()) {
    err << fmt::format("earshot {}: {}\n", command, store.status().message());
    return kExitFailure;
  }
  return run(rest, **store);
}

// `earshot incidents` once the store is open: `args` are the words after the command (and
// its --config). Reads only, and only what an operator may see.
int RunIncidentsOnStore(const std::vector<std::string>& args, OperatorStore& store,
                        std::ostream& out, std::ostream& err) {
  std::string status = "active";  // open + acknowledged
  size_t limit = 50;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--all") {
      status.clear();
    } else if (args[i] == "--status" && i + 1 < args.size()) {
      status = args[++i];
    } else if (args[i] == "--limit" && i + 1 < args.size()) {
      limit = static_cast<size_t>(std::max(1, std::atoi(args[++i].c_str())));
    } else {
      err << fmt::format(
          "earshot incidents: unexpected argument '{}'\nusage: earshot incidents "
          "[--config FILE] [--status open|acknowledged|resolved | --all] "
          "[--limit N]\n",
          args[i]);
      return kExitUsage;
    }
  }
  Result<std::vector<IncidentRecord>> incidents =
      status == "active" ? store.LoadActiveIncidents() : store.ListIncidents(status, limit);
  if (!incidents.ok()) {
    err << fmt::format("earshot incidents: {}\n", incidents.status().message());
    return kExitFailure;
  }
  size_t shown = 0;
  for (const IncidentRecord& inc : *incidents) {
    if (shown++ == limit) break;
    out << fmt::format("{}  {:<12} {:<8} {:>4} post(s)  last {}  {}\n", inc.id,
                       IncidentStatusName(inc.status), SeverityName(inc.severity), inc.post_count,
                       FormatIso8601(inc.last_post_at), inc.summary);
  }
  if (incidents->empty()) out << "no incidents\n";
  return kExitOk;
}

}  // namespace

int RunSilenceCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> rest;
  auto config = LoadConfigArg("silence", args, &rest, err);
  if (!config) return kExitConfig;
  auto store = StateStore::Open(config->state_dir / "earshot.db");
  if (!store.ok()) {
    err << fmt::format("earshot silence: {}\n", store.status().message());
    return kExitFailure;
  }
  // The silences file's entries are listed with the store's. A broken file is reported and
  // left out: the daemon keeps the entries it last read, and the store's still show.
  Diagnostics diags;
  auto file_silences = LoadConfiguredSilences(*config, RealClock().Now(), &diags);
  for (const Diagnostic& d : diags.all()) {
    if (d.level == Diagnostic::Level::kError) err << d.ToString() << "\n";
  }
  if (!file_silences) {
    err << fmt::format(
        "earshot silence: {} has errors (fix them, then `earshot check`); its "
        "entries are not listed\n",
        config->silences_file.string());
  }
  const int code = RunSilenceOnStore(rest, **store, RealClock(), out, err,
                                     file_silences.value_or(std::vector<FileSilence>{}),
                                     config->silences_file_name);
  return code == kExitOk && !file_silences ? kExitFailure : code;
}

int RunDeadLetterCommand(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err) {
  return WithStateStore("deadletter", args, err, [&](const auto& rest, StateStore& store) {
    return RunDeadLetterOnStore(rest, store, out, err);
  });
}

int RunAckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return WithStateStore("ack", args, err, [&](const auto& rest, StateStore& store) {
    return RunAckOnStore(rest, store, RealClock(), out, err);
  });
}

int RunIncidentsCommand(const std::vector<std::string>& args, std::ostream& out,
                        std::ostream& err) {
  return WithStateStore("incidents", args, err, [&](const auto& rest, StateStore& store) {
    return RunIncidentsOnStore(rest, store, out, err);
  });
}

}  // namespace earshot
