#include "daemon/escalator/momentum_watch.h"

#include <algorithm>

#include "daemon/base/log.h"
#include "daemon/escalator/incident_key.h"
#include "daemon/escalator/momentum.h"

namespace earshot {
namespace {

constexpr const char* kComponent = "escalator";

}  // namespace

bool MomentumWatch::MaybeRaise(EscalationStep& step, IncidentRecord& inc, bool had_momentum) {
  if (had_momentum || !HasMomentum(inc, options_)) return false;
  inc.severity = RaiseOne(inc.severity);
  const std::string why = MomentumText(inc, options_);
  step.commit.events.push_back(
      {inc.id, step.now, IncidentEventKind::kMomentum, inc.severity, why, 0});
  log::Info(kComponent, "{} gathers momentum ({}): {}", inc.id, why, SeverityName(inc.severity));
  // Raising re-notifies (lowering never does); a first page not yet sent just goes out higher.
  if (inc.notified_severity && inc.severity > *inc.notified_severity) {
    inc.pending_reason = NotifyReason::Of(NotifyReason::Kind::kSeverityRaised);
  }
  return true;
}

std::vector<IncidentRecord*> MomentumWatch::ThreadNeighbours(EscalationStep& step,
                                                             const IncidentRecord& inc) {
  std::vector<IncidentRecord*> out;
  const std::string thread = ThreadKeyOf(inc);
  if (thread.empty()) return out;
  std::vector<std::string> ids = book_.InThread(thread);
  for (const std::string& id : step.order) {  // opened earlier in this step
    if (step.touched.at(id).status != IncidentStatus::kResolved &&
        ThreadKeyOf(step.touched.at(id)) == thread) {
      ids.push_back(id);
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (const std::string& id : ids) {
    if (id == inc.id) continue;
    IncidentRecord* other = book_.Touch(step, id, /*load_resolved=*/false);
    if (other == nullptr || other->status == IncidentStatus::kResolved) continue;
    // Another complainer joined their thread: one more author for each of them.
    const bool had = HasMomentum(*other, options_);
    ++other->authors;
    if (MaybeRaise(step, *other, had)) pager_.FlushDue(step, *other);
    out.push_back(other);
  }
  return out;
}

void MomentumWatch::RefreshEngagement(EscalationStep& step, const DetectedPost& dp,
                                      const Detection& d) {
  const Post& post = dp.post;
  const Engagement now = EngagementOf(post);
  if (IsZero(now)) return;
  const std::string id = IncidentIdFor(GroupKeyFor(post, d));
  IncidentRecord* inc = book_.Touch(step, id, /*load_resolved=*/false);
  if (inc == nullptr || inc->status == IncidentStatus::kResolved) return;
  auto stored = store_.LoadPostEngagement(id, post.network, post.id);
  if (!stored.ok()) {
    step.error = stored.status();
    return;
  }
  if (!stored->has_value()) return;  // not one of its posts (it joined another incident)
  const Engagement growth = Growth(**stored, now);
  if (IsZero(growth)) return;
  IncidentPost update;
  update.incident_id = id;
  update.post.network = post.network;
  update.post.id = post.id;
  update.engagement = now;
  step.commit.engagement.push_back(std::move(update));
  const bool had = HasMomentum(*inc, options_);
  Add(&inc->engagement, growth);
  if (MaybeRaise(step, *inc, had)) pager_.FlushDue(step, *inc);
}

}  // namespace earshot
