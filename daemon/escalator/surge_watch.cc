#include "daemon/escalator/surge_watch.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/log.h"
#include "daemon/escalator/incident_key.h"
#include "daemon/escalator/pager.h"

namespace earshot {
namespace {

using escalator_internal::RefOf;

constexpr const char* kComponent = "escalator";
constexpr std::string_view kSurgePrefix = "surge|";

SurgeOptions SurgeOptionsOf(const EscalatorOptions& o) {
  SurgeOptions s;
  s.window = o.surge_window;
  s.min_count = o.surge_min_count;
  s.factor = o.surge_factor;
  s.min_distinct_authors = o.surge_min_distinct_authors;
  s.ewma_alpha = o.surge_ewma_alpha;
  return s;
}

}  // namespace

SurgeWatch::SurgeWatch(const EscalatorOptions& options, IncidentBook& book)
    : options_(options), book_(book), detector_(SurgeOptionsOf(options)) {}

Status SurgeWatch::Load(IncidentStore& store, SystemTime now) {
  EARSHOT_ASSIGN_OR_RETURN(auto surge_keys, store.LoadSurgeKeys());
  detector_.Load(surge_keys);
  for (const auto& [id, inc] : book_.active()) {
    if (inc.category == IncidentKind::kSurge && inc.group_key.starts_with(kSurgePrefix)) {
      detector_.Restore(inc.group_key.substr(kSurgePrefix.size()), id, now);
    }
  }
  return Status::Ok();
}

void SurgeWatch::Observe(EscalationStep& step, const DetectedPost& dp, const Detection& d,
                         Pager& pager) {
  const Post& post = dp.post;
  auto brand = d.labels.find("brand");
  std::vector<std::string> keys;
  keys.push_back(fmt::format("rule:{}|brand:{}", d.rule_id,
                             brand == d.labels.end() ? std::string() : brand->second));
  std::vector<std::string> tags = post.hashtags;
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  for (const std::string& tag : tags) keys.push_back("hashtag:" + tag);
  const std::string author = post.network + "|" + post.author.handle;
  std::vector<std::string> attached;  // surge incidents this post joined (two keys, one storm)
  for (const std::string& key : keys) {
    std::string id;
    if (auto started = detector_.Observe(key, author, step.now)) {
      // The same storm seen through another key (the rule, then its hashtag) stays one incident.
      id = RunningFor(step, brand == d.labels.end() ? std::string() : brand->second);
      if (id.empty()) {
        Open(step, key, *started, dp, d, pager);
        attached.push_back(detector_.incident(key));
        continue;
      }
      detector_.set_incident(key, id);
      IncidentRecord* inc = book_.Touch(step, id, /*load_resolved=*/false);
      if (inc != nullptr) {
        step.commit.events.push_back({id, step.now, IncidentEventKind::kJoined, inc->severity,
                                      fmt::format("surge on {} too: {} complaints from {} authors",
                                                  key, started->count, started->distinct_authors),
                                      0});
      }
    } else {
      id = detector_.incident(key);
    }
    if (id.empty() || std::find(attached.begin(), attached.end(), id) != attached.end()) continue;
    // A running surge gathers the storm's posts, without paging again.
    IncidentRecord* inc = book_.Touch(step, id, /*load_resolved=*/false);
    if (inc == nullptr || inc->status == IncidentStatus::kResolved) continue;
    attached.push_back(id);
    inc->last_post_at = step.now;
    ++inc->post_count;
    step.AddPost(id, RefOf(dp));
  }
}

void SurgeWatch::Open(EscalationStep& step, const std::string& key,
                      const SurgeDetector::Stats& stats, const DetectedPost& dp, const Detection& d,
                      Pager& pager) {
  const std::string group_key = std::string(kSurgePrefix) + key;
  // One incident per surge episode: the next surge on the same key is a new page, not a reopen.
  const std::string id = IncidentIdFor(fmt::format("{}|{}", group_key, ToUnixMillis(step.now)));
  detector_.set_incident(key, id);
  IncidentRecord* inc = book_.Touch(step, id, /*load_resolved=*/false);
  if (inc == nullptr) {
    step.order.push_back(id);
    inc = &step.touched[id];
  }
  const bool hashtag = key.starts_with("hashtag:");
  const std::string subject = hashtag ? "#" + key.substr(8) : fmt::format("rule {}", d.rule_id);
  *inc = IncidentRecord{};
  inc->id = id;
  inc->group_key = group_key;
  inc->rule_id = d.rule_id;
  inc->category = IncidentKind::kSurge;
  inc->severity = options_.surge_severity;
  inc->labels["surge"] = hashtag ? "hashtag" : "rule";
  if (hashtag) {
    inc->labels["hashtag"] = key.substr(8);
  } else {
    inc->labels["rule"] = d.rule_id;
  }
  if (auto brand = d.labels.find("brand"); brand != d.labels.end() && !brand->second.empty()) {
    inc->labels["brand"] = brand->second;
  }
  inc->labels["network"] = dp.post.network;
  inc->summary = fmt::format("surge on {}: {} complaints from {} authors in {} (usually {:.1f})",
                             subject, stats.count, stats.distinct_authors,
                             ShortDuration(options_.surge_window), stats.baseline_mean);
  inc->opened_at = step.now;
  inc->last_post_at = step.now;
  inc->last_notified_at = step.now;
  inc->post_count = 1;
  inc->pending_reason =
      NotifyReason::Of(NotifyReason::Kind::kSurge,
                       fmt::format("{} complaints from {} authors in {}", stats.count,
                                   stats.distinct_authors, ShortDuration(options_.surge_window)));
  step.AddPost(id, RefOf(dp));
  log::Info(kComponent, {{"incident_id", id}, {"network", dp.post.network}},
            "surge started on {}: {} posts, {} authors, threshold {:.1f}, as {}", subject,
            stats.count, stats.distinct_authors, stats.threshold, id);
  pager.FlushDue(step, *inc);
}

std::string SurgeWatch::RunningFor(const EscalationStep& step, const std::string& brand) const {
  if (brand.empty()) return {};
  for (const auto& [key, id] : detector_.Active()) {
    const IncidentRecord* surge = nullptr;
    if (auto it = step.touched.find(id); it != step.touched.end()) {
      surge = &it->second;
    } else if (auto it = book_.active().find(id); it != book_.active().end()) {
      surge = &it->second;
    }
    if (surge == nullptr || surge->status == IncidentStatus::kResolved) continue;
    auto b = surge->labels.find("brand");
    if (b != surge->labels.end() && b->second == brand) return id;
  }
  return {};
}

std::string SurgeWatch::InhibitorOf(const EscalationStep& step, const IncidentRecord& inc) const {
  // A new hashtag pages once ever and is news even in a storm: never inhibited.
  if (!options_.surge_inhibits || inc.category == IncidentKind::kSurge ||
      inc.category == IncidentKind::kNewHashtag) {
    return {};
  }
  auto brand = inc.labels.find("brand");
  return brand == inc.labels.end() ? std::string() : RunningFor(step, brand->second);
}

void SurgeWatch::ResolveEnded(EscalationStep& step) {
  // Surges whose rate fell back resolve, to the same receivers, under the same id.
  for (const SurgeDetector::Ended& ended : detector_.Expire(step.now)) {
    if (ended.incident_id.empty()) continue;
    // A storm seen through several keys ends when the last of them falls back.
    const auto still = detector_.Active();
    if (std::any_of(still.begin(), still.end(),
                    [&](const auto& a) { return a.second == ended.incident_id; })) {
      continue;
    }
    IncidentRecord* inc = book_.Touch(step, ended.incident_id, /*load_resolved=*/false);
    if (inc == nullptr || inc->status == IncidentStatus::kResolved) continue;
    step.Resolve(*inc, fmt::format("surge over: {} complaints in the last {}", ended.stats.count,
                                   ShortDuration(options_.surge_window)));
  }
}

}  // namespace earshot
