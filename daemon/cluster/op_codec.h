// State ops (state_ops.h) as the state log carries them (docs/cluster.md): one JSON object per
// op, format version 1 ("v":1), whose "op" names the kind: "ack", "resolve", "add_silence",
// "expire_silence", "sink_cursor", "dead_letter", "requeue", "clear_dead_letter", "prune_seen".
// Every field of each op is kept exactly (message_writer.h says how).
#pragma once

#include <string>
#include <string_view>

#include "daemon/base/result.h"
#include "daemon/cluster/state_ops.h"

namespace earshot::cluster {

std::string EncodeOp(const StateOp& op);
// kDataLoss naming the field for anything that is not an op of format version 1, an unknown
// "op" included.
Result<StateOp> DecodeOp(std::string_view json);

}  // namespace earshot::cluster
