// OutboxRecord: one promised escalation as the outbox keeps it. The escalator writes records
// (IncidentStore::Commit) and the sink runners read them (OutboxStore), so the record has a
// header of its own that neither side's interface drags the other's records in with.
#pragma once

#include <cstdint>
#include <string>

#include "daemon/base/clock.h"

namespace earshot {

// One promised escalation: its sequence number and its wire JSON (daemon/model/escalation_json.h).
struct OutboxRecord {
  uint64_t seq = 0;
  std::string json;
  SystemTime created_at{};
};

}  // namespace earshot
