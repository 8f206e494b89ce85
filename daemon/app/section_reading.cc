#include "daemon/app/section_reading.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdlib>

#include "daemon/base/file_read.h"

namespace earshot {

namespace fs = std::filesystem;

fs::path ResolveConfigPath(const fs::path& base_dir, const std::string& p) {
  if (p.empty()) return {};
  fs::path path(p);
  return path.is_absolute() ? path : (base_dir / path).lexically_normal();
}

namespace {

// Reads a secret file: the whole content minus trailing whitespace (editors add a newline).
// The message names the file, never its content.
std::optional<std::string> ReadSecretFile(const fs::path& path, const YamlValue& where,
                                          std::string_view what) {
  // A regular file of bounded size: a FIFO named here must not hang `check` or a reload.
  Result<std::string> text = ReadRegularFile(path, kMaxSecretFileBytes);
  if (!text.ok()) {
    where.Error(text.status().code() == Status::Code::kNotFound
                    ? fmt::format("{}: cannot read {}; create it (mode 0600) or fix the path",
                                  what, path.string())
                    : fmt::format("{}: {}: {}", what, path.string(), text.status().message()));
    return std::nullopt;
  }
  std::string secret = *std::move(text);
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) {
    secret.pop_back();
  }
  if (secret.empty()) {
    where.Error(fmt::format("{}: {} is empty", what, path.string()));
    return std::nullopt;
  }
  return secret;
}

}  // namespace

std::optional<std::string> ReadSecret(MapReader& map, std::string_view key,
                                      const fs::path& base_dir, bool required,
                                      const std::string& subject, SourceSettings* origin) {
  const std::string file_key = fmt::format("{}_file", key);
  const std::string cred_key = fmt::format("{}_credential", key);
  auto file = map.Get(file_key);
  auto cred = map.Get(cred_key);
  if (file && cred) {
    cred->Error(fmt::format("{}: give either {} or {}, not both", subject, file_key,
                            cred_key));
    return std::nullopt;
  }
  if (file) {
    auto p = file->ReadString(file_key);
    if (!p) return std::nullopt;
    if (origin) {
      origin->secret_path = ResolveConfigPath(base_dir, *p).string();
      origin->secret_key = file_key;
    }
    return ReadSecretFile(ResolveConfigPath(base_dir, *p), *file,
                          fmt::format("{} of {}", file_key, subject));
  }
  if (cred) {
    auto name = cred->ReadString(cred_key);
    if (!name) return std::nullopt;
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr || *dir == '\0') {
      cred->Error(fmt::format("{}: {} needs $CREDENTIALS_DIRECTORY (LoadCredential={}:... in the "
                              "unit); outside systemd use {} instead",
                              subject, cred_key, *name, file_key));
      return std::nullopt;
    }
    if (origin) {
      origin->secret_path = (fs::path(dir) / *name).string();
      origin->secret_key = cred_key;
    }
    return ReadSecretFile(fs::path(dir) / *name, *cred,
                          fmt::format("{} of {}", cred_key, subject));
  }
  if (map.Has(key)) {
    auto v = map.Get(key);
    v->Error(fmt::format("{}: secrets never go in the config file; use {} or {}", subject,
                         file_key, cred_key));
    return std::nullopt;
  }
  if (required) {
    map.value().Error(fmt::format("{}: missing {} (or {})", subject, file_key, cred_key));
  }
  return std::nullopt;
}

}  // namespace earshot
