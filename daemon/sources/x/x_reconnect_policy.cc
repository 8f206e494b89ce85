#include "daemon/sources/x/x_reconnect_policy.h"

#include <algorithm>

namespace earshot::x {

using std::chrono::milliseconds;

milliseconds XReconnectPolicy::Failed(Failure kind) {
  connected_ = false;
  const int n = ++attempts_[static_cast<int>(kind)];
  milliseconds wait{0};
  // Doubling from `first`, stopping at `max` (the shift stays small: 2^7 already passes both).
  auto doubled = [n](milliseconds first, milliseconds max) {
    return std::min(max, first * (int64_t{1} << std::min(n - 1, 16)));
  };
  switch (kind) {
    case Failure::kNetwork:
      wait = std::min(kNetworkMax, kNetworkStep * std::min(n, 64));
      break;
    case Failure::kHttp:
      wait = doubled(kHttpFirst, kHttpMax);
      break;
    case Failure::kRateLimited:
      wait = doubled(kRateLimitedFirst, kRateLimitedMax);
      break;
  }
  retry_at_ = clock_.SteadyNow() + wait;
  return wait;
}

milliseconds XReconnectPolicy::Remaining() const {
  const auto left = std::chrono::duration_cast<milliseconds>(retry_at_ - clock_.SteadyNow());
  return std::max(milliseconds(0), left);
}

void XReconnectPolicy::Connected() {
  connected_ = true;
  connected_at_ = clock_.SteadyNow();
}

void XReconnectPolicy::StillUp() {
  if (connected_ && clock_.SteadyNow() - connected_at_ >= stable_after_) {
    std::fill(std::begin(attempts_), std::end(attempts_), 0);
  }
}

void XReconnectPolicy::Reset() {
  std::fill(std::begin(attempts_), std::end(attempts_), 0);
  retry_at_ = SteadyTime{};
}

}  // namespace earshot::x
