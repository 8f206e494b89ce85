#include "daemon/base/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/base/json_escape.h"

namespace earshot::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_format{static_cast<int>(Format::kKeyValue)};
std::mutex g_write_mu;

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

}  // namespace

void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }
void SetFormat(Format format) { g_format.store(static_cast<int>(format)); }
bool Enabled(Level level) { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

bool ParseLevel(std::string_view name, Level* out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (LevelName(l) == name) {
      *out = l;
      return true;
    }
  }
  return false;
}

void Write(Level level, std::string_view component, std::string_view message) {
  std::string line;
  const std::string ts = FormatIso8601(RealClock().Now());
  if (static_cast<Format>(g_format.load()) == Format::kJson) {
    line = fmt::format(R"({{"ts":"{}","level":"{}","component":"{}","msg":"{}"}})", ts,
                       LevelName(level), JsonEscape(component), JsonEscape(message));
  } else {
    // key=value with the message quoted; inner quotes and newlines escaped so one event stays
    // one line for journald and grep.
    line = fmt::format("ts={} level={} component={} msg=\"{}\"", ts, LevelName(level), component,
                       JsonEscape(message));
  }
  line.push_back('\n');
  std::lock_guard lock(g_write_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace earshot::log
