// A Clock that moves only when told, for the sources' tests.
#pragma once

#include <mutex>

#include "daemon/base/clock.h"

namespace earshot {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(SystemTime now) : now_(now) {}
  SystemTime Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  SteadyTime SteadyNow() const override {
    std::lock_guard lock(mu_);
    return SteadyTime(now_.time_since_epoch());
  }
  void Advance(std::chrono::milliseconds d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  SystemTime now_;
};

}  // namespace earshot
