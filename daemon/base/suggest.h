// "Did you mean": the closest known name to a misspelt one, for unknown keys, rule ids, list
// and macro names. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace earshot {

// Levenshtein distance, case-insensitive (ASCII).
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `name` when it is close enough to be a likely typo (distance at most
// 1 for short names, 2 for names of 5+ characters, 3 for 9+), else "".
std::string ClosestMatch(std::string_view name, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

// "a, b, c" sorted, for "known: ..." hints.
std::string JoinSorted(std::vector<std::string> names);

}  // namespace earshot
