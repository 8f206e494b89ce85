// A counter whose value is GUARDED_BY its Mutex. Built without PROBE_TAKES_LOCK, Increment
// forgets the lock, which clang's -Wthread-safety must refuse.
#include "daemon/base/mutex.h"

namespace earshot {

class Counter {
 public:
  void Increment() {
#if PROBE_TAKES_LOCK
    MutexLock lock(mu_);
#endif
    ++value_;
  }

 private:
  Mutex mu_;
  int value_ GUARDED_BY(mu_) = 0;
};

void IncrementOnce() {
  Counter c;
  c.Increment();
}

}  // namespace earshot
