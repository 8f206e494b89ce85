#include "daemon/escalator/complaint_incidents.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "daemon/escalator/incident_key.h"
#include "daemon/escalator/momentum.h"

namespace earshot {

using escalator_internal::RefOf;

bool ComplaintIncidents::IsStaff(std::string_view handle) const {
  for (const auto& s : options_.staff_authors) {
    if (s.size() == handle.size() &&
        std::equal(s.begin(), s.end(), handle.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
  }
  return false;
}

void ComplaintIncidents::Complaint(EscalationStep& step, const DetectedPost& dp, const Detection& d,
                                   const std::string& source) {
  const Post& post = dp.post;
  const std::string key = GroupKeyFor(post, d);
  const std::string id = IncidentIdFor(key);
  Severity severity = PostSeverity(d, dp, options_);
  const Engagement engagement = EngagementOf(post);
  IncidentRecord* inc = book_.Touch(step, id, /*load_resolved=*/true);
  if (!step.error.ok()) return;
  if (inc == nullptr || inc->status == IncidentStatus::kResolved) {
    const bool reopened = inc != nullptr;
    std::optional<FirstResponse> answered;
    if (inc == nullptr) {
      step.order.push_back(id);
      inc = &step.touched[id];
    } else {
      answered = std::move(inc->first_response);
    }
    *inc = IncidentRecord{};
    inc->id = id;
    // The customer writes again, but support did answer once: the time to first response is
    // the incident's, not each reopening's.
    inc->first_response = std::move(answered);
    inc->group_key = key;
    inc->rule_id = d.rule_id;
    inc->category = IncidentKind::kComplaint;  // only complaints open incidents
    inc->severity = severity;
    inc->labels = d.labels;
    inc->labels["network"] = post.network;
    inc->labels["source"] = source;
    // Routes match `complaint="high"`; the escalator's band replaces any rule label of the name.
    inc->labels["complaint"] = std::string(ComplaintBand(dp.complaint));
    inc->opened_at = step.now;
    inc->last_notified_at = step.now;
    inc->pending_reason = NotifyReason::Of(reopened ? NotifyReason::Kind::kReopened
                                                    : NotifyReason::Kind::kNewIncident);
    // Momentum from the start: a viral first post, or a thread others already complain in.
    inc->engagement = engagement;
    inc->authors = 1 + static_cast<int64_t>(momentum_.ThreadNeighbours(step, *inc).size());
    if (!step.error.ok()) return;
    momentum_.MaybeRaise(step, *inc, /*had_momentum=*/false);
  } else {
    // The band of the incident's highest post, set before timing is looked up for this post.
    std::string& band = inc->labels["complaint"];
    band = std::string(HigherComplaintBand(band, ComplaintBand(dp.complaint)));
    const bool had = HasMomentum(*inc, options_);
    Add(&inc->engagement, engagement);
    if (ThreadKeyOf(*inc).empty() && inc->category == IncidentKind::kComplaint) {
      // Grouped by labels: a new author in the incident itself is a complainer joining.
      bool known = false;
      for (const PostRef& ref : step.new_posts[id])
        known = known || ref.author == post.author.handle;
      if (!known) {
        auto has = store_.IncidentHasAuthor(id, post.author.handle);
        if (!has.ok()) {
          step.error = has.status();
          return;
        }
        known = *has;
      }
      if (!known) ++inc->authors;
    }
    momentum_.MaybeRaise(step, *inc, had);
    // Once it has momentum, every new post of the incident counts one step higher.
    if (HasMomentum(*inc, options_)) severity = RaiseOne(severity);
    if (severity > inc->severity) {
      inc->severity = severity;
      inc->rule_id = d.rule_id;
    }
    for (const auto& [k, v] : d.labels) inc->labels.emplace(k, v);
    if (!inc->notified_severity) {
      if (inc->pending_reason.empty()) {
        inc->pending_reason = NotifyReason::Of(NotifyReason::Kind::kNewIncident);
      }
    } else if (inc->severity > *inc->notified_severity) {
      // Lowering never notifies: severity only rises.
      inc->pending_reason = NotifyReason::Of(NotifyReason::Kind::kSeverityRaised);
    } else if (inc->pending_reason.empty() && inc->status != IncidentStatus::kAcknowledged &&
               step.now - inc->last_notified_at >= pager_.TimingFor(*inc).repeat_interval) {
      // Someone acknowledged it (`earshot ack`): they know; only a severity raise pages again.
      inc->pending_reason = NotifyReason::Of(NotifyReason::Kind::kRepeat);
    }
  }
  inc->summary = PostSummary(post);
  inc->last_post_at = step.now;
  ++inc->post_count;
  step.AddPost(id, RefOf(dp));
  step.commit.posts.back().engagement = engagement;
  pager_.FlushDue(step, *inc);
}

void ComplaintIncidents::Resolution(EscalationStep& step, const DetectedPost& dp) {
  const Post& post = dp.post;
  const bool staff = IsStaff(post.author.handle);
  std::vector<std::string_view> threads = {ThreadOf(post)};
  if (!post.reply_to.empty() && post.reply_to != threads[0]) threads.push_back(post.reply_to);
  const PostRef ref = RefOf(dp);
  for (std::string_view thread : threads) {
    if (!staff) {
      // The author's own thank-you (or "sorted") in the thread closes their incident.
      const std::string id =
          IncidentIdFor(AuthorThreadKey(post.network, post.author.handle, thread));
      IncidentRecord* inc = book_.Touch(step, id, /*load_resolved=*/false);
      if (inc != nullptr && inc->status != IncidentStatus::kResolved) {
        step.AddPost(id, ref);
        step.Resolve(*inc, "resolved by author");
        return;
      }
      continue;
    }
    // A staff reply closes every incident in the thread, whoever opened it.
    const std::string prefix = post.network + "|";
    const std::string suffix = "|" + std::string(thread);
    std::vector<std::string> ids;
    for (const auto* map : {&book_.active(), &std::as_const(step.touched)}) {
      for (const auto& [id, inc] : *map) {
        if (inc.group_key.starts_with(prefix) && inc.group_key.ends_with(suffix)) ids.push_back(id);
      }
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const std::string& id : ids) {
      IncidentRecord* inc = book_.Touch(step, id, /*load_resolved=*/false);
      if (inc == nullptr || inc->status == IncidentStatus::kResolved) continue;
      step.AddPost(id, ref);
      std::optional<FirstResponse> answered;
      if (!inc->first_response) {
        // The escalator's clock at both ends (FirstResponse says why); a clock stepped back
        // between them reads as an immediate answer, never a negative wait.
        const auto after = std::chrono::floor<std::chrono::seconds>(step.now - inc->opened_at);
        inc->first_response =
            FirstResponse{step.now, post.author.handle, std::max(after, std::chrono::seconds(0))};
        answered = inc->first_response;
        step.answered.push_back(inc->id);
      }
      step.Resolve(*inc, fmt::format("staff replied (@{})", post.author.handle),
                   std::move(answered));
    }
  }
}

}  // namespace earshot
