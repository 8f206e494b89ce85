#include "daemon/state/incident_kinds.h"

#include <array>

namespace earshot {
namespace {

// Each kind's stored name: one table read both ways, so a name and its parse cannot drift.
template <typename Kind>
struct KindName {
  Kind kind;
  std::string_view name;
};

constexpr std::array<KindName<IncidentKind>, 4> kIncidentKindNames = {{
    {IncidentKind::kComplaint, "complaint"},
    {IncidentKind::kSurge, "surge"},
    {IncidentKind::kNewHashtag, "new-hashtag"},
    {IncidentKind::kSourceSilent, "source-silent"},
}};

constexpr std::array<KindName<IncidentEventKind>, 12> kEventKindNames = {{
    {IncidentEventKind::kOpen, "open"},
    {IncidentEventKind::kUpdate, "update"},
    {IncidentEventKind::kResolve, "resolve"},
    {IncidentEventKind::kAcknowledge, "acknowledge"},
    {IncidentEventKind::kAcknowledged, "acknowledged"},
    {IncidentEventKind::kResolved, "resolved"},
    {IncidentEventKind::kSilenced, "silenced"},
    {IncidentEventKind::kInhibited, "inhibited"},
    {IncidentEventKind::kJoined, "joined"},
    {IncidentEventKind::kNewHashtag, "new-hashtag"},
    {IncidentEventKind::kSourceSilent, "source-silent"},
    {IncidentEventKind::kMomentum, "momentum"},
}};

template <typename Kind, size_t N>
std::string_view NameIn(const std::array<KindName<Kind>, N>& table, Kind kind) {
  for (const KindName<Kind>& row : table) {
    if (row.kind == kind) return row.name;
  }
  return table[0].name;  // not reached: every enumerator has a row, and the tests name each
}

template <typename Kind, size_t N>
std::optional<Kind> KindIn(const std::array<KindName<Kind>, N>& table, std::string_view name) {
  for (const KindName<Kind>& row : table) {
    if (row.name == name) return row.kind;
  }
  return std::nullopt;
}

// Each reason's text: a fixed text (detail ""), or a fixed prefix and then the detail.
struct ReasonText {
  NotifyReason::Kind kind;
  std::string_view text;
  bool then_detail;
};
constexpr std::array<ReasonText, 10> kReasonTexts = {{
    {NotifyReason::Kind::kNone, "", false},
    {NotifyReason::Kind::kNewIncident, "new incident", false},
    {NotifyReason::Kind::kReopened, "reopened", false},
    {NotifyReason::Kind::kSeverityRaised, "severity raised", false},
    {NotifyReason::Kind::kRepeat, "repeat", false},
    {NotifyReason::Kind::kSurge, "surge: ", true},
    {NotifyReason::Kind::kNewHashtag, "new hashtag #", true},
    {NotifyReason::Kind::kSourceSilent, "source silent for ", true},
    {NotifyReason::Kind::kAcknowledged, "acknowledged by ", true},
    {NotifyReason::Kind::kUnanswered, "unanswered for ", true},
}};

}  // namespace

std::string_view IncidentKindName(IncidentKind k) { return NameIn(kIncidentKindNames, k); }

std::optional<IncidentKind> ParseIncidentKind(std::string_view name) {
  return KindIn(kIncidentKindNames, name);
}

NotifyReason NotifyReason::Parse(std::string_view text) {
  // Fixed texts first: "" is a fixed text, and a prefix of everything.
  for (const ReasonText& r : kReasonTexts) {
    if (!r.then_detail && text == r.text) return Of(r.kind);
  }
  for (const ReasonText& r : kReasonTexts) {
    if (r.then_detail && text.starts_with(r.text)) {
      return Of(r.kind, std::string(text.substr(r.text.size())));
    }
  }
  return Of(Kind::kOther, std::string(text));
}

std::string NotifyReason::Text() const {
  for (const ReasonText& r : kReasonTexts) {
    if (kind == r.kind) return r.then_detail ? std::string(r.text) + detail : std::string(r.text);
  }
  return detail;  // kResolved, kOther: the words themselves
}

int NotifyReason::MergeRank() const {
  switch (kind) {
    case Kind::kRepeat:
      return 0;
    case Kind::kSeverityRaised:
      return 2;
    default:
      return 1;
  }
}

std::string_view IncidentEventKindName(IncidentEventKind k) { return NameIn(kEventKindNames, k); }

std::optional<IncidentEventKind> ParseIncidentEventKind(std::string_view name) {
  return KindIn(kEventKindNames, name);
}

std::string ResolvedByReason(std::string_view by) {
  return NotifyReason::Of(NotifyReason::Kind::kResolved, "resolved by " + std::string(by)).Text();
}

IncidentEventKind EventKindOf(Escalation::Kind k) {
  switch (k) {
    case Escalation::Kind::kOpen:
      return IncidentEventKind::kOpen;
    case Escalation::Kind::kUpdate:
      return IncidentEventKind::kUpdate;
    case Escalation::Kind::kResolve:
      return IncidentEventKind::kResolve;
    case Escalation::Kind::kAcknowledge:
      return IncidentEventKind::kAcknowledge;
  }
  return IncidentEventKind::kOpen;
}

}  // namespace earshot
