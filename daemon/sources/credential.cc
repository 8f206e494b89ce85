#include "daemon/sources/credential.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace earshot {

Result<std::string> ReadCredentialFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("cannot read {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) {
    secret.pop_back();
  }
  if (secret.empty()) return Status::InvalidArgument(fmt::format("{} is empty", path));
  return secret;
}

std::string Reread(const CredentialFile& file, std::string* value) {
  Result<std::string> fresh = ReadCredentialFile(file.path);
  if (!fresh.ok()) return fmt::format("{}; the token in use is kept", fresh.status().message());
  if (*fresh == *value) return std::string(kSameCredential);
  *value = *std::move(fresh);
  return std::string(kNewCredential);
}

std::chrono::milliseconds AuthRetryWait(std::chrono::milliseconds first, int failures,
                                        std::chrono::milliseconds max) {
  std::chrono::milliseconds wait = first;
  for (int i = 1; i < failures && wait < max; ++i) wait *= 4;
  return std::min(wait, max);
}

}  // namespace earshot
