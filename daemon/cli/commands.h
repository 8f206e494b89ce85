// The commands of the earshot binary. Each takes the words after its name and the streams it
// uses, and returns the process exit code: 0 ok, 1 runtime failure, 2 usage, 78 bad
// configuration. The table that names them and gives them one signature is command_table.h;
// the commands declared here have no header of their own.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace earshot {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitConfig = 78;  // EX_CONFIG, as sysexits.h and systemd expect

// `earshot run --config FILE`: the daemon, until SIGTERM or SIGINT.
int RunDaemonCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `earshot demo [--keep DIR]`: the scripted scenario against built-in fake networks.
int RunDemoCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `earshot check --config FILE [--json]`: everything `run` would refuse, without running.
int RunCheckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `earshot score`: VADER sentiment of texts or JSON lines (score_command.h).
int RunScoreCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                    std::ostream& err);
// `earshot silence [--config FILE] add|list|expire ...` on the config's state store.
int RunSilenceCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `earshot deadletter [--config FILE] list|retry ...` on the config's state store.
int RunDeadLetterCommand(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err);
// `earshot ack [--config FILE] INCIDENT_ID [--by NAME]`: stops repeat pages for an incident.
int RunAckCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `earshot resolve [--config FILE] INCIDENT_ID [--by NAME]`: resolves an incident by hand.
int RunResolveCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `earshot incidents [--config FILE] [--status S | --all]`: the incidents the store holds.
int RunIncidentsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `earshot report [--config FILE] [--since DUR|TIME] ...`: first-response times (report_command.h).
int RunReportCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `earshot test sinks [--config FILE]`: one marked test escalation to every configured sink.
int RunClusterStatusCommand(const std::vector<std::string>& args, std::ostream& out,
                             std::ostream& err);
int RunTestSinksCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// `earshot tail`, stopping on SIGINT/SIGTERM (tail_command.h).
int RunTailCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace earshot
