// The command line's own text, in one table: every command and subcommand with its synopsis,
// summary, options, exit codes and examples. `earshot help`, every `--help`, the top-level
// usage, the man page (earshot help --man) and the bash and zsh completion scripts
// (earshot completion bash|zsh) are all printed from it, so they cannot disagree.
//
// Nothing here reads a config, the state store or the environment: help must work on a host
// where earshot is not set up yet (no /etc/earshot, no $HOME).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace earshot {

// What an option's value, or a command's operand, completes to.
enum class CliValue {
  kNone,    // nothing to offer (free text, an id, a number)
  kFile,    // a path
  kDir,     // a directory
  kChoice,  // one of CliOption::choices
};

struct CliOption {
  std::string_view name;   // "--config"
  std::string_view value;  // "FILE", or empty for a flag
  std::string_view help;   // one sentence or a few, unwrapped
  CliValue complete = CliValue::kNone;
  std::vector<std::string_view> choices = {};  // for kChoice
};

struct CliExit {
  int code;
  std::string_view meaning;
};

struct CliCommand {
  // "run", or for a subcommand its parent and its name: "silence add".
  std::string_view name = {};
  // Everything after `earshot <name>`; a parent with subcommands lists one line per form.
  std::vector<std::string_view> synopsis = {};
  std::string_view summary = {};      // one line, no final period
  std::string_view description = {};  // paragraphs separated by "\n\n", unwrapped
  // Its own options; a subcommand also accepts its parent's.
  std::vector<CliOption> options = {};
  std::vector<CliExit> exits = {};
  std::vector<std::string_view> examples = {};  // whole command lines
  CliValue operands = CliValue::kNone;          // what its non-option words complete to
  std::vector<std::string_view> operand_choices = {};
};

// Every command, parents before their subcommands, in the order help lists them.
const std::vector<CliCommand>& CliCommands();

// The entry named `name` ("silence add"), or nullptr.
const CliCommand* FindCliCommand(std::string_view name);

// The subcommands of `parent` ("silence" -> add, list, expire), in table order.
std::vector<const CliCommand*> CliSubcommands(std::string_view parent);

// The options `command` accepts: its parent's, then its own.
std::vector<CliOption> CliEffectiveOptions(const CliCommand& command);

// `earshot version`'s line: "earshot 0.1.0 (revision abc123def456, built 2026-12-06)".
std::string CliVersionLine();

// The overview `earshot help` prints (and, on stderr, a bare or unknown command).
std::string CliUsage();
// `earshot help COMMAND`: the full help of one command or subcommand.
std::string CliCommandHelp(const CliCommand& command);
// earshot(1) in roff (man(7) macros).
std::string CliManPage();
// The completion script for `shell` ("bash" or "zsh"); nullopt for another shell.
std::optional<std::string> CliCompletionScript(std::string_view shell);

// Answers the words after `earshot` when they ask for help: `--help`/`-h` first (the usage), or
// anywhere after a known command before a `--` (the help of the command, or subcommand, they
// follow), and no words at all (the usage on `err`, exit 2). Returns the exit code then, or
// nullopt when the words are for a command to run. Only the text table is read, so help works
// on a host with no config, no state store and no HOME.
std::optional<int> HandleCliHelp(const std::vector<std::string>& args, std::ostream& out,
                                 std::ostream& err);

// The commands that only print this text; `args` are the words after the command's name.
// `earshot help [--man | COMMAND [SUB]]`: 0, or 2 for a command the table does not hold.
int RunHelpCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `earshot version` (and `--version`): CliVersionLine(). Further words are ignored.
int RunVersionCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `earshot completion bash|zsh`: the script; 2 for no shell or another one.
int RunCompletionCommand(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err);

}  // namespace earshot
