#include "daemon/app/rule_activity.h"

#include <algorithm>

#include "daemon/app/console_json.h"

namespace earshot {
namespace {

int64_t HourOf(SystemTime t) {
  return std::chrono::floor<std::chrono::hours>(t.time_since_epoch()).count();
}

size_t SlotOf(int64_t hour) {
  const auto n = static_cast<int64_t>(RuleActivity::kHours);
  return static_cast<size_t>(((hour % n) + n) % n);  // times before 1970 included
}

}  // namespace

void RuleActivity::Record(std::string_view source, const DetectedPost& dp, SystemTime at,
                          uint64_t feed_seq) {
  if (dp.detections.empty()) return;
  // The copy is made before the lock and shared by every rule that matched the post.
  auto post = std::make_shared<RecentPost>();
  post->feed_seq = feed_seq;
  post->at = at;
  post->source = std::string(source);
  post->post_id = dp.post.id;
  post->url = dp.post.url;
  post->author_handle = dp.post.author.handle;
  post->author_display_name = dp.post.author.display_name;
  post->text = dp.post.text;
  std::shared_ptr<const RecentPost> shared = std::move(post);
  const int64_t hour = HourOf(at);

  MutexLock lock(mu_);
  for (size_t i = 0; i < dp.detections.size(); ++i) {
    const Detection& d = dp.detections[i];
    // One hit per rule per post, even if the detector listed the rule twice.
    const bool seen = std::any_of(dp.detections.begin(), dp.detections.begin() + i,
                                  [&](const Detection& e) { return e.rule_id == d.rule_id; });
    if (seen) continue;
    Stats& s = rules_[d.rule_id];
    ++s.hits;
    if (d.shadow) ++s.shadow_hits;
    Slot& slot = s.slots[SlotOf(hour)];
    if (slot.hour < hour) slot = Slot{hour, 0};
    // A slot already on a later hour means this stamp is a day older than it: too old to show.
    if (slot.hour == hour) ++slot.hits;
    s.recent.push_back({shared, d.shadow});
    if (s.recent.size() > kRecentPosts) s.recent.erase(s.recent.begin());
  }
  // The brands a live complaint rule matched, each once for the post.
  std::vector<std::string_view> brands;
  for (const Detection& d : dp.detections) {
    if (d.shadow || d.category != Category::kComplaint) continue;
    auto brand = d.labels.find("brand");
    if (brand == d.labels.end() || brand->second.empty()) continue;
    if (std::find(brands.begin(), brands.end(), brand->second) != brands.end()) continue;
    brands.push_back(brand->second);
    Slot& slot = brands_[brand->second][SlotOf(hour)];
    if (slot.hour < hour) slot = Slot{hour, 0};
    if (slot.hour == hour) ++slot.hits;
  }
}

std::vector<RuleActivity::Brand> RuleActivity::Brands(SystemTime now) const {
  const int64_t current = HourOf(now);
  std::vector<Brand> out;
  MutexLock lock(mu_);
  for (const auto& [name, slots] : brands_) {
    Brand b;
    b.brand = name;
    for (size_t i = 0; i < kHours; ++i) {
      const int64_t hour = current - static_cast<int64_t>(kHours - 1 - i);
      const Slot& slot = slots[SlotOf(hour)];
      b.hourly[i].hour_start = SystemTime(std::chrono::hours(hour));
      b.hourly[i].hits = slot.hour == hour ? slot.hits : 0;
    }
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<RuleActivity::Rule> RuleActivity::Snapshot(SystemTime now) const {
  const int64_t current = HourOf(now);
  std::vector<Rule> out;
  // Under the lock only counts and pointers are copied; the posts' texts are copied after it
  // is released, so pollers never wait on them.
  std::vector<std::vector<Stats::Held>> held;
  {
    MutexLock lock(mu_);
    out.reserve(rules_.size());
    held.reserve(rules_.size());
    for (const auto& [id, s] : rules_) {
      Rule r;
      r.rule_id = id;
      r.hits = s.hits;
      r.shadow_hits = s.shadow_hits;
      for (size_t i = 0; i < kHours; ++i) {
        const int64_t hour = current - static_cast<int64_t>(kHours - 1 - i);
        const Slot& slot = s.slots[SlotOf(hour)];
        r.hourly[i].hour_start = SystemTime(std::chrono::hours(hour));
        r.hourly[i].hits = slot.hour == hour ? slot.hits : 0;
      }
      out.push_back(std::move(r));
      held.push_back(s.recent);
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].last_posts.reserve(held[i].size());
    for (auto it = held[i].rbegin(); it != held[i].rend(); ++it) {
      RecentPost p = *it->post;
      p.shadow = it->shadow;
      out[i].last_posts.push_back(std::move(p));
    }
  }
  return out;
}

std::string RuleActivityToJson(const std::vector<RuleActivity::Rule>& rules) {
  namespace j = console_json;
  std::string out = "{\"rules\":[";
  for (size_t i = 0; i < rules.size(); ++i) {
    const RuleActivity::Rule& r = rules[i];
    if (i > 0) out.push_back(',');
    out.push_back('{');
    j::Field("rule_id", r.rule_id, &out);
    out.push_back(',');
    j::Integer("hits", r.hits, &out);
    out.push_back(',');
    j::Integer("shadow_hits", r.shadow_hits, &out);
    out.append(",\"hourly\":[");
    for (size_t h = 0; h < r.hourly.size(); ++h) {
      if (h > 0) out.push_back(',');
      out.push_back('{');
      j::Field("hour", r.hourly[h].hour_start, &out);
      out.push_back(',');
      j::Integer("hits", r.hourly[h].hits, &out);
      out.push_back('}');
    }
    out.append("],\"last_posts\":[");
    for (size_t k = 0; k < r.last_posts.size(); ++k) {
      const RuleActivity::RecentPost& p = r.last_posts[k];
      if (k > 0) out.push_back(',');
      out.push_back('{');
      j::Integer("feed_seq", p.feed_seq, &out);
      out.push_back(',');
      j::Field("at", p.at, &out);
      out.push_back(',');
      j::Field("source", p.source, &out);
      out.push_back(',');
      j::Field("post_id", p.post_id, &out);
      out.push_back(',');
      j::Field("url", p.url, &out);
      out.append(",\"author\":{");
      j::Field("handle", p.author_handle, &out);
      out.push_back(',');
      j::Field("display_name", p.author_display_name, &out);
      out.append("},");
      j::Field("text", p.text, &out);
      out.push_back(',');
      j::Bool("shadow", p.shadow, &out);
      out.push_back('}');
    }
    out.append("]}");
  }
  out.append("]}");
  return out;
}

}  // namespace earshot
