#include "daemon/base/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <unordered_map>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/base/json_escape.h"
#include "daemon/base/mutex.h"

namespace earshot::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<int> g_format{static_cast<int>(Format::kKeyValue)};
Mutex g_write_mu;
Mutex g_problems_mu;
std::map<std::string, Problem, std::less<>> g_problems GUARDED_BY(g_problems_mu);

// Output and repeat suppression.
std::FILE* g_out GUARDED_BY(g_write_mu) = nullptr;  // nullptr: stderr
int g_journal GUARDED_BY(g_write_mu) = -1;          // -1: not yet decided from $JOURNAL_STREAM
struct Repeat {
  int64_t window_start_ms = 0;
  int count = 0;       // lines with this key in the current window
  int suppressed = 0;  // of which not written
};
std::unordered_map<std::string, Repeat> g_repeats GUARDED_BY(g_write_mu);

// True when stderr is the journal's stream: $JOURNAL_STREAM is "<device>:<inode>" of it.
bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == static_cast<unsigned long long>(st.st_dev) &&
         ino == static_cast<unsigned long long>(st.st_ino);
}

// sd-daemon(3) priorities: journald reads "<N>" at the start of a line as its level.
int JournalPriority(Level level) {
  switch (level) {
    case Level::kDebug: return 7;
    case Level::kInfo: return 6;
    case Level::kWarn: return 4;
    case Level::kError: return 3;
  }
  return 6;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

// A field's key as written: only [A-Za-z0-9_.-] (anything else becomes '_'), so it needs no
// quoting in key=value and no escaping in JSON, and never one of the line's own keys.
std::string FieldKey(std::string_view key) {
  std::string out;
  for (std::string_view own : {"ts", "level", "component", "msg", "repeated"}) {
    if (key == own) out = "field_";
  }
  if (key.empty()) out = "field_";
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out;
}

// key=value: a value with nothing that could split it (space, quote, '=', control bytes) is
// written bare, as logfmt does; anything else quoted and escaped so the line stays one line.
bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) return true;
  }
  return false;
}

std::string RenderFields(const Fields& fields, Format format) {
  std::string out;
  for (const Field& f : fields.all()) {
    if (format == Format::kJson) {
      out += fmt::format(",\"{}\":", FieldKey(f.key()));
      if (f.kind() == Field::Kind::kString) {
        out.push_back('"');
        AppendJsonEscaped(f.value(), &out);
        out.push_back('"');
      } else {
        out += f.value();
      }
    } else {
      out += fmt::format(" {}=", FieldKey(f.key()));
      if (f.kind() == Field::Kind::kString && NeedsQuotes(f.value())) {
        out.push_back('"');
        AppendJsonEscaped(f.value(), &out);
        out.push_back('"');
      } else {
        out += f.value();
      }
    }
  }
  return out;
}

std::string Render(SystemTime now, bool journal, Level level, std::string_view component,
                   const Fields& fields, std::string_view message, int repeated) {
  const std::string ts = FormatIso8601(now);
  const Format format = static_cast<Format>(g_format.load());
  std::string line;
  if (format == Format::kJson) {
    line = fmt::format(R"({{"ts":"{}","level":"{}","component":"{}","msg":"{}"{}{}}})", ts,
                       LevelName(level), JsonEscape(component), JsonEscape(message),
                       repeated > 0 ? fmt::format(",\"repeated\":{}", repeated) : "",
                       RenderFields(fields, format));
  } else {
    // key=value with the message quoted; inner quotes and newlines escaped so one event stays
    // one line for journald and grep.
    line = fmt::format("{}level={} component={} msg=\"{}\"{}{}",
                       journal ? "" : fmt::format("ts={} ", ts), LevelName(level), component,
                       JsonEscape(message),
                       repeated > 0 ? fmt::format(" repeated={}", repeated) : "",
                       RenderFields(fields, format));
  }
  if (journal) line.insert(0, fmt::format("<{}>", JournalPriority(level)));
  line.push_back('\n');
  return line;
}

}  // namespace

void SetLevel(Level level) { g_level.store(static_cast<int>(level)); }
void SetFormat(Format format) { g_format.store(static_cast<int>(format)); }
Format CurrentFormat() { return static_cast<Format>(g_format.load()); }

bool ParseFormat(std::string_view name, Format* out) {
  if (name == "keyvalue") {
    *out = Format::kKeyValue;
  } else if (name == "json") {
    *out = Format::kJson;
  } else {
    return false;
  }
  return true;
}
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

void SetOutputForTesting(std::FILE* out, bool journal) {
  MutexLock lock(g_write_mu);
  g_out = out;
  g_journal = journal ? 1 : 0;
  g_repeats.clear();
}

void Write(Level level, std::string_view component, std::string_view message) {
  Write(level, component, Fields{}, message);
}

std::string Line(Level level, std::string_view component, const Fields& fields,
                 std::string_view message) {
  const SystemTime now = RealClock().Now();
  MutexLock lock(g_write_mu);
  if (g_journal < 0) g_journal = StderrIsJournal() ? 1 : 0;
  return Render(now, g_journal == 1, level, component, fields, message, 0);
}

std::optional<Problem> LastProblem(std::string_view component) {
  MutexLock lock(g_problems_mu);
  auto it = g_problems.find(component);
  if (it == g_problems.end()) return std::nullopt;
  return it->second;
}

void Write(Level level, std::string_view component, const Fields& fields,
           std::string_view message) {
  const SystemTime now = RealClock().Now();
  if (level >= Level::kWarn) {
    MutexLock lock(g_problems_mu);
    auto it = g_problems.find(component);
    // Bounded: components are the configured sources and sinks and a few fixed names.
    if (it == g_problems.end() && g_problems.size() < 1024) {
      it = g_problems.emplace(std::string(component), Problem{}).first;
    }
    if (it != g_problems.end()) it->second = Problem{level, std::string(message), now};
  }
  const std::string rendered_fields = RenderFields(fields, Format::kKeyValue);
  MutexLock lock(g_write_mu);
  // Repeat suppression, keyed on what the line says (not when), fields included: the same
  // failure for two different escalations is two events.
  int repeated = 0;
  {
    if (g_repeats.size() > 4096) g_repeats.clear();  // bounded, whatever the messages
    std::string key =
        fmt::format("{}|{}|{}|{}", static_cast<int>(level), component, message, rendered_fields);
    Repeat& r = g_repeats[std::move(key)];
    const int64_t now_ms = ToUnixMillis(now);
    if (now_ms - r.window_start_ms >= kRepeatWindowSeconds * 1000) {
      repeated = r.suppressed;
      r = Repeat{now_ms, 0, 0};
    }
    if (++r.count > kRepeatBurst) {
      ++r.suppressed;
      return;
    }
  }
  if (g_journal < 0) g_journal = StderrIsJournal() ? 1 : 0;
  const std::string line =
      Render(now, g_journal == 1, level, component, fields, message, repeated);
  std::FILE* out = g_out != nullptr ? g_out : stderr;
  std::fwrite(line.data(), 1, line.size(), out);
  if (g_out != nullptr) std::fflush(out);
}

}  // namespace earshot::log
