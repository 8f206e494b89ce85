// The console of a running App: its stores, its rules and its sinks, with the sign-in settings
// of earshot.yaml's `console:` section. `earshot run` and `earshot demo --serve` serve it on the
// admin listener (MetricsHandlers::other).
#pragma once

#include <memory>
#include <string>

#include "daemon/app/app.h"
#include "daemon/console/console.h"

namespace earshot {

// The App must outlive the Console.
std::unique_ptr<Console> MakeAppConsole(App& app, const AppConfig& config);

// The directory every rule file and the lexicon share, with a trailing '/' ("" when none): what
// explain cuts from file names.
std::string RulesDirOf(const AppConfig& config);

}  // namespace earshot
