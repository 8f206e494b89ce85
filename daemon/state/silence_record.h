// SilenceRecord: a silence as stored. Operators write them (`earshot silence`, OperatorStore)
// and the escalator reads the active ones (IncidentStore::ListSilences) to mute by.
#pragma once

#include <string>

#include "daemon/base/clock.h"

namespace earshot {

// A silence: escalations whose labels match every matcher are recorded but not sent.
struct SilenceRecord {
  std::string id;        // assigned by AddSilence
  std::string matchers;  // Alertmanager syntax: `brand="acmeair",severity=~"low|medium"`
  std::string comment, created_by;
  SystemTime starts_at{}, ends_at{};
};

}  // namespace earshot
