#include "daemon/nats/ordered_reader.h"

#include <fmt/format.h>

#include <cstdlib>

#include "daemon/nats/nats_error.h"

namespace earshot::nats {
namespace {

struct MsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};

}  // namespace

Result<std::unique_ptr<OrderedReader>> OrderedReader::Open(const Connection& connection,
                                                           std::string_view stream,
                                                           std::string_view filter,
                                                           uint64_t start_seq) {
  std::unique_ptr<OrderedReader> r(new OrderedReader());
  r->stream_ = std::string(stream);
  const std::string subject(filter);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = r->stream_.c_str();
  so.Ordered = true;
  so.Config.DeliverPolicy = start_seq <= 1 ? js_DeliverAll : js_DeliverByStartSequence;
  if (start_seq > 1) so.Config.OptStartSeq = start_seq;
  jsOptions o;
  jsOptions_Init(&o);
  o.Wait = connection.timeout().count();
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_SubscribeSync(&r->sub_, connection.js(),
                                  subject.empty() ? nullptr : subject.c_str(), &o, &so, &code);
  if (s != NATS_OK) {
    r->sub_ = nullptr;
    return FromNats(s, fmt::format("read stream {} from {}", stream, start_seq), code);
  }
  return r;
}

OrderedReader::~OrderedReader() {
  if (sub_ != nullptr) {
    natsSubscription_Unsubscribe(sub_);
    natsSubscription_Destroy(sub_);
  }
}

Result<std::optional<StoredMessage>> OrderedReader::Next(std::chrono::milliseconds timeout) {
  natsMsg* raw = nullptr;
  natsStatus s = natsSubscription_NextMsg(&raw, sub_, timeout.count());
  if (s == NATS_TIMEOUT) return std::optional<StoredMessage>();
  if (s != NATS_OK) return FromNats(s, fmt::format("read stream {}", stream_));
  std::unique_ptr<natsMsg, MsgDeleter> msg(raw);
  StoredMessage out;
  jsMsgMetaData* meta = nullptr;
  if (natsStatus m = natsMsg_GetMetaData(&meta, msg.get()); m != NATS_OK) {
    return FromNats(m, fmt::format("read stream {}: message metadata", stream_));
  }
  out.seq = meta->Sequence.Stream;
  out.time = SystemTime(std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::nanoseconds(meta->Timestamp)));
  jsMsgMetaData_Destroy(meta);
  out.subject = natsMsg_GetSubject(msg.get());
  const char* data = natsMsg_GetData(msg.get());
  out.data.assign(data != nullptr ? data : "", static_cast<size_t>(natsMsg_GetDataLength(msg.get())));
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(msg.get(), &keys, &count) == NATS_OK) {
    for (int i = 0; i < count; ++i) {
      const char* value = nullptr;
      if (natsMsgHeader_Get(msg.get(), keys[i], &value) == NATS_OK && value != nullptr) {
        out.headers.emplace_back(keys[i], value);
      }
    }
    free(static_cast<void*>(keys));
  }
  return std::optional<StoredMessage>(std::move(out));
}

}  // namespace earshot::nats
