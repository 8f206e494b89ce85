// Sink options: the raw options a sink is configured with (SinkConfig), and the checked, typed
// values a factory builds from (SinkOptions). The table they are checked against, OptionSpec,
// lives in daemon/config/option_spec.h, shared with the sources.
//
// Raw options are strings, because YAML scalars stay strings until a spec says what they are
// (so `no` is never a boolean by accident). Two shapes are flattened by the config loader:
//   - a list (`to: [a@x, b@x]`) is one value "a@x\nb@x" (commas separate too);
//   - a mapping (`headers: {X-Team: care}`) becomes one key per entry, "headers.X-Team".
// A secret option `X` is given as `X_file: /path` or `X_credential: name` (a file in
// $CREDENTIALS_DIRECTORY, systemd's LoadCredential=), or already read into `X` by the loader.
//
// Plain data and pure functions; thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/base/result.h"
#include "daemon/config/option_spec.h"

namespace earshot {

// One configured sink, as earshot.yaml declares it.
struct SinkConfig {
  std::string name;  // "oncall": unique; names the delivery cursor, logs and dead letters
  std::string type;  // "pagerduty"
  std::map<std::string, std::string> options;
};

// The checked options of one sink: every value parsed by its kind, defaults filled in, secrets
// read. A getter for an option the spec does not declare, or with the wrong kind, is a bug
// (EARSHOT_CHECK).
class SinkOptions {
 public:
  using Value = std::variant<std::string, int64_t, bool, std::chrono::milliseconds,
                             std::vector<std::string>, std::map<std::string, std::string>>;

  SinkOptions(std::string name, std::string type) : name_(std::move(name)), type_(std::move(type)) {}

  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }

  // True when the option was given or has a default.
  bool Has(std::string_view option) const { return values_.count(std::string(option)) > 0; }
  // kString, kChoice and secrets; "" when absent.
  const std::string& String(std::string_view option) const;
  int64_t Int(std::string_view option) const;           // 0 when absent
  bool Bool(std::string_view option) const;             // false when absent
  std::chrono::milliseconds Duration(std::string_view option) const;  // 0 when absent
  const std::vector<std::string>& List(std::string_view option) const;
  const std::map<std::string, std::string>& Map(std::string_view option) const;

  void Set(std::string option, Value value) { values_[std::move(option)] = std::move(value); }

 private:
  std::string name_, type_;
  std::map<std::string, Value, std::less<>> values_;
};

// Checks `config.options` against `spec` and returns the typed values. Every problem is
// reported at once, one per line, each naming the option:
//   unknown option 'webhok_url' (did you mean 'webhook_url'?)
//   missing required option 'routing_key' (give routing_key_file or routing_key_credential)
//   option 'timeout': duration '30' has no unit; write a number with a unit: 250ms, ...
// Secret files are read here; their content never appears in a message.
// `credentials_dir` is $CREDENTIALS_DIRECTORY ("" when unset).
Result<SinkOptions> CheckSinkOptions(const SinkConfig& config, const OptionSpec& spec,
                                     std::string_view credentials_dir);

}  // namespace earshot
