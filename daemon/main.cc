// earshot: the command line. Each subcommand lives in daemon/app/<name>_command.cc; main only
// dispatches, so every command is testable in-process with its own streams.
#include <fmt/format.h>

#include <iostream>
#include <string>
#include <vector>

#include "daemon/app/cli_help.h"
#include "daemon/app/commands.h"
#include "daemon/app/explain_command.h"
#include "daemon/app/replay_command.h"
#include "daemon/app/rule_test_command.h"
#include "daemon/escalator/routes.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // help, --help anywhere, version and completion: answered from the command table before any
  // command reads its config.
  if (auto code = earshot::HandleCliHelp(args, std::cout, std::cerr)) return *code;
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "run") return earshot::RunDaemonCommand(args, std::cout, std::cerr);
  if (command == "demo") return earshot::RunDemoCommand(args, std::cout, std::cerr);
  if (command == "check") return earshot::RunCheckCommand(args, std::cout, std::cerr);
  if (command == "score") return earshot::RunScoreCommand(args, std::cin, std::cout, std::cerr);
  if (command == "replay") return earshot::RunReplayCommand(args, std::cin, std::cout, std::cerr);
  if (command == "explain") {
    return earshot::RunExplainCommand(args, std::cin, std::cout, std::cerr);
  }
  if (command == "test" && !args.empty() && args[0] == "sinks") {
    return earshot::RunTestSinksCommandFromMain({args.begin() + 1, args.end()}, std::cout,
                                                std::cerr);
  }
  if (command == "test") return earshot::RunRuleTestCommand(args, std::cout, std::cerr);
  if (command == "ack") return earshot::RunAckCommandFromMain(args, std::cout, std::cerr);
  if (command == "incidents") {
    return earshot::RunIncidentsCommandFromMain(args, std::cout, std::cerr);
  }
  if (command == "deadletter") {
    return earshot::RunDeadLetterCommandFromMain(args, std::cout, std::cerr);
  }
  if (command == "silence") return earshot::RunSilenceCommandFromMain(args, std::cout, std::cerr);
  if (command == "routes") return earshot::RunRoutesTestCommand(args, std::cout, std::cerr);
  if (command == "tail") return earshot::RunTailCommandFromMain(args, std::cout, std::cerr);
  std::cerr << fmt::format("earshot: unknown command '{}'\n\n", command) << earshot::CliUsage();
  return 2;
}
