// The escalator's signals beside rules and surges: new brand hashtags and momentum
// (momentum.h). Members of Escalator; see escalator.h for the contracts.
#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/log.h"
#include "daemon/escalator/escalator.h"
#include "daemon/escalator/escalator_step.h"
#include "daemon/escalator/incident_key.h"
#include "daemon/escalator/momentum.h"

namespace earshot {
namespace {

constexpr const char* kComponent = "escalator";
using escalator_internal::RefOf;

}  // namespace

void Escalator::ObserveHashtags(Step& step, const DetectedPost& dp, const std::string& source) {
  const Post& post = dp.post;
  std::vector<std::string> tags = post.hashtags;
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  const std::shared_ptr<const HashtagSet> known = KnownHashtags();
  for (const std::string& tag : tags) {
    auto brand = std::find_if(brand_keys_.begin(), brand_keys_.end(), [&](const std::string& b) {
      return tag.find(b) != std::string::npos;
    });
    if (brand == brand_keys_.end() || known->contains(tag)) continue;
    auto staged = step.hashtags.find(tag);
    if (staged == step.hashtags.end()) {
      BrandHashtagRecord rec;
      if (auto it = hashtags_.find(tag); it != hashtags_.end()) {
        rec = it->second;
      } else {
        // First sighting ever: remember where, even when min_posts is not reached yet.
        rec.hashtag = tag;
        rec.brand = *brand;
        rec.first_seen = step.now;
        rec.first_network = post.network;
        rec.first_post_id = post.id;
        rec.first_post_url = post.url;
        log::Info(kComponent, "new hashtag #{} (brand {}) first seen in {} {}", tag, *brand,
                  post.network, post.url);
      }
      staged = step.hashtags.emplace(tag, std::move(rec)).first;
    }
    BrandHashtagRecord& rec = staged->second;
    ++rec.count;
    if (rec.incident_id.empty()) {
      if (rec.count >= options_.new_hashtag_min_posts) OpenHashtagIncident(step, rec, dp, source);
      continue;
    }
    // Already signalled: while its incident is open, the tag's posts gather there silently.
    IncidentRecord* inc = Touch(step, rec.incident_id, /*load_resolved=*/false);
    if (inc == nullptr || inc->status == IncidentStatus::kResolved) continue;
    inc->last_post_at = step.now;
    ++inc->post_count;
    step.AddPost(inc->id, RefOf(dp));
  }
}

void Escalator::OpenHashtagIncident(Step& step, BrandHashtagRecord& tag, const DetectedPost& dp,
                                    const std::string& source) {
  const std::string group_key = "new-hashtag|" + tag.hashtag;
  const std::string id = IncidentIdFor(group_key);
  tag.incident_id = id;
  IncidentRecord* inc = Touch(step, id, /*load_resolved=*/false);
  if (inc == nullptr) {
    step.order.push_back(id);
    inc = &step.touched[id];
  }
  *inc = IncidentRecord{};
  inc->id = id;
  inc->group_key = group_key;
  inc->rule_id = std::string(IncidentKindName(IncidentKind::kNewHashtag));
  inc->category = IncidentKind::kNewHashtag;
  inc->severity = options_.new_hashtag_severity;
  inc->labels["brand"] = tag.brand;
  inc->labels["hashtag"] = tag.hashtag;
  inc->labels["network"] = dp.post.network;
  inc->labels["source"] = source;
  const std::string posts =
      tag.count == 1 ? std::string("first seen") : fmt::format("{} complaints since", tag.count);
  inc->summary = fmt::format("new hashtag #{} for {} ({} {}): {}", tag.hashtag, tag.brand, posts,
                             FormatIso8601(tag.first_seen), PostSummary(dp.post));
  inc->opened_at = step.now;
  inc->last_post_at = step.now;
  inc->last_notified_at = step.now;
  inc->post_count = 1;
  inc->pending_reason = NotifyReason::Of(NotifyReason::Kind::kNewHashtag, tag.hashtag);
  step.AddPost(id, RefOf(dp));
  step.commit.events.push_back({id, step.now, IncidentEventKind::kNewHashtag, inc->severity,
                                fmt::format("#{} first seen {} in {}", tag.hashtag,
                                            FormatIso8601(tag.first_seen), tag.first_post_url),
                                0});
  log::Info(kComponent, "new hashtag #{} for {} after {} complaint(s): {}", tag.hashtag,
            tag.brand, tag.count, id);
  FlushDue(step, *inc);
}

bool Escalator::MaybeRaiseForMomentum(Step& step, IncidentRecord& inc, bool had_momentum) {
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

std::vector<IncidentRecord*> Escalator::ThreadNeighbours(Step& step, const IncidentRecord& inc) {
  std::vector<IncidentRecord*> out;
  const std::string thread = ThreadKeyOf(inc);
  if (thread.empty()) return out;
  std::vector<std::string> ids;
  if (auto it = threads_.find(thread); it != threads_.end()) ids = it->second;
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
    IncidentRecord* other = Touch(step, id, /*load_resolved=*/false);
    if (other == nullptr || other->status == IncidentStatus::kResolved) continue;
    // Another complainer joined their thread: one more author for each of them.
    const bool had = HasMomentum(*other, options_);
    ++other->authors;
    if (MaybeRaiseForMomentum(step, *other, had)) FlushDue(step, *other);
    out.push_back(other);
  }
  return out;
}

void Escalator::RefreshEngagement(Step& step, const DetectedPost& dp, const Detection& d) {
  const Post& post = dp.post;
  const Engagement now = EngagementOf(post);
  if (IsZero(now)) return;
  const std::string id = IncidentIdFor(GroupKeyFor(post, d));
  IncidentRecord* inc = Touch(step, id, /*load_resolved=*/false);
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
  if (MaybeRaiseForMomentum(step, *inc, had)) FlushDue(step, *inc);
}

}  // namespace earshot
