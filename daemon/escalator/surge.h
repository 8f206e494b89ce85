// SurgeDetector: notices when complaints under one key (a rule and brand, or a hashtag) arrive
// much faster than usual, from many different people. Per key it keeps the posts of the last
// `window` (a sliding window, with distinct authors) and a baseline of past windows: an EWMA of
// the counts of whole, tumbling windows and an EWMA of their variance (as Prometheus' and
// Datadog's anomaly alerts do). A surge starts when, in the sliding window,
//
//   count >= min_count  AND  distinct authors >= min_distinct_authors  AND
//   count >  mean + factor * max(stddev, sqrt(max(mean, 1)))
//
// The sqrt term is the Poisson noise floor: a key that steadily sees 30 posts per window has a
// deviation near 0, and 31 must not be a surge. min_count keeps "2 against a baseline of 0" from
// being one. For a surge's first three whole windows the baseline is frozen (the storm must not
// become the norm it is compared with); after that it learns, so a lasting change of level
// becomes the new normal. The surge ends when the sliding count falls below half of what
// started it (hysteresis, so a storm hovering at the threshold does not flap) or back inside
// the baseline's noise (count <= threshold).
//
// Persistent: the escalator stores every key a step changed (Changes(), in the step's commit)
// and loads them all at start (Load()), so a storm that straddles a restart is still counted and
// a baseline learnt over days survives. Timer-only changes (a window sliding with no post) are
// not written: they follow from the stored state and the time, and are redone after a restart.
//
// Deterministic: every call takes `now`; nothing reads a clock. Owned by the Escalator and used
// on its thread only (not thread-safe). Changes are staged: Begin() opens a step, Commit() keeps
// it and Rollback() restores every key the step touched, so a failed store commit leaves the
// counts as they were (the batch is processed again).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/state/incident_store.h"

namespace earshot {

struct SurgeOptions {
  std::chrono::seconds window{600};
  int64_t min_count = 20;
  double factor = 3.0;
  int64_t min_distinct_authors = 10;
  double ewma_alpha = 0.3;  // weight of the newest whole window in the baseline
};

class SurgeDetector {
 public:
  // What a key looks like at one moment.
  struct Stats {
    int64_t count = 0;             // posts in the sliding window
    int64_t distinct_authors = 0;  // different authors among them
    double baseline_mean = 0, baseline_stddev = 0;
    double threshold = 0;          // the count must exceed this (before min_count)
  };
  // A surge that ended, with the incident the escalator attached to it.
  struct Ended {
    std::string key, incident_id;
    Stats stats;
  };

  // A window under a second is taken as one second.
  explicit SurgeDetector(SurgeOptions options);

  // Counts one post of `author` under `key` at `now`. Returns the key's stats when a surge
  // starts with this post, nullopt otherwise (no surge, or one already running).
  std::optional<Stats> Observe(const std::string& key, std::string_view author, SystemTime now);

  // Surges whose rate fell back by `now`, now ended; keys idle long enough are forgotten.
  std::vector<Ended> Expire(SystemTime now);

  // The incident a running surge pages under ("" when `key` is not surging).
  const std::string& incident(const std::string& key) const;
  void set_incident(const std::string& key, std::string incident_id);
  // Running surges: key -> incident id.
  std::vector<std::pair<std::string, std::string>> Active() const;

  // A surge found open in the store at start whose counts were not stored (a store written
  // before surge counts were kept): it is kept running for one window of fresh counts before it
  // can end. A key Load() brought back as active is left as it is.
  void Restore(const std::string& key, std::string incident_id, SystemTime now);

  // Replaces every key with `keys` as IncidentStore::LoadSurgeKeys read them. Outside a step.
  void Load(const std::vector<SurgeKeyRecord>& keys);
  // What the open step changed, as of `now` (the step's time), for its commit: each key it
  // touched with the posts it added and the slide boundary, and the keys it forgot. Call before
  // Commit() or Rollback().
  SurgeChanges Changes(SystemTime now) const;
  bool active(const std::string& key) const { return active_keys_.contains(key); }

  Stats StatsOf(const std::string& key, SystemTime now);

  void Begin();
  void Commit();
  void Rollback();

  size_t key_count() const { return keys_.size(); }

 private:
  struct Event {
    SystemTime at;
    std::string author;
  };
  struct KeyState {
    std::deque<Event> events;                         // the sliding window, oldest first
    std::unordered_map<std::string, int64_t> authors;  // author -> posts in the window
    int64_t bucket = -1;                              // current tumbling window's index
    int64_t bucket_count = 0;
    double mean = 0, var = 0;
    bool active = false;
    std::string incident_id;
    int64_t started_count = 0;      // sliding count when the surge started
    int frozen_windows = 0;         // whole windows the surge kept out of the baseline
    SystemTime hold_until{};        // a restored surge cannot end before this
  };

  // The step's undo record of one key: its scalars before the step and the events it added or
  // dropped, so that a step costs what it changed, not the size of the window.
  struct Undo {
    bool existed = false;
    KeyState scalars;                // events and authors left empty
    size_t pushed = 0;               // events appended during the step
    std::vector<Event> popped;       // events dropped from the front, oldest first
    std::optional<KeyState> whole;   // the key as it was when the step forgot it
  };

  // The key's state (created when new), with its undo record opened when in a step.
  KeyState& Mutable(const std::string& key, Undo** undo);
  void Advance(KeyState& s, SystemTime now, Undo* undo) const;
  Stats Compute(const KeyState& s) const;

  const SurgeOptions options_;
  // (1 - ewma_alpha)^n for n idle windows, 0..64: Expire asks for it per idle key per tick.
  const std::vector<double> idle_decay_;
  std::unordered_map<std::string, KeyState> keys_;
  std::set<std::string> active_keys_;  // the keys surging now, for Active() without a scan
  bool in_step_ = false;
  std::unordered_map<std::string, Undo> undo_;  // the step's, by key
};

}  // namespace earshot
