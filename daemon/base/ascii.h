// ASCII case folding for the keys earshot compares without case: header names, URL schemes and
// hosts, link relations, handles, hashtags and rule literals. Bytes outside A-Z pass through
// unchanged (UTF-8 stays valid), and the C locale plays no part, unlike std::tolower.
#pragma once

#include <string>
#include <string_view>

namespace earshot {

constexpr char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline void AsciiLowerInPlace(std::string& s) {
  for (char& c : s) c = AsciiLower(c);
}

// Whether `s` equals `lower` (already lowercase) with ASCII case ignored, without a copy.
constexpr bool AsciiEqualsLowered(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (AsciiLower(s[i]) != lower[i]) return false;
  }
  return true;
}

inline std::string AsciiLowered(std::string_view s) {
  std::string out(s);
  AsciiLowerInPlace(out);
  return out;
}

}  // namespace earshot
