#include "sinks/sink_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "daemon/base/check.h"
#include "daemon/base/file_read.h"

namespace earshot {
namespace {

const SinkOptions::Value* Find(const std::map<std::string, SinkOptions::Value, std::less<>>& m,
                               std::string_view option) {
  auto it = m.find(option);
  return it == m.end() ? nullptr : &it->second;
}

int EditDistance(std::string_view a, std::string_view b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// Reads a secret file. The message names the path (not secret) and never the content.
Result<std::string> ReadSecretFile(const std::string& path, std::string_view key) {
  // A regular file of at most 64 KiB: a FIFO or device named here is refused, not waited on.
  Result<std::string> text = ReadRegularFile(path, kMaxSecretFileBytes);
  if (!text.ok()) {
    const Status status = text.status();  // a copy: a view into a temporary would dangle
    if (status.code() == Status::Code::kNotFound) {
      std::string_view why = status.message();  // "cannot read the file: <errno text>"
      why.remove_prefix(std::min(why.size(), why.find(": ") + 2));
      return Status::NotFound(fmt::format("option '{}': cannot read {}: {}; create it (mode "
                                          "0600) holding only the secret",
                                          key, path, why));
    }
    return Status::InvalidArgument(
        fmt::format("option '{}': {}: {}", key, path, status.message()));
  }
  // A trailing newline from `echo > file` is not part of the secret.
  std::string secret = Trim(*text);
  if (secret.empty()) {
    return Status::InvalidArgument(fmt::format("option '{}': {} is empty", key, path));
  }
  return secret;
}

Result<SinkOptions::Value> ParseValue(const SinkOption& opt, const std::string& raw) {
  switch (opt.kind) {
    case OptionKind::kString:
      return SinkOptions::Value(raw);
    case OptionKind::kInt: {
      int64_t v = 0;
      if (raw.empty() || raw.size() > 18 ||
          !std::all_of(raw.begin(), raw.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Status::InvalidArgument(
            fmt::format("option '{}': '{}' is not a whole number", opt.name, raw));
      }
      v = std::stoll(raw);
      return SinkOptions::Value(v);
    }
    case OptionKind::kBool:
      if (raw == "true") return SinkOptions::Value(true);
      if (raw == "false") return SinkOptions::Value(false);
      return Status::InvalidArgument(
          fmt::format("option '{}': '{}' is not a boolean; write true or false", opt.name, raw));
    case OptionKind::kDuration: {
      Result<std::chrono::milliseconds> d = ParseSinkDuration(raw);
      if (!d.ok()) {
        return Status::InvalidArgument(
            fmt::format("option '{}': {}", opt.name, d.status().message()));
      }
      return SinkOptions::Value(*d);
    }
    case OptionKind::kList: {
      std::vector<std::string> items;
      size_t start = 0;
      while (start <= raw.size()) {
        size_t comma = raw.find_first_of(",\n", start);
        if (comma == std::string::npos) comma = raw.size();
        std::string item = Trim(std::string_view(raw).substr(start, comma - start));
        if (!item.empty()) items.push_back(std::move(item));
        start = comma + 1;
      }
      return SinkOptions::Value(std::move(items));
    }
    case OptionKind::kChoice:
      if (std::find(opt.choices.begin(), opt.choices.end(), raw) == opt.choices.end()) {
        std::string hint = ClosestName(raw, opt.choices);
        return Status::InvalidArgument(fmt::format(
            "option '{}': '{}' is not one of {}{}", opt.name, raw, fmt::join(opt.choices, ", "),
            hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
      }
      return SinkOptions::Value(raw);
    case OptionKind::kMap:
      break;  // assembled from "<name>.<key>" entries by the caller
  }
  return Status::Internal(fmt::format("option '{}': unhandled kind", opt.name));
}

}  // namespace

std::string_view OptionKindName(OptionKind kind) {
  switch (kind) {
    case OptionKind::kString: return "string";
    case OptionKind::kInt: return "integer";
    case OptionKind::kBool: return "boolean";
    case OptionKind::kDuration: return "duration";
    case OptionKind::kList: return "list";
    case OptionKind::kMap: return "mapping";
    case OptionKind::kChoice: return "choice";
  }
  return "string";
}

const std::string& SinkOptions::String(std::string_view option) const {
  static const std::string kEmpty;
  const Value* v = Find(values_, option);
  if (!v) return kEmpty;
  EARSHOT_CHECK(std::holds_alternative<std::string>(*v)) << "option " << option << " is no string";
  return std::get<std::string>(*v);
}

int64_t SinkOptions::Int(std::string_view option) const {
  const Value* v = Find(values_, option);
  if (!v) return 0;
  EARSHOT_CHECK(std::holds_alternative<int64_t>(*v)) << "option " << option << " is no integer";
  return std::get<int64_t>(*v);
}

bool SinkOptions::Bool(std::string_view option) const {
  const Value* v = Find(values_, option);
  if (!v) return false;
  EARSHOT_CHECK(std::holds_alternative<bool>(*v)) << "option " << option << " is no boolean";
  return std::get<bool>(*v);
}

std::chrono::milliseconds SinkOptions::Duration(std::string_view option) const {
  const Value* v = Find(values_, option);
  if (!v) return std::chrono::milliseconds(0);
  EARSHOT_CHECK(std::holds_alternative<std::chrono::milliseconds>(*v))
      << "option " << option << " is no duration";
  return std::get<std::chrono::milliseconds>(*v);
}

const std::vector<std::string>& SinkOptions::List(std::string_view option) const {
  static const std::vector<std::string> kEmpty;
  const Value* v = Find(values_, option);
  if (!v) return kEmpty;
  EARSHOT_CHECK(std::holds_alternative<std::vector<std::string>>(*v))
      << "option " << option << " is no list";
  return std::get<std::vector<std::string>>(*v);
}

const std::map<std::string, std::string>& SinkOptions::Map(std::string_view option) const {
  static const std::map<std::string, std::string> kEmpty;
  const Value* v = Find(values_, option);
  if (!v) return kEmpty;
  EARSHOT_CHECK((std::holds_alternative<std::map<std::string, std::string>>(*v)))
      << "option " << option << " is no mapping";
  return std::get<std::map<std::string, std::string>>(*v);
}

Result<std::chrono::milliseconds> ParseSinkDuration(std::string_view text) {
  using std::chrono::milliseconds;
  const std::string example = "write e.g. 250ms, 30s, 5m or 1h30m";
  if (text.empty()) return Status::InvalidArgument("empty duration; " + example);
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t digits = i;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == i || digits - i > 12) {
      return Status::InvalidArgument(fmt::format("'{}' is not a duration; {}", text, example));
    }
    const int64_t n = std::stoll(std::string(text.substr(i, digits - i)));
    size_t unit_end = digits;
    while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end]))) {
      ++unit_end;
    }
    const std::string_view unit = text.substr(digits, unit_end - digits);
    int64_t scale = 0;
    if (unit == "ms") scale = 1;
    else if (unit == "s") scale = 1000;
    else if (unit == "m") scale = 60'000;
    else if (unit == "h") scale = 3'600'000;
    else if (unit == "d") scale = 86'400'000;
    if (scale == 0) {
      return Status::InvalidArgument(
          unit.empty() && unit_end == text.size()
              ? fmt::format("'{}' has no unit; {}", text, example)
          : unit.empty() ? fmt::format("'{}' is not a duration; {}", text, example)
                       : fmt::format("'{}': unknown unit '{}'; {}", text, unit, example));
    }
    total += n * scale;
    i = unit_end;
  }
  return milliseconds(total);
}

