// What earshot keeps in its cluster KV buckets, and their JSON: one LeaseRecord per lease
// (<prefix>_leases) and one NodeRecord per live node (<prefix>_nodes). JSON, so that an
// operator's `nats kv get` reads them too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"

namespace earshot::cluster {

struct LeaseRecord {
  // The node holding the lease; "" = released (free for any node to take at once).
  std::string holder;
  // The KV revision at which the holder took it (0 until its first renewal records it). Every
  // takeover lands at a higher revision, so work stamped with its epoch tells a successor's from
  // a predecessor's (a fencing token).
  uint64_t epoch = 0;
  SystemTime acquired{};

  std::string ToJson() const;
  // kDataLoss naming the problem for a value earshot did not write.
  static Result<LeaseRecord> FromJson(std::string_view json);
};

struct NodeRecord {
  std::string node;
  std::string version;      // earshot's version ("0.9.0")
  std::string rules_hash;   // the loaded rules, lexicon and silences (ClusterFingerprint)
  std::string config_hash;  // earshot.yaml without what names the node itself
  SystemTime started{};
  SystemTime beat{};        // its last heartbeat
  bool stand_by = false;    // takes no lease (its rules differ, and on_rules_mismatch says so)
  uint64_t applied = 0;     // the state log's last message this node applied
  std::vector<std::string> leases;  // the leases it holds, by name

  std::string ToJson() const;
  static Result<NodeRecord> FromJson(std::string_view json);
};

}  // namespace earshot::cluster
