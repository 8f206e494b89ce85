#include "daemon/cluster/codec_enums.h"

namespace earshot::cluster {
namespace {

// Each parser tries every enumerator, from 0 to `last`, against the enum's name function, so a
// name is written in one place only. The tests parse every enumerator's name back.
template <class E>
std::optional<E> ParseByName(std::string_view name, E last, std::string_view (*name_of)(E)) {
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    if (name_of(static_cast<E>(i)) == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

std::string_view CategoryNameOf(Category c) { return CategoryName(c); }

}  // namespace

std::optional<Category> ParseCategory(std::string_view name) {
  return ParseByName(name, Category::kNoise, &CategoryNameOf);
}

std::optional<IncidentStatus> ParseIncidentStatus(std::string_view name) {
  return ParseByName(name, IncidentStatus::kResolved, &IncidentStatusName);
}

std::string_view NotifyReasonKindName(NotifyReason::Kind kind) {
  using Kind = NotifyReason::Kind;
  switch (kind) {
    case Kind::kNone:
      return "none";
    case Kind::kNewIncident:
      return "new-incident";
    case Kind::kReopened:
      return "reopened";
    case Kind::kSeverityRaised:
      return "severity-raised";
    case Kind::kRepeat:
      return "repeat";
    case Kind::kSurge:
      return "surge";
    case Kind::kNewHashtag:
      return "new-hashtag";
    case Kind::kSourceSilent:
      return "source-silent";
    case Kind::kAcknowledged:
      return "acknowledged";
    case Kind::kUnanswered:
      return "unanswered";
    case Kind::kResolved:
      return "resolved";
    case Kind::kOther:
      return "other";
  }
  return "?";  // not reached; a name no parser accepts
}

std::optional<NotifyReason::Kind> ParseNotifyReasonKind(std::string_view name) {
  return ParseByName(name, NotifyReason::Kind::kOther, &NotifyReasonKindName);
}

}  // namespace earshot::cluster
