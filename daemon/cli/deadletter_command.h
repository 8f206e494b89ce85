// `earshot deadletter`: shows the escalations a sink gave up on, and puts them back for delivery.
//
//   earshot deadletter list [--sink NAME] [--json]
//   earshot deadletter retry SINK (SEQ... | --all)
//
// list prints one dead letter per line, oldest seq first within each sink:
//   SINK SEQ AT REASON              (AT in ISO 8601 UTC; "[retry pending]" before the reason when
//                                    a retry was asked for and not yet made)
// or with --json one object per line: {"sink":..,"seq":..,"at":..,"reason":..,"retry_pending":..}.
// retry flags them in the state store; the sink's runner in the running daemon (or the next one
// started) sends each again at its next outbox check, with its original seq, so the receiver's
// idempotency key is the same as on the first try. Works while the daemon runs (SQLite WAL).
// Exit codes: 0, 1 when the store fails or a seq is not a dead letter of SINK, 2 usage.
//
// Threads: runs on the caller's thread; `store` is the daemon's state store, opened by the caller.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/state/outbox_store.h"

namespace earshot {

// `args` are the words after `earshot deadletter`.
int RunDeadLetterOnStore(const std::vector<std::string>& args, OutboxStore& store,
                         std::ostream& out, std::ostream& err);

}  // namespace earshot
