// The incident records: what the escalator keeps of an incident, its posts and its history.
// Both the escalator (IncidentStore) and the operators' commands (OperatorStore) read them, so
// they have a header of their own, apart from either side's other records.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/base/clock.h"
#include "daemon/base/severity.h"
#include "daemon/model/escalation.h"  // PostRef only: plain data, no link dependency on the sinks
#include "daemon/state/incident_kinds.h"

namespace earshot {

enum class IncidentStatus { kOpen, kAcknowledged, kResolved };
std::string_view IncidentStatusName(IncidentStatus s);

// What readers did with a post, as its network counts it (Post::replies, boosts, likes).
struct Engagement {
  int64_t replies = 0, boosts = 0, likes = 0;
  bool operator==(const Engagement&) const = default;
};

// One incident as the escalator keeps it. Times are the escalator's clock (not the posts').
struct IncidentRecord {
  std::string id;         // "inc-" + 16 hex of the group key's hash: stable across restarts
  std::string group_key;  // what grouped its posts: "mastodon|jane@air.example|1093"
  IncidentStatus status = IncidentStatus::kOpen;
  std::string rule_id;                        // the rule behind the highest severity so far
  IncidentKind category = IncidentKind::kComplaint;  // stored and labelled by its name
  Severity severity = Severity::kLow;         // current (never lowered while open)
  std::optional<Severity> notified_severity;  // last severity paged; nullopt = never paged
  Labels labels;
  std::string summary;   // the last page's headline
  std::string receiver;  // the route's receiver ("" = default)
  SystemTime opened_at{}, last_post_at{}, last_notified_at{};
  std::optional<SystemTime> resolved_at;
  int64_t post_count = 0;
  // A notification waiting for group_wait / group_interval (empty = none), with its reason.
  NotifyReason pending_reason;
  // Momentum: the sum over its posts of each post's highest counts seen, and the distinct
  // authors complaining in it and (for per-author incidents) in its thread.
  Engagement engagement;
  int64_t authors = 1;
  // The first staff reply in its thread (model/escalation.h says which clock), none until one
  // comes; only the first is kept, and a reopen keeps it.
  std::optional<FirstResponse> first_response;
  // The response target (escalator/response_watch.h): when the first response is due at the
  // current severity (none without a target for it), how many levels of the route's
  // unanswered policy have fired, and whether the target's breach was told.
  std::optional<SystemTime> response_due_at;
  int unanswered_level = 0;
  bool breach_notified = false;
  bool operator==(const IncidentRecord&) const = default;
};

// When `inc` first opened. A reopen moves opened_at to the reopening, but the first response
// keeps the wait from the first opening, so an answered incident's first opening is
// first_response.at - after (whole seconds, so the earlier of the two: a first opening never
// reads later than opened_at). An unanswered one reopened has only opened_at: the first opening
// is not kept.
inline SystemTime FirstOpenedAt(const IncidentRecord& inc) {
  if (!inc.first_response) return inc.opened_at;
  return std::min(inc.opened_at, inc.first_response->at - inc.first_response->after);
}

// One line of an incident's history.
struct IncidentEvent {
  std::string incident_id;
  SystemTime at{};
  IncidentEventKind kind = IncidentEventKind::kOpen;
  Severity severity = Severity::kLow;
  std::string reason;
  uint64_t seq = 0;  // the outbox record it produced, 0 when none
  bool operator==(const IncidentEvent&) const = default;
};

// A post attached to an incident (once per post id: an edited version replaces its text).
struct IncidentPost {
  std::string incident_id;
  PostRef post;
  Engagement engagement;  // the highest counts seen for the post
};

}  // namespace earshot
