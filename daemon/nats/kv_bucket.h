// KvBucket: one JetStream key-value bucket, with the compare-and-set earshot's leases and node
// records are built on. Every write returns the key's new revision; Create succeeds only while
// the key has no value, Update only while its revision is still `expected` (so of two nodes
// racing for one lease, exactly one wins and the other learns it from kAborted).
//
// A bucket with a ttl forgets a key whose last write is older than that, on the server's clock:
// a holder that stops renewing loses its lease without any node trusting another's clock.
//
// Threads: thread-safe (libnats' kvStore is).
#pragma once

#include <nats/nats.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/nats/nats_connection.h"

namespace earshot::nats {

struct KvSpec {
  std::string bucket;                // "earshot_leases": letters, digits, '-' and '_'
  std::string description;
  std::chrono::milliseconds ttl{0};  // 0 = keys live until deleted
  int history = 1;                   // revisions kept per key
  int replicas = 1;                  // JetStream replicas: 3 on a three-server cluster
};

struct KvEntry {
  std::string key, value;
  uint64_t revision = 0;
  SystemTime written{};  // when the server stored this revision
};

class KvBucket {
 public:
  // Binds to the bucket, creating it when it does not exist. An existing bucket keeps its own
  // settings (a running cluster is not reconfigured by one node's start).
  static Result<std::unique_ptr<KvBucket>> Open(const Connection& connection, const KvSpec& spec);
  ~KvBucket();

  KvBucket(const KvBucket&) = delete;
  KvBucket& operator=(const KvBucket&) = delete;

  const std::string& name() const { return name_; }

  // The key's current value; nullopt when it has none (never written, deleted or expired).
  Result<std::optional<KvEntry>> Get(std::string_view key);
  // Writes `value` only if the key has none now; kAborted when it has one.
  Result<uint64_t> Create(std::string_view key, std::string_view value);
  // Writes `value` only if the key's revision is still `expected`; kAborted when it moved.
  Result<uint64_t> Update(std::string_view key, std::string_view value, uint64_t expected);
  // Writes `value` whatever the key holds.
  Result<uint64_t> Put(std::string_view key, std::string_view value);
  // Deletes the key (a delete marker: Create works on it again).
  Status Delete(std::string_view key);
  // Every key with a value now and its entry, in key order. `list_timeout` bounds the listing
  // of the keys (0 = the client's default, seconds): a caller on a schedule passes its own.
  Result<std::vector<KvEntry>> All(
      std::chrono::milliseconds list_timeout = std::chrono::milliseconds(0));

 private:
  KvBucket() = default;
  std::string Describe(std::string_view op, std::string_view key) const;
  kvStore* kv_ = nullptr;
  std::string name_;
};

}  // namespace earshot::nats
