// The pollers' batches as the batch stream carries them to the escalator's leader
// (docs/cluster.md), with the node that polled each and the epoch of its lease on the source:
// the leader drops a batch whose epoch is older than the lease's, sent by a node that lost the
// lease after polling (a fencing token).
//
// One JSON object per batch, format version 1 ("v":1), holding every field of the batch and its
// posts, exactly (message_writer.h says how), except PostBatch::input_seq: that is the batch's
// place in the stream, which the stream assigns and the leader sets when it reads the batch.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/base/result.h"
#include "daemon/model/detection.h"

namespace earshot::cluster {

struct BatchEnvelope {
  std::string node;    // the node that polled it
  uint64_t epoch = 0;  // its lease's epoch on the source when it polled (LeaseRecord::epoch)
  PostBatch batch;     // input_seq is not carried: decoded as nullopt
};

std::string EncodeBatch(const BatchEnvelope& envelope);
// kDataLoss naming the field ("posts[3].detections[0].category") for anything that is not a
// batch of format version 1.
Result<BatchEnvelope> DecodeBatch(std::string_view json);

}  // namespace earshot::cluster
