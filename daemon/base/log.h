// Structured logging: one line per event on stderr (journald captures it under systemd),
//   ts=2026-11-22T13:44:00.123Z level=warn component=sink:oncall msg="seq 7 failed..." seq=7
// or the same as one JSON object per line, the fields as top-level keys:
//   {"ts":"...","level":"warn","component":"sink:oncall","msg":"seq 7 failed...","seq":7}
// Fields carry what a log pipeline filters on (incident id, seq, sink, source, rule) so nobody
// has to parse `msg`:
//   log::Warn(component_, {{"seq", e.seq}, {"incident_id", e.incident_id}}, "seq {} failed",
//             e.seq);
// Safe for concurrent use by multiple threads.
// Callers never pass secrets, in the message or in a field: tokens and webhook URLs are kept out
// by construction (sources and sinks log endpoints by host only, sink details are redacted).
#pragma once

#include <fmt/format.h>

#include <concepts>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"

namespace earshot::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kKeyValue, kJson };

void SetLevel(Level level);
void SetFormat(Format format);
bool Enabled(Level level);
// Parses "debug", "info", "warn", "error"; returns false on an unknown name.
bool ParseLevel(std::string_view name, Level* out);
// Parses "keyvalue" and "json" (the values of `log.format`); false on anything else.
bool ParseFormat(std::string_view name, Format* out);
Format CurrentFormat();

// One structured field: a key and a string, integer or boolean value. Keys are expected to be
// snake_case; a key that is one of the line's own (ts, level, component, msg, repeated) is written
// as "field_<key>" so it cannot shadow them.
class Field {
 public:
  enum class Kind { kString, kNumber, kBool };
  Field(std::string_view key, std::string_view value)
      : key_(key), value_(value), kind_(Kind::kString) {}
  Field(std::string_view key, const char* value) : Field(key, std::string_view(value)) {}
  Field(std::string_view key, const std::string& value) : Field(key, std::string_view(value)) {}
  template <std::integral T>
    requires(!std::same_as<T, bool> && !std::same_as<T, char>)
  Field(std::string_view key, T value)
      : key_(key), value_(std::to_string(value)), kind_(Kind::kNumber) {}
  template <std::same_as<bool> T>
  Field(std::string_view key, T value)
      : key_(key), value_(value ? "true" : "false"), kind_(Kind::kBool) {}

  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }
  Kind kind() const { return kind_; }

 private:
  std::string key_;
  std::string value_;  // numbers and booleans already as text
  Kind kind_;
};

// The fields of one line, in order: `{{"seq", 7}, {"sink", "oncall"}}`, or built up with Add
// where some are optional.
class Fields {
 public:
  Fields() = default;
  Fields(std::initializer_list<Field> fields) : fields_(fields) {}
  Fields& Add(Field f) {
    fields_.push_back(std::move(f));
    return *this;
  }
  bool empty() const { return fields_.empty(); }
  const std::vector<Field>& all() const { return fields_; }

 private:
  std::vector<Field> fields_;
};

// Writes one line. `component` names the part ("mastodon:airline", "escalator", "sink:oncall").
// The same (level, component, message) more than kRepeatBurst times within kRepeatWindow is
// suppressed; its first repeat after the window says how many were dropped (`repeated=N`), so a
// failing receiver cannot flood the journal.
void Write(Level level, std::string_view component, std::string_view message);
void Write(Level level, std::string_view component, const Fields& fields, std::string_view message);

// The line Write would write now in the current format (with its newline), for a caller that
// writes to its own stream: a fatal start-up error goes to the command's error stream, and in
// json format it is still one JSON object like every other line. No repeat suppression.
std::string Line(Level level, std::string_view component, const Fields& fields,
                 std::string_view message);

inline constexpr int kRepeatBurst = 5;
inline constexpr int kRepeatWindowSeconds = 10;

// Where lines go: stderr by default. Under systemd with stderr connected to the journal
// ($JOURNAL_STREAM names stderr's device and inode), lines carry the "<N>" priority prefix
// journald parses, and no timestamp, since the journal stamps every entry itself.
void SetOutputForTesting(std::FILE* out, bool journal);

// The last warning or error a component wrote ("source:mastodon:airline", "sink:pagerduty"),
// even one that repeat suppression kept off the output: what the web console shows as a
// source's or a sink's last error. Log lines never hold a secret, so neither does this.
struct Problem {
  Level level = Level::kWarn;
  std::string message;
  SystemTime at{};
};
std::optional<Problem> LastProblem(std::string_view component);

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

// The same with structured fields.
template <class... Args>
void Debug(std::string_view component, const Fields& fields, fmt::format_string<Args...> f,
           Args&&... args) {
  if (Enabled(Level::kDebug)) {
    Write(Level::kDebug, component, fields, fmt::format(f, std::forward<Args>(args)...));
  }
}
template <class... Args>
void Info(std::string_view component, const Fields& fields, fmt::format_string<Args...> f,
          Args&&... args) {
  if (Enabled(Level::kInfo)) {
    Write(Level::kInfo, component, fields, fmt::format(f, std::forward<Args>(args)...));
  }
}
template <class... Args>
void Warn(std::string_view component, const Fields& fields, fmt::format_string<Args...> f,
          Args&&... args) {
  if (Enabled(Level::kWarn)) {
    Write(Level::kWarn, component, fields, fmt::format(f, std::forward<Args>(args)...));
  }
}
template <class... Args>
void Error(std::string_view component, const Fields& fields, fmt::format_string<Args...> f,
           Args&&... args) {
  if (Enabled(Level::kError)) {
    Write(Level::kError, component, fields, fmt::format(f, std::forward<Args>(args)...));
  }
}

}  // namespace earshot::log
