// `earshot resolve INCIDENT_ID [--by NAME]`: an operator says "this one is dealt with". Who and
// when go into the incident's events at once, with a pending resolution in the same
// transaction (OperatorStore::ResolveIncident); the running daemon reads it within a second (a
// stopped one at its start), resolves the incident as it resolves any and tells every sink
// with a `resolve` escalation (PagerDuty: event_action resolve), reason "resolved by NAME".
// A later complaint on the same key reopens it. Safe to run while the daemon runs (SQLite WAL).
// A plain function: no state, any thread.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/state/operator_store.h"

namespace earshot {

// `args` are the words after `resolve`. Returns 0 on success (also for an incident already
// resolved), 1 when the store fails or the incident is unknown, 2 on a usage error (every
// message names the argument and the fix).
int RunResolveOnStore(const std::vector<std::string>& args, OperatorStore& store, Clock& clock,
                      std::ostream& out, std::ostream& err);

}  // namespace earshot
