#include "daemon/escalator/incident_key.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iterator>

#include "daemon/model/escalation.h"

namespace earshot {

std::string_view ThreadOf(const Post& post) {
  if (!post.thread_key.empty()) return post.thread_key;
  if (!post.reply_to.empty()) return post.reply_to;
  return post.id;
}

std::string SeenKey(const Post& post) {
  return post.edited_at.empty() ? post.id : post.id + "@" + post.edited_at;
}

std::string AuthorThreadKey(std::string_view network, std::string_view author,
                            std::string_view thread) {
  return fmt::format("{}|{}|{}", network, author, thread);
}

std::vector<std::string> ParseGroupBy(std::string_view list) {
  std::vector<std::string> names;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) {
      name.remove_prefix(1);
    }
    while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) {
      name.remove_suffix(1);
    }
    if (name.empty() || std::find(names.begin(), names.end(), name) != names.end()) continue;
    names.emplace_back(name);
  }
  return names;
}

std::string GroupKeyFor(const Post& post, const Detection& detection) {
  auto group_by = detection.labels.find("group_by");
  std::vector<std::string> names;
  if (group_by != detection.labels.end()) names = ParseGroupBy(group_by->second);
  if (names.empty()) return AuthorThreadKey(post.network, post.author.handle, ThreadOf(post));
  std::string key = "group";
  for (const std::string& name : names) {
    std::string_view value;
    if (auto it = detection.labels.find(name); it != detection.labels.end()) {
      value = it->second;
    } else if (name == "network") {
      value = post.network;
    } else if (name == "author") {
      value = post.author.handle;
    } else if (name == "thread") {
      value = ThreadOf(post);
    } else if (name == "rule") {
      value = detection.rule_id;
    }
    // '|' and '=' in values cannot make two groups collide: values are length-prefixed.
    fmt::format_to(std::back_inserter(key), "|{}={}:{}", name, value.size(), value);
  }
  return key;
}

std::string IncidentIdFor(std::string_view group_key) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64: tiny, stable, specified byte by byte
  for (unsigned char c : group_key) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return fmt::format("inc-{:016x}", h);
}

Severity PostSeverity(const Detection& detection, const DetectedPost& post,
                      const EscalatorOptions& options) {
  int s = static_cast<int>(detection.severity);
  const int64_t followers = post.post.author.followers;
  if (followers >= options.followers_raise_two) {
    s += 2;
  } else if (followers >= options.followers_raise_one) {
    s += 1;
  }
  // How upset, and how sure a complaint: one step for either or both (escalator_options.h).
  // Sureness lifts only a low or medium page: that a post is surely a complaint says nothing of
  // how urgent it is, which the rule, reach and anger tell.
  const bool upset = post.sentiment <= options.sentiment_raise;
  const bool sure = post.complaint >= options.complaint_raise &&
                    s < static_cast<int>(Severity::kHigh);
  if (upset || sure) s += 1;
  if (!options.vip_authors.empty()) {
    std::string handle = post.post.author.handle;
    std::transform(handle.begin(), handle.end(), handle.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::find(options.vip_authors.begin(), options.vip_authors.end(), handle) !=
        options.vip_authors.end()) {
      s = std::max(s, static_cast<int>(options.vip_severity));
    }
  }
  return static_cast<Severity>(std::clamp(s, 0, static_cast<int>(Severity::kCritical)));
}

std::string_view ComplaintBand(double complaint) {
  if (complaint >= 0.8) return "high";
  if (complaint >= 0.5) return "medium";
  return "low";
}

std::string_view HigherComplaintBand(std::string_view a, std::string_view b) {
  auto rank = [](std::string_view band) {
    if (band == "high") return 3;
    if (band == "medium") return 2;
    if (band == "low") return 1;
    return 0;
  };
  return rank(b) > rank(a) ? b : a;
}

std::string FollowersText(int64_t n) {
  std::string number;
  if (n < 1000) {
    number = std::to_string(n);
  } else if (n < 10'000) {
    number = fmt::format("{:.1f}k", static_cast<double>(n) / 1000.0);
  } else if (n < 1'000'000) {
    number = fmt::format("{}k", n / 1000);
  } else {
    number = fmt::format("{:.1f}M", static_cast<double>(n) / 1e6);
  }
  // "1.0k" reads worse than "1k".
  if (auto pos = number.find(".0"); pos != std::string::npos) number.erase(pos, 2);
  return number + (n == 1 ? " follower" : " followers");
}

std::string PostSummary(const Post& post) {
  constexpr size_t kMaxText = 140;
  std::string text = post.text;
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (text.size() > kMaxText) {
    size_t cut = kMaxText;
    // Back up to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "…";
  }
  if (!HasFollowerCounts(post.network)) {
    return fmt::format("{}: \"{}\"", AuthorHandle(post.network, post.author.handle), text);
  }
  return fmt::format("{} ({}): \"{}\"", AuthorHandle(post.network, post.author.handle),
                     FollowersText(post.author.followers), text);
}

std::string BrandKey(std::string_view brand) {
  std::string key;
  for (char c : brand) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) && u < 0x80) key.push_back(static_cast<char>(std::tolower(u)));
  }
  return key;
}

std::string ShortDuration(std::chrono::seconds d) {
  const int64_t s = d.count();
  if (s % 86400 == 0 && s >= 86400 * 2) return fmt::format("{}d", s / 86400);
  if (s % 3600 == 0 && s > 0) return fmt::format("{}h", s / 3600);
  if (s % 60 == 0 && s > 0) return fmt::format("{}m", s / 60);
  return fmt::format("{}s", s);
}

}  // namespace earshot
