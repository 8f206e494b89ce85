// The `cluster:` section of earshot.yaml read into ClusterOptions (docs/cluster.md), and the
// line `earshot check` prints about it. Reading it only checks what the file can say: whether
// the NATS servers answer is the cluster room's business when the daemon starts.
#pragma once

#include <filesystem>
#include <string>

#include "daemon/cluster/cluster_options.h"
#include "daemon/config/yaml_reader.h"

namespace earshot {

// Reads the section's keys from `section`, reporting every problem at its position. The result
// is only meaningful when nothing was reported; `section` is finished by the caller (Map does).
// The token is read from token_file / token_credential and appears in no message.
ClusterOptions ReadClusterSection(MapReader& section, const std::filesystem::path& base_dir);

// "node earshot-a, 3 NATS server(s), lease_ttl 10s, replicas 3": what `earshot check` says
// about the section. Names no server address and no secret.
std::string DescribeCluster(const ClusterOptions& cluster);

}  // namespace earshot
