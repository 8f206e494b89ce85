// ResponseWatch: has anyone answered? For each active complaint incident that no staff account
// has answered in public yet (IncidentRecord::first_response), it keeps the response deadline
// (ResponsePolicy::DueAt at the incident's current severity) and tells, once each:
//   - the target's breach, to the incident's receivers: reason "unanswered for 15m (past the
//     15m target)", label response_target="breached";
//   - each level of its route's unanswered policy (routes.h), in order, when the level's
//     `after` has passed since the incident opened: reason "unanswered for 2h (level 2)", label
//     unanswered_level="2", which adds the level's receiver to the route's (RoutingTree::Match).
// A level and the breach due together are one notification. A level whose `ack_is_enough`
// finds the incident acknowledged is passed over, unsent. Nothing is sent for an incident
// never paged yet (its first page is still in group_wait), while the first matching route's
// quiet hours hold its severity (they wait, and go out when the hours end), or while a silence
// mutes it (the same); a surge for its brand drops them, as it drops any page (Pager::Check).
// One notification per incident per step: the next level goes at a later tick.
#pragma once

#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/escalator_step.h"
#include "daemon/escalator/incident_book.h"
#include "daemon/escalator/pager.h"

namespace earshot {

class ResponseWatch {
 public:
  // All three must outlive the watch.
  ResponseWatch(const EscalatorOptions& options, IncidentBook& book, Pager& pager)
      : options_(options), book_(book), pager_(pager) {}

  // Keeps deadlines and sends what is due (see above). True when it changed an incident, so
  // the step must commit even without a notification.
  bool Check(EscalationStep& step);

 private:
  // Works on one unanswered incident; true when it changed it.
  bool CheckIncident(EscalationStep& step, const IncidentRecord& active);

  const EscalatorOptions& options_;
  IncidentBook& book_;
  Pager& pager_;
};

}  // namespace earshot
