// `earshot incidents [--status STATUS | --all] [--limit N]`: the incidents, one aligned line
// each: id, status, severity, posts, last post, the first response (who answered and how long
// after the incident opened) or how long an active one has waited unanswered, and the summary.
// Reads only, and only what an operator may see; safe while the daemon runs (SQLite WAL).
// A plain function: no state, any thread.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/state/operator_store.h"

namespace earshot {

// `args` are the words after `incidents` (and its --config); `clock` measures the unanswered
// waits. Returns 0 when listed, 1 when the store fails, 2 on a usage error.
int RunIncidentsOnStore(const std::vector<std::string>& args, OperatorStore& store, Clock& clock,
                        std::ostream& out, std::ostream& err);

// The response column of `inc` at `now`: "answered by @acme_care after 12m00s", "unanswered for
// 40m00s" (active: since it opened), or "unanswered" (resolved without an answer).
std::string ResponseColumn(const IncidentRecord& inc, SystemTime now);

}  // namespace earshot
