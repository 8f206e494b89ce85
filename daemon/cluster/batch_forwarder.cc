#include "daemon/cluster/batch_forwarder.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <utility>

#include "daemon/base/log.h"
#include "daemon/base/stop.h"
#include "daemon/cluster/batch_codec.h"
#include "daemon/nats/jetstream.h"

namespace earshot::cluster {
namespace {

constexpr const char* kComponent = "cluster";

}  // namespace

BatchForwarder::BatchForwarder(const nats::Connection& connection, ClusterNames names,
                               std::string node, LeaseEpoch epoch_of)
    : connection_(connection),
      names_(std::move(names)),
      node_(std::move(node)),
      epoch_of_(std::move(epoch_of)),
      incarnation_(std::random_device{}()) {}

BatchForwarder::~BatchForwarder() { Stop(); }

void BatchForwarder::Start(BoundedQueue<PostBatch>& in) {
  thread_ = std::jthread([this, &in](std::stop_token stop) { Run(stop, in); });
}

void BatchForwarder::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void BatchForwarder::Run(std::stop_token stop, BoundedQueue<PostBatch>& in) {
  while (!stop.stop_requested()) {
    std::optional<PostBatch> batch = in.Pop(stop, std::chrono::milliseconds(500));
    if (!batch) continue;
    const std::optional<uint64_t> epoch = epoch_of_(batch->source);
    if (!epoch || !Forward(stop, *batch, *epoch)) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      if (!stop.stop_requested()) {
        log::Info(kComponent, {{"source", batch->source}},
                  "batch of {} post(s) from {} dropped: this node no longer holds its lease; "
                  "the next holder reads again from the last committed cursor",
                  batch->posts.size(), batch->source);
      }
      continue;
    }
    forwarded_.fetch_add(1, std::memory_order_relaxed);
  }
}

bool BatchForwarder::Forward(std::stop_token stop, const PostBatch& batch, uint64_t epoch) {
  const std::string body = EncodeBatch(BatchEnvelope{node_, epoch, batch});
  nats::PublishOptions options;
  options.msg_id = fmt::format("batch:{}:{:x}:{}", node_, incarnation_, ++sent_);
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    auto ack = nats::Publish(connection_, names_.batch_subject, body, options);
    if (ack.ok()) return true;
    log::Warn(kComponent, {{"source", batch.source}},
              "forwarding a batch from {}: {}; retrying in {}ms", batch.source,
              ack.status().message(), backoff.count());
    if (!SleepFor(stop, backoff)) return false;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
    if (epoch_of_(batch.source) != epoch) return false;
  }
}

}  // namespace earshot::cluster
