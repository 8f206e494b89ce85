// EARSHOT_CHECK(cond) << why: for failures that must not happen after start (a broken
// invariant, ENOMEM, pthread_create). It logs file:line and the reason, then aborts; systemd
// restarts the process and the outbox makes that safe (Envoy's "unlikely" errors).
// Likely failures (network, bad input) never use it: they return a Status.
#pragma once

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace earshot::internal {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* cond) {
    stream_ << file << ":" << line << ": check failed: " << cond << ": ";
  }
  [[noreturn]] ~CheckFailure() {
    std::cerr << stream_.str() << std::endl;
    std::abort();
  }
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

// Lets `cond ? (void)0 : Voidify() & stream` type-check with a streamed message.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace earshot::internal

#define EARSHOT_CHECK(cond)      \
  (cond) ? (void)0               \
         : ::earshot::internal::Voidify() & \
               ::earshot::internal::CheckFailure(__FILE__, __LINE__, #cond).stream()
