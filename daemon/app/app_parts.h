// App::Parts: everything one running earshot owns, shared by the files that implement App
// (app.cc: the single node and what both modes share; app_cluster.cc: a cluster node's leases,
// state log and batch stream). Not for use outside daemon/app.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>
#include <zmq.hpp>

#include "daemon/app/app.h"
#include "daemon/app/detection_feed.h"
#include "daemon/app/detector_holder.h"
#include "daemon/app/live_detections.h"
#include "daemon/app/poller.h"
#include "daemon/app/rate_budgets.h"
#include "daemon/app/rule_activity.h"
#include "daemon/base/bounded_queue.h"
#include "daemon/base/mutex.h"
#include "daemon/bus/publisher.h"
#include "daemon/escalator/escalator.h"
#include "daemon/escalator/silence_file.h"
#include "daemon/model/detection.h"
#include "daemon/state/state_store.h"
#include "sinks/runner.h"

namespace earshot {

// Batches waiting for the escalator. Small on purpose: a full queue slows the pollers
// (backpressure), and every batch in it is uncommitted work that a crash re-fetches.
constexpr size_t kBatchQueueCapacity = 64;

struct ClusterParts;  // app_cluster.h

struct App::Parts {
  AppConfig config;
  std::unique_ptr<StateStore> store;
  zmq::context_t zmq_context{1};
  std::unique_ptr<bus::Publisher> publisher;
  std::vector<std::unique_ptr<SinkRunner>> sinks;
  std::unique_ptr<DetectorHolder> detectors;
  BoundedQueue<PostBatch> batches{kBatchQueueCapacity};
  // The escalator: on a single node built once; in a cluster one per term as leader, null while
  // another node leads. Swapped under escalator_mu; readers take a reference (CurrentEscalator).
  mutable Mutex escalator_mu;
  std::shared_ptr<Escalator> escalator GUARDED_BY(escalator_mu);
  std::shared_ptr<Escalator> CurrentEscalator() const {
    MutexLock lock(escalator_mu);
    return escalator;
  }
  // What each escalator calls after its commits (counts, and the bus on a single node).
  Escalator::Publish escalator_publish;
  // What every escalator is given at its start, kept for a cluster's next leader: the silences
  // file's entries as of the last reload.
  mutable Mutex file_silences_mu;
  std::vector<FileSilence> file_silences GUARDED_BY(file_silences_mu);
  // Cluster mode (docs/cluster.md); null on a single node.
  std::unique_ptr<ClusterParts> cluster;
  // The console's live views. Declared before the pollers, which publish to them, so they are
  // destroyed after the pollers' threads are joined.
  DetectionFeed feed;
  RuleActivity activity;
  LiveDetections live{feed, activity, RealClock()};
  std::vector<std::unique_ptr<Poller>> pollers;
  // Per poller, the source's own counters (requests, 429s, errors), read by scrapes.
  std::vector<const SourceCounters*> source_stats;
  // Per poller, its stream's lag behind the head in ms; null for a source without one.
  std::vector<std::function<int64_t()>> source_lags;
  // One rate budget per credential, shared by its sources' pollers (rate_budgets.h).
  RateBudgetRegistry budgets;
  // Escalations published, by severity and by kind: counted on the escalator's thread.
  std::array<std::atomic<int64_t>, 5> escalations_by_severity{};
  std::array<std::atomic<int64_t>, 4> escalations_by_kind{};
  std::atomic<int64_t> reloads_ok{0}, reloads_failed{0};
  // As Prometheus' own *_config_last_reload_successful: the start is the first successful load,
  // and a gauge stays 0 while the files on disk are broken (a counter's increase() forgets).
  std::atomic<bool> last_reload_ok{true};
  std::atomic<int64_t> last_reload_success_ms{0};
  // The last reload's outcome, read by the console's thread (App::LastReload).
  mutable Mutex reload_mu;
  ReloadOutcome last_reload GUARDED_BY(reload_mu);
  std::atomic<uint64_t> newest_seq{0};  // the outbox's newest seq, for the sinks' backlog
  bool started = false;
  bool stopped = false;
};

}  // namespace earshot
