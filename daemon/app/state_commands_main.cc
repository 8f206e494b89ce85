// The commands that work on a running (or stopped) daemon's state store, from the command line:
//   earshot silence    [--config FILE] add|list|expire ...
//   earshot deadletter [--config FILE] list|retry ...
//   earshot ack        [--config FILE] INCIDENT_ID [--by NAME]
// Each opens the store the config names (SQLite WAL lets it share the file with the daemon,
// which picks the change up within a second) and hands the remaining words to the command.
#include <fmt/format.h>

#include <functional>
#include <ostream>

#include "daemon/app/commands.h"
#include "daemon/app/config_loader.h"
#include "daemon/app/deadletter_command.h"
#include "daemon/app/test_sinks_command.h"
#include "daemon/escalator/ack_command.h"
#include "daemon/escalator/silence_command.h"
#include "daemon/state/state_store.h"

namespace earshot {
namespace {

constexpr const char* kDefaultConfig = "/etc/earshot/earshot.yaml";

// Splits off --config FILE, loads it, and reports problems the way `earshot check` does.
std::optional<AppConfig> LoadConfigArg(std::string_view command,
                                       const std::vector<std::string>& args,
                                       std::vector<std::string>* rest, std::ostream& err) {
  std::string config_path = kDefaultConfig;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else {
      rest->push_back(args[i]);
    }
  }
  Diagnostics diags;
  auto config = LoadAppConfig(config_path, &diags);
  if (!config.ok()) {
    for (const Diagnostic& d : diags.all()) err << d.ToString() << "\n";
    err << fmt::format("earshot {}: {}\n", command, config.status().message());
    return std::nullopt;
  }
  return *std::move(config);
}

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

}  // namespace

int RunSilenceCommandFromMain(const std::vector<std::string>& args, std::ostream& out,
                              std::ostream& err) {
  return WithStateStore("silence", args, err, [&](const auto& rest, StateStore& store) {
    return RunSilenceCommand(rest, store, RealClock(), out, err);
  });
}

int RunDeadLetterCommandFromMain(const std::vector<std::string>& args, std::ostream& out,
                                 std::ostream& err) {
  return WithStateStore("deadletter", args, err, [&](const auto& rest, StateStore& store) {
    return RunDeadLetterCommand(rest, store, out, err);
  });
}

int RunAckCommandFromMain(const std::vector<std::string>& args, std::ostream& out,
                          std::ostream& err) {
  return WithStateStore("ack", args, err, [&](const auto& rest, StateStore& store) {
    return RunAckCommand(rest, store, RealClock(), out, err);
  });
}

int RunTestSinksCommandFromMain(const std::vector<std::string>& args, std::ostream& out,
                                std::ostream& err) {
  std::vector<std::string> rest;
  auto config = LoadConfigArg("test sinks", args, &rest, err);
  if (!config) return kExitConfig;
  if (!rest.empty()) {
    err << fmt::format("earshot test sinks: unexpected argument '{}'\n"
                       "usage: earshot test sinks [--config FILE]\n", rest[0]);
    return kExitUsage;
  }
  std::vector<SinkConfig> sinks;
  for (const SinkSettings& s : config->sinks) sinks.push_back({s.name, s.type, s.options});
  return TestSinks(sinks, out, err);
}

}  // namespace earshot
