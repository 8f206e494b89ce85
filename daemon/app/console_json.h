// Small writers for the JSON the web console reads (detection_feed.h, rule_activity.h). Every
// string goes through JsonQuotedForHtml: the console may inline the JSON in a <script> element,
// and post texts are written by strangers.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>

#include "daemon/base/clock.h"
#include "daemon/base/json_escape.h"

namespace earshot::console_json {

// "key":"value" (keys are our own ASCII literals and need no escaping).
inline void Field(std::string_view key, std::string_view value, std::string* out) {
  out->push_back('"');
  out->append(key);
  out->append("\":\"");
  AppendJsonEscapedForHtml(value, out);
  out->push_back('"');
}

inline void Field(std::string_view key, SystemTime value, std::string* out) {
  Field(key, FormatIso8601(value), out);
}

// A number. NaN and the infinities have no JSON spelling: they become null. "{}" is fmt's
// shortest round-trip form.
inline void Number(std::string_view key, double value, std::string* out) {
  if (std::isfinite(value)) {
    fmt::format_to(std::back_inserter(*out), "\"{}\":{}", key, value);
  } else {
    fmt::format_to(std::back_inserter(*out), "\"{}\":null", key);
  }
}

template <class Int>
void Integer(std::string_view key, Int value, std::string* out) {
  static_assert(std::is_integral_v<Int>);
  fmt::format_to(std::back_inserter(*out), "\"{}\":{}", key, value);
}

inline void Bool(std::string_view key, bool value, std::string* out) {
  fmt::format_to(std::back_inserter(*out), "\"{}\":{}", key, value ? "true" : "false");
}

}  // namespace earshot::console_json
