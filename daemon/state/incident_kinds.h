// What an incident is, why it pages, and what its history lines say: small enums, each stored
// as the text earshot has always written (incidents.category, incidents.pending_reason,
// incident_events.kind), so a database from any earlier version reads back unchanged.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/model/escalation.h"

namespace earshot {

// What opened an incident. Only complaints open incidents of their own; the other kinds are
// the escalator's signals. Routes and silences see the name as the "category" label.
enum class IncidentKind { kComplaint, kSurge, kNewHashtag, kSourceSilent };
// "complaint", "surge", "new-hashtag", "source-silent".
std::string_view IncidentKindName(IncidentKind k);
std::optional<IncidentKind> ParseIncidentKind(std::string_view name);

// Why an incident pages (or is about to): a kind the escalator decides by, plus the words that
// only the receivers read. Text() is the escalation's `reason`, word for word.
struct NotifyReason {
  enum class Kind {
    kNone,            // nothing to say ("")
    kNewIncident,     // "new incident"
    kReopened,        // "reopened"
    kSeverityRaised,  // "severity raised"
    kRepeat,          // "repeat"
    kSurge,           // "surge: <detail>", detail "12 complaints from 9 authors in 10m"
    kNewHashtag,      // "new hashtag #<detail>", detail the hashtag
    kSourceSilent,    // "source silent for <detail>", detail "5m"
    kAcknowledged,    // "acknowledged by <detail>", detail the operator
    kUnanswered,      // "unanswered for <detail>", detail "35m" or "35m (target 15m)"
    kResolved,        // <detail>: "quiet for 2h", "post deleted", "staff replied (@acme)"...
    kOther,           // <detail>: stored text this version does not know, kept as it was
  };

  Kind kind = Kind::kNone;
  std::string detail;

  static NotifyReason Of(Kind kind, std::string detail = {}) { return {kind, std::move(detail)}; }
  // Reads what Text() wrote. Resolutions are never pending, so they are never stored: their
  // text (like any text not recognised) reads back as kOther, rendering the same.
  static NotifyReason Parse(std::string_view text);

  std::string Text() const;
  bool empty() const { return kind == Kind::kNone; }
  void clear() { *this = {}; }
  // When two notifications of one incident merge in one step, the higher rank gives the
  // reason: a "severity raised" outranks a "repeat", whatever came first.
  int MergeRank() const;

  bool operator==(const NotifyReason&) const = default;
};

// What a line of an incident's history records.
enum class IncidentEventKind {
  kOpen,          // "open"          an escalation went out (one kind per Escalation::Kind)
  kUpdate,        // "update"
  kResolve,       // "resolve"       paged or not ("... (never paged)")
  kAcknowledge,   // "acknowledge"
  kAcknowledged,  // "acknowledged"  an operator ran `earshot ack`
  kResolved,      // "resolved"      an operator ran `earshot resolve`
  kSilenced,      // "silenced"      a page held by a silence
  kInhibited,     // "inhibited"     a page dropped during a surge for its brand
  kJoined,        // "joined"        a surge seen through another key joined the incident
  kNewHashtag,    // "new-hashtag"   where and when the hashtag was first seen
  kSourceSilent,  // "source-silent" why a silent-source incident opened
  kMomentum,      // "momentum"      which measure raised the severity
};
std::string_view IncidentEventKindName(IncidentEventKind k);
std::optional<IncidentEventKind> ParseIncidentEventKind(std::string_view name);
// The reason of a resolution by hand (`earshot resolve --by NAME`): "resolved by NAME". The
// operator's history line and the `resolve` escalation the escalator sends for it say the same.
std::string ResolvedByReason(std::string_view by);
// The history line an escalation of kind `k` writes.
IncidentEventKind EventKindOf(Escalation::Kind k);

}  // namespace earshot
