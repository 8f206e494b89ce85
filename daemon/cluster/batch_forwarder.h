// BatchForwarder: carries this node's batches (its pollers' detected posts and cursors) to the
// batch stream, where the escalator's leader reads them, whichever node leads. Each batch goes
// out stamped with the node and the epoch of its source's lease, and only while that lease is
// held: a batch whose lease was lost is dropped, since the source's next holder reads again from
// the cursor last committed. A publish that fails is retried under the same message id, so a
// batch lands once even when an acknowledgement was lost.
//
// Threads: Start/Stop from the owning thread; the counters from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include "daemon/base/bounded_queue.h"
#include "daemon/cluster/cluster_names.h"
#include "daemon/model/detection.h"
#include "daemon/nats/nats_connection.h"

namespace earshot::cluster {

class BatchForwarder {
 public:
  // The epoch of this node's lease on `source` while it holds it and may act on it; nullopt
  // when it does not.
  using LeaseEpoch = std::function<std::optional<uint64_t>(const std::string& source)>;

  BatchForwarder(const nats::Connection& connection, ClusterNames names, std::string node,
                 LeaseEpoch epoch_of);
  ~BatchForwarder();  // Stop()s

  BatchForwarder(const BatchForwarder&) = delete;
  BatchForwarder& operator=(const BatchForwarder&) = delete;

  void Start(BoundedQueue<PostBatch>& in);
  void Stop();

  int64_t forwarded() const { return forwarded_.load(std::memory_order_relaxed); }
  int64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void Run(std::stop_token stop, BoundedQueue<PostBatch>& in);
  // Publishes until it lands, the lease is lost (false) or the forwarder stops (false).
  bool Forward(std::stop_token stop, const PostBatch& batch, uint64_t epoch);

  const nats::Connection& connection_;
  const ClusterNames names_;
  const std::string node_;
  const LeaseEpoch epoch_of_;
  const uint64_t incarnation_;
  uint64_t sent_ = 0;  // the forwarder's thread only
  std::atomic<int64_t> forwarded_{0}, dropped_{0};
  std::jthread thread_;
};

}  // namespace earshot::cluster
