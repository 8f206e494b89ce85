// SourceSettings: one `sources:` entry of earshot.yaml after validation: the keys every network
// shares, and the network's own keys typed by its factory's OptionSpec (source_factory.h).
// Plain data, copyable: a reload builds new ones and compares them with the running ones.
#pragma once

#include <chrono>
#include <string>

#include "daemon/sources/source_options.h"

namespace earshot {

struct SourceSettings {
  std::string name;  // "acmeair-sucks": unique, names the cursor in the state store
  std::string type;  // the factory's type(): "mastodon", "x", "bluesky", "reddit"
  std::chrono::milliseconds poll_interval{15000};
  int limit = 0;  // page size; 0 = the network's own default
  // The network's own keys (base_url, hashtag, query, identifier, ...), defaults filled in.
  SourceOptions options;
  // The credential itself (Mastodon token, X bearer token, Bluesky app password, Reddit client
  // secret), read from the key its factory marks secret, as <key>_file or <key>_credential;
  // never logged.
  std::string secret;
  // Where `secret` came from, so the source can re-read it after a 401 and on reload: the file's
  // path (a *_file resolved, or $CREDENTIALS_DIRECTORY/NAME) and the key that named it.
  std::string secret_path, secret_key;
  std::string file;  // where the source is declared
  int line = 0, column = 0;
};

}  // namespace earshot
