#include "daemon/escalator/silent_sources.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "daemon/base/log.h"
#include "daemon/escalator/incident_key.h"

namespace earshot {
namespace {

constexpr const char* kComponent = "escalator";

}  // namespace

void SilentSources::FetchedAgain(EscalationStep& step, const std::string& source) {
  if (options_.source_silent_after.count() <= 0) return;
  if (IncidentRecord* silent = IncidentOf(step, source)) {
    step.Resolve(*silent, "source fetching again");
  }
}

IncidentRecord* SilentSources::IncidentOf(EscalationStep& step, const std::string& source) {
  std::string found;
  for (const auto* map : {&book_.active(), &std::as_const(step.touched)}) {
    for (const auto& [id, inc] : *map) {
      if (inc.category != IncidentKind::kSourceSilent || inc.status == IncidentStatus::kResolved) {
        continue;
      }
      auto src = inc.labels.find("source");
      if (src != inc.labels.end() && src->second == source) found = id;
    }
  }
  return found.empty() ? nullptr : book_.Touch(step, found, /*load_resolved=*/false);
}

void SilentSources::Check(EscalationStep& step) {
  if (options_.source_silent_after.count() <= 0) return;
  std::vector<std::string> sources;
  for (const auto& [source, last] : last_fetch_) {
    if (step.now - last >= options_.source_silent_after) sources.push_back(source);
  }
  std::sort(sources.begin(), sources.end());  // a deterministic seq order
  for (const std::string& source : sources) {
    IncidentRecord* existing = IncidentOf(step, source);
    if (existing != nullptr && existing->status != IncidentStatus::kResolved) continue;
    const SystemTime last = last_fetch_.at(source);
    const std::string_view kind = IncidentKindName(IncidentKind::kSourceSilent);
    const std::string group_key = fmt::format("{}|{}", kind, source);
    // One incident per silent episode, like surges: the next silence is a new page.
    const std::string id = IncidentIdFor(fmt::format("{}|{}", group_key, ToUnixMillis(last)));
    // This episode was already opened and resolved (by hand, or quiet): one page per silence,
    // or an operator's `earshot resolve` would be answered by the same page a second later.
    IncidentRecord* inc = book_.Touch(step, id, /*load_resolved=*/true);
    if (!step.error.ok()) return;
    if (inc != nullptr) continue;
    step.order.push_back(id);
    inc = &step.touched[id];
    inc->id = id;
    inc->group_key = group_key;
    inc->rule_id = std::string(kind);
    inc->category = IncidentKind::kSourceSilent;
    inc->severity = options_.source_silent_severity;
    inc->labels["source"] = source;
    const std::string quiet = ShortDuration(options_.source_silent_after);
    inc->summary = fmt::format("source {} has fetched nothing for {} (since {})", source, quiet,
                               FormatIso8601(last));
    inc->opened_at = step.now;
    inc->last_post_at = step.now;
    inc->last_notified_at = step.now;
    inc->pending_reason = NotifyReason::Of(NotifyReason::Kind::kSourceSilent, quiet);
    log::Warn(kComponent, {{"incident_id", id}, {"source", source}}, "source {} silent for {}: {}",
              source, quiet, id);
    // Its history says why it opened, and the step commits it even while group_wait holds it.
    step.commit.events.push_back(
        {id, step.now, IncidentEventKind::kSourceSilent, inc->severity, inc->summary, 0});
    pager_.FlushDue(step, *inc);
  }
}

}  // namespace earshot
