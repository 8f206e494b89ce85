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

#include <optional>
#include <string>
#include <unordered_map>

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
  // What an incident's deadlines depend on: while it is the same, nothing can fall due before
  // the `wake` worked out from it, and the tick passes the incident over without routing its
  // labels (the daemon ticks every second, a replay once per post, over every open incident).
  struct Memo {
    Severity severity;
    IncidentStatus status;
    bool paged;
    int64_t post_count;  // a joining post may change the labels the routes match
    int level;
    bool breach_notified;
    std::optional<SystemTime> due;
    SystemTime opened_at;
    SystemTime wake;
    bool operator==(const Memo&) const = default;
  };
  static Memo MemoOf(const IncidentRecord& inc, SystemTime wake);

  // Works on one unanswered incident; true when it changed it. `wake`: when it next needs a
  // look if it stays as it is (now: at the next tick).
  bool CheckIncident(EscalationStep& step, const IncidentRecord& active, SystemTime* wake);

  const EscalatorOptions& options_;
  IncidentBook& book_;
  Pager& pager_;
  std::unordered_map<std::string, Memo> memo_;  // by incident id
  // The book's generation when every incident was last looked at with no step's copy in the
  // way, and the earliest wake then: until either moves, no incident can fall due.
  uint64_t checked_generation_ = ~uint64_t{0};
  SystemTime next_wake_{};
};

}  // namespace earshot
