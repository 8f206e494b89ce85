// BoundedQueue: the hand-off between threads (pollers -> escalator). Push blocks while the queue
// is full, which is backpressure: a slow escalator slows the pollers, and nothing is dropped.
// Every wait takes the stop token. Safe for any number of producers and consumers.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <optional>
#include <stop_token>
#include <chrono>

#include "daemon/base/mutex.h"

namespace earshot {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}

  // Blocks while full. Returns false (and drops nothing: the item stays with the caller's
  // cursor uncommitted) when `stop` is requested or the queue is closed first.
  bool Push(T item, std::stop_token stop) {
    MutexLock lock(mu_);
    if (!not_full_.wait(lock, stop, [&] {
          mu_.AssertHeld();
          return closed_ || items_.size() < capacity_;
        })) {
      return false;
    }
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Waits up to `timeout` for an item. nullopt on timeout, stop, or closed and drained.
  std::optional<T> Pop(std::stop_token stop, std::chrono::milliseconds timeout) {
    MutexLock lock(mu_);
    not_empty_.wait_for(lock, stop, timeout, [&] {
      mu_.AssertHeld();
      return closed_ || !items_.empty();
    });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // Non-blocking pop, used to drain after the producers stopped.
  std::optional<T> TryPop() {
    MutexLock lock(mu_);
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // Wakes every waiter; later pushes fail, pops drain what is left.
  void Close() {
    MutexLock lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  size_t size() const {
    MutexLock lock(mu_);
    return items_.size();
  }
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable Mutex mu_;
  std::condition_variable_any not_full_, not_empty_;
  std::deque<T> items_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
};

}  // namespace earshot
