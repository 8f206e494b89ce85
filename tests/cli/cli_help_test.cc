// The command line's text: the table, `--help` everywhere (in-process and through the built
// binary, with no config and no HOME), the version line, the generated man page (checked by
// groff and man) and the completion scripts (run by a real bash, and zsh when installed).
#include "daemon/cli/cli_help.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace earshot {
namespace {

namespace fs = std::filesystem;

// Every command and subcommand main dispatches, as typed.
const std::vector<std::string> kDispatched = {"run",
                                              "demo",
                                              "check",
                                              "replay",
                                              "explain",
                                              "test",
                                              "test sinks",
                                              "score",
                                              "incidents",
                                              "report",
                                              "ack",
                                              "resolve",
                                              "silence",
                                              "silence add",
                                              "silence list",
                                              "silence expire",
                                              "deadletter",
                                              "deadletter list",
                                              "deadletter retry",
                                              "cluster status",
                                              "routes",
                                              "routes test",
                                              "tail",
                                              "version",
                                              "help",
                                              "completion"};

std::vector<std::string> Words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Ran {
  int code = -1;
  std::string out, err;
};

// Runs `command` with /bin/sh, capturing its exit code, stdout and stderr.
Ran Shell(const std::string& command) {
  static int n = 0;
  const fs::path dir = fs::temp_directory_path() / ("earshot-cli-test-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path out = dir / ("out" + std::to_string(n)), err = dir / ("err" + std::to_string(n));
  ++n;
  const std::string full = "(" + command + ") >" + Quote(out) + " 2>" + Quote(err) + " </dev/null";
  const int status = std::system(full.c_str());
  Ran r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

// The built binary with `args`, HOME unset and no config anywhere it could look.
Ran Earshot(const std::string& args) {
  return Shell(std::string("env -u HOME ") + Quote(EARSHOT_BINARY) + " " + args);
}

bool OnPath(const std::string& program) { return Shell("command -v " + program).code == 0; }

TEST_CASE("cli table: every dispatched command has a synopsis, a summary and exit codes",
          "[app][cli]") {
  for (const std::string& name : kDispatched) {
    INFO(name);
    const CliCommand* c = FindCliCommand(name);
    REQUIRE(c != nullptr);
    CHECK_FALSE(c->summary.empty());
    CHECK_FALSE(c->exits.empty());
    REQUIRE_FALSE(c->synopsis.empty());
    // A synopsis starts with the command's first word; a subcommand's names the subcommand.
    for (std::string_view line : c->synopsis) {
      CHECK(line.starts_with(Words(name)[0]));
      if (name.find(' ') != std::string::npos) {
        CHECK(std::string(line).find(" " + Words(name)[1]) != std::string::npos);
      }
    }
  }
  CHECK(CliCommands().size() == kDispatched.size());
  CHECK(FindCliCommand("silence bogus") == nullptr);
}

TEST_CASE("cli table: an option takes a value in every command or in none", "[app][cli]") {
  // The completion scripts skip an option's value by the option's name alone.
  std::map<std::string_view, std::string_view> value_of;
  for (const CliCommand& c : CliCommands()) {
    for (const CliOption& o : c.options) {
      INFO(c.name << " " << o.name);
      CHECK(o.name.starts_with("--"));
      CHECK_FALSE(o.help.empty());
      auto [it, inserted] = value_of.emplace(o.name, o.value);
      if (!inserted) CHECK(it->second.empty() == o.value.empty());
    }
  }
  CHECK(value_of.at("--config") == "FILE");
  CHECK(value_of.at("--json").empty());
}

TEST_CASE("cli table: a subcommand accepts its parent's options", "[app][cli]") {
  std::vector<std::string_view> names;
  for (const CliOption& o : CliEffectiveOptions(*FindCliCommand("silence add"))) {
    names.push_back(o.name);
  }
  CHECK(names ==
        std::vector<std::string_view>{"--config", "--for", "--until", "--comment", "--by"});
  std::vector<std::string_view> subs;
  for (const CliCommand* s : CliSubcommands("silence")) subs.push_back(s->name);
  CHECK(subs == std::vector<std::string_view>{"silence add", "silence list", "silence expire"});
  CHECK(CliSubcommands("run").empty());
}

TEST_CASE("cli help: --help and -h after every command and subcommand print its help",
          "[app][cli]") {
  for (const std::string& name : kDispatched) {
    for (const char* flag : {"--help", "-h"}) {
      INFO(name << " " << flag);
      std::vector<std::string> args = Words(name);
      args.insert(args.begin() + 1, {"--config", "/nonexistent/earshot.yaml"});
      args.push_back(flag);
      std::ostringstream out, err;
      REQUIRE(HandleCliHelp(args, out, err) == 0);
      const CliCommand& c = *FindCliCommand(name);
      CHECK(out.str().starts_with("usage: earshot " + std::string(c.synopsis[0]).substr(0, 10)));
      CHECK(out.str().find(std::string(c.name) + ": " + std::string(c.summary)) !=
            std::string::npos);
      CHECK(err.str().empty());
    }
  }
}

TEST_CASE("cli help: `help COMMAND SUB` prints what `COMMAND SUB --help` does", "[app][cli]") {
  std::ostringstream a, b, err;
  CHECK(RunHelpCommand({"deadletter", "retry"}, a, err) == 0);
  CHECK(HandleCliHelp({"deadletter", "retry", "oncall", "--help"}, b, err) == 0);
  CHECK(a.str() == b.str());
  CHECK(a.str().find("--all") != std::string::npos);
  CHECK(err.str().empty());

  std::ostringstream out, bad;
  CHECK(RunHelpCommand({"silence", "bogus"}, out, bad) == 2);
  CHECK(out.str().empty());
  CHECK(bad.str().starts_with("earshot help: no command 'silence bogus'"));
}

TEST_CASE("cli help: words for a command to run are left to it", "[app][cli]") {
  std::ostringstream out, err;
  CHECK_FALSE(HandleCliHelp({"run", "--config", "x.yaml"}, out, err).has_value());
  CHECK_FALSE(HandleCliHelp({"bogus", "--help"}, out, err).has_value());
  // After `--`, words are texts to explain or score, even one that reads --help.
  CHECK_FALSE(HandleCliHelp({"explain", "--", "--help"}, out, err).has_value());
  CHECK_FALSE(HandleCliHelp({"score", "--", "-h"}, out, err).has_value());
  CHECK(out.str().empty());
  CHECK(err.str().empty());
}

TEST_CASE("cli help: no words print the usage on stderr and exit 2", "[app][cli]") {
  std::ostringstream out, err;
  CHECK(HandleCliHelp({}, out, err) == 2);
  CHECK(out.str().empty());
  CHECK(err.str() == CliUsage());
  for (const std::string& name : kDispatched) {
    // Subcommands are listed under their own names, and groups (silence) by them.
    if (CliSubcommands(name).empty() || name == "test") {
      CHECK(CliUsage().find("\n  " + name + " ") != std::string::npos);
    }
  }
}

TEST_CASE("earshot binary: --help works for every command with no config and no HOME",
          "[app][cli]") {
  for (const std::string& name : kDispatched) {
    for (const std::string& config :
         {std::string(" --config /nonexistent/earshot.yaml"), std::string()}) {
      const std::string args = name + config + " --help";
      INFO("earshot " << args);
      const Ran r = Earshot(args);
      CHECK(r.code == 0);
      CHECK(r.out.starts_with("usage: earshot " + Words(name)[0]));
      CHECK(r.err.empty());
    }
  }
  const Ran help = Earshot("help");
  CHECK(help.code == 0);
  CHECK(help.out == CliUsage());
  const Ran dash = Earshot("--help");
  CHECK(dash.code == 0);
  CHECK(dash.out == CliUsage());
}

TEST_CASE("earshot binary: an unknown command or none prints the usage on stderr, exit 2",
          "[app][cli]") {
  const Ran bogus = Earshot("bogus --help");
  CHECK(bogus.code == 2);
  CHECK(bogus.out.empty());
  CHECK(bogus.err == "earshot: unknown command 'bogus'\n\n" + CliUsage());
  const Ran none = Earshot("");
  CHECK(none.code == 2);
  CHECK(none.out.empty());
  CHECK(none.err == CliUsage());
}

TEST_CASE("earshot binary: version and --version print the same line, with a revision",
          "[app][cli]") {
  const Ran version = Earshot("version");
  const Ran dashed = Earshot("--version");
  CHECK(version.code == 0);
  CHECK(dashed.code == 0);
  CHECK(version.out == dashed.out);
  CHECK(version.out == CliVersionLine() + "\n");
  std::smatch m;
  const std::regex line(
      R"(earshot (\d+\.\d+\.\d+) \(revision (\S*), built (\d{4}-\d{2}-\d{2})\)\n)");
  REQUIRE(std::regex_match(version.out, m, line));
  CHECK_FALSE(m[2].str().empty());
  // Built from a git checkout, the binary must name the commit, not fall back to "unknown".
  if (fs::exists(fs::path(EARSHOT_SOURCE_DIR) / ".git")) CHECK(m[2].str() != "unknown");
}

TEST_CASE("earshot.1: built gzipped and reproducible, lint-clean and naming every command",
          "[app][cli]") {
  const fs::path page = EARSHOT_MAN_PAGE;
  REQUIRE(fs::exists(page));
  const std::string gz = ReadFile(page);
  REQUIRE(gz.size() > 10);
  // gzip -n: no file name (FLG.FNAME) and no timestamp (MTIME), so rebuilds are byte-identical.
  CHECK((static_cast<unsigned char>(gz[3]) & 0x08) == 0);
  CHECK(gz.substr(4, 4) == std::string(4, '\0'));

  const Ran roff = Shell("gzip -dc " + Quote(page.string()));
  REQUIRE(roff.code == 0);
  const Ran printed = Earshot("help --man");
  CHECK(printed.code == 0);
  CHECK(roff.out == printed.out);
  CHECK(roff.out == CliManPage());
  for (const char* section : {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH COMMANDS",
                              ".SH OPTIONS", ".SH EXIT STATUS", ".SH FILES", ".SH ENVIRONMENT",
                              ".SH SEE ALSO", "/etc/earshot/earshot.yaml",
                              "/usr/share/earshot/rules", "NO_COLOR", "CREDENTIALS_DIRECTORY"}) {
    INFO(section);
    CHECK(roff.out.find(section) != std::string::npos);
  }
  for (const std::string& name : kDispatched) {
    INFO(name);
    CHECK(roff.out.find(".SS \"earshot " + name + "\"\n") != std::string::npos);
  }

  REQUIRE(OnPath("groff"));  // scripts/install-deps.sh --test installs groff-base
  const Ran groff = Shell("gzip -dc " + Quote(page.string()) + " | groff -man -ww -z");
  CHECK(groff.code == 0);
  CHECK(groff.err.empty());
  if (OnPath("man")) {
    const Ran man = Shell("MANWIDTH=80 man --warnings -l " + Quote(page.string()));
    CHECK(man.code == 0);
    CHECK(man.err.empty());
    for (const std::string& name : kDispatched)
      CHECK(man.out.find("earshot " + name) != std::string::npos);
  } else {
    WARN("man is not installed: the page was checked with groff only");
  }
}

// Sources `script` in a fresh bash and completes each line of `cases` (the words, the last
// one the word being completed, "" for an empty one); returns one "words -> replies" per case.
std::string BashComplete(const fs::path& script, const std::vector<std::string>& cases) {
  std::string program = "source " + Quote(script.string()) +
                        " || exit 9\n"
                        "t() { COMP_WORDS=(\"$@\"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                        "COMPREPLY=(); _earshot; echo \"$* -> ${COMPREPLY[*]}\"; }\n";
  for (const std::string& c : cases) program += "t " + c + "\n";
  const Ran r =
      Shell("cd " + Quote(EARSHOT_SOURCE_DIR) + " && bash --norc --noprofile -c " + Quote(program));
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  return r.out;
}

TEST_CASE("bash completion: commands, subcommands, options and files, as bash runs it",
          "[app][cli]") {
  const fs::path script = EARSHOT_BASH_COMPLETION;
  REQUIRE(fs::exists(script));
  CHECK(ReadFile(script) == *CliCompletionScript("bash"));
  const std::string out = BashComplete(
      script,
      {"earshot si", "earshot silence ''", "earshot check --", "earshot s",
       "earshot --config /x silence --config y a", "earshot silence add --f",
       "earshot deadletter retry oncall --", "earshot incidents --status a", "earshot test ''",
       "earshot test sinks --", "earshot help silence ''", "earshot completion ''",
       "earshot check --config README.m", "earshot replay --rules rules/compl",
       "earshot score --lexicon rules/lex", "earshot routes ''", "earshot ''"});
  const std::string expected =
      "earshot si -> silence\n"
      "earshot silence  -> add list expire\n"
      "earshot check -- -> --config --json --help\n"
      "earshot s -> score silence\n"
      "earshot --config /x silence --config y a -> add\n"
      "earshot silence add --f -> --for\n"
      "earshot deadletter retry oncall -- -> --config --all --help\n"
      "earshot incidents --status a -> acknowledged\n";
  CHECK(out.starts_with(expected));
  CHECK(out.find("earshot test sinks -- -> --config --help\n") != std::string::npos);
  CHECK(out.find("earshot help silence  -> add list expire\n") != std::string::npos);
  CHECK(out.find("earshot completion  -> bash zsh\n") != std::string::npos);
  CHECK(out.find("earshot check --config README.m -> README.md\n") != std::string::npos);
  CHECK(out.find("earshot replay --rules rules/compl -> rules/complaints.yaml\n") !=
        std::string::npos);
  CHECK(out.find("earshot score --lexicon rules/lex -> rules/lexicon\n") != std::string::npos);
  CHECK(out.find("earshot routes  -> test\n") != std::string::npos);
  CHECK(BashComplete(script, {"earshot report --", "earshot report --svg README.m"}) ==
        "earshot report -- -> --config --since --until --tz --json --svg --help\n"
        "earshot report --svg README.m -> README.md\n");
  // `earshot test <TAB>`: the sinks subcommand and the rule test files alike.
  CHECK(out.find("earshot test  -> sinks ") != std::string::npos);
  CHECK(out.find("earshot  -> run demo check replay explain test score incidents report ack "
                 "resolve silence deadletter routes tail version help completion\n") !=
        std::string::npos);
}

TEST_CASE("zsh completion: the same answers through zsh's completion functions", "[app][cli]") {
  const fs::path script = EARSHOT_ZSH_COMPLETION;
  REQUIRE(fs::exists(script));
  CHECK(ReadFile(script) == *CliCompletionScript("zsh"));
  CHECK(ReadFile(script).starts_with("#compdef earshot\n"));
  if (!OnPath("zsh")) {
    WARN(
        "zsh is not installed (scripts/install-deps.sh --test installs it): the zsh "
        "completion script was not run");
    return;
  }
  // Installed in a directory of $fpath, compinit binds it to earshot by its #compdef line.
  const Ran compinit =
      Shell("zsh -f -c " + Quote("fpath=(" + script.parent_path().string() +
                                 " $fpath); autoload -U "
                                 "compinit; compinit -u -D; print -r -- ${_comps[earshot]}"));
  CHECK(compinit.code == 0);
  CHECK(compinit.out == "_earshot\n");
  // compsys's functions are stood in for by ones that record what they were offered, so the
  // script's own logic runs without a terminal.
  const std::string program =
      "compdef() { registered=\"$*\" }\n"
      "source " +
      Quote(script.string()) +
      " || exit 9\n"
      "print -r -- \"registered $registered\"\n"
      "_describe() { local arr=${@[-1]} item; for item in ${(P)arr}; do got+=(\"${item%%:*}\"); "
      "done }\n"
      "compadd() { [[ $1 == -- ]] && shift; got+=(\"$@\") }\n"
      "_files() { got+=(\"<files$*>\") }\n"
      "t() { got=(); words=(\"$@\"); CURRENT=${#words}; _earshot; print -r -- \"$* -> $got\" }\n"
      "t earshot si\n"
      "t earshot silence ''\n"
      "t earshot check --\n"
      "t earshot check --config ''\n"
      "t earshot demo --keep ''\n"
      "t earshot incidents --status ''\n"
      "t earshot silence --config x add --\n"
      "t earshot help deadletter ''\n"
      "t earshot test ''\n";
  const Ran r = Shell("zsh -f -c " + Quote(program));
  REQUIRE(r.code == 0);
  CHECK(r.err.empty());
  std::string commands;
  for (const CliCommand& c : CliCommands()) {
    if (c.name.find(' ') == std::string_view::npos)
      commands += (commands.empty() ? "" : " ") + std::string(c.name);
  }
  // zsh filters the offers by the word's prefix itself, so `si` is offered every command.
  CHECK(r.out ==
        "registered _earshot earshot\n"
        "earshot si -> " +
            commands +
            "\n"
            "earshot silence  -> add list expire\n"
            "earshot check -- -> --config --json --help\n"
            "earshot check --config  -> <files>\n"
            "earshot demo --keep  -> <files-/>\n"
            "earshot incidents --status  -> open acknowledged resolved\n"
            "earshot silence --config x add -- -> --config --for --until --comment --by "
            "--help\n"
            "earshot help deadletter  -> list retry\n"
            "earshot test  -> sinks <files>\n");
}

TEST_CASE("completion command: bash and zsh only", "[app][cli]") {
  std::ostringstream out, err;
  CHECK(RunCompletionCommand({"bash"}, out, err) == 0);
  CHECK(out.str() == *CliCompletionScript("bash"));
  std::ostringstream out2, err2;
  CHECK(RunCompletionCommand({"fish"}, out2, err2) == 2);
  CHECK(out2.str().empty());
  CHECK(err2.str().find("no completion for 'fish'") != std::string::npos);
  std::ostringstream out3, err3;
  CHECK(RunCompletionCommand({}, out3, err3) == 2);
}

}  // namespace
}  // namespace earshot
