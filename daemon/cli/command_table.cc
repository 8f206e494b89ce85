// The table behind main(). A command is added here and in the help table (cli_help_table.cc);
// the table test fails until both list it.
#include "daemon/cli/command_table.h"

#include <fmt/format.h>

#include <array>
#include <istream>
#include <ostream>

#include "daemon/cli/commands.h"
#include "daemon/cli/explain_command.h"
#include "daemon/cli/replay_command.h"
#include "daemon/cli/routes_command.h"
#include "daemon/cli/rule_test_command.h"

namespace earshot {
namespace {

using Args = std::vector<std::string>;

// Most commands read no stdin; their handlers drop it here rather than take a parameter they
// ignore.
template <int (*Run)(const Args&, std::ostream&, std::ostream&)>
int WithoutInput(const Args& args, std::istream&, std::ostream& out, std::ostream& err) {
  return Run(args, out, err);
}

constexpr std::array kCommands = {
    Command{"run", WithoutInput<RunDaemonCommand>},
    Command{"demo", WithoutInput<RunDemoCommand>},
    Command{"check", WithoutInput<RunCheckCommand>},
    Command{"replay", RunReplayCommand},
    Command{"explain", RunExplainCommand},
    Command{"test", WithoutInput<RunRuleTestCommand>},
    Command{"test sinks", WithoutInput<RunTestSinksCommand>},
    Command{"score", RunScoreCommand},
    Command{"incidents", WithoutInput<RunIncidentsCommand>},
    Command{"report", WithoutInput<RunReportCommand>},
    Command{"ack", WithoutInput<RunAckCommand>},
    Command{"resolve", WithoutInput<RunResolveCommand>},
    Command{"silence", WithoutInput<RunSilenceCommand>},
    Command{"deadletter", WithoutInput<RunDeadLetterCommand>},
    Command{"cluster status", WithoutInput<RunClusterStatusCommand>},
    Command{"routes", WithoutInput<RunRoutesCommand>},
    Command{"tail", WithoutInput<RunTailCommand>},
    Command{"version", WithoutInput<RunVersionCommand>},
    Command{"help", WithoutInput<RunHelpCommand>},
    Command{"completion", WithoutInput<RunCompletionCommand>},
};

}  // namespace

const CliCommand& Command::help() const { return *FindCliCommand(name); }

std::span<const Command> Commands() { return kCommands; }

const Command* FindCommand(const std::vector<std::string>& args, size_t* consumed) {
  if (args.empty()) return nullptr;
  if (args.size() >= 2) {
    const std::string two_words = args[0] + " " + args[1];
    for (const Command& c : kCommands) {
      if (c.name == two_words) {
        *consumed = 2;
        return &c;
      }
    }
  }
  for (const Command& c : kCommands) {
    if (c.name == args[0]) {
      *consumed = 1;
      return &c;
    }
  }
  return nullptr;
}

int RunCommandLine(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                   std::ostream& err) {
  // help, and --help anywhere: answered from the text before any command reads its config.
  if (auto code = HandleCliHelp(args, out, err)) return *code;
  std::vector<std::string> words = args;
  if (words[0] == "--version") words[0] = "version";  // the one option that names a command
  size_t consumed = 0;
  const Command* command = FindCommand(words, &consumed);
  if (command == nullptr) {
    err << fmt::format("earshot: unknown command '{}'\n\n", args[0]) << CliUsage();
    return kExitUsage;
  }
  return command->run({words.begin() + static_cast<std::ptrdiff_t>(consumed), words.end()}, in, out,
                      err);
}

}  // namespace earshot
