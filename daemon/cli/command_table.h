// The one table of the earshot binary's commands: each entry's name, its help text and its
// handler. main() looks the words up here and calls the handler; `--help` after any command is
// answered from the same entry's text before the handler runs.
//
// The text lives one layer down, in the help table (cli_help.h, library earshot_cli), which
// links nothing but the base: `earshot help`, the man page and the completions need no config,
// and their tests build without the daemon. An entry here finds its text there by name, and
// tests/cli/command_table_test.cc holds the two to the same list of commands.
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/cli/cli_help.h"

namespace earshot {

// Every handler's shape: the words after the command's name and the process's streams; returns
// the exit code (commands.h).
using CommandHandler = int (*)(const std::vector<std::string>& args, std::istream& in,
                               std::ostream& out, std::ostream& err);

struct Command {
  // As the help table spells it: "run", or "test sinks" for a subcommand with a handler of its
  // own. Subcommands that share their parent's options (silence add, routes test) are parsed by
  // their parent's handler, after those options.
  std::string_view name;
  CommandHandler run;

  // This command's entry in the help table.
  const CliCommand& help() const;
};

// Every command main() runs, in the help table's order.
std::span<const Command> Commands();

// The entry the words name, longest name first ("test sinks" before "test"), and in *consumed
// how many words that name took; nullptr when none.
const Command* FindCommand(const std::vector<std::string>& args, size_t* consumed);

// The whole command line: help words (HandleCliHelp), then the command's handler with the
// words after its name. An unknown command prints the usage on `err` and returns 2.
int RunCommandLine(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                   std::ostream& err);

}  // namespace earshot
