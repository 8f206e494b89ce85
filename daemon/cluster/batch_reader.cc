#include "daemon/cluster/batch_reader.h"

#include <algorithm>
#include <utility>

#include "daemon/base/log.h"
#include "daemon/base/stop.h"
#include "daemon/cluster/batch_codec.h"
#include "daemon/nats/ordered_reader.h"

namespace earshot::cluster {
namespace {

constexpr const char* kComponent = "cluster";

}  // namespace

BatchReader::BatchReader(const nats::Connection& connection, ClusterNames names)
    : connection_(connection), names_(std::move(names)) {}

BatchReader::~BatchReader() { Stop(); }

void BatchReader::Start(uint64_t committed, BoundedQueue<PostBatch>& out) {
  last_seq_ = committed;
  thread_ = std::jthread(
      [this, committed, &out](std::stop_token stop) { Run(stop, committed, out); });
}

void BatchReader::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void BatchReader::Run(std::stop_token stop, uint64_t committed, BoundedQueue<PostBatch>& out) {
  std::map<std::string, uint64_t, std::less<>> newest_epoch;  // per source
  uint64_t position = committed;
  std::unique_ptr<nats::OrderedReader> reader;
  auto backoff = std::chrono::milliseconds(100);
  while (!stop.stop_requested()) {
    if (reader == nullptr) {
      auto opened = nats::OrderedReader::Open(connection_, names_.batch_stream,
                                              names_.batch_subject, position + 1);
      if (!opened.ok()) {
        log::Warn(kComponent, "reading the batch stream: {}; retrying in {}ms",
                  opened.status().message(), backoff.count());
        if (!SleepFor(stop, backoff)) return;
        backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
        continue;
      }
      reader = *std::move(opened);
      backoff = std::chrono::milliseconds(100);
    }
    auto next = reader->Next(std::chrono::milliseconds(200));
    if (!next.ok()) {
      log::Warn(kComponent, "reading the batch stream: {}; reopening", next.status().message());
      reader.reset();
      continue;
    }
    if (!next->has_value() || (*next)->seq <= position) continue;
    const nats::StoredMessage& message = **next;
    position = message.seq;
    last_seq_.store(position, std::memory_order_relaxed);
    auto envelope = DecodeBatch(message.data);
    if (!envelope.ok()) {
      log::Error(kComponent, {{"seq", message.seq}},
                 "batch stream message {} is not a batch this earshot can read ({}); passed over",
                 message.seq, envelope.status().message());
      continue;
    }
    uint64_t& newest = newest_epoch[envelope->batch.source];
    if (envelope->epoch < newest) {
      fenced_.fetch_add(1, std::memory_order_relaxed);
      log::Warn(kComponent, {{"source", envelope->batch.source}, {"node", envelope->node}},
                "batch of {} from {} under lease epoch {} dropped: the source's lease has moved "
                "on (epoch {})",
                envelope->batch.source, envelope->node, envelope->epoch, newest);
      continue;
    }
    newest = envelope->epoch;
    envelope->batch.input_seq = message.seq;
    read_.fetch_add(1, std::memory_order_relaxed);
    if (!out.Push(std::move(envelope->batch), stop)) return;
  }
}

}  // namespace earshot::cluster
