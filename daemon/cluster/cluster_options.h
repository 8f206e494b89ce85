// ClusterOptions: the `cluster:` section of earshot.yaml. Without it earshot is one node with
// its SQLite state, as always; with it, the node joins the others on the same NATS JetStream
// (docs/cluster.md).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace earshot {

// What a node does when its rules or config differ from the cluster's majority.
enum class RulesMismatchPolicy {
  kWarn,     // log it, count it in /metrics, and keep working
  kStandBy,  // also take no lease until its rules agree again
};

struct ClusterOptions {
  // This node's name, unique in the cluster ("earshot-a"); the host name when not set.
  std::string node;
  // The NATS servers, "nats://host:port" or "tls://host:port"; any one is enough to join.
  std::vector<std::string> servers;
  // A NATS token (from cluster.token_file or token_credential); never logged. "" = none.
  std::string token;
  // A NATS .creds file (user JWT and NKey seed); "" = none.
  std::string credentials_file;
  // A lease not renewed for this long is free for another node to take. Its holder renews it
  // three times per lease_ttl, and a dead node's sources move within one lease_ttl.
  std::chrono::milliseconds lease_ttl{std::chrono::seconds(10)};
  // JetStream replicas of earshot's streams and buckets: 3 on a three-server NATS cluster.
  int replicas = 1;
  // Prefix of earshot's stream, bucket and subject names, so several earshot deployments (or a
  // staging one) can share one NATS account: "earshot" -> EARSHOT_STATE, earshot_leases.
  std::string prefix = "earshot";
  RulesMismatchPolicy on_rules_mismatch = RulesMismatchPolicy::kWarn;
};

}  // namespace earshot
