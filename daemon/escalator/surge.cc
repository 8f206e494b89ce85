#include "daemon/escalator/surge.h"

#include <algorithm>
#include <cmath>

namespace earshot {
namespace {

// A key silent this many windows has a baseline of ~0 anyway (0.7^64 < 1e-9): stop folding.
constexpr int64_t kMaxIdleWindows = 64;
// Forget an idle key whose baseline has decayed below this: hashtags are unbounded.
constexpr double kForgetMean = 0.05;
// A surge's first windows stay out of its baseline (the storm must not become the norm it is
// measured against); after these, a lasting change of level is learnt and the surge ends.
constexpr int kFrozenWindows = 3;

int64_t BucketOf(SystemTime t, std::chrono::seconds window) {
  const int64_t ms = ToUnixMillis(t);
  const int64_t w = std::max<int64_t>(1, window.count() * 1000);
  return ms >= 0 ? ms / w : (ms - w + 1) / w;
}

const std::string kNone;

SurgeOptions Sane(SurgeOptions o) {
  // Within one step every post has the same `now`: with a window of at least a second, a post
  // a step appends is never dropped by that step, which Rollback relies on.
  o.window = std::max(o.window, std::chrono::seconds(1));
  return o;
}

}  // namespace

namespace {
std::vector<double> IdleDecay(double alpha) {
  std::vector<double> decay;
  for (int64_t n = 0; n <= kMaxIdleWindows; ++n) {
    decay.push_back(std::pow(1 - alpha, static_cast<double>(n)));
  }
  return decay;
}
}  // namespace

SurgeDetector::SurgeDetector(SurgeOptions options)
    : options_(Sane(options)), idle_decay_(IdleDecay(options_.ewma_alpha)) {}

SurgeDetector::KeyState& SurgeDetector::Mutable(const std::string& key, Undo** undo) {
  auto it = keys_.find(key);
  Undo* u = nullptr;
  if (in_step_) {
    auto [uit, fresh] = undo_.try_emplace(key);
    u = &uit->second;
    if (fresh && it != keys_.end()) {
      u->existed = true;
      const KeyState& from = it->second;
      // Scalars only: copying the window's events would cost O(window) per step.
      KeyState& to = u->scalars;
      to.bucket = from.bucket;
      to.bucket_count = from.bucket_count;
      to.mean = from.mean;
      to.var = from.var;
      to.active = from.active;
      to.incident_id = from.incident_id;
      to.started_count = from.started_count;
      to.frozen_windows = from.frozen_windows;
      to.hold_until = from.hold_until;
    }
  }
  if (undo != nullptr) *undo = u;
  if (it == keys_.end()) it = keys_.emplace(key, KeyState{}).first;
  return it->second;
}

void SurgeDetector::Advance(KeyState& s, SystemTime now, Undo* undo) const {
  // Slide: drop posts older than the window.
  const SystemTime from = now - options_.window;
  while (!s.events.empty() && s.events.front().at <= from) {
    auto a = s.authors.find(s.events.front().author);
    if (a != s.authors.end() && --a->second == 0) s.authors.erase(a);
    if (undo != nullptr) {
      undo->popped.push_back(std::move(s.events.front()));
    }
    s.events.pop_front();
  }
  // Fold every whole window that ended into the baseline (frozen while surging).
  const int64_t bucket = BucketOf(now, options_.window);
  if (s.bucket < 0) {
    s.bucket = bucket;
    return;
  }
  if (bucket <= s.bucket) return;
  const double a = options_.ewma_alpha;
  auto fold = [&](double x) {
    if (s.active && s.frozen_windows < kFrozenWindows) {
      ++s.frozen_windows;
      return;
    }
    const double diff = x - s.mean;
    s.mean += a * diff;
    s.var = (1 - a) * (s.var + a * diff * diff);
  };
  fold(static_cast<double>(s.bucket_count));
  const int64_t idle = std::min(bucket - s.bucket - 1, kMaxIdleWindows);
  for (int64_t i = 0; i < idle; ++i) fold(0.0);
  s.bucket = bucket;
  s.bucket_count = 0;
}

SurgeDetector::Stats SurgeDetector::Compute(const KeyState& s) const {
  Stats st;
  st.count = static_cast<int64_t>(s.events.size());
  st.distinct_authors = static_cast<int64_t>(s.authors.size());
  st.baseline_mean = s.mean;
  st.baseline_stddev = std::sqrt(std::max(0.0, s.var));
  st.threshold = s.mean + options_.factor * std::max(st.baseline_stddev,
                                                     std::sqrt(std::max(s.mean, 1.0)));
  return st;
}

std::optional<SurgeDetector::Stats> SurgeDetector::Observe(const std::string& key,
                                                           std::string_view author,
                                                           SystemTime now) {
  Undo* undo = nullptr;
  KeyState& s = Mutable(key, &undo);
  Advance(s, now, undo);
  s.events.push_back({now, std::string(author)});
  if (undo != nullptr) ++undo->pushed;
  ++s.authors[std::string(author)];
  ++s.bucket_count;
  if (s.active) return std::nullopt;
  const Stats st = Compute(s);
  if (st.count < options_.min_count || st.distinct_authors < options_.min_distinct_authors ||
      static_cast<double>(st.count) <= st.threshold) {
    return std::nullopt;
  }
  s.active = true;
  active_keys_.insert(key);
  s.frozen_windows = 0;
  s.started_count = st.count;
  s.hold_until = now;
  return st;
}

std::vector<SurgeDetector::Ended> SurgeDetector::Expire(SystemTime now) {
  std::vector<std::string> ended, forget;
  for (const std::string& key : active_keys_) {
    Undo* undo = nullptr;
    KeyState& s = Mutable(key, &undo);
    Advance(s, now, undo);
    // Hysteresis: below half of what started it, or back inside the baseline's noise.
    const Stats st = Compute(s);
    const int64_t floor = std::max(options_.min_count, s.started_count) / 2;
    if (now >= s.hold_until &&
        (st.count < floor || static_cast<double>(st.count) <= st.threshold)) {
      ended.push_back(key);
    }
  }
  for (auto& [key, s] : keys_) {
    if (s.active) continue;
    // Read-only: only keys that change are copied into the undo log.
    const SystemTime from = now - options_.window;
    int64_t count = 0;
    for (auto it = s.events.rbegin(); it != s.events.rend() && it->at > from; ++it) ++count;
    if (count == 0) {
      // The baseline as it will be once the idle windows are folded in.
      const int64_t idle = BucketOf(now, options_.window) - s.bucket - 1;
      if (idle < 1) continue;
      const double a = options_.ewma_alpha;
      const double mean = (s.mean + a * (static_cast<double>(s.bucket_count) - s.mean)) *
                          idle_decay_[static_cast<size_t>(std::min(idle, kMaxIdleWindows))];
      if (mean < kForgetMean) forget.push_back(key);
    }
  }
  std::sort(ended.begin(), ended.end());  // a deterministic order of resolves
  std::vector<Ended> out;
  for (const std::string& key : ended) {
    KeyState& s = Mutable(key, nullptr);
    Ended e{key, s.incident_id, Compute(s)};
    s.active = false;
    active_keys_.erase(key);
    s.incident_id.clear();
    s.started_count = 0;
    out.push_back(std::move(e));
  }
  for (const std::string& key : forget) {
    Undo* undo = nullptr;
    KeyState& s = Mutable(key, &undo);
    if (undo != nullptr) undo->whole = std::move(s);
    keys_.erase(key);
  }
  return out;
}

const std::string& SurgeDetector::incident(const std::string& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() || !it->second.active ? kNone : it->second.incident_id;
}

void SurgeDetector::set_incident(const std::string& key, std::string incident_id) {
  Mutable(key, nullptr).incident_id = std::move(incident_id);
}

std::vector<std::pair<std::string, std::string>> SurgeDetector::Active() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const std::string& key : active_keys_) out.emplace_back(key, keys_.at(key).incident_id);
  return out;
}

