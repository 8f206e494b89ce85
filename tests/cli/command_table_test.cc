// The command table against the help table: a command main() can run but help does not know, or
// one help lists that main() cannot run, fails here rather than on a user's terminal.
#include "daemon/cli/command_table.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace earshot {
namespace {

TEST_CASE("command table: every command has help text, in the help table's order", "[cli]") {
  std::vector<std::string_view> helped;
  for (const CliCommand& c : CliCommands()) helped.push_back(c.name);
  size_t last = 0;
  for (const Command& c : Commands()) {
    INFO(c.name);
    REQUIRE(FindCliCommand(c.name) != nullptr);
    CHECK(c.help().name == c.name);
    CHECK(c.run != nullptr);
    const size_t at = std::find(helped.begin(), helped.end(), c.name) - helped.begin();
    CHECK(at >= last);
    last = at;
  }
}

TEST_CASE("command table: every command help lists has a handler", "[cli]") {
  for (const CliCommand& c : CliCommands()) {
    // Subcommands are parsed by their parent's handler, after its options (--config), unless
    // they have a handler of their own (test sinks).
    if (c.name.find(' ') != std::string_view::npos) continue;
    INFO(c.name);
    size_t consumed = 0;
    const Command* command = FindCommand({std::string(c.name)}, &consumed);
    REQUIRE(command != nullptr);
    CHECK(command->name == c.name);
    CHECK(consumed == 1);
  }
}

TEST_CASE("command table: a subcommand with its own handler takes both words", "[cli]") {
  size_t consumed = 0;
  const Command* sinks = FindCommand({"test", "sinks", "--config", "x.yaml"}, &consumed);
  REQUIRE(sinks != nullptr);
  CHECK(sinks->name == "test sinks");
  CHECK(consumed == 2);
  const Command* test = FindCommand({"test", "rules/tests/a.yaml"}, &consumed);
  REQUIRE(test != nullptr);
  CHECK(test->name == "test");
  CHECK(consumed == 1);
  const Command* silence = FindCommand({"silence", "add"}, &consumed);
  REQUIRE(silence != nullptr);
  CHECK(silence->name == "silence");
  CHECK(FindCommand({"bogus"}, &consumed) == nullptr);
  CHECK(FindCommand({}, &consumed) == nullptr);
}

TEST_CASE("command line: help, version and unknown words, as the binary answers them", "[cli]") {
  std::istringstream in;
  std::ostringstream version, dashed, err;
  CHECK(RunCommandLine({"version"}, in, version, err) == 0);
  CHECK(RunCommandLine({"--version"}, in, dashed, err) == 0);
  CHECK(version.str() == CliVersionLine() + "\n");
  CHECK(dashed.str() == version.str());
  CHECK(err.str().empty());

  std::ostringstream out, help_err;
  CHECK(RunCommandLine({"ack", "--config", "/nonexistent.yaml", "--help"}, in, out, help_err) == 0);
  CHECK(out.str() == CliCommandHelp(*FindCliCommand("ack")));

  std::ostringstream none, unknown;
  CHECK(RunCommandLine({"bogus"}, in, none, unknown) == 2);
  CHECK(none.str().empty());
  CHECK(unknown.str() == "earshot: unknown command 'bogus'\n\n" + CliUsage());
}

}  // namespace
}  // namespace earshot
