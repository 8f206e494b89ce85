// What a cluster node's rules and config hash to, so that nodes can tell whether they judge posts
// alike (cluster/rules_agreement.h):
//   rules: the content of every rule file, the lexicon and its overlays, and the silences file;
//   config: earshot.yaml as parsed, without what describes the node rather than the cluster
//     (cluster.node and its credentials, state_dir, metrics, console, log, bus, watchdog,
//     shutdown_grace) and without the rule and lexicon paths, whose files the rules hash covers.
// Each is "sha256:" and 16 hex digits: enough to tell versions apart, short enough for a log line.
#pragma once

#include <string>

#include "daemon/app/app_config.h"
#include "daemon/base/result.h"

namespace earshot {

struct ClusterFingerprint {
  std::string rules_hash, config_hash;
};

// Reads the files again (after a reload the running rules are the ones on disk). kNotFound or
// kUnavailable naming a file that cannot be read.
Result<ClusterFingerprint> FingerprintOf(const AppConfig& config);

}  // namespace earshot
