// StateOp: a change to earshot's state that is not an escalator commit, as the state log
// carries it (docs/cluster.md). Operators' writes (ack, resolve, silences, dead-letter retries)
// and the sink runners' progress come from whichever node served them; every node applies them
// in the log's order to its own copy of the state, so all copies agree, and the escalator's
// leader picks them up as it picks up the CLI's writes on a single node.
//
// Applying one twice must change nothing the first did not: a node that crashed after applying
// an op but before noting its position applies it again at its restart. Acks, resolves and
// expiries are idempotent in the stores already; AddSilence carries the id it was given when
// logged, and dead letters are keyed by (sink, seq).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/state/outbox_store.h"
#include "daemon/state/silence_record.h"

namespace earshot::cluster {

struct AckOp {  // OperatorStore::AcknowledgeIncident
  std::string incident_id, by;
  SystemTime at{};
  bool operator==(const AckOp&) const = default;
};
struct ResolveOp {  // OperatorStore::ResolveIncident
  std::string incident_id, by;
  SystemTime at{};
  bool operator==(const ResolveOp&) const = default;
};
struct AddSilenceOp {  // OperatorStore::AddSilence; silence.id is set ("sil-<log seq>")
  SilenceRecord silence;
  bool operator==(const AddSilenceOp&) const = default;
};
struct ExpireSilenceOp {  // OperatorStore::ExpireSilence
  std::string id;
  SystemTime at{};
  bool operator==(const ExpireSilenceOp&) const = default;
};
struct SinkCursorOp {  // OutboxStore::SaveSinkCursor
  std::string sink;
  uint64_t seq = 0;
  bool operator==(const SinkCursorOp&) const = default;
};
struct DeadLetterOp {  // OutboxStore::AddDeadLetter (update = false) or UpdateDeadLetter
  DeadLetter letter;
  bool update = false;
  bool operator==(const DeadLetterOp& o) const {
    return letter.sink == o.letter.sink && letter.seq == o.letter.seq &&
           letter.reason == o.letter.reason && letter.at == o.letter.at &&
           letter.redeliver == o.letter.redeliver && update == o.update;
  }
};
struct RequeueOp {  // OutboxStore::RequeueDeadLetters
  std::string sink;
  std::vector<uint64_t> seqs;
  bool operator==(const RequeueOp&) const = default;
};
struct ClearDeadLetterOp {  // OutboxStore::ClearDeadLetter
  std::string sink;
  uint64_t seq = 0;
  bool operator==(const ClearDeadLetterOp&) const = default;
};
struct PruneSeenOp {  // IncidentStore::PruneSeenPosts
  SystemTime before{};
  bool operator==(const PruneSeenOp&) const = default;
};

using StateOp = std::variant<AckOp, ResolveOp, AddSilenceOp, ExpireSilenceOp, SinkCursorOp,
                             DeadLetterOp, RequeueOp, ClearDeadLetterOp, PruneSeenOp>;

}  // namespace earshot::cluster
