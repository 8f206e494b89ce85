// OptionSpec: the typed table of options a plugin publishes (Fluent Bit's config_map), one row per
// key its YAML mapping accepts. Sinks and sources both declare one, so `earshot check`, the docs
// and the config readers describe every plugin the same way:
//
//   ConfigOption("timeout", OptionKind::kDuration, "whole request, TLS included").Default("10s")
//
// Which reader checks the values against the table is the plugin kind's business: a sink's
// options are checked when the sink is built (sinks/sink_options.h), a source's as earshot.yaml
// is read, at each key's own line (daemon/sources/source_options.h).
//
// Plain data; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace earshot {

enum class OptionKind {
  kString,
  kInt,       // decimal integer, 0 or more
  kBool,      // exactly `true` or `false`
  kDuration,  // a number with a unit: "250ms", "30s", "5m", "1h", "1h30m"
  kList,      // strings separated by commas or newlines
  kMap,       // keys "<name>.<key>"
  kChoice,    // one of `choices`
};
std::string_view OptionKindName(OptionKind kind);

// One row of an option table.
struct ConfigOption {
  std::string name;
  OptionKind kind = OptionKind::kString;
  std::string doc;            // one line for the docs and `earshot check`
  bool required = false;
  std::string default_value;  // as written in YAML; "" for none
  bool secret = false;        // given as <name>_file / <name>_credential; never logged
  std::vector<std::string> choices;  // kChoice only

  ConfigOption(std::string n, OptionKind k, std::string d)
      : name(std::move(n)), kind(k), doc(std::move(d)) {}
  ConfigOption& Required() { required = true; return *this; }
  ConfigOption& Default(std::string v) { default_value = std::move(v); return *this; }
  ConfigOption& Secret() { secret = true; return *this; }
  ConfigOption& Choices(std::vector<std::string> c) { choices = std::move(c); return *this; }
};

using OptionSpec = std::vector<ConfigOption>;

// The row named `name`, or nullptr.
const ConfigOption* FindOption(const OptionSpec& spec, std::string_view name);

}  // namespace earshot
