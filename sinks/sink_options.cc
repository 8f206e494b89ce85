#include "sinks/sink_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "daemon/base/check.h"
#include "daemon/base/duration.h"
#include "daemon/base/file_read.h"
#include "daemon/base/suggest.h"

namespace earshot {
namespace {

const SinkOptions::Value* Find(const std::map<std::string, SinkOptions::Value, std::less<>>& m,
                               std::string_view option) {
  auto it = m.find(option);
  return it == m.end() ? nullptr : &it->second;
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
      return Status::NotFound(
          fmt::format("option '{}': cannot read {}: {}; create it (mode "
                      "0600) holding only the secret",
                      key, path, why));
    }
    return Status::InvalidArgument(fmt::format("option '{}': {}: {}", key, path, status.message()));
  }
  // A trailing newline from `echo > file` is not part of the secret.
  std::string secret = Trim(*text);
  if (secret.empty()) {
    return Status::InvalidArgument(fmt::format("option '{}': {} is empty", key, path));
  }
  return secret;
}

Result<SinkOptions::Value> ParseValue(const ConfigOption& opt, const std::string& raw) {
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
      Result<Duration> d = ParseDuration(raw);
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
        return Status::InvalidArgument(fmt::format("option '{}': '{}' is not one of {}{}", opt.name,
                                                   raw, fmt::join(opt.choices, ", "),
                                                   DidYouMean(raw, opt.choices)));
      }
      return SinkOptions::Value(raw);
    case OptionKind::kMap:
      break;  // assembled from "<name>.<key>" entries by the caller
  }
  return Status::Internal(fmt::format("option '{}': unhandled kind", opt.name));
}

}  // namespace

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

Result<SinkOptions> CheckSinkOptions(const SinkConfig& config, const OptionSpec& spec,
                                     std::string_view credentials_dir) {
  SinkOptions out(config.name, config.type);
  std::vector<std::string> errors;
  std::vector<std::string> known;
  for (const ConfigOption& opt : spec) {
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
    auto it = std::find_if(spec.begin(), spec.end(), [&](const ConfigOption& o) {
      return o.name == base && (dot == std::string::npos) == (o.kind != OptionKind::kMap);
    });
    if (it != spec.end() || std::find(known.begin(), known.end(), key) != known.end()) continue;
    errors.push_back(fmt::format("unknown option '{}'{}", key, DidYouMean(base, known)));
  }

  for (const ConfigOption& opt : spec) {
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
        errors.push_back(
            fmt::format("option '{}' is given more than once; keep one of {}_file "
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
          errors.push_back(
              fmt::format("option '{}': $CREDENTIALS_DIRECTORY is not set; run under systemd with "
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
