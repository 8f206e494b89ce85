#include "daemon/state/incident_kinds.h"

#include <array>

namespace earshot {
namespace {

constexpr std::array kIncidentKinds = {IncidentKind::kComplaint, IncidentKind::kSurge,
                                       IncidentKind::kNewHashtag, IncidentKind::kSourceSilent};

constexpr std::array kEventKinds = {
    IncidentEventKind::kOpen,         IncidentEventKind::kUpdate,
    IncidentEventKind::kResolve,      IncidentEventKind::kAcknowledge,
    IncidentEventKind::kAcknowledged, IncidentEventKind::kSilenced,
    IncidentEventKind::kInhibited,    IncidentEventKind::kJoined,
    IncidentEventKind::kNewHashtag,   IncidentEventKind::kSourceSilent,
    IncidentEventKind::kMomentum};

// The reasons that are a fixed text, detail "".
struct Fixed {
  NotifyReason::Kind kind;
  std::string_view text;
};
constexpr std::array kFixed = {Fixed{NotifyReason::Kind::kNone, ""},
                               Fixed{NotifyReason::Kind::kNewIncident, "new incident"},
                               Fixed{NotifyReason::Kind::kReopened, "reopened"},
                               Fixed{NotifyReason::Kind::kSeverityRaised, "severity raised"},
                               Fixed{NotifyReason::Kind::kRepeat, "repeat"}};

// The reasons whose text is a fixed prefix and the detail.
struct Prefixed {
  NotifyReason::Kind kind;
  std::string_view prefix;
};
constexpr std::array kPrefixed = {Prefixed{NotifyReason::Kind::kSurge, "surge: "},
                                  Prefixed{NotifyReason::Kind::kNewHashtag, "new hashtag #"},
                                  Prefixed{NotifyReason::Kind::kSourceSilent, "source silent for "},
                                  Prefixed{NotifyReason::Kind::kAcknowledged, "acknowledged by "}};

}  // namespace

std::string_view IncidentKindName(IncidentKind k) {
  switch (k) {
    case IncidentKind::kComplaint:
      return "complaint";
    case IncidentKind::kSurge:
      return "surge";
    case IncidentKind::kNewHashtag:
      return "new-hashtag";
    case IncidentKind::kSourceSilent:
      return "source-silent";
  }
  return "complaint";
}

std::optional<IncidentKind> ParseIncidentKind(std::string_view name) {
  for (IncidentKind k : kIncidentKinds) {
    if (IncidentKindName(k) == name) return k;
  }
  return std::nullopt;
}

NotifyReason NotifyReason::Parse(std::string_view text) {
  for (const Fixed& f : kFixed) {
    if (text == f.text) return Of(f.kind);
  }
  for (const Prefixed& p : kPrefixed) {
    if (text.starts_with(p.prefix)) return Of(p.kind, std::string(text.substr(p.prefix.size())));
  }
  return Of(Kind::kOther, std::string(text));
}

std::string NotifyReason::Text() const {
  for (const Fixed& f : kFixed) {
    if (kind == f.kind) return std::string(f.text);
  }
  for (const Prefixed& p : kPrefixed) {
    if (kind == p.kind) return std::string(p.prefix) + detail;
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

std::string_view IncidentEventKindName(IncidentEventKind k) {
  switch (k) {
    case IncidentEventKind::kOpen:
      return "open";
    case IncidentEventKind::kUpdate:
      return "update";
    case IncidentEventKind::kResolve:
      return "resolve";
    case IncidentEventKind::kAcknowledge:
      return "acknowledge";
    case IncidentEventKind::kAcknowledged:
      return "acknowledged";
    case IncidentEventKind::kSilenced:
      return "silenced";
    case IncidentEventKind::kInhibited:
      return "inhibited";
    case IncidentEventKind::kJoined:
      return "joined";
    case IncidentEventKind::kNewHashtag:
      return "new-hashtag";
    case IncidentEventKind::kSourceSilent:
      return "source-silent";
    case IncidentEventKind::kMomentum:
      return "momentum";
  }
  return "open";
}

std::optional<IncidentEventKind> ParseIncidentEventKind(std::string_view name) {
  for (IncidentEventKind k : kEventKinds) {
    if (IncidentEventKindName(k) == name) return k;
  }
  return std::nullopt;
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
