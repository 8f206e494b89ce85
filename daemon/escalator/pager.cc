#include "daemon/escalator/pager.h"

#include <fmt/format.h>

#include "daemon/escalator/routes.h"
#include "daemon/escalator/surge_watch.h"

namespace earshot {

void Pager::FlushDue(EscalationStep& step, IncidentRecord& inc) {
  if (inc.pending_reason.empty() || inc.status == IncidentStatus::kResolved) return;
  const NotifyTiming timing = TimingFor(inc);
  const SystemTime due = inc.notified_severity ? inc.last_notified_at + timing.group_interval
                                               : inc.opened_at + timing.group_wait;
  if (step.now < due) return;
  switch (Check(step, inc, inc.pending_reason.Text())) {
    case Gate::kHold: return;
    case Gate::kDrop: inc.pending_reason.clear(); return;
    case Gate::kSend: break;
  }
  const auto kind = inc.notified_severity ? Escalation::Kind::kUpdate : Escalation::Kind::kOpen;
  step.Notify(inc.id, kind, std::move(inc.pending_reason));
  inc.pending_reason.clear();
  inc.notified_severity = inc.severity;
  inc.last_notified_at = step.now;
}

Pager::Gate Pager::Check(EscalationStep& step, const IncidentRecord& inc,
                         const std::string& what) {
  // Inhibited by a surge for the brand: recorded and dropped, not held, so that a storm's
  // hundreds of pages do not all go out when the surge ends. A later complaint pages normally.
  if (std::string surge = surges_.InhibitorOf(step, inc); !surge.empty()) {
    step.commit.events.push_back({inc.id, step.now, IncidentEventKind::kInhibited, inc.severity,
                                  fmt::format("inhibited by surge {} ({})", surge, what), 0});
    return Gate::kDrop;
  }
  // A silenced notification stays pending: when the silence ends, it goes out (Alertmanager).
  if (std::string silence = silences_.SilencedBy(inc); !silence.empty()) {
    if (auto [it, fresh] = muted_.try_emplace(inc.id, silence); fresh || it->second != silence) {
      it->second = silence;
      step.commit.events.push_back({inc.id, step.now, IncidentEventKind::kSilenced, inc.severity,
                                    fmt::format("{} (by {})", what, silence), 0});
    }
    return Gate::kHold;
  }
  muted_.erase(inc.id);
  return Gate::kSend;
}

NotifyTiming Pager::TimingFor(const IncidentRecord& inc) const {
  if (!options_.routes) return options_.timing();
  return options_.routes->TimingFor(RouteLabels(inc), options_.timing());
}

Labels Pager::RouteLabels(const IncidentRecord& inc) {
  Labels labels = inc.labels;
  labels.emplace("severity", SeverityName(inc.severity));
  labels.emplace("rule", inc.rule_id);
  labels.emplace("category", IncidentKindName(inc.category));
  labels.emplace("kind", inc.notified_severity ? "update" : "open");
  labels.emplace("incident_id", inc.id);
  return labels;
}

}  // namespace earshot