void SurgeDetector::Restore(const std::string& key, std::string incident_id, SystemTime now) {
  if (active_keys_.contains(key)) return;  // its counts were stored: nothing to guess
  KeyState& s = Mutable(key, nullptr);
  s.active = true;
  active_keys_.insert(key);
  s.frozen_windows = 0;
  s.incident_id = std::move(incident_id);
  s.started_count = 0;
  s.hold_until = now + options_.window;
}

void SurgeDetector::Load(const std::vector<SurgeKeyRecord>& keys) {
  keys_.clear();
  active_keys_.clear();
  for (const SurgeKeyRecord& r : keys) {
    KeyState s;
    for (const SurgeEventRecord& e : r.events) {
      s.events.push_back({e.at, e.author});
      ++s.authors[e.author];
    }
    s.bucket = r.bucket;
    s.bucket_count = r.bucket_count;
    s.mean = r.mean;
    s.var = r.var;
    s.active = r.active;
    s.incident_id = r.incident_id;
    s.started_count = r.started_count;
    s.frozen_windows = static_cast<int>(r.frozen_windows);
    s.hold_until = r.hold_until;
    if (s.active) active_keys_.insert(r.key);
    keys_.emplace(r.key, std::move(s));
  }
}

SurgeChanges SurgeDetector::Changes(SystemTime now) const {
  SurgeChanges out;
  std::vector<std::string> touched;
  for (const auto& [key, u] : undo_) touched.push_back(key);
  std::sort(touched.begin(), touched.end());  // a deterministic write order
  for (const std::string& key : touched) {
    const Undo& u = undo_.at(key);
    auto it = keys_.find(key);
    if (it == keys_.end()) {
      if (u.existed) out.forgotten.push_back(key);
      continue;
    }
    const KeyState& s = it->second;
    SurgeKeyRecord r;
    r.key = key;
    r.bucket = s.bucket;
    r.bucket_count = s.bucket_count;
    r.mean = s.mean;
    r.var = s.var;
    r.active = s.active;
    r.incident_id = s.incident_id;
    r.started_count = s.started_count;
    r.frozen_windows = s.frozen_windows;
    r.hold_until = s.hold_until;
    // The posts this step appended are the newest `pushed` ones (none slid out: see Sane()).
    const size_t pushed = std::min(u.pushed, s.events.size());
    for (size_t i = s.events.size() - pushed; i < s.events.size(); ++i) {
      r.events.push_back({s.events[i].at, s.events[i].author});
    }
    // A key forgotten earlier in the step and made again starts from an empty window; a key
    // new in this step has nothing stored to drop (the common case for one-off hashtags).
    if (u.whole) {
      r.drop_through = SystemTime::max();
    } else if (u.existed) {
      r.drop_through = now - options_.window;
    }
    out.keys.push_back(std::move(r));
  }
  return out;
}

