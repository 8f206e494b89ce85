// Durations in configuration and rule files: a number with a unit, never a bare number, so
// "30" cannot silently mean seconds to one reader and milliseconds to another. Accepts
// "250ms", "30s", "5m", "1h", "2d" and sums such as "1h30m". Pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "daemon/base/result.h"

namespace earshot {

using Duration = std::chrono::milliseconds;

// Parses `text`; the error message says what was wrong and shows an example.
Result<Duration> ParseDuration(std::string_view text);

// The shortest exact spelling: 90000ms -> "1m30s", 250ms -> "250ms", 0 -> "0s".
std::string FormatDuration(Duration d);

// A wait in at most two units, the larger whole and the smaller two digits wide, truncated:
// "42s", "4m12s", "1h05m", "2d3h". FormatDuration spells a duration exactly, which a column of
// waits does not want ("1h5m12s345ms"). `earshot report` and first responses use it.
std::string FormatWait(Duration d);

}  // namespace earshot
