// SourceOptions: the values of a network's own keys in one `sources:` entry (hashtag, query,
// identifier, ...), typed by the OptionSpec its SourceFactory publishes. The keys every network
// shares (name, type, poll_interval, limit, the secret) are fields of SourceSettings instead.
//
// ReadSourceOptions walks the spec over the entry's mapping, so each value is checked where it
// is written ("earshot.yaml:12:15: error: 'mentions': expected true or false") and unknown keys
// stay the MapReader's to report.
//
// Plain data; thread-compatible.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/config/option_spec.h"
#include "daemon/config/yaml_reader.h"

namespace earshot {

class SourceOptions {
 public:
  // kString and kChoice hold a string, kBool a bool, kDuration milliseconds, kList strings (a
  // YAML sequence, or one string). Sources have no map or integer options of their own (limit
  // is shared).
  using Value =
      std::variant<std::string, bool, std::chrono::milliseconds, std::vector<std::string>>;

  // Absent options read as "", false and 0. Asking for an option as the wrong kind is a bug
  // (EARSHOT_CHECK).
  const std::string& String(std::string_view option) const;
  bool Bool(std::string_view option) const;
  std::chrono::milliseconds Duration(std::string_view option) const;
  const std::vector<std::string>& List(std::string_view option) const;

  bool Has(std::string_view option) const { return values_.find(option) != values_.end(); }
  void Set(std::string option, Value value) { values_[std::move(option)] = std::move(value); }

 private:
  std::map<std::string, Value, std::less<>> values_;
};

// Reads every row of `spec` that is not a secret from `map` into *out, defaults first.
// Required rows that are missing, and values of the wrong shape, are reported at their
// position. A kMap or kInt row is a bug in the spec (EARSHOT_CHECK).
void ReadSourceOptions(MapReader& map, const OptionSpec& spec, SourceOptions* out);

}  // namespace earshot
