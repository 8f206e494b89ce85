// Severity and Labels: the vocabulary that detectors, the escalator and sinks share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace earshot {

// Ordered: a higher value pages louder. Names match the YAML and the wire ("high").
enum class Severity { kInfo = 0, kLow = 1, kMedium = 2, kHigh = 3, kCritical = 4 };

constexpr std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kLow: return "low";
    case Severity::kMedium: return "medium";
    case Severity::kHigh: return "high";
    case Severity::kCritical: return "critical";
  }
  return "info";
}

inline std::optional<Severity> ParseSeverity(std::string_view name) {
  for (Severity s : {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh,
                     Severity::kCritical}) {
    if (SeverityName(s) == name) return s;
  }
  return std::nullopt;
}

// Key/value labels (Alertmanager's), sorted by key so that their JSON and hashes are stable.
using Labels = std::map<std::string, std::string>;

}  // namespace earshot
