// EscalatorLoop: the escalator's thread. It runs `process` for each batch popped from the
// queue and `tick` every second, until RequestStop(); then drains what is left in the queue.
// A batch that fails is retried with backoff, never dropped while earshot runs; one that
// still fails at stop is left for the source to re-read (its cursor did not move).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <thread>

#include "daemon/base/bounded_queue.h"
#include "daemon/base/status.h"
#include "daemon/model/detection.h"

namespace earshot {

class EscalatorLoop {
 public:
  using Process = std::function<Status(const PostBatch&)>;
  using Tick = std::function<Status()>;

  EscalatorLoop(Process process, Tick tick);
  ~EscalatorLoop();  // RequestStop() and Join()
  EscalatorLoop(const EscalatorLoop&) = delete;
  EscalatorLoop& operator=(const EscalatorLoop&) = delete;

  void Start(BoundedQueue<PostBatch>& in);
  void RequestStop();
  void Join();

  // steady_clock milliseconds of the thread's last loop turn, for the watchdog; any thread.
  int64_t heartbeat_ms() const { return heartbeat_ms_.load(std::memory_order_relaxed); }

 private:
  void Run(std::stop_token stop, BoundedQueue<PostBatch>& in);
  void ProcessUntilCommitted(const PostBatch& batch, std::stop_token stop);
  void Beat();

  Process process_;
  Tick tick_;
  std::atomic<int64_t> heartbeat_ms_{0};
  std::jthread thread_;
};

}  // namespace earshot
