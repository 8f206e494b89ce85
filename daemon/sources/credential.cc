#include "daemon/sources/credential.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "daemon/base/file_read.h"

namespace earshot {

Result<std::string> ReadCredentialFile(const std::string& path) {
  // A regular file of bounded size: a FIFO named by mistake must not block the poller thread.
  Result<std::string> text = ReadRegularFile(path, kMaxSecretFileBytes);
  if (!text.ok()) return text.status().Annotate(path);
  std::string secret = *std::move(text);
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
