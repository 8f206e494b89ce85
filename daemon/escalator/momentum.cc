#include "daemon/escalator/momentum.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace earshot {

Engagement EngagementOf(const Post& post) {
  // A network that does not report a count leaves it 0; a negative count is noise.
  return {std::max<int64_t>(0, post.replies), std::max<int64_t>(0, post.boosts),
          std::max<int64_t>(0, post.likes)};
}

Engagement Growth(const Engagement& before, const Engagement& now) {
  return {std::max<int64_t>(0, now.replies - before.replies),
          std::max<int64_t>(0, now.boosts - before.boosts),
          std::max<int64_t>(0, now.likes - before.likes)};
}

void Add(Engagement* total, const Engagement& more) {
  total->replies += more.replies;
  total->boosts += more.boosts;
  total->likes += more.likes;
}

bool IsZero(const Engagement& e) { return e.replies == 0 && e.boosts == 0 && e.likes == 0; }

namespace {

struct Measure {
  const char* name;
  int64_t value, threshold;
};

std::vector<Measure> Measures(const IncidentRecord& inc, const EscalatorOptions& o) {
  return {{"complaining authors", inc.authors, o.momentum_authors_raise_one},
          {"replies", inc.engagement.replies, o.momentum_replies_raise_one},
          {"boosts", inc.engagement.boosts, o.momentum_boosts_raise_one},
          {"likes", inc.engagement.likes, o.momentum_likes_raise_one}};
}

}  // namespace

bool HasMomentum(const IncidentRecord& inc, const EscalatorOptions& options) {
  for (const Measure& m : Measures(inc, options)) {
    if (m.threshold > 0 && m.value >= m.threshold) return true;
  }
  return false;
}

std::string MomentumText(const IncidentRecord& inc, const EscalatorOptions& options) {
  std::string out;
  for (const Measure& m : Measures(inc, options)) {
    if (m.threshold <= 0 || m.value < m.threshold) continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", m.value, m.name);
  }
  return out;
}

Severity RaiseOne(Severity s) {
  return s == Severity::kCritical ? s : static_cast<Severity>(static_cast<int>(s) + 1);
}

std::string ThreadKeyOf(const IncidentRecord& inc) {
  if (inc.category != IncidentKind::kComplaint) return {};
  const std::string& key = inc.group_key;
  if (key.starts_with("group|")) return {};
  const size_t first = key.find('|');
  const size_t second = first == std::string::npos ? first : key.find('|', first + 1);
  if (second == std::string::npos) return {};
  return key.substr(0, first + 1) + key.substr(second + 1);
}

}  // namespace earshot
