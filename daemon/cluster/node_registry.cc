#include "daemon/cluster/node_registry.h"

#include "daemon/base/log.h"
#include "daemon/cluster/lease_key.h"

namespace earshot::cluster {

Status NodeRegistry::Beat(const NodeRecord& record) {
  return bucket_.Put(LeaseKey(record.node), record.ToJson()).status();
}

Status NodeRegistry::Leave(std::string_view node) { return bucket_.Delete(LeaseKey(node)); }

Result<std::vector<NodeRecord>> NodeRegistry::Live() {
  EARSHOT_ASSIGN_OR_RETURN(std::vector<nats::KvEntry> entries, bucket_.All(read_timeout_));
  std::vector<NodeRecord> nodes;
  for (const nats::KvEntry& e : entries) {
    auto record = NodeRecord::FromJson(e.value);
    if (!record.ok()) {
      log::Warn("cluster", "{} key {}: {}", bucket_.name(), e.key, record.status().message());
      continue;
    }
    nodes.push_back(*std::move(record));
  }
  return nodes;
}

}  // namespace earshot::cluster
