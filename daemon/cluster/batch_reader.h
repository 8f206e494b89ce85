// BatchReader: the escalator leader's end of the batch stream. It reads the batches every node
// forwarded, in the stream's order, from right after the last batch committed (the position
// the commits carry, EscalatorCommit::input_seq), and hands them to the escalator's queue with
// their position. So a new leader neither repeats a batch its predecessor committed nor skips
// one it did not.
//
// A batch stamped with an older lease epoch of its source than one already read is dropped: it
// comes from a node that lost the lease (paused past it, say) and sent on; the source's new
// holder polls again from the committed cursor.
//
// Threads: Start/Stop from the owning thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <stop_token>
#include <string>
#include <thread>

#include "daemon/base/bounded_queue.h"
#include "daemon/cluster/cluster_names.h"
#include "daemon/model/detection.h"
#include "daemon/nats/nats_connection.h"

namespace earshot::cluster {

class BatchReader {
 public:
  BatchReader(const nats::Connection& connection, ClusterNames names);
  ~BatchReader();  // Stop()s

  BatchReader(const BatchReader&) = delete;
  BatchReader& operator=(const BatchReader&) = delete;

  // Reads from the batch after `committed` on, into `out`.
  void Start(uint64_t committed, BoundedQueue<PostBatch>& out);
  void Stop();

  int64_t read() const { return read_.load(std::memory_order_relaxed); }
  int64_t fenced() const { return fenced_.load(std::memory_order_relaxed); }
  // How many batches the stream holds past the last one read: the leader's lag.
  uint64_t last_read_seq() const { return last_seq_.load(std::memory_order_relaxed); }

 private:
  void Run(std::stop_token stop, uint64_t committed, BoundedQueue<PostBatch>& out);

  const nats::Connection& connection_;
  const ClusterNames names_;
  std::atomic<int64_t> read_{0}, fenced_{0};
  std::atomic<uint64_t> last_seq_{0};
  std::jthread thread_;
};

}  // namespace earshot::cluster
