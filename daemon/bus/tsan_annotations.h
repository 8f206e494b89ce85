// Tells ThreadSanitizer about the ordering ZeroMQ guarantees. libzmq is not built with TSan, so
// its lock-free pipes are invisible to it: a message body written by the publishing thread and
// read (then freed) by a subscribing thread looks like a data race although ZeroMQ hands it over
// with a proper release/acquire. The publisher "releases" a bus-wide token after filling a
// message and before sending it; a subscriber "acquires" it after receiving. Without TSan both
// are no-ops.
#pragma once

//
// Several subscribers share one message body (reference-counted inside libzmq), and whichever
// drops the last reference frees it: TsanSerialized makes those drops take a mutex TSan can see.
#if defined(__SANITIZE_THREAD__)
#include <mutex>
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
namespace earshot::bus::internal {
inline char tsan_bus_token;
inline void TsanRelease() { __tsan_release(&tsan_bus_token); }
inline void TsanAcquire() { __tsan_acquire(&tsan_bus_token); }
inline std::mutex tsan_close_mu;
struct TsanSerialized {
  std::lock_guard<std::mutex> lock{tsan_close_mu};
};
}  // namespace earshot::bus::internal
#else
namespace earshot::bus::internal {
inline void TsanRelease() {}
inline void TsanAcquire() {}
struct TsanSerialized {};
}  // namespace earshot::bus::internal
#endif
