// Structured logging: one line per event on stderr (journald captures it under systemd),
//   ts=2026-11-22T13:44:00.123Z level=warn component=mastodon msg="HTTP 429; waiting 30s"
// or the same fields as one JSON object per line. Safe for concurrent use by multiple threads.
// Callers never pass secrets: tokens and webhook URLs are kept out of every message by
// construction (sources and sinks log endpoints by host only).
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string_view>
#include <utility>

namespace earshot::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kKeyValue, kJson };

void SetLevel(Level level);
void SetFormat(Format format);
bool Enabled(Level level);
// Parses "debug", "info", "warn", "error"; returns false on an unknown name.
bool ParseLevel(std::string_view name, Level* out);

// Writes one line. `component` names the part ("mastodon:airline", "escalator", "sink:oncall").
// The same (level, component, message) more than kRepeatBurst times within kRepeatWindow is
// suppressed; its first repeat after the window says how many were dropped (`repeated=N`), so a
// failing receiver cannot flood the journal.
void Write(Level level, std::string_view component, std::string_view message);

inline constexpr int kRepeatBurst = 5;
inline constexpr int kRepeatWindowSeconds = 10;

// Where lines go: stderr by default. Under systemd with stderr connected to the journal
// ($JOURNAL_STREAM names stderr's device and inode), lines carry the "<N>" priority prefix
// journald parses, and no timestamp, since the journal stamps every entry itself.
void SetOutputForTesting(std::FILE* out, bool journal);

template <class... Args>
void Debug(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, component, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void Info(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, component, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void Warn(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, component, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void Error(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kError)) Write(Level::kError, component, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace earshot::log
