// Help text for the terminal, from the table in cli_help_table.cc, and the words that ask for it.
#include "daemon/cli/cli_help.h"

#include <fmt/format.h>

#include <ostream>

#include "daemon/base/build_info.h"

namespace earshot {
namespace {

constexpr size_t kWidth = 80;
constexpr std::string_view kTagline =
    "earshot: hears customers complain on social networks and pages the right person once.";

// Fills `text` into lines of at most kWidth columns (a longer word gets a line of its own), the
// first starting at column `first_column` (the caller has written that much already), the
// others indented by `indent`. Each "\n\n" in `text` starts a new paragraph.
std::string Wrap(std::string_view text, size_t indent, size_t first_column = 0) {
  std::string out;
  size_t column = first_column;
  bool line_empty = true;
  size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, 2) == "\n\n") {
      out += "\n\n" + std::string(indent, ' ');
      column = indent;
      line_empty = true;
      i += 2;
      continue;
    }
    if (text[i] == ' ' || text[i] == '\n') {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && text[end] != ' ' && text[end] != '\n') ++end;
    const std::string_view word = text.substr(i, end - i);
    if (!line_empty && column + 1 + word.size() > kWidth) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
      line_empty = true;
    }
    if (!line_empty) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    line_empty = false;
    i = end;
  }
  return out;
}

// "  NAME        text" rows: the text wrapped at column 22, under the name when it is long.
std::string Row(std::string_view name, std::string_view text) {
  constexpr size_t kTextColumn = 22;
  std::string out = "  " + std::string(name);
  if (out.size() + 2 > kTextColumn) {
    out += "\n" + std::string(kTextColumn, ' ');
  } else {
    out += std::string(kTextColumn - out.size(), ' ');
  }
  return out + Wrap(text, kTextColumn, kTextColumn) + "\n";
}

std::string OptionName(const CliOption& o) {
  return o.value.empty() ? std::string(o.name) : fmt::format("{} {}", o.name, o.value);
}

std::string_view LastWord(std::string_view name) {
  const size_t space = name.rfind(' ');
  return space == std::string_view::npos ? name : name.substr(space + 1);
}

bool IsHelpWord(std::string_view a) { return a == "-h" || a == "--help"; }

// The entry `earshot <args>` names, for its --help: the command, or the subcommand its first
// word (after --config FILE) names.
const CliCommand* CommandOfWords(const CliCommand& command, const std::vector<std::string>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--config") {
      ++i;
      continue;
    }
    if (args[i].starts_with("-")) continue;
    if (const CliCommand* sub = FindCliCommand(fmt::format("{} {}", command.name, args[i]))) {
      return sub;
    }
    break;
  }
  return &command;
}

}  // namespace

