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
  // Inhibited by a surge for the brand: recorded and dropped, not held, so that a storm's
  // hundreds of pages do not all go out when the surge ends. A later complaint pages normally.
  if (std::string surge = surges_.InhibitorOf(step, inc); !surge.empty()) {
    step.commit.events.push_back(
        {inc.id, step.now, IncidentEventKind::kInhibited, inc.severity,
         fmt::format("inhibited by surge {} ({})", surge, inc.pending_reason.Text()), 0});
    inc.pending_reason.clear();
    return;
  }
  // A silenced notification stays pending: when the silence ends, it goes out (Alertmanager).
  if (std::string silence = silences_.SilencedBy(inc); !silence.empty()) {
    if (auto [it, fresh] = muted_.try_emplace(inc.id, silence); fresh || it->second != silence) {
      it->second = silence;
      step.commit.events.push_back({inc.id, step.now, IncidentEventKind::kSilenced, inc.severity,
                                    fmt::format("{} (by {})", inc.pending_reason.Text(), silence),
                                    0});
    }
    return;
  }
  muted_.erase(inc.id);
  const auto kind = inc.notified_severity ? Escalation::Kind::kUpdate : Escalation::Kind::kOpen;
  step.Notify(inc.id, kind, std::move(inc.pending_reason));
  inc.pending_reason.clear();
  inc.notified_severity = inc.severity;
  inc.last_notified_at = step.now;
}

NotifyTiming Pager::TimingFor(const IncidentRecord& inc) const {
  if (!options_.routes) return options_.timing();
  // The labels the sinks' routing will see on this incident's next escalation.
  Labels labels = inc.labels;
  labels.emplace("severity", SeverityName(inc.severity));
  labels.emplace("rule", inc.rule_id);
  labels.emplace("category", IncidentKindName(inc.category));
  labels.emplace("kind", inc.notified_severity ? "update" : "open");
  labels.emplace("incident_id", inc.id);
  return options_.routes->TimingFor(labels, options_.timing());
}

}  // namespace earshot
