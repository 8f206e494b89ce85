// SourceRegistry: the networks earshot can read, by their YAML `type:`. The sinks' registry
// (sinks/registry.h) in the sources' room: explicit registration, no static initialisers.
//
// Threads: filled once on one thread, then immutable; BuiltinSources() is safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/sources/source_factory.h"

namespace earshot {

class SourceRegistry {
 public:
  // Adds a factory. A second factory for the same type is a bug (EARSHOT_CHECK).
  void Register(std::unique_ptr<SourceFactory> factory);

  // The factory for `type`, or nullptr.
  const SourceFactory* Find(std::string_view type) const;
  // Every registered type, in the order registered (the order the docs list them in).
  std::vector<std::string> types() const;

 private:
  std::vector<std::unique_ptr<SourceFactory>> factories_;
};

// Registers every network earshot ships: one line per network.
void RegisterBuiltinSources(SourceRegistry& registry);

// A registry holding the built-in networks, built on first use and never destroyed.
const SourceRegistry& BuiltinSources();

}  // namespace earshot