const CliCommand* FindCliCommand(std::string_view name) {
  for (const CliCommand& c : CliCommands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<const CliCommand*> CliSubcommands(std::string_view parent) {
  std::vector<const CliCommand*> subs;
  for (const CliCommand& c : CliCommands()) {
    if (c.name.size() > parent.size() && c.name.starts_with(parent) &&
        c.name[parent.size()] == ' ' && c.name.find(' ', parent.size() + 1) == std::string::npos) {
      subs.push_back(&c);
    }
  }
  return subs;
}

std::vector<CliOption> CliEffectiveOptions(const CliCommand& command) {
  std::vector<CliOption> options;
  if (const size_t space = command.name.find(' '); space != std::string_view::npos) {
    if (const CliCommand* parent = FindCliCommand(command.name.substr(0, space))) {
      options = parent->options;
    }
  }
  for (const CliOption& o : command.options) {
    bool known = false;
    for (const CliOption& have : options) known = known || have.name == o.name;
    if (!known) options.push_back(o);
  }
  return options;
}

std::string CliVersionLine() {
  return fmt::format("earshot {} (revision {}, built {})", BuildVersion(), BuildRevision(),
                     BuildDate());
}

std::string CliUsage() {
  std::string out = fmt::format("{}\n\nusage: earshot COMMAND [options]\n\ncommands:\n", kTagline);
  for (const CliCommand& c : CliCommands()) {
    // A parent that only groups its subcommands (silence, deadletter, routes) is listed by them.
    if (c.operands == CliValue::kNone && !CliSubcommands(c.name).empty()) continue;
    out += Row(c.name, c.summary);
  }
  out += "\noptions:\n";
  out += Row("-h, --help", "print this help; after a command, that command's help");
  out += Row("--version", "print the version, as `earshot version` does");
  out +=
      "\n`earshot help COMMAND` or `earshot COMMAND --help` shows a command's options;\n"
      "`man earshot` has them all.\n"
      "Exit codes: 0 ok, 1 runtime failure, 2 usage error, 78 bad configuration.\n";
  return out;
}

std::string CliCommandHelp(const CliCommand& command) {
  std::string out;
  for (size_t i = 0; i < command.synopsis.size(); ++i) {
    const std::string_view lead = i == 0 ? "usage: earshot " : "       earshot ";
    out += std::string(lead) + Wrap(command.synopsis[i], lead.size(), lead.size()) + "\n";
  }
  out += "\n" + Wrap(fmt::format("{}: {}.", command.name, command.summary), 0) + "\n";
  if (!command.description.empty()) out += "\n" + Wrap(command.description, 0) + "\n";
  if (const auto subs = CliSubcommands(command.name); !subs.empty()) {
    out += "\nsubcommands:\n";
    for (const CliCommand* s : subs) out += Row(LastWord(s->name), s->summary);
  }
  out += "\noptions:\n";
  for (const CliOption& o : CliEffectiveOptions(command)) out += Row(OptionName(o), o.help);
  out += Row("-h, --help", "Print this help.");
  if (!command.exits.empty()) {
    out += "\nexit status:\n";
    for (const CliExit& e : command.exits) out += Row(std::to_string(e.code), e.meaning);
  }
  if (!command.examples.empty()) {
    out += "\nexamples:\n";
    for (std::string_view e : command.examples) out += "  " + std::string(e) + "\n";
  }
  return out;
}

int RunHelpCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    out << CliUsage();
    return 0;
  }
  for (const std::string& a : args) {
    if (IsHelpWord(a)) {
      out << CliCommandHelp(*FindCliCommand("help"));
      return 0;
    }
  }
  if (args.size() == 1 && args[0] == "--man") {
    out << CliManPage();
    return 0;
  }
  std::string name;
  for (size_t i = 0; i < args.size(); ++i) name += (i > 0 ? " " : "") + args[i];
  if (const CliCommand* command = FindCliCommand(name)) {
    out << CliCommandHelp(*command);
    return 0;
  }
  err << fmt::format("earshot help: no command '{}'\n\n", name) << CliUsage();
  return 2;
}

int RunVersionCommand(const std::vector<std::string>&, std::ostream& out, std::ostream&) {
  out << CliVersionLine() << "\n";
  return 0;
}

int RunCompletionCommand(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err) {
  if (args.size() == 1) {
    if (auto script = CliCompletionScript(args[0])) {
      out << *script;
      return 0;
    }
  }
  err << fmt::format("earshot completion: {}\nusage: earshot completion bash|zsh\n",
                     args.size() == 1 ? fmt::format("no completion for '{}'", args[0])
                                      : std::string("name the shell: bash or zsh"));
  return 2;
}

std::optional<int> HandleCliHelp(const std::vector<std::string>& args, std::ostream& out,
                                 std::ostream& err) {
  if (args.empty()) {
    err << CliUsage();
    return 2;
  }
  const std::string& first = args[0];
  if (IsHelpWord(first)) {
    out << CliUsage();
    return 0;
  }
  const CliCommand* command = FindCliCommand(first == "--version" ? "version" : first);
  // A command of two words whose first is no command of its own ("cluster status"), its second
  // word after any options (`cluster --config FILE status`).
  for (size_t i = 1; command == nullptr && i < args.size(); ++i) {
    if (args[i] == "--config") {
      ++i;
      continue;
    }
    if (args[i].starts_with("-")) continue;
    command = FindCliCommand(first + " " + args[i]);
    break;
  }
  if (command == nullptr) return std::nullopt;
  // --help wins wherever it stands before a `--` (after which words are texts, as in explain):
  // nothing else is read, so it works without a config, a state store or a HOME.
  for (size_t i = 1; i < args.size() && args[i] != "--"; ++i) {
    if (IsHelpWord(args[i])) {
      out << CliCommandHelp(*CommandOfWords(*command, args));
      return 0;
    }
  }
  return std::nullopt;
}

}  // namespace earshot
