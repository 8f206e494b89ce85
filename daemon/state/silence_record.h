// SilenceRecord: a silence as stored. Operators write them (`earshot silence`, OperatorStore)
// and the escalator reads the active ones (IncidentStore::ListSilences) to mute by.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/base/clock.h"

namespace earshot {

// A silence: escalations whose labels match every matcher are recorded but not sent.
struct SilenceRecord {
  std::string id;        // assigned by AddSilence
  std::string matchers;  // Alertmanager syntax: `brand="acmeair",severity=~"low|medium"`
  std::string comment, created_by;
  SystemTime starts_at{}, ends_at{};
  bool operator==(const SilenceRecord&) const = default;
};

// The number in a silence id, "sil-3" -> 3 ("3" alone too), nullopt when it is not one (a
// letter, or too many digits). "sil-" alone is 0, which names no silence.
inline std::optional<int64_t> SilenceNumber(std::string_view id) {
  if (id.starts_with("sil-")) id.remove_prefix(4);
  int64_t n = 0;
  for (char ch : id) {
    if (ch < '0' || ch > '9' || n > (INT64_MAX / 10 - 9)) return std::nullopt;
    n = n * 10 + (ch - '0');
  }
  return n;
}

}  // namespace earshot
