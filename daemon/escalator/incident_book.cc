#include "daemon/escalator/incident_book.h"

#include <algorithm>

#include "daemon/escalator/momentum.h"

namespace earshot {

Status IncidentBook::Load() {
  EARSHOT_ASSIGN_OR_RETURN(auto incidents, store_.LoadActiveIncidents());
  active_.clear();
  threads_.clear();
  ++generation_;
  for (auto& inc : incidents) {
    if (std::string thread = ThreadKeyOf(inc); !thread.empty()) threads_[thread].push_back(inc.id);
    std::string id = inc.id;
    active_.emplace(std::move(id), std::move(inc));
  }
  return Status::Ok();
}

IncidentRecord* IncidentBook::Touch(EscalationStep& step, const std::string& id,
                                    bool load_resolved) {
  if (auto it = step.touched.find(id); it != step.touched.end()) return &it->second;
  if (auto it = active_.find(id); it != active_.end()) {
    step.order.push_back(id);
    return &step.touched.emplace(id, it->second).first->second;
  }
  if (!load_resolved) return nullptr;
  // A resolved incident is not cached; a new complaint in its thread reopens it under its id.
  if (step.prefetched) {
    auto it = step.stored.find(id);
    if (it == step.stored.end()) return nullptr;
    step.order.push_back(id);
    return &step.touched.emplace(id, std::move(it->second)).first->second;
  }
  auto loaded = store_.LoadIncident(id);
  if (!loaded.ok()) {
    if (step.error.ok()) step.error = loaded.status();
    return nullptr;
  }
  if (!loaded->has_value()) return nullptr;
  step.order.push_back(id);
  return &step.touched.emplace(id, std::move(**loaded)).first->second;
}

bool IncidentBook::Acknowledge(const std::string& id) {
  auto it = active_.find(id);
  if (it == active_.end() || it->second.status != IncidentStatus::kOpen) return false;
  it->second.status = IncidentStatus::kAcknowledged;
  if (it->second.pending_reason.kind == NotifyReason::Kind::kRepeat) {
    it->second.pending_reason.clear();
  }
  ++generation_;
  return true;
}

void IncidentBook::Apply(EscalationStep& step) {
  if (!step.order.empty()) ++generation_;
  for (const std::string& id : step.order) {
    IncidentRecord& inc = step.touched.at(id);
    if (std::string thread = ThreadKeyOf(inc); !thread.empty()) {
      std::vector<std::string>& ids = threads_[thread];
      auto it = std::find(ids.begin(), ids.end(), id);
      if (inc.status == IncidentStatus::kResolved) {
        if (it != ids.end()) ids.erase(it);
        if (ids.empty()) threads_.erase(thread);
      } else if (it == ids.end()) {
        ids.push_back(id);
      }
    }
    if (inc.status == IncidentStatus::kResolved) {
      active_.erase(id);
    } else {
      active_[id] = std::move(inc);
    }
  }
}

std::vector<std::string> IncidentBook::TimerDue(SystemTime now, SystemTime::duration quiet) const {
  if (summary_generation_ != generation_) {
    any_pending_ = false;
    earliest_last_post_ = SystemTime::max();
    for (const auto& [id, inc] : active_) {
      any_pending_ = any_pending_ || !inc.pending_reason.empty();
      earliest_last_post_ = std::min(earliest_last_post_, inc.last_post_at);
    }
    summary_generation_ = generation_;
  }
  std::vector<std::string> ids;
  if (!any_pending_ && (active_.empty() || now - earliest_last_post_ < quiet)) return ids;
  for (const auto& [id, inc] : active_) {
    if (!inc.pending_reason.empty() || now - inc.last_post_at >= quiet) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());  // a deterministic seq order
  return ids;
}

std::vector<std::string> IncidentBook::InThread(const std::string& thread) const {
  auto it = threads_.find(thread);
  return it == threads_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace earshot
