// `earshot tail [ENDPOINT] [--json]`: subscribes to the daemon's external bus endpoint and
// prints every escalation as it comes, readable (as the console sink) or as raw wire JSON, one
// object per line, for jq. It is an outside subscriber like any other: it sees what is
// published while it listens, and reports (on `err`) when a gap in `seq` shows that it missed
// some; the outbox, not the bus, holds the history.
#pragma once

#include <iosfwd>
#include <stop_token>
#include <string>
#include <vector>

namespace earshot {

// args: the words after `tail`. The endpoint is positional or `--endpoint E`, by default
// ipc:///run/earshot/escalations.sock (bus::kDefaultExternalEndpoint). Runs until `stop`;
// returns 0 then, 2 for bad usage, 1 when the bus fails.
int RunTailUntilStopped(const std::vector<std::string>& args, std::stop_token stop,
                        std::ostream& out, std::ostream& err);

}  // namespace earshot
