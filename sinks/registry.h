// SinkRegistry: the sink types earshot knows, by their YAML `type:`. Not global: the App builds
// one, calls RegisterBuiltinSinks, and asks it to build each configured sink (Envoy's registry
// without static initialisers, which static archives drop).
//
// Threads: fill it on one thread, then it is immutable and may be read from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/result.h"
#include "sinks/delivery_policy.h"
#include "sinks/sink.h"

namespace earshot {

// A built sink and how its runner should retry it (the options every type shares).
struct ConfiguredSink {
  SinkPtr sink;
  DeliveryPolicy policy;
};

class SinkRegistry {
 public:
  // Adds a factory. A second factory for the same type is a bug (EARSHOT_CHECK).
  void Register(std::unique_ptr<SinkFactory> factory);

  // The factory for `type`, or nullptr.
  const SinkFactory* Find(std::string_view type) const;
  // Every registered type, sorted.
  std::vector<std::string> types() const;

  // Checks `config` against its type's OptionSpec plus the shared delivery options (retry_initial,
  // retry_max, max_age, rate_limit) and builds the sink. Every problem is reported at once, one
  // per line:  unknown type 'pagerduty2' (did you mean 'pagerduty'?); known: console, ...
  // Secret files named by *_credential are looked up in $CREDENTIALS_DIRECTORY.
  Result<ConfiguredSink> Create(const SinkConfig& config) const;

  // The options every sink type accepts besides its own.
  static const OptionSpec& DeliveryOptions();

 private:
  std::map<std::string, std::unique_ptr<SinkFactory>, std::less<>> factories_;
};

// Registers console, file, webhook, slack, pagerduty, email and exec: one line per type.
void RegisterBuiltinSinks(SinkRegistry& registry);

}  // namespace earshot
