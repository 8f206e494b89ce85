// SourceFactory: everything earshot knows about one network, in one object: its YAML `type:`,
// the keys a source of it accepts (OptionSpec), the checks that span several keys, the quota
// its credential spends and how sources share it, and how to build the Source. The shape is
// SinkFactory's (sinks/sink.h); each network registers one in source_registry.cc, so adding a
// network is its folder plus one line there (docs/sources.md, "Adding a network").
//
// Threads: factories are immutable once registered and may be used from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/config/option_spec.h"
#include "daemon/config/yaml_reader.h"
#include "daemon/sources/rate_budget.h"
#include "daemon/sources/source.h"
#include "daemon/sources/source_counters.h"
#include "daemon/sources/source_settings.h"

namespace earshot {

// A network's documented quota for one credential (docs/sources.md cites each network's page).
struct NetworkQuota {
  const char* network;     // "X"
  const char* credential;  // "bearer token"
  int64_t requests;        // 450
  std::chrono::seconds window;
  // What sources without a secret share instead ("address (no token)"); nullptr when every
  // source of the network has one.
  const char* anonymous = nullptr;
};

// Where a factory's checks report: the entry's mapping and its keys, with their positions.
class SourceCheck {
 public:
  SourceCheck(MapReader& map, const YamlValue& item) : map_(map), item_(item) {}
  // At the entry ("earshot.yaml:7:5"): for problems of several keys together.
  void Error(std::string message) const { item_.Error(std::move(message)); }
  // At `key`'s value when it is written, else at the entry.
  void ErrorAt(std::string_view key, std::string message) const;

 private:
  MapReader& map_;
  const YamlValue& item_;
};

// A built source and its counters (inside the source, valid while it lives).
struct BuiltSource {
  std::unique_ptr<Source> source;
  const SourceCounters* counters = nullptr;
  // A stream's lag behind its head in ms, now (JetstreamSourceStats::LagMsNow), exported as
  // earshot_source_lag_seconds; empty for a source that has none. Any thread may call it.
  std::function<int64_t()> lag_ms;
  // How often the poller asks the source to re-check the posts of open incidents (Recheck);
  // 0 = never. Only a source that can_recheck() sets it.
  std::chrono::milliseconds recheck_every{0};
};

// What a factory builds with besides the settings.
struct SourceEnv {
  std::string user_agent;  // "earshot/1.4 (+https://...)"
  std::string version;     // earshot's version, "1.4.0", for networks that want it in their own
                           // User-Agent format (Reddit)
  // The budget of the source's credential, shared with the other sources that spend it;
  // nullptr: a budget of the source's own.
  std::shared_ptr<SharedRateBudget> budget;
  Clock* clock = &RealClock();
};

class SourceFactory {
 public:
  virtual ~SourceFactory() = default;

  // The YAML `type:` ("mastodon").
  virtual std::string_view type() const = 0;

  // The network's own keys. At most one row is Secret(): it is read from <name>_file or
  // <name>_credential into SourceSettings::secret.
  virtual const OptionSpec& options() const = 0;

  // After options() are read: the checks that span several keys, and normalizing values
  // ("#tag" -> "tag"). Reports through `check`, naming the source; never quotes a secret.
  virtual void Check(const SourceCheck& /*check*/, SourceSettings* /*s*/) const {}

  // Whether this source needs its secret; by default, what options() says.
  virtual bool SecretRequired(const SourceSettings& s) const;

  // The network's documented quota for one credential.
  virtual const NetworkQuota& quota() const = 0;

  // Which quota the source spends: sources with the same key share one rate budget. Starts
  // with type(); holds a hash of any secret or account, never one in clear.
  virtual std::string BudgetKey(const SourceSettings& s) const = 0;

  // Requests one poll makes when caught up, for `earshot check`'s estimate; 0 for a source
  // that does not poll (a stream).
  virtual int64_t RequestsPerPoll(const SourceSettings& /*s*/) const { return 1; }

  // Builds the source from settings already read and checked. Errors concern what only the
  // source can judge (a URL that is not http(s)) and never quote the secret.
  virtual Result<BuiltSource> Create(const SourceSettings& s, const SourceEnv& env) const = 0;
};

// Fills what every network's config names alike from the settings: the source's name, the
// shared rate budget and the poll interval.
template <class Config>
void FillShared(const SourceSettings& s, const SourceEnv& env, Config* config) {
  config->name = s.name;
  config->rate_budget = env.budget;
  config->poll_interval = s.poll_interval;
}

// Creates a source of a concrete type (whose Create takes its config and a clock) and finds
// its counters through that type's stats().
template <class Concrete, class Config>
Result<BuiltSource> BuildWithStats(Config config, Clock& clock) {
  auto source = Concrete::Create(std::move(config), clock);
  if (!source.ok()) return source.status();
  BuiltSource built;
  built.counters = &static_cast<const Concrete&>(**source).stats();
  built.source = *std::move(source);
  return built;
}

// Helpers for BudgetKey: the lowercased host requests go to (base_url, else `fallback`), and a
// hash that keeps an identity (a token, an account) out of the key.
std::string BudgetHost(const SourceSettings& s, std::string_view fallback);
std::string BudgetHash(std::string_view identity);

}  // namespace earshot
