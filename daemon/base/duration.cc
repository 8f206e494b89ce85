#include "daemon/base/duration.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <limits>

namespace earshot {
namespace {

constexpr std::string_view kExample = "write a number with a unit: 250ms, 30s, 5m, 1h, 2d, 1h30m";

}  // namespace

Result<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return Status::InvalidArgument(fmt::format("empty duration; {}", kExample));
  int64_t total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (n > std::numeric_limits<int64_t>::max() / 10 - 10) {
        return Status::InvalidArgument(fmt::format("duration '{}' is too large", text));
      }
      n = n * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start) {
      return Status::InvalidArgument(fmt::format("'{}' is not a duration; {}", text, kExample));
    }
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    int64_t scale = 0;
    if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else if (unit == "d") scale = 86'400'000;
    if (unit.empty()) {
      return Status::InvalidArgument(
          fmt::format("duration '{}' has no unit; {}", text, kExample));
    }
    if (scale == 0) {
      return Status::InvalidArgument(
          fmt::format("duration '{}' has an unknown unit '{}'; {}", text, unit, kExample));
    }
    if (n > std::numeric_limits<int64_t>::max() / scale - total_ms) {
      return Status::InvalidArgument(fmt::format("duration '{}' is too large", text));
    }
    total_ms += n * scale;
  }
  return Duration(total_ms);
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out += '-';
    ms = -ms;
  }
  struct Unit {
    int64_t scale;
    const char* name;
  };
  for (Unit u : {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"},
                 Unit{1, "ms"}}) {
    if (ms >= u.scale) {
      out += fmt::format("{}{}", ms / u.scale, u.name);
      ms %= u.scale;
    }
  }
  return out;
}

std::string FormatWait(Duration d) {
  int64_t s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  std::string sign;
  if (s < 0) {
    sign = "-";
    s = -s;
  }
  if (s < 60) return fmt::format("{}{}s", sign, s);
  if (s < 3600) return fmt::format("{}{}m{:02}s", sign, s / 60, s % 60);
  if (s < 86400) return fmt::format("{}{}h{:02}m", sign, s / 3600, s % 3600 / 60);
  return fmt::format("{}{}d{}h", sign, s / 86400, s % 86400 / 3600);
}

}  // namespace earshot
