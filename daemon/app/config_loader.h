// Reads earshot.yaml (documented in place in systemd/earshot.yaml) into an AppConfig, strictly:
// every problem is reported at once as file:line:col, unknown keys come with "did you mean",
// relative paths resolve against the config file's directory, and secrets are read from
// *_file paths or $CREDENTIALS_DIRECTORY (*_credential), never from the file itself.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "daemon/app/app_config.h"
#include "daemon/base/result.h"
#include "daemon/config/diagnostics.h"
#include "daemon/escalator/silence_file.h"

namespace earshot {

// kInvalidArgument ("N configuration error(s)") when *diags holds errors; the config is only
// returned when it is complete and valid.
Result<AppConfig> LoadAppConfig(const std::filesystem::path& path, Diagnostics* diags);

// The entries of the config's silences file (escalation.silences_file) active or pending at
// `now`; none when the config names no file. nullopt when the file has errors, all reported in
// *diags with file:line:col.
std::optional<std::vector<FileSilence>> LoadConfiguredSilences(const AppConfig& config,
                                                               SystemTime now,
                                                               Diagnostics* diags);

// Checks that the rule files and the lexicon directory named under rules: exist, reporting each
// one that does not at the earshot.yaml line that names it ("earshot.yaml:12:5: error:
// rules.files[1]: /x/y.yaml: no such file"). False when any is missing.
bool CheckRulePaths(const AppConfig& config, Diagnostics* diags);

// Applies log.level and log.format.
void ConfigureLogging(const AppConfig& config);

}  // namespace earshot
