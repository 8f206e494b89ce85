// DetectorHolder: the current rules snapshot. Pollers copy the pointer under the lock and detect
// unlocked (LevelDB's Version::Ref); a reload swaps in a new, fully validated snapshot, so every
// post is judged by one complete rule set, never a half-loaded one.
#pragma once

#include <memory>

#include "daemon/base/mutex.h"
#include "detectors/detector.h"

namespace earshot {

class DetectorHolder {
 public:
  explicit DetectorHolder(std::shared_ptr<const Detector> initial) : current_(std::move(initial)) {}

  std::shared_ptr<const Detector> Get() const {
    MutexLock lock(mu_);
    return current_;
  }
  void Swap(std::shared_ptr<const Detector> next) {
    MutexLock lock(mu_);
    current_ = std::move(next);
  }

 private:
  mutable Mutex mu_;
  std::shared_ptr<const Detector> current_ GUARDED_BY(mu_);
};

}  // namespace earshot
