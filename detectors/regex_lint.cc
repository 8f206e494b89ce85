#include "detectors/regex_lint.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

namespace earshot {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Index just past a quantifier starting at `i` ("*", "+", "?", "{n}", "{n,}", "{n,m}"),
// or `i` when there is none. *max is -1 for unbounded.
size_t QuantifierEnd(std::string_view p, size_t i, long* max) {
  if (i >= p.size()) return i;
  if (p[i] == '*' || p[i] == '+') {
    *max = -1;
    return i + 1;
  }
  if (p[i] == '?') {
    *max = 1;
    return i + 1;
  }
  if (p[i] != '{') return i;
  size_t j = i + 1;
  while (j < p.size() && IsDigit(p[j])) ++j;
  if (j == i + 1 || j >= p.size()) return i;
  long lo = std::strtol(std::string(p.substr(i + 1, j - i - 1)).c_str(), nullptr, 10);
  if (p[j] == '}') {
    *max = lo;
    return j + 1;
  }
  if (p[j] != ',') return i;
  size_t k = j + 1;
  while (k < p.size() && IsDigit(p[k])) ++k;
  if (k >= p.size() || p[k] != '}') return i;
  *max = k == j + 1 ? -1
                    : std::strtol(std::string(p.substr(j + 1, k - j - 1)).c_str(), nullptr, 10);
  return k + 1;
}

}  // namespace

std::string UnsupportedRegexSyntax(std::string_view p) {
  constexpr std::string_view kWhy = "which RE2 does not support (it matches in linear time)";
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[i + 1];
      if (!in_class && n >= '1' && n <= '9') {
        return fmt::format("uses a backreference '\\{}', {}; match the repeated word with a "
                           "second condition instead", n, kWhy);
      }
      if (!in_class && n == 'k' && i + 2 < p.size() && (p[i + 2] == '<' || p[i + 2] == '{')) {
        return fmt::format("uses a named backreference '\\k{}', {}", p[i + 2], kWhy);
      }
      ++i;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      if (i + 1 < p.size() && p[i + 1] == '^') ++i;
      if (i + 1 < p.size() && p[i + 1] == ']') ++i;  // "[]...]": the first ] is literal
      continue;
    }
    if (c == '(' && i + 2 < p.size() && p[i + 1] == '?') {
      std::string_view rest = p.substr(i + 2);
      if (rest.starts_with("=")) {
        return fmt::format("uses a lookahead '(?=', {}; put the required words in an `all:` "
                           "condition", kWhy);
      }
      if (rest.starts_with("!")) {
        return fmt::format("uses a negative lookahead '(?!', {}; put the excluded words in a "
                           "`none:` condition", kWhy);
      }
      if (rest.starts_with("<=")) {
        return fmt::format("uses a lookbehind '(?<=', {}; put the required words in an `all:` "
                           "condition", kWhy);
      }
      if (rest.starts_with("<!")) {
        return fmt::format("uses a negative lookbehind '(?<!', {}; put the excluded words in a "
                           "`none:` condition", kWhy);
      }
      if (rest.starts_with(">")) return fmt::format("uses an atomic group '(?>', {}", kWhy);
      if (rest.starts_with("(")) return fmt::format("uses a conditional '(?(', {}", kWhy);
    }
    if ((c == '*' || c == '+' || c == '?' || c == '}') && i + 1 < p.size() && p[i + 1] == '+') {
      return fmt::format("uses a possessive quantifier '{}+', {}", c, kWhy);
    }
  }
  return "";
}

std::string FindWildcardGap(std::string_view p) {
  bool seen_content = false;
  for (size_t i = 0; i < p.size(); ++i) {
    size_t atom_end = i;
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[i + 1];
      atom_end = i + 2;
      if (n != 'S' && n != 'W' && n != 'D') {  // only "anything but"-classes are gaps
        seen_content = seen_content || std::isalnum(static_cast<unsigned char>(n));
        i = atom_end - 1;
        continue;
      }
    } else if (c == '.') {
      atom_end = i + 1;
    } else if (c == '[') {
      size_t j = i + 1;
      bool negated = j < p.size() && p[j] == '^';
      if (negated) ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') j += (p[j] == '\\') ? 2 : 1;
      atom_end = j + 1;
      if (!negated) {
        seen_content = true;
        i = atom_end - 1;
        continue;
      }
    } else {
      if (std::isalnum(static_cast<unsigned char>(c))) seen_content = true;
      continue;
    }
    long max = 0;
    size_t q_end = QuantifierEnd(p, atom_end, &max);
    if (q_end > atom_end && (max < 0 || max >= 4) && seen_content) {
      // Content must follow too: a trailing ".*" only extends the match, it joins nothing.
      for (size_t k = q_end; k < p.size(); ++k) {
        if (std::isalnum(static_cast<unsigned char>(p[k]))) {
          return std::string(p.substr(i, q_end - i));
        }
      }
    }
    i = (q_end > atom_end ? q_end : atom_end) - 1;
  }
  return "";
}

std::string QuoteRegex(std::string_view literal) {
  std::string out;
  out.reserve(literal.size() + 8);
  for (char c : literal) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        !(static_cast<unsigned char>(c) & 0x80)) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

}  // namespace earshot
