#include "tests/cluster_daemon/storm.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace earshot::testing {
namespace {

// The handle without its instance: the fake serves "k00c001" as "k00c001@127.0.0.1".
std::string AuthorOf(const Escalation& e) {
  if (e.posts.empty()) return "";
  const std::string& a = e.posts[0].author;
  return a.substr(0, a.find('@'));
}

}  // namespace

Storm::Storm(ClusterRig& rig, std::string prefix, int count, std::chrono::milliseconds over) {
  for (int i = 0; i < count; ++i) authors_.insert(fmt::format("{}c{:03}", prefix, i));
  thread_ = std::jthread([&rig, prefix, count, over](std::stop_token stop) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < count && !stop.stop_requested(); ++i) {
      std::this_thread::sleep_until(t0 + over * i / std::max(count, 1));
      rig.Post(fmt::format("{}c{:03}", prefix, i), i);
    }
  });
}

void Storm::Join() {
  if (thread_.joinable()) thread_.join();
}

PageTally& PageTally::operator+=(const PageTally& t) {
  lines += t.lines;
  lost += t.lost;
  duplicated_lines += t.duplicated_lines;
  duplicated_keys += t.duplicated_keys;
  problems.insert(problems.end(), t.problems.begin(), t.problems.end());
  return *this;
}

PageTally CountPages(const std::vector<Escalation>& pages, const std::set<std::string>& authors,
                     bool others_ok) {
  PageTally t;
  std::map<std::string, int> per_key;
  std::map<std::string, std::set<std::string>> keys_of_author;
  for (const Escalation& e : pages) {
    const std::string author = AuthorOf(e);
    if (others_ok && authors.count(author) == 0) continue;
    ++t.lines;
    const std::string key = fmt::format("{}-{}", e.incident_id, e.seq);
    if (++per_key[key] > 1) {
      ++t.duplicated_lines;
      t.problems.push_back(fmt::format("{} ({}) written again", key, author));
      continue;
    }
    if (e.kind != Escalation::Kind::kOpen || authors.count(author) == 0) {
      ++t.duplicated_keys;
      t.problems.push_back(
          fmt::format("unexpected {} {} for author '{}'", KindName(e.kind), key, author));
      continue;
    }
    keys_of_author[author].insert(key);
  }
  for (const std::string& a : authors) {
    const auto it = keys_of_author.find(a);
    if (it == keys_of_author.end()) {
      ++t.lost;
      t.problems.push_back(fmt::format("nothing for {}", a));
    } else if (it->second.size() > 1) {
      t.duplicated_keys += it->second.size() - 1;
      t.problems.push_back(fmt::format("{} paged under {} keys", a, it->second.size()));
    }
  }
  return t;
}

bool WaitAllPaged(const ClusterRig& rig, const std::set<std::string>& authors,
                  std::chrono::milliseconds timeout, std::chrono::milliseconds settle) {
  const bool all = WaitUntil(
      [&] { return CountPages(rig.Escalations(), authors, /*others_ok=*/true).lost == 0; },
      timeout);
  std::this_thread::sleep_for(settle);
  return all;
}

}  // namespace earshot::testing
