// `earshot ack INCIDENT_ID [--by NAME]`: an on-call person says "I have this one". The incident
// becomes "acknowledged" (who and when go into its events); the running daemon re-reads
// acknowledgements every second, stops re-paging it every repeat_interval and tells every sink
// with an `acknowledge` escalation (PagerDuty: event_action acknowledge), queued in the same
// transaction as the acknowledgement (OperatorStore::AcknowledgeIncident). A severity raise still
// pages and a resolution still resolves. Safe to run while the daemon runs (SQLite WAL).
// A plain function: no state, any thread.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/state/operator_store.h"

namespace earshot {

// `args` are the words after `ack`. Returns 0 on success, 1 when the store fails or the incident
// is unknown or resolved, 2 on a usage error (every message names the argument and the fix).
int RunAckOnStore(const std::vector<std::string>& args, OperatorStore& store, Clock& clock,
                  std::ostream& out, std::ostream& err);

}  // namespace earshot
