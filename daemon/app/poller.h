// Poller: the thread that drives one Source. It asks the source for the next batch, runs the
// detectors on each post (pure, so on this thread), and hands the batch with its cursor to the
// escalator's bounded queue, blocking while the queue is full (backpressure, never a drop).
// The cursor in the batch is persisted only by the escalator, after the escalations it covers.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <memory>
#include <thread>
#include <vector>

#include "daemon/app/detector_holder.h"
#include "daemon/base/bounded_queue.h"
#include "daemon/base/latency_histogram.h"
#include "daemon/base/mutex.h"
#include "daemon/net/http_client.h"
#include "daemon/sources/source.h"
#include "daemon/model/detection.h"

namespace earshot {

// What a poller counted, for /metrics. Written by the poller thread, read by scrapes.
struct PollerStats {
  std::atomic<int64_t> posts{0};         // posts fetched and run through the detectors
  std::atomic<int64_t> batches{0};       // batches handed to the escalator
  std::atomic<int64_t> source_errors{0}; // Next() failures the source could not pace itself
  std::atomic<int64_t> rechecks{0};      // posts re-checked on the network (Source::Recheck)
  std::atomic<int64_t> posts_truncated{0};  // posts whose text was cut to kMaxPostTextBytes
  // Posts of a source that hears everything that the local filter let by unscored: no rule
  // could hold for them (Source::hears_everything, Detector::MayMatch).
  std::atomic<int64_t> posts_filtered{0};
  // Calls in a row that fetched nothing and asked for a wait (an HTTP error, a malformed page,
  // a dropped stream, a 429) or failed outright; 0 again at the next call that fetched.
  std::atomic<int64_t> consecutive_failures{0};
  LatencyHistogram detect_latency;       // per post: rules + sentiment
  LatencyHistogram handoff_latency;      // per batch: waiting for room in the escalator's queue

  // Matches per rule id (a scrape copies the map under the lock).
  std::map<std::string, int64_t> RuleMatches() const {
    MutexLock lock(mu);
    return rule_matches;
  }
  mutable Mutex mu;
  std::map<std::string, int64_t> rule_matches GUARDED_BY(mu);
};

// How a poller re-checks the posts of open incidents on the network (Source::Recheck), to find
// the deletions no event told it about.
struct RecheckOptions {
  std::chrono::milliseconds every{0};  // a round this often; 0 = never
  // The post ids to re-check in a round (the app asks the state store); called on the poller's
  // thread. An error skips the round.
  std::function<Result<std::vector<std::string>>()> ids;
};

// A source whose fetches failed this many times in a row is "failing": /readyz answers 503
// naming it and earshot_source_failing{source} is 1, until a fetch succeeds. Failures back off
// exponentially (1 s, 2 s, 4 s, ... with jitter), so five come within about half a minute:
// far sooner than source_silent_after, and past any one blip.
inline constexpr int64_t kFailingAfter = 5;

// The longest a batch waits for its source to complete the authors of its matched posts
// (Source::CompleteAuthors); each source keeps a tighter bound of its own.
inline constexpr std::chrono::seconds kCompleteAuthorsLimit{5};

class LiveDetections;

class Poller {
 public:
  // While fetches succeed, a batch (maybe empty) goes out at least every `alive_every`, so the
  // escalator can tell a silent source; tests shorten it. `live`, when not null, is told of
  // every post that matched a rule, with its final detections, before the batch is handed on
  // (the console's live views); it must outlive the poller.
  Poller(std::unique_ptr<Source> source, std::unique_ptr<HttpClient> http,
         const DetectorHolder& detectors, BoundedQueue<PostBatch>& out,
         std::chrono::milliseconds alive_every = std::chrono::minutes(1),
         RecheckOptions recheck = {}, LiveDetections* live = nullptr);
  ~Poller();  // requests stop and joins

  void Start();
  void RequestStop();
  void Join();
  // Starts the poller again after Join, its source restored to `cursor` first (nullopt: where
  // it stood): a cluster node that takes the source's lease (back) resumes from the cursor the
  // last holder committed.
  Status Resume(const std::optional<std::string>& cursor);
  // True from Start (or Resume) until Join: a poller that is not running has no heartbeat to
  // judge (a cluster node that does not hold its source's lease).
  bool running() const { return running_.load(std::memory_order_relaxed); }
  // Asks the poller to have its source re-read its credentials before its next request, and
  // wakes it when it waits after a rejected credential. Thread-safe (the reload thread calls it).
  void ReloadCredentials() { reload_credentials_ = true; }

  std::string_view name() const { return name_; }
  const PollerStats& stats() const { return stats_; }
  // Whether the source's last kFailingAfter (or more) fetches all failed.
  bool failing() const { return stats_.consecutive_failures.load() >= kFailingAfter; }
  // Steady-clock milliseconds of the last loop turn, for the watchdog.
  int64_t heartbeat_ms() const { return heartbeat_ms_.load(std::memory_order_relaxed); }

 private:
  void Run(std::stop_token stop);
  // Waits `wait`; with `wake_on_reload`, a ReloadCredentials() ends the wait early.
  void Nap(std::stop_token stop, std::chrono::milliseconds wait, bool wake_on_reload = false);
  // Counts a call's outcome into consecutive_failures, logging when the source turns failing
  // and when it recovers.
  void Track(bool fetched, bool failed);

  // The next call to make: a Recheck when one is due and it is its turn, else Next.
  Result<Pace> Fetch(std::stop_token stop, SourceBatch* fetched);
  // Asks the source to complete the authors of the batch's matched posts, and judges again
  // those it completed.
  void CompleteAuthors(std::stop_token stop, const Detector& detector, PostBatch* batch);

  std::unique_ptr<Source> source_;
  std::unique_ptr<HttpClient> http_;
  RecheckOptions recheck_;
  std::deque<std::string> recheck_queue_;  // this round's ids still to check
  std::chrono::steady_clock::time_point next_round_{};
  bool recheck_turn_ = false;  // alternates with Next, so a round never starves polling
  const DetectorHolder& detectors_;
  BoundedQueue<PostBatch>& out_;
  LiveDetections* const live_;  // may be null
  const std::string name_;
  const std::chrono::milliseconds alive_every_;
  PollerStats stats_;
  std::atomic<int64_t> heartbeat_ms_{0};
  std::atomic<bool> reload_credentials_{false};
  std::atomic<bool> running_{false};
  std::jthread thread_;
};

}  // namespace earshot
