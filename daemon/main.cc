// earshot: the command line. Each subcommand lives in daemon/app/<name>_command.cc; main only
// dispatches, so every command is testable in-process with its own streams.
#include <fmt/format.h>

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/app/commands.h"
#include "daemon/app/explain_command.h"
#include "daemon/app/replay_command.h"
#include "daemon/app/rule_test_command.h"
#include "daemon/base/build_info.h"
#include "daemon/escalator/routes.h"

namespace {

constexpr std::string_view kUsage = R"(earshot: hears customers complain on social networks and pages the right person once.

usage: earshot <command> [options]

  run   --config FILE        run the daemon (systemd Type=notify; SIGHUP reloads, SIGTERM stops)
  demo  [--keep DIR]         play a scripted scenario against a built-in fake Mastodon
  check --config FILE [--json]
                             validate the config and every rule file; exit 78 on any error
  replay [--config FILE] [--escalate --escalations FILE] CORPUS.jsonl...
                             run a corpus through detection (and the escalator), one JSON per post
  explain [--config FILE] [--json] [--all-rules] [TEXT... | -]
                             why each post scores and matches as it does: complaint cues,
                             features, sentiment, each rule's conditions; - reads JSON posts
  test  FILE...              run rule unit tests (promtool style); exit 1 on a failing case
  score TEXT...              VADER sentiment of each TEXT; --json reads one text per line on stdin
  test sinks [--config FILE] send one marked test escalation to every configured sink
  deadletter [--config FILE] list [--json] | retry SINK [SEQ...|--all]
                             what sinks gave up on, and sending it again
  incidents [--config FILE] [--status open|acknowledged|resolved | --all]
                             the incidents earshot is tracking, newest activity first
  ack [--config FILE] INCIDENT_ID [--by NAME]
                             acknowledge an incident: no more repeat pages; a raise still pages
  silence [--config FILE] add MATCHER... --for 2h | list | expire ID
                             mute pages by label matchers; the running daemon picks it up
  routes test --config FILE LABEL=VALUE...
                             print the receivers a set of labels reaches
  tail  ENDPOINT [--json]    print escalations published on a bus endpoint (ipc:// or tcp://)
  version                    print the version

Exit codes: 0 ok, 1 runtime failure, 2 usage error, 78 bad configuration.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
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
  if (command == "version" || command == "--version") {
    std::cout << fmt::format("earshot {} (revision {}, built {})\n", earshot::BuildVersion(),
                             earshot::BuildRevision(), earshot::BuildDate());
    return 0;
  }
  std::cerr << fmt::format("earshot: unknown command '{}'\n\n", command) << kUsage;
  return 2;
}
