// The names cluster messages give the enums whose own headers have a name but no parser
// (Category, IncidentStatus), or no name at all (NotifyReason::Kind: the state store keeps the
// reason as its text, which reads back as kOther for some kinds, so a message names the kind).
#pragma once

#include <optional>
#include <string_view>

#include "daemon/model/detection.h"
#include "daemon/state/incident_kinds.h"
#include "daemon/state/incident_records.h"

namespace earshot::cluster {

// CategoryName's names back to their Category.
std::optional<Category> ParseCategory(std::string_view name);
// IncidentStatusName's names ("open", "acknowledged", "resolved") back to their status.
std::optional<IncidentStatus> ParseIncidentStatus(std::string_view name);
// "none", "new-incident", "reopened", "severity-raised", "repeat", "surge", "new-hashtag",
// "source-silent", "acknowledged", "unanswered", "resolved", "other".
std::string_view NotifyReasonKindName(NotifyReason::Kind kind);
std::optional<NotifyReason::Kind> ParseNotifyReasonKind(std::string_view name);

}  // namespace earshot::cluster
