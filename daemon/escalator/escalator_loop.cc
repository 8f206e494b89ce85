#include "daemon/escalator/escalator_loop.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "daemon/base/log.h"
#include "daemon/base/stop.h"

namespace earshot {
namespace {

constexpr const char* kComponent = "escalator";
constexpr auto kTickEvery = std::chrono::seconds(1);

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

EscalatorLoop::EscalatorLoop(Process process, Tick tick)
    : process_(std::move(process)), tick_(std::move(tick)) {
  Beat();
}

EscalatorLoop::~EscalatorLoop() {
  RequestStop();
  Join();
}

void EscalatorLoop::Beat() { heartbeat_ms_ = SteadyMillis(); }

void EscalatorLoop::Start(BoundedQueue<PostBatch>& in) {
  Beat();
  thread_ = std::jthread([this, &in](std::stop_token stop) { Run(stop, in); });
}

void EscalatorLoop::RequestStop() { thread_.request_stop(); }

void EscalatorLoop::Join() {
  if (thread_.joinable()) thread_.join();
}

void EscalatorLoop::ProcessUntilCommitted(const PostBatch& batch, std::stop_token stop) {
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    Status s = process_(batch);
    if (s.ok()) return;
    log::Error(kComponent, {{"source", batch.source}},
               "batch of {} post(s) from '{}' not committed, retrying in {}ms: {}",
               batch.posts.size(), batch.source, backoff.count(), s);
    Beat();
    if (!SleepFor(stop, backoff)) {
      // Stopping: the cursor did not move, so the source re-reads this batch after the restart.
      log::Warn(kComponent, "stopping with a batch from '{}' uncommitted; it will be re-read",
                batch.source);
      return;
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

void EscalatorLoop::Run(std::stop_token stop, BoundedQueue<PostBatch>& in) {
  auto next_tick = std::chrono::steady_clock::now() + kTickEvery;
  while (!stop.stop_requested()) {
    Beat();
    const auto now = std::chrono::steady_clock::now();
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - now);
    if (auto batch = in.Pop(stop, std::max(wait, std::chrono::milliseconds(0)))) {
      ProcessUntilCommitted(*batch, stop);
    } else if (std::chrono::steady_clock::now() < next_tick) {
      // Pop returned early without an item: the queue is closed and empty. Wait for the stop
      // request (or the next tick) instead of spinning.
      SleepFor(stop, next_tick - std::chrono::steady_clock::now());
    }
    if (std::chrono::steady_clock::now() >= next_tick) {
      if (Status s = tick_(); !s.ok()) log::Error(kComponent, "timer step failed: {}", s);
      next_tick = std::chrono::steady_clock::now() + kTickEvery;
    }
  }
  // Drain: the pollers have stopped; commit what they handed over. One try each with the stop
  // already requested: a failing store leaves those cursors unmoved, so nothing is lost.
  while (auto batch = in.TryPop()) {
    Beat();
    if (Status s = process_(*batch); !s.ok()) {
      log::Warn(kComponent, "batch from '{}' not committed at stop; it will be re-read: {}",
                batch->source, s);
    }
  }
  Beat();
}

}  // namespace earshot
