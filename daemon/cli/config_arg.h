// The `--config FILE` of the commands that work on an installed daemon's config (silence,
// deadletter, ack, incidents, test sinks): taken from anywhere among the words, defaulting to
// the packaged /etc/earshot/earshot.yaml, and loaded strictly, as `earshot run` would.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/app/app_config.h"

namespace earshot {

// Loads the config `--config FILE` names (or the default) and puts the other words in *rest.
// On failure prints every diagnostic and "earshot COMMAND: why" to `err`, as `earshot check`
// does, and returns nullopt (the caller exits kExitConfig).
std::optional<AppConfig> LoadConfigArg(std::string_view command,
                                       const std::vector<std::string>& args,
                                       std::vector<std::string>* rest, std::ostream& err);

}  // namespace earshot
