// The commands that work on a running (or stopped) daemon's state store, from the command line:
//   earshot silence    [--config FILE] add|list|expire ...
//   earshot deadletter [--config FILE] list|retry ...
//   earshot ack        [--config FILE] INCIDENT_ID [--by NAME]
//   earshot resolve    [--config FILE] INCIDENT_ID [--by NAME]
//   earshot incidents  [--config FILE] [--status STATUS | --all] [--limit N]
//   earshot report     [--config FILE] [--since DUR|TIME] [--until TIME] [--tz ZONE] [--json]
//                      [--svg FILE]
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
#include "daemon/cli/incidents_command.h"
#include "daemon/cli/report_command.h"
#include "daemon/cli/resolve_command.h"
#include "daemon/cli/silence_command.h"
#include "daemon/state/state_store.h"

namespace earshot {
namespace {

// In a cluster every change goes through the state log, which a running node writes; a change
// to this host's copy of the state alone would be undone by nothing and seen by no other node.
// Reads work on the copy as they do on a single node. True (and said on `err`) when `write` is
// such a change.
bool RefusedInCluster(std::string_view command, const AppConfig& config, bool write,
                      std::ostream& err) {
  if (!config.cluster || !write) return false;
  err << fmt::format(
      "earshot {}: {} is a cluster node's config: make this change through a node, so that "
      "every node makes it: the web console or its JSON API on any node (docs/console.md, "
      "docs/cluster.md)\n",
      command, config.file.string());
  return true;
}

bool FirstIs(const std::vector<std::string>& rest, std::initializer_list<std::string_view> words) {
  return !rest.empty() && std::find(words.begin(), words.end(), rest[0]) != words.end();
}

// Loads --config, opens its state store and runs `run` with the remaining words, the store
// and the config. `writes` tells, from those words, whether the command changes the state: a
// cluster node's config refuses that before anything is opened (RefusedInCluster).
int WithStateStore(
    std::string_view command, const std::vector<std::string>& args, std::ostream& err,
    const std::function<bool(const std::vector<std::string>&)>& writes,
    const std::function<int(const std::vector<std::string>&, StateStore&, const AppConfig&)>&
        run) {
  std::vector<std::string> rest;
  auto config = LoadConfigArg(command, args, &rest, err);
  if (!config) return kExitConfig;
  if (RefusedInCluster(command, *config, writes(rest), err)) return kExitFailure;
  auto store = StateStore::Open(config->state_dir / "earshot.db");
  if (!store.ok()) {
    err << fmt::format("earshot {}: {}\n", command, store.status().message());
    return kExitFailure;
  }
  return run(rest, **store, *config);
}

}  // namespace

int RunSilenceCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> rest;
  auto config = LoadConfigArg("silence", args, &rest, err);
  if (!config) return kExitConfig;
  if (RefusedInCluster("silence", *config, FirstIs(rest, {"add", "expire"}), err)) {
    return kExitFailure;
  }
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
  return WithStateStore(
      "deadletter", args, err, [](const auto& rest) { return FirstIs(rest, {"retry"}); },
      [&](const auto& rest, StateStore& store, const AppConfig&) {
        return RunDeadLetterOnStore(rest, store, out, err);
      });
}

int RunAckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return WithStateStore(
      "ack", args, err, [](const auto&) { return true; },
      [&](const auto& rest, StateStore& store, const AppConfig&) {
        return RunAckOnStore(rest, store, RealClock(), out, err);
      });
}

int RunResolveCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return WithStateStore("resolve", args, err,
                        [](const auto&) { return true; },
                        [&](const auto& rest, StateStore& store, const AppConfig&) {
                          return RunResolveOnStore(rest, store, RealClock(), out, err);
                        });
}

int RunIncidentsCommand(const std::vector<std::string>& args, std::ostream& out,
                        std::ostream& err) {
  return WithStateStore(
      "incidents", args, err, [](const auto&) { return false; },
      [&](const auto& rest, StateStore& store, const AppConfig&) {
        return RunIncidentsOnStore(rest, store, RealClock(), out, err);
      });
}

int RunReportCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return WithStateStore(
      "report", args, err, [](const auto&) { return false; },
      [&](const auto& rest, StateStore& store, const AppConfig& config) {
        // Days are the support team's: the zone of `response.business_hours` unless --tz says.
        const std::string zone = config.escalation.response
                                     ? config.escalation.response->hours.zone().name()
                                     : std::string("UTC");
        return RunReportOnStore(rest, store, RealClock(), out, err, zone);
      });
}

}  // namespace earshot
