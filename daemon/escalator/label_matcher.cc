#include "daemon/escalator/label_matcher.h"

#include <fmt/format.h>

#include <cctype>

namespace earshot {
namespace {

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void SkipSpace(std::string_view s, size_t* i) {
  while (*i < s.size() && std::isspace(static_cast<unsigned char>(s[*i]))) ++*i;
}

}  // namespace

Result<LabelMatchers> LabelMatchers::Parse(std::string_view text) {
  LabelMatchers out;
  std::string_view s = text;
  size_t i = 0;
  SkipSpace(s, &i);
  bool braces = i < s.size() && s[i] == '{';
  if (braces) ++i;
  auto error = [&](std::string_view what) {
    return Status::InvalidArgument(
        fmt::format("matchers '{}': {} at column {}; write e.g. brand=\"acmeair\",severity=~\"low|medium\"",
                    text, what, i + 1));
  };
  while (true) {
    SkipSpace(s, &i);
    if (i >= s.size() || (braces && s[i] == '}')) break;
    size_t start = i;
    while (i < s.size() && IsNameChar(s[i])) ++i;
    if (i == start) return error("expected a label name");
    Matcher m;
    m.name = std::string(s.substr(start, i - start));
    SkipSpace(s, &i);
    std::string_view rest = s.substr(i);
    if (rest.starts_with("=~")) {
      m.op = Op::kRe, i += 2;
    } else if (rest.starts_with("!~")) {
      m.op = Op::kNre, i += 2;
    } else if (rest.starts_with("!=")) {
      m.op = Op::kNe, i += 2;
    } else if (rest.starts_with("=")) {
      m.op = Op::kEq, i += 1;
    } else {
      return error(fmt::format("expected = != =~ or !~ after '{}'", m.name));
    }
    SkipSpace(s, &i);
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        char c = s[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < s.size()) c = s[i++];
        m.value += c;
      }
      if (!closed) return error("unterminated quoted value");
    } else {
      start = i;
      while (i < s.size() && s[i] != ',' && s[i] != '}' &&
             !std::isspace(static_cast<unsigned char>(s[i]))) {
        ++i;
      }
      m.value = std::string(s.substr(start, i - start));
    }
    if (m.op == Op::kRe || m.op == Op::kNre) {
      RE2::Options opts;
      opts.set_log_errors(false);
      auto re = std::make_shared<const RE2>("^(?:" + m.value + ")$", opts);
      if (!re->ok()) return error(fmt::format("regex of '{}': {}", m.name, re->error()));
      m.re = std::move(re);
    }
    out.matchers_.push_back(std::move(m));
    SkipSpace(s, &i);
    if (i < s.size() && s[i] == ',') ++i;
  }
  if (braces) {
    if (i >= s.size() || s[i] != '}') return error("missing }");
    ++i;
    SkipSpace(s, &i);
  }
  if (i != s.size()) return error("unexpected text");
  if (out.matchers_.empty()) return error("no matchers (a silence must not mute everything)");
  return out;
}

bool LabelMatchers::Matches(const Labels& labels) const {
  for (const Matcher& m : matchers_) {
    auto it = labels.find(m.name);
    const std::string& v = it == labels.end() ? std::string() : it->second;
    bool ok = false;
    switch (m.op) {
      case Op::kEq: ok = v == m.value; break;
      case Op::kNe: ok = v != m.value; break;
      case Op::kRe: ok = RE2::FullMatch(v, *m.re); break;
      case Op::kNre: ok = !RE2::FullMatch(v, *m.re); break;
    }
    if (!ok) return false;
  }
  return true;
}

std::string LabelMatchers::ToString() const {
  std::string out;
  for (const Matcher& m : matchers_) {
    if (!out.empty()) out += ',';
    out += m.name;
    switch (m.op) {
      case Op::kEq: out += "="; break;
      case Op::kNe: out += "!="; break;
      case Op::kRe: out += "=~"; break;
      case Op::kNre: out += "!~"; break;
    }
    out += '"';
    for (char c : m.value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out;
}

}  // namespace earshot
