// What the readers of earshot.yaml's sections share: paths written relative to the config
// file, and secrets, which never sit in the file itself but in a file it names
// (`<key>_file`) or in systemd's $CREDENTIALS_DIRECTORY (`<key>_credential`).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/config/yaml_reader.h"
#include "daemon/sources/source_settings.h"

namespace earshot {

// `p` as written in the config, made absolute against the config's directory; "" stays "".
std::filesystem::path ResolveConfigPath(const std::filesystem::path& base_dir,
                                        const std::string& p);

// A secret named by `<key>_file: PATH` or `<key>_credential: NAME` (systemd's LoadCredential=,
// under $CREDENTIALS_DIRECTORY): the file's content minus trailing whitespace. nullopt when
// neither is given, or after reporting a problem at its key; a bare `<key>:` is reported too,
// since the secret would then sit in the config. Messages name `subject` and the file, never
// the content. With `origin`, also says which file it was and under which key, for re-reading
// it later.
std::optional<std::string> ReadSecret(MapReader& map, std::string_view key,
                                      const std::filesystem::path& base_dir, bool required,
                                      const std::string& subject,
                                      SourceSettings* origin = nullptr);

}  // namespace earshot
