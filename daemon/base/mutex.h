// Mutex and MutexLock: std::mutex and a scoped lock that clang's thread-safety analysis can see
// (daemon/base/thread_annotations.h). libstdc++'s std::mutex and std::lock_guard carry no
// annotations, so data GUARDED_BY a std::mutex would go unchecked; earshot locks these instead.
//
//   mutable Mutex mu_;
//   int count_ GUARDED_BY(mu_) = 0;
//   ...
//   MutexLock lock(mu_);
//   ++count_;
//
// Waiting: std::condition_variable_any waits on a MutexLock (it unlocks and relocks it). The
// analysis does not follow the predicate lambda into the wait, so a predicate that reads guarded
// data starts with mu_.AssertHeld(): the condition variable calls it with the lock held.
//
//   MutexLock lock(mu_);
//   cv_.wait(lock, stop, [&] { mu_.AssertHeld(); return ready_; });
#pragma once

#include <mutex>

#include "daemon/base/thread_annotations.h"

namespace earshot {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }

  // Tells the analysis the caller holds this mutex, where it cannot see so (a condition
  // variable's predicate). It is not checked at run time: std::mutex cannot say who owns it.
  void AssertHeld() const ASSERT_CAPABILITY(this) {}

 private:
  std::mutex mu_;
};

// Holds `mu` from construction to the end of the scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // BasicLockable, for std::condition_variable_any, which unlocks while it waits and locks again
  // before it returns; the scope holds the mutex again by the time the wait returns.
  void lock() ACQUIRE() {
    mu_.Lock();
    held_ = true;
  }
  void unlock() RELEASE() {
    held_ = false;
    mu_.Unlock();
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

}  // namespace earshot
