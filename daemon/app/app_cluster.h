// ClusterParts: what a cluster node adds to App::Parts (docs/cluster.md): its NATS connection,
// the state log and this node's replica of it, the store that writes through the log, the
// leases and the keeper that shares them out, and the batch stream both ways.
//
// How the work moves: the keeper's callbacks (App::OnLeaseGained / OnLeaseLost, on the
// keeper's thread) start a source's poller, a sink's runner or the escalator when this node
// takes their lease, and stop them when it loses it. Each first waits until the replica has
// applied the whole log, so it resumes where the last holder stopped: the poller from the
// cursor last committed, the runner from the sink's cursor, the escalator from the incidents.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "daemon/app/app_parts.h"
#include "daemon/app/cluster_fingerprint.h"
#include "daemon/base/bounded_queue.h"
#include "daemon/base/mutex.h"
#include "daemon/cluster/batch_forwarder.h"
#include "daemon/cluster/batch_reader.h"
#include "daemon/cluster/cluster_names.h"
#include "daemon/cluster/cluster_options.h"
#include "daemon/cluster/lease_keeper.h"
#include "daemon/cluster/lease_table.h"
#include "daemon/cluster/node_registry.h"
#include "daemon/cluster/replicated_store.h"
#include "daemon/cluster/state_log.h"
#include "daemon/cluster/state_replica.h"
#include "daemon/nats/kv_bucket.h"
#include "daemon/nats/nats_connection.h"

namespace earshot {

// Lease names: one per source and per sink, and the escalator's.
inline constexpr std::string_view kEscalatorLease = "escalator";
inline std::string SourceLease(std::string_view source) { return "source:" + std::string(source); }
inline std::string SinkLease(std::string_view sink) { return "sink:" + std::string(sink); }

struct ClusterParts {
  explicit ClusterParts(const ClusterOptions& o) : options(o), names(o.prefix) {}

  ClusterOptions options;
  cluster::ClusterNames names;
  std::unique_ptr<nats::Connection> connection;
  std::unique_ptr<nats::KvBucket> leases_bucket, nodes_bucket;
  std::unique_ptr<cluster::LeaseTable> leases;
  std::unique_ptr<cluster::NodeRegistry> nodes;
  std::unique_ptr<cluster::StateLog> log;
  std::unique_ptr<cluster::StateReplica> replica;
  std::unique_ptr<cluster::ReplicatedStore> store;
  // The pollers' batches, on their way to the batch stream.
  BoundedQueue<PostBatch> outgoing{kBatchQueueCapacity};
  std::unique_ptr<cluster::BatchForwarder> forwarder;
  std::unique_ptr<cluster::LeaseKeeper> keeper;
  // This node's term as leader (keeper's thread only): the batches its reader hands its
  // escalator.
  std::unique_ptr<BoundedQueue<PostBatch>> term_batches;
  std::unique_ptr<cluster::BatchReader> reader;
  std::atomic<int64_t> terms{0};  // times this node became leader
  // Index into Parts::pollers / Parts::sinks, by lease name.
  std::map<std::string, size_t, std::less<>> pollers, sinks;
  // The rules and config hashes this node reports; recomputed at each reload.
  mutable Mutex fingerprint_mu;
  ClusterFingerprint fingerprint GUARDED_BY(fingerprint_mu);
};

}  // namespace earshot
