#include "daemon/escalator/hashtag_watch.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/log.h"
#include "daemon/escalator/incident_key.h"

namespace earshot {
namespace {

using escalator_internal::RefOf;

constexpr const char* kComponent = "escalator";

}  // namespace

HashtagWatch::HashtagWatch(const EscalatorOptions& options, IncidentBook& book, Pager& pager)
    : options_(options), book_(book), pager_(pager) {
  for (const std::string& brand : options_.brands) {
    std::string key = BrandKey(brand);
    // A one-letter brand would be in every other hashtag; keys that short are not a signal.
    if (key.size() >= 3 &&
        std::find(brand_keys_.begin(), brand_keys_.end(), key) == brand_keys_.end()) {
      brand_keys_.push_back(std::move(key));
    }
  }
  SetRuleHashtags({});
}

void HashtagWatch::SetRuleHashtags(const std::vector<std::string>& hashtags) {
  auto known = std::make_shared<HashtagSet>();
  auto add = [&](std::string tag) {
    if (!tag.empty() && tag[0] == '#') tag.erase(0, 1);
    std::transform(tag.begin(), tag.end(), tag.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    known->insert(std::move(tag));
  };
  for (const std::string& tag : options_.known_hashtags) add(tag);
  if (options_.new_hashtag_known_from_rules) {
    for (const std::string& tag : hashtags) add(tag);
  }
  MutexLock lock(known_mu_);
  known_ = std::move(known);
}

std::shared_ptr<const HashtagWatch::HashtagSet> HashtagWatch::Known() const {
  MutexLock lock(known_mu_);
  return known_;
}

Status HashtagWatch::Load(IncidentStore& store) {
  EARSHOT_ASSIGN_OR_RETURN(auto hashtags, store.LoadBrandHashtags());
  seen_.clear();
  for (auto& h : hashtags) {
    std::string tag = h.hashtag;
    seen_.emplace(std::move(tag), std::move(h));
  }
  return Status::Ok();
}

void HashtagWatch::Observe(EscalationStep& step, const DetectedPost& dp,
                           const std::string& source) {
  const Post& post = dp.post;
  std::vector<std::string> tags = post.hashtags;
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  const std::shared_ptr<const HashtagSet> known = Known();
  for (const std::string& tag : tags) {
    auto brand = std::find_if(brand_keys_.begin(), brand_keys_.end(), [&](const std::string& b) {
      return tag.find(b) != std::string::npos;
    });
    if (brand == brand_keys_.end() || known->contains(tag)) continue;
    auto staged = step.hashtags.find(tag);
    if (staged == step.hashtags.end()) {
      BrandHashtagRecord rec;
      if (auto it = seen_.find(tag); it != seen_.end()) {
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
      if (rec.count >= options_.new_hashtag_min_posts) Open(step, rec, dp, source);
      continue;
    }
    // Already signalled: while its incident is open, the tag's posts gather there silently.
    IncidentRecord* inc = book_.Touch(step, rec.incident_id, /*load_resolved=*/false);
    if (inc == nullptr || inc->status == IncidentStatus::kResolved) continue;
    inc->last_post_at = step.now;
    ++inc->post_count;
    step.AddPost(inc->id, RefOf(dp));
  }
}

void HashtagWatch::Open(EscalationStep& step, BrandHashtagRecord& tag, const DetectedPost& dp,
                        const std::string& source) {
  const std::string group_key = "new-hashtag|" + tag.hashtag;
  const std::string id = IncidentIdFor(group_key);
  tag.incident_id = id;
  IncidentRecord* inc = book_.Touch(step, id, /*load_resolved=*/false);
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
  log::Info(kComponent, "new hashtag #{} for {} after {} complaint(s): {}", tag.hashtag, tag.brand,
            tag.count, id);
  pager_.FlushDue(step, *inc);
}

void HashtagWatch::Apply(EscalationStep& step) {
  for (auto& [tag, rec] : step.hashtags) seen_[tag] = std::move(rec);
}

}  // namespace earshot
