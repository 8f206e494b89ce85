// SinkRunner: delivers every escalation to one sink, at least once and in order. It owns the
// sink, one thread, and that thread's ZeroMQ SUB socket.
//
// The outbox is the source of truth; the bus is only the fast path. At start, on a gap in `seq`
// and every outbox_check_interval, the runner reads the outbox after its delivery cursor and
// delivers what it finds before it takes live messages again. After each delivery (or dead
// letter) it saves its cursor in the store (OutboxStore), so a restart resumes exactly there.
//
// A failed attempt is retried with exponential backoff and jitter (DeliveryPolicy); a
// Retry-After from the receiver replaces the computed wait. A permanent failure, or a
// transient one that outlives max_age, parks the escalation as a dead letter with the reason,
// and delivery moves on. `earshot deadletter retry` flags dead letters in the store; the runner
// sends those again at its next outbox check, with their original seq (so the receiver's
// idempotency key is unchanged), out of order by nature, without moving its cursor.
//
// Ownership: the App owns runners; the store, the zmq::context_t and the Clock must
// outlive them. Threads: Start, Drain, Join, Reopen and the accessors are called from the
// owning (main) thread; everything else happens on the runner's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <stop_token>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"
#include "daemon/bus/endpoint.h"
#include "daemon/state/outbox_store.h"
#include "sinks/delivery_policy.h"
#include "sinks/rate_limiter.h"
#include "sinks/registry.h"
#include "sinks/sink.h"

namespace earshot {

struct SinkRunnerOptions {
  DeliveryPolicy policy;
  std::string endpoint = std::string(bus::kInprocEndpoint);
  // Outbox records read per catch-up query.
  size_t catchup_batch = 256;
  // How often the runner looks at the outbox even without a gap, which finds a last message
  // that PUB dropped (the slow-joiner window right after start, or a full high-water mark).
  std::chrono::milliseconds outbox_check_interval{1000};
  // A sink without a saved cursor starts after the newest outbox record (it is not paged with
  // history); false starts at the beginning of the outbox.
  bool new_sink_starts_at_end = true;
  // In a cluster: asked before every delivery attempt; false stops the runner instead (this node
  // no longer holds the sink's lease, so another node delivers now). Empty = always.
  std::function<bool()> may_deliver;
};

class SinkRunner {
 public:
  SinkRunner(std::string name, SinkPtr sink, OutboxStore& store, zmq::context_t& context,
             SinkRunnerOptions options = {}, Clock& clock = RealClock());
  // Takes the policy from the configured sink (its retry_*/max_age/rate_limit options).
  SinkRunner(std::string name, ConfiguredSink sink, OutboxStore& store, zmq::context_t& context,
             SinkRunnerOptions options = {}, Clock& clock = RealClock());
  // Stops at once (as Join) if still running.
  ~SinkRunner();

  SinkRunner(const SinkRunner&) = delete;
  SinkRunner& operator=(const SinkRunner&) = delete;

  // Starts the thread. Again after Join (a cluster node that holds the sink's lease again): the
  // runner resumes from the cursor in the store.
  void Start();
  // Asks the runner to deliver what the outbox holds and exit, and waits for that until
  // `deadline`. The escalator must have stopped first, so the outbox no longer grows. A sink that
  // fails during the drain is not retried; at the deadline the running attempt is cancelled.
  // Whatever is left stays in the outbox for the next start.
  void Drain(SteadyTime deadline);
  // Cancels whatever is running (if Drain has not ended it) and waits for the thread.
  void Join();
  // Forwards to Sink::Reopen (SIGHUP).
  void Reopen() { sink_->Reopen(); }

  const std::string& name() const { return name_; }
  // True from Start until Join: a runner that is not running has no heartbeat to judge (a
  // cluster node that does not hold the sink's lease).
  bool running() const { return running_.load(std::memory_order_relaxed); }
  // steady_clock milliseconds (since its epoch) of the runner's last sign of life, for the
  // watchdog. Stamped at least every 100 ms except during one Deliver call, which may take as
  // long as the sink's own timeout.
  int64_t heartbeat_ms() const { return heartbeat_ms_.load(std::memory_order_relaxed); }
  // The last seq delivered or dead-lettered.
  uint64_t cursor() const { return cursor_.load(std::memory_order_relaxed); }
  uint64_t delivered() const { return delivered_.load(std::memory_order_relaxed); }
  // Escalations the routes send to other receivers: passed over, the cursor moved past them.
  uint64_t skipped() const { return skipped_.load(std::memory_order_relaxed); }
  uint64_t retries() const { return retries_.load(std::memory_order_relaxed); }
  uint64_t dead_lettered() const { return dead_lettered_.load(std::memory_order_relaxed); }
  // Escalations cut to the sink's max_escalation_bytes before delivery.
  uint64_t cut() const { return cut_.load(std::memory_order_relaxed); }

 private:
  enum class Outcome { kDone, kStopped };

  void Run(std::stop_token stop);
  // Delivers everything in the outbox after the cursor. false when stopped (or draining and
  // the sink failed).
  bool CatchUp(std::stop_token stop);
  Outcome DeliverOne(const Escalation& e, std::stop_token stop);
  // `e` as this sink gets it: itself, or a copy cut to max_escalation_bytes kept in *fitted
  // (counted and logged once per escalation).
  const Escalation& Fit(const Escalation& e, std::optional<Escalation>* fitted);
  // Sends again the dead letters flagged by `earshot deadletter retry`, one attempt each at an
  // outbox check; a transient failure leaves the flag and backs off (Backoff, or Retry-After)
  // before the next try. The cursor does not move. false when stopped.
  bool Redeliver(std::stop_token stop);
  // `incident_id` only names it in the log; empty when the escalation could not be read.
  void Park(uint64_t seq, const std::string& reason, std::string_view incident_id = {});
  // Sleeps up to `d` in short slices, stamping the heartbeat. false on stop, or on a drain
  // request when `drain_interrupts`.
  bool Pause(std::stop_token stop, std::chrono::milliseconds d, bool drain_interrupts);
  std::chrono::milliseconds Backoff(int attempt);
  void Beat();

  const std::string name_;
  const std::string component_;  // "sink:<name>" for logs
  SinkPtr sink_;
  OutboxStore& store_;
  zmq::context_t& context_;
  const SinkRunnerOptions options_;
  Clock& clock_;

  // Runner thread only.
  RateLimiter limiter_;
  std::mt19937_64 rng_;
  int redeliver_failures_ = 0;                          // in a row
  std::chrono::steady_clock::time_point redeliver_after_{};  // no redelivery before this

  std::atomic<int64_t> heartbeat_ms_{0};
  std::atomic<uint64_t> cursor_{0};
  std::atomic<uint64_t> delivered_{0}, skipped_{0}, retries_{0}, dead_lettered_{0}, cut_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> running_{false};

  Mutex mu_;
  std::condition_variable_any done_cv_;
  bool done_ GUARDED_BY(mu_) = false;
  std::jthread thread_;
};

}  // namespace earshot