SurgeDetector::Stats SurgeDetector::StatsOf(const std::string& key, SystemTime now) {
  auto it = keys_.find(key);
  if (it == keys_.end()) return {};
  Undo* undo = nullptr;
  KeyState& s = Mutable(key, &undo);
  Advance(s, now, undo);
  return Compute(s);
}

void SurgeDetector::Begin() {
  in_step_ = true;
  undo_.clear();
}

void SurgeDetector::Commit() {
  in_step_ = false;
  undo_.clear();
}

void SurgeDetector::Rollback() {
  for (auto& [key, u] : undo_) {
    if (!u.existed) {
      keys_.erase(key);
      active_keys_.erase(key);
      continue;
    }
    KeyState& s = u.whole ? (keys_[key] = std::move(*u.whole)) : keys_.at(key);
    // Newest first: take back what the step appended, then put back what it dropped.
    for (size_t i = 0; i < u.pushed && !s.events.empty(); ++i) {
      auto a = s.authors.find(s.events.back().author);
      if (a != s.authors.end() && --a->second == 0) s.authors.erase(a);
      s.events.pop_back();
    }
    for (auto it = u.popped.rbegin(); it != u.popped.rend(); ++it) {
      ++s.authors[it->author];
      s.events.push_front(std::move(*it));
    }
    s.bucket = u.scalars.bucket;
    s.bucket_count = u.scalars.bucket_count;
    s.mean = u.scalars.mean;
    s.var = u.scalars.var;
    s.active = u.scalars.active;
    s.incident_id = std::move(u.scalars.incident_id);
    s.started_count = u.scalars.started_count;
    s.frozen_windows = u.scalars.frozen_windows;
    s.hold_until = u.scalars.hold_until;
    if (s.active) {
      active_keys_.insert(key);
    } else {
      active_keys_.erase(key);
    }
  }
  undo_.clear();
  in_step_ = false;
}

}  // namespace earshot
