#include "daemon/escalator/response_watch.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "daemon/base/duration.h"
#include "daemon/escalator/response_policy.h"
#include "daemon/escalator/routes.h"

namespace earshot {
namespace {

// How long it has waited, as a reason says it: whole minutes once past one ("35m", "2h5m"),
// whole seconds before; the tick that notices is up to a second late, which nobody wants read.
std::string WaitText(Duration waited) {
  using std::chrono::floor;
  if (waited >= std::chrono::minutes(1)) return FormatDuration(floor<std::chrono::minutes>(waited));
  return FormatDuration(floor<std::chrono::seconds>(std::max(waited, Duration(0))));
}

}  // namespace

bool ResponseWatch::Check(EscalationStep& step) {
  // Without a response policy and routes nothing is ever due: all that can change is a deadline
  // a former config set, now cleared. Every tick walks the incidents, so skip the rest (a replay
  // ticks once per post, over thousands of open incidents).
  const bool anything_due = options_.response != nullptr || options_.routes != nullptr;
  // Every memo below still holds and none wakes yet: the walk would pass over them all.
  const bool book_only = step.touched.empty();
  if (book_only && book_.generation() == checked_generation_ && step.now < next_wake_) {
    return false;
  }
  SystemTime next_wake = SystemTime::max();
  std::vector<std::string> ids;
  for (const auto& [id, inc] : book_.active()) {
    if (inc.category == IncidentKind::kComplaint && !inc.first_response &&
        (anything_due || inc.response_due_at)) {
      ids.push_back(id);
    }
  }
  std::sort(ids.begin(), ids.end());  // a deterministic seq order
  bool changed = false;
  for (const std::string& id : ids) {
    // This step's copy when it has one: paged, acknowledged or resolved (quiet) a moment ago.
    auto it = step.touched.find(id);
    const IncidentRecord& current = it != step.touched.end() ? it->second : book_.active().at(id);
    if (current.status == IncidentStatus::kResolved) continue;
    if (auto memo = memo_.find(id); memo != memo_.end() && step.now < memo->second.wake &&
                                    memo->second == MemoOf(current, memo->second.wake)) {
      next_wake = std::min(next_wake, memo->second.wake);
      continue;
    }
    SystemTime wake = step.now;
    changed = CheckIncident(step, current, &wake) || changed;
    memo_[id] = MemoOf(current, wake);
    next_wake = std::min(next_wake, wake);
  }
  // A change is committed (a new generation) before it could be skipped; a step's copies may
  // not be, so a walk that read them vouches for nothing.
  checked_generation_ = book_only && !changed ? book_.generation() : ~uint64_t{0};
  next_wake_ = next_wake;
  // Forget the incidents that left (resolved, answered) once they are the larger part.
  if (memo_.size() > 2 * ids.size() + 64) {
    std::erase_if(memo_, [&](const auto& entry) { return !book_.contains(entry.first); });
  }
  return changed;
}

ResponseWatch::Memo ResponseWatch::MemoOf(const IncidentRecord& inc, SystemTime wake) {
  return {inc.severity,         inc.status,          inc.notified_severity.has_value(),
          inc.post_count,       inc.unanswered_level, inc.breach_notified,
          inc.response_due_at,  inc.opened_at,        wake};
}

bool ResponseWatch::CheckIncident(EscalationStep& step, const IncidentRecord& active,
                                  SystemTime* wake) {
  const ResponsePolicy* policy = options_.response.get();
  const std::optional<SystemTime> due =
      policy != nullptr ? policy->DueAt(active.severity, active.opened_at) : std::nullopt;
  static const std::vector<UnansweredLevel> kNoLevels;
  // The route's labels are a copy of the incident's: built only when there are routes to match.
  const Labels labels = options_.routes ? Pager::RouteLabels(active) : Labels();
  const std::vector<UnansweredLevel>& levels =
      options_.routes ? options_.routes->LevelsFor(labels) : kNoLevels;

  bool changed = false;
  IncidentRecord* inc = nullptr;
  auto touch = [&]() -> IncidentRecord& {
    if (inc == nullptr) inc = book_.Touch(step, active.id, /*load_resolved=*/false);
    changed = true;
    return *inc;
  };
  if (due != active.response_due_at) touch().response_due_at = due;

  // Levels an acknowledgement made unnecessary are passed over, unsent.
  size_t next = static_cast<size_t>(std::max(active.unanswered_level, 0));
  auto level_due = [&](size_t i) -> std::optional<SystemTime> {
    const UnansweredLevel& l = levels[i];
    if (!l.after) return due;
    return l.after->DueFrom(active.opened_at, policy != nullptr ? policy->hours : BusinessHours());
  };
  while (next < levels.size() && levels[next].ack_is_enough &&
         active.status == IncidentStatus::kAcknowledged) {
    auto at = level_due(next);
    if (!at || step.now < *at) break;
    touch().unanswered_level = static_cast<int>(++next);
  }
  const bool breach = due && step.now >= *due && !active.breach_notified;
  std::optional<SystemTime> at = next < levels.size() ? level_due(next) : std::nullopt;
  const bool level = at && step.now >= *at;
  if (!breach && !level) {
    // Nothing is due: the incident needs no look before its breach or its next level, unless
    // it changes (a changed deadline is looked at again at the next tick).
    if (!changed) {
      *wake = SystemTime::max();
      if (due && !active.breach_notified) *wake = std::min(*wake, *due);
      if (at) *wake = std::min(*wake, *at);
    }
    return changed;
  }
  // Not before the first page: a level on top of a page nobody has seen makes no sense.
  if (!active.notified_severity) return changed;
  // Quiet hours hold it for as long as they last; it goes out when they end.
  if (options_.routes) {
    const std::optional<QuietHours>& quiet = options_.routes->QuietHoursFor(labels);
    if (quiet && active.severity <= quiet->max_severity && quiet->Contains(step.now)) {
      return changed;
    }
  }
  std::vector<std::string> parts;
  Labels extra;
  if (breach) {
    parts.push_back(fmt::format("past the {} target", policy->TargetFor(active.severity)->Text()));
    extra["response_target"] = "breached";
  }
  if (level) {
    parts.push_back(fmt::format("level {}", next + 1));
    extra[std::string(kUnansweredLevelLabel)] = std::to_string(next + 1);
  }
  const auto waited = std::chrono::duration_cast<Duration>(step.now - active.opened_at);
  NotifyReason reason =
      NotifyReason::Of(NotifyReason::Kind::kUnanswered,
                       fmt::format("{} ({})", WaitText(waited), fmt::join(parts, "; ")));
  const Pager::Gate gate = pager_.Check(step, active, reason.Text());
  if (gate == Pager::Gate::kHold) return changed;
  IncidentRecord& target = touch();
  // Dropped (a surge for its brand speaks for it) counts as told, as for any page.
  if (gate == Pager::Gate::kSend) {
    step.Notify(target.id, Escalation::Kind::kUpdate, std::move(reason), std::move(extra));
  }
  if (breach) {
    target.breach_notified = true;
    step.breached.push_back(target.id);
  }
  if (level) target.unanswered_level = static_cast<int>(next + 1);
  return changed;
}

}  // namespace earshot
