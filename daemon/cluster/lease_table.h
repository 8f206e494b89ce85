// LeaseTable: who does which piece of work, in the <prefix>_leases KV bucket. A lease ("source:
// mastodon:acme", "escalator") is held by one node at a time:
//   - taking one is a compare-and-set (Create on a key with no value, Update on a released or
//     lapsed one at the revision read), so of two nodes racing, one wins;
//   - its holder renews it with Update at the revision of its own last write, well within the
//     bucket's ttl; a renewal that finds the revision moved means another node took it, and
//     the holder must stop that work at once (kAborted);
//   - a holder that dies, hangs or is paused stops renewing, and the server forgets the key
//     after the ttl, by its own clock: no node judges another by a clock of its own.
// A holder also stops trusting its lease on its own steady clock, at valid_until, before the
// server can have given it away: a node resumed after a SIGSTOP longer than the ttl finds its
// lease expired before it sends anything, and then learns from the renewal who holds it now.
//
// Threads: thread-safe (the bucket is, and the table keeps no state of its own).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/cluster/cluster_records.h"
#include "daemon/nats/kv_bucket.h"

namespace earshot::cluster {

// A lease this node holds.
struct HeldLease {
  std::string name;
  uint64_t revision = 0;  // of this node's last write: the next renewal expects it
  uint64_t epoch = 0;     // the revision it was taken at (LeaseRecord::epoch)
  SystemTime acquired{};
  // On this node's steady clock: work under the lease may start only before this. A renewal
  // moves it to (the renewal's start + ttl - margin).
  SteadyTime valid_until{};
  bool Valid(SteadyTime now) const { return now < valid_until; }
};

// A lease as every node sees it (`earshot cluster status`).
struct LeaseView {
  std::string name;
  LeaseRecord record;     // holder "" = released
  uint64_t revision = 0;
  SystemTime renewed{};   // the server's time of the last write
};

class LeaseTable {
 public:
  // `bucket` is the leases bucket, with a ttl of `ttl`; `node` is this node's name.
  LeaseTable(nats::KvBucket& bucket, std::string node, std::chrono::milliseconds ttl,
             Clock& clock = RealClock());

  // Takes `name` when no node holds it (never taken, released, or lapsed), or when this node's
  // name holds it from before a restart. nullopt when another node holds it.
  Result<std::optional<HeldLease>> TryAcquire(std::string_view name);
  // Renews `lease` and moves its valid_until. kAborted when another node took it meanwhile (it
  // lapsed), or it lapsed and nobody took it yet (the key is gone): stop its work.
  Status Renew(HeldLease* lease);
  // Gives the lease up so another node may take it at once (a clean stop, or a rebalance).
  // Ok, without writing, when it is no longer this node's.
  Status Release(const HeldLease& lease);
  // Every lease with a record, by name.
  Result<std::vector<LeaseView>> List();

  const std::string& node() const { return node_; }
  std::chrono::milliseconds ttl() const { return ttl_; }

 private:
  // How long a lease may be trusted after the write that renewed it began: the ttl less a
  // margin for the server's expiry timer running early relative to this host's clock rate.
  std::chrono::milliseconds TrustFor() const;
  Result<std::optional<HeldLease>> Take(std::string_view name, std::optional<uint64_t> revision,
                                        SteadyTime started);

  nats::KvBucket& bucket_;
  const std::string node_;
  const std::chrono::milliseconds ttl_;
  Clock& clock_;
};

}  // namespace earshot::cluster
