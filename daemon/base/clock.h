// Clock: where earshot reads the time. The real clock is injected into every component that
// waits or stamps, so that tests drive time with a FakeClock instead of sleeping (LevelDB's Env).
// Implementations must be safe for concurrent use by multiple threads.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <optional>

namespace earshot {

using SystemTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;
using Seconds = std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, for timestamps that leave the process and for network reset times.
  virtual SystemTime Now() const = 0;
  // Monotonic time, for intervals and deadlines.
  virtual SteadyTime SteadyNow() const = 0;
};

// The process's real clock. The result of RealClock() lives forever and is never deleted.
Clock& RealClock();

// Parses an RFC 3339 / ISO-8601 UTC timestamp as networks send them: "2019-12-08T03:48:33.901Z",
// "2019-12-08T03:50:00.000000Z", "2023-01-01T00:00:00+00:00". Returns nullopt when malformed.
std::optional<SystemTime> ParseIso8601(std::string_view text);

// Formats as "2019-12-08T03:48:33.901Z" (UTC, milliseconds).
std::string FormatIso8601(SystemTime t);

// Milliseconds since the Unix epoch, the form stored in SQLite and carried on the wire.
inline int64_t ToUnixMillis(SystemTime t) {
  return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}
inline SystemTime FromUnixMillis(int64_t ms) { return SystemTime(Millis(ms)); }

}  // namespace earshot