std::string ClosestName(std::string_view name, const std::vector<std::string>& names) {
  const int limit = name.size() >= 9 ? 3 : name.size() >= 5 ? 2 : 1;
  std::string best;
  int best_distance = limit + 1;
  for (const std::string& n : names) {
    const int d = EditDistance(name, n);
    if (d < best_distance) {
      best_distance = d;
      best = n;
    }
  }
  return best;
}

Result<SinkOptions> CheckSinkOptions(const SinkConfig& config, const OptionSpec& spec,
                                     std::string_view credentials_dir) {
  SinkOptions out(config.name, config.type);
  std::vector<std::string> errors;
  std::vector<std::string> known;
  for (const SinkOption& opt : spec) {
    known.push_back(opt.name);
    if (opt.secret) {
      known.push_back(opt.name + "_file");
      known.push_back(opt.name + "_credential");
    }
  }

  // Unknown keys first: a typo is the likeliest reason a required option looks missing.
  for (const auto& [key, value] : config.options) {
    const size_t dot = key.find('.');
    const std::string base = dot == std::string::npos ? key : key.substr(0, dot);
    auto it = std::find_if(spec.begin(), spec.end(), [&](const SinkOption& o) {
      return o.name == base && (dot == std::string::npos) == (o.kind != OptionKind::kMap);
    });
    if (it != spec.end() || std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string hint = ClosestName(base, known);
    errors.push_back(fmt::format("unknown option '{}'{}", key,
                                 hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
  }

  for (const SinkOption& opt : spec) {
    if (opt.kind == OptionKind::kMap) {
      std::map<std::string, std::string> entries;
      const std::string prefix = opt.name + ".";
      for (const auto& [key, value] : config.options) {
        if (key.rfind(prefix, 0) == 0 && key.size() > prefix.size()) {
          entries[key.substr(prefix.size())] = value;
        }
      }
      if (entries.empty() && opt.required) {
        errors.push_back(fmt::format("missing required option '{}'", opt.name));
      }
      out.Set(opt.name, std::move(entries));
      continue;
    }

    std::optional<std::string> raw;
    auto given = config.options.find(opt.name);
    if (given != config.options.end()) raw = given->second;
    if (opt.secret) {
      auto file = config.options.find(opt.name + "_file");
      auto cred = config.options.find(opt.name + "_credential");
      const int ways = (raw ? 1 : 0) + (file != config.options.end() ? 1 : 0) +
                       (cred != config.options.end() ? 1 : 0);
      if (ways > 1) {
        errors.push_back(fmt::format("option '{}' is given more than once; keep one of {}_file "
                                     "and {}_credential",
                                     opt.name, opt.name, opt.name));
        continue;
      }
      std::string path;
      std::string key;
      if (file != config.options.end()) {
        path = file->second;
        key = file->first;
      } else if (cred != config.options.end()) {
        key = cred->first;
        if (credentials_dir.empty()) {
          errors.push_back(fmt::format(
              "option '{}': $CREDENTIALS_DIRECTORY is not set; run under systemd with "
              "LoadCredential={}:/path/to/file, or give {}_file",
              key, cred->second, opt.name));
          continue;
        }
        if (cred->second.find('/') != std::string::npos) {
          errors.push_back(fmt::format("option '{}': '{}' must be a credential name, not a path",
                                       key, cred->second));
          continue;
        }
        path = fmt::format("{}/{}", credentials_dir, cred->second);
      }
      if (!path.empty()) {
        Result<std::string> secret = ReadSecretFile(path, key);
        if (!secret.ok()) {
          errors.push_back(secret.status().message());
          continue;
        }
        raw = *std::move(secret);
      }
    }
    if (!raw && !opt.default_value.empty()) raw = opt.default_value;
    if (!raw) {
      if (opt.required) {
        errors.push_back(opt.secret ? fmt::format("missing required option '{}' (give {}_file or "
                                                  "{}_credential)",
                                                  opt.name, opt.name, opt.name)
                                    : fmt::format("missing required option '{}'", opt.name));
      }
      continue;
    }
    if (opt.secret) {  // never echo a secret back in a parse error
      out.Set(opt.name, *raw);
      continue;
    }
    Result<SinkOptions::Value> value = ParseValue(opt, *raw);
    if (!value.ok()) {
      errors.push_back(value.status().message());
      continue;
    }
    out.Set(opt.name, *std::move(value));
  }
  if (!errors.empty()) return Status::InvalidArgument(fmt::format("{}", fmt::join(errors, "\n")));
  return out;
}

}  // namespace earshot
