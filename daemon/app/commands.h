// The subcommands of the earshot binary. Each takes the words after its name and its streams,
// and returns the process exit code: 0 ok, 1 runtime failure, 2 usage, 78 bad configuration.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace earshot {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitConfig = 78;  // EX_CONFIG, as sysexits.h and systemd expect

int RunDaemonCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunDemoCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int RunScoreCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                    std::ostream& err);
// `earshot silence [--config FILE] add|list|expire ...` on the config's state store.
int RunSilenceCommandFromMain(const std::vector<std::string>& args, std::ostream& out,
                              std::ostream& err);
// `earshot deadletter [--config FILE] list|retry ...` on the config's state store.
int RunDeadLetterCommandFromMain(const std::vector<std::string>& args, std::ostream& out,
                                 std::ostream& err);
// `earshot ack [--config FILE] INCIDENT_ID [--by NAME]`: stops repeat pages for an incident.
int RunAckCommandFromMain(const std::vector<std::string>& args, std::ostream& out,
                          std::ostream& err);
// `earshot incidents [--config FILE] [--status S | --all]`: the incidents the store holds.
int RunIncidentsCommandFromMain(const std::vector<std::string>& args, std::ostream& out,
                                std::ostream& err);
// `earshot test sinks [--config FILE]`: one marked test escalation to every configured sink.
int RunTestSinksCommandFromMain(const std::vector<std::string>& args, std::ostream& out,
                                std::ostream& err);
// `earshot tail`, stopping on SIGINT/SIGTERM.
int RunTailCommandFromMain(const std::vector<std::string>& args, std::ostream& out,
                           std::ostream& err);

}  // namespace earshot
