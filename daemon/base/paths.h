// Where earshot finds its shipped data (rule packs, lexicon) when the config does not say.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace earshot {

// $EARSHOT_RULES_DIR when set; else the installed /usr/share/earshot/rules when present; else
// the source tree's rules/, so a binary run from the build tree works without installing.
inline std::string DefaultRulesDir() {
  if (const char* env = std::getenv("EARSHOT_RULES_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
#ifdef EARSHOT_INSTALLED_RULES_DIR
  if (std::filesystem::exists(EARSHOT_INSTALLED_RULES_DIR)) return EARSHOT_INSTALLED_RULES_DIR;
#endif
#ifdef EARSHOT_SOURCE_RULES_DIR
  return EARSHOT_SOURCE_RULES_DIR;
#else
  return "rules";
#endif
}

// The shipped packs, in the order they must load: praise and resolution use the complaint
// pack's lists and macros.
inline std::vector<std::filesystem::path> DefaultRuleFiles() {
  const std::filesystem::path dir = DefaultRulesDir();
  return {dir / "complaints.yaml", dir / "resolution.yaml", dir / "praise.yaml"};
}

}  // namespace earshot
