// EscalationStep, the unit of work of one batch or timer step: what it changes, gathered in
// memory, then committed at once (escalator.h). The escalator and its parts take it by
// reference; nothing outside daemon/escalator/ makes one.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/model/detection.h"
#include "daemon/model/escalation.h"
#include "daemon/state/incident_store.h"

namespace earshot {
namespace escalator_internal {

inline PostRef RefOf(const DetectedPost& dp) {
  const Post& p = dp.post;
  PostRef r;
  r.network = p.network;
  r.id = p.id;
  r.url = p.url;
  r.author = p.author.handle;
  r.author_name = p.author.display_name;
  r.followers = p.author.followers;
  r.text = p.text;
  r.text_bytes = p.text_bytes;
  r.created_at = p.created_at;
  r.sentiment = dp.sentiment;
  r.complaint = dp.complaint;
  return r;
}

}  // namespace escalator_internal

struct EscalationStep {
  SystemTime now;
  Status error;                                             // the first store read that failed
  EscalatorCommit commit;
  std::unordered_map<std::string, IncidentRecord> touched;  // working copies, by id
  std::vector<std::string> order;                           // ids in first-touch order
  struct Intent {
    std::string id;
    Escalation::Kind kind;
    NotifyReason reason;
    std::optional<FirstResponse> first_response;  // a resolve's, when its reply was the first
    Labels labels;  // added to the incident's own on this escalation (unanswered_level="1")
  };
  std::vector<Intent> intents;
  std::unordered_map<std::string, std::vector<PostRef>> new_posts;  // uncommitted, per incident
  // For /metrics once the step commits: incidents whose first response this step recorded, and
  // those whose response-target breach it told.
  std::vector<std::string> answered, breached;
  // Brand hashtags this step saw or counted, by hashtag: into the commit, then HashtagWatch.
  std::map<std::string, BrandHashtagRecord> hashtags;
  // Stored incidents that are not active (resolved), read once per batch; a hit may reopen.
  std::unordered_map<std::string, IncidentRecord> stored;
  bool prefetched = false;

  void AddPost(const std::string& id, const PostRef& ref) {
    commit.posts.push_back({id, ref, {}});
    new_posts[id].push_back(ref);
  }
  // `labels` join the incident's labels on this notification only.
  void Notify(const std::string& id, Escalation::Kind kind, NotifyReason reason,
              Labels labels = {}) {
    // Two notifications for one incident in one step page once, at the final severity.
    for (auto it = intents.rbegin(); it != intents.rend(); ++it) {
      if (it->id != id) continue;
      // Only into an open or update: an acknowledgement is news of its own, not a page.
      if ((it->kind == Escalation::Kind::kOpen || it->kind == Escalation::Kind::kUpdate) &&
          kind == Escalation::Kind::kUpdate) {
        if (reason.MergeRank() > it->reason.MergeRank()) it->reason = std::move(reason);
        it->labels.merge(labels);
        return;
      }
      break;
    }
    intents.push_back({id, kind, std::move(reason), std::nullopt, std::move(labels)});
  }
  // Resolves `inc` now: what was paged is taken back with `reason`; an incident never paged
  // (still in group_wait, or silenced) has nothing to take back, and its history says why.
  // `answered`: the incident's first response, when the post resolving it is that response.
  void Resolve(IncidentRecord& inc, std::string reason,
               std::optional<FirstResponse> answered = std::nullopt) {
    inc.status = IncidentStatus::kResolved;
    inc.resolved_at = now;
    inc.pending_reason.clear();
    if (inc.notified_severity) {
      Notify(inc.id, Escalation::Kind::kResolve,
             NotifyReason::Of(NotifyReason::Kind::kResolved, std::move(reason)));
      // A resolve never merges into an earlier intent: it is the last one.
      intents.back().first_response = std::move(answered);
    } else {
      commit.events.push_back(
          {inc.id, now, IncidentEventKind::kResolve, inc.severity, reason + " (never paged)", 0});
    }
  }
};

}  // namespace earshot
