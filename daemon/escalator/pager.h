// Pager: when an incident's pending notification (IncidentRecord::pending_reason) goes out.
// The first page waits group_wait after the open, an update group_interval after the last page
// (the first route the incident's labels match gives the values, routes.h). When due, a page
// inhibited by a surge for the incident's brand is recorded and dropped; a silenced one is
// recorded once and held until the silence ends (as Alertmanager does); any other becomes the
// step's notification.
#pragma once

#include <string>
#include <unordered_map>

#include "daemon/escalator/active_silences.h"
#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/escalator_step.h"

namespace earshot {

class SurgeWatch;

class Pager {
 public:
  // All three must outlive the pager.
  Pager(const EscalatorOptions& options, const ActiveSilences& silences, const SurgeWatch& surges)
      : options_(options), silences_(silences), surges_(surges) {}

  // Sends the incident's pending notification into the step if it is due and nothing holds it.
  void FlushDue(EscalationStep& step, IncidentRecord& inc);

  // The incident's group_wait / group_interval / repeat_interval: the first route its labels
  // (plus severity, rule, category, kind, incident_id) match, over the `escalation:` values.
  NotifyTiming TimingFor(const IncidentRecord& inc) const;

  // What may happen to a notification of `inc` that is due now (`what` names it in the
  // incident's history): kDrop when a surge for its brand inhibits it (recorded), kHold while a
  // silence mutes it (recorded once per silence), else kSend.
  enum class Gate { kSend, kHold, kDrop };
  Gate Check(EscalationStep& step, const IncidentRecord& inc, const std::string& what);

  // The labels the sinks' routing will see on the incident's next escalation: its own plus
  // severity, rule, category, kind and incident_id.
  static Labels RouteLabels(const IncidentRecord& inc);

 private:
  const EscalatorOptions& options_;
  const ActiveSilences& silences_;
  const SurgeWatch& surges_;
  // Incident id -> the silence holding its page, so that each silence is recorded once.
  std::unordered_map<std::string, std::string> muted_;
};

}  // namespace earshot
