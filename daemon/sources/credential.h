// Credentials that can change under a running daemon: a token file replaced after the network
// revoked the old token, or a systemd credential. Sources re-read the file after the network
// rejects the credential (HTTP 401/403) and on reload (SIGHUP), so rotating a token never needs a
// restart. The value is never logged; only the key and the path are.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "daemon/base/result.h"

namespace earshot {

// Where a source's credential came from.
struct CredentialFile {
  std::string path;  // the file to re-read; "" = given directly (tests): nothing to re-read
  std::string key;   // the config key that named it, "token_file" or "token_credential"

  bool empty() const { return path.empty(); }
  // "token_file /etc/earshot/mastodon.token", for log lines.
  std::string Describe() const { return key.empty() ? path : key + " " + path; }
};

// Reads a credential file as earshot.yaml's loader does: all of it minus trailing whitespace
// (editors add a newline). kNotFound when it cannot be read, kInvalidArgument when it is empty;
// the message names the path, never the content.
Result<std::string> ReadCredentialFile(const std::string& path);

inline constexpr std::string_view kNewCredential = "it holds a new token";
inline constexpr std::string_view kSameCredential = "it holds the same token";

// Re-reads `file` into *value. Returns what happened, for the log: kNewCredential,
// kSameCredential, or why the file could not be read (the value in use is then kept).
std::string Reread(const CredentialFile& file, std::string* value);

// The wait before the `failures`-th retry after a rejected credential: `first`, then 4 times
// longer each time, never more than `max`.
std::chrono::milliseconds AuthRetryWait(std::chrono::milliseconds first, int failures,
                                        std::chrono::milliseconds max);

}  // namespace earshot
