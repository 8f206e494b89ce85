#include "daemon/nats/jetstream.h"

#include <fmt/format.h>

#include <memory>

#include "daemon/nats/nats_error.h"

namespace earshot::nats {
namespace {

struct MsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};
using MsgPtr = std::unique_ptr<natsMsg, MsgDeleter>;

jsOptions ApiOptions(const Connection& c) {
  jsOptions o;
  jsOptions_Init(&o);
  o.Wait = c.timeout().count();
  return o;
}

StoredMessage ToStored(natsMsg* m) {
  StoredMessage out;
  out.seq = natsMsg_GetSequence(m);
  out.subject = natsMsg_GetSubject(m);
  const char* data = natsMsg_GetData(m);
  out.data.assign(data != nullptr ? data : "", static_cast<size_t>(natsMsg_GetDataLength(m)));
  out.time = SystemTime(std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::nanoseconds(natsMsg_GetTime(m))));
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(m, &keys, &count) == NATS_OK) {
    for (int i = 0; i < count; ++i) {
      const char* value = nullptr;
      if (natsMsgHeader_Get(m, keys[i], &value) == NATS_OK && value != nullptr) {
        out.headers.emplace_back(keys[i], value);
      }
    }
    free(static_cast<void*>(keys));
  }
  return out;
}

}  // namespace

std::string StoredMessage::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}

Status EnsureStream(const Connection& connection, const StreamSpec& spec) {
  jsOptions o = ApiOptions(connection);
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, connection.js(), spec.name.c_str(), &o, &code);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::Ok();
  }
  if (s != NATS_NOT_FOUND && code != JSStreamNotFoundErr) {
    return FromNats(s, fmt::format("stream {}", spec.name), code);
  }
  std::vector<const char*> subjects;
  for (const std::string& subject : spec.subjects) subjects.push_back(subject.c_str());
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = spec.name.c_str();
  cfg.Description = spec.description.c_str();
  cfg.Subjects = subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  cfg.Storage = js_FileStorage;
  cfg.Replicas = spec.replicas;
  cfg.MaxAge = std::chrono::duration_cast<std::chrono::nanoseconds>(spec.max_age).count();
  cfg.Duplicates =
      std::chrono::duration_cast<std::chrono::nanoseconds>(spec.duplicate_window).count();
  cfg.MaxBytes = spec.max_bytes;
  code = static_cast<jsErrCode>(0);
  s = js_AddStream(&info, connection.js(), &cfg, &o, &code);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::Ok();
  }
  // Another node created it first: the same name with the same subjects is fine.
  if (code == JSStreamNameExistErr &&
      js_GetStreamInfo(&info, connection.js(), spec.name.c_str(), &o, nullptr) == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return Status::Ok();
  }
  return FromNats(s, fmt::format("create stream {} ({} replica(s))", spec.name, spec.replicas),
                  code);
}

Result<PublishAck> Publish(const Connection& connection, std::string_view subject,
                           std::string_view data, const PublishOptions& options) {
  const std::string subj(subject);
  natsMsg* raw = nullptr;
  if (natsStatus s = natsMsg_Create(&raw, subj.c_str(), nullptr, data.data(),
                                    static_cast<int>(data.size()));
      s != NATS_OK) {
    return FromNats(s, fmt::format("message for {}", subject));
  }
  MsgPtr msg(raw);
  for (const auto& [k, v] : options.headers) {
    if (natsStatus s = natsMsgHeader_Set(msg.get(), k.c_str(), v.c_str()); s != NATS_OK) {
      return FromNats(s, fmt::format("header {} for {}", k, subject));
    }
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = connection.timeout().count();
  if (!options.msg_id.empty()) po.MsgId = options.msg_id.c_str();
  if (options.expect_last_subject_seq) {
    // libnats sends the header only for a non-zero value; "the subject must be empty" is the
    // stream-wide check on a fresh subject, which the caller expresses as 0.
    if (*options.expect_last_subject_seq > 0) {
      po.ExpectLastSubjectSeq = *options.expect_last_subject_seq;
    } else {
      natsMsgHeader_Set(msg.get(), "Nats-Expected-Last-Subject-Sequence", "0");
    }
  }
  jsPubAck* ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_PublishMsg(&ack, connection.js(), msg.get(), &po, &code);
  if (s != NATS_OK) return FromNats(s, fmt::format("publish to {}", subject), code);
  PublishAck out{ack->Sequence, ack->Duplicate};
  jsPubAck_Destroy(ack);
  return out;
}

Result<std::optional<StoredMessage>> GetMessage(const Connection& connection,
                                                std::string_view stream, uint64_t seq) {
  const std::string name(stream);
  jsOptions o = ApiOptions(connection);
  natsMsg* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetMsg(&raw, connection.js(), name.c_str(), seq, &o, &code);
  if (s == NATS_NOT_FOUND || code == JSNoMessageFoundErr) return std::optional<StoredMessage>();
  if (s != NATS_OK) return FromNats(s, fmt::format("stream {} message {}", stream, seq), code);
  MsgPtr msg(raw);
  return std::optional<StoredMessage>(ToStored(msg.get()));
}

Result<std::optional<StoredMessage>> LastMessage(const Connection& connection,
                                                 std::string_view stream,
                                                 std::string_view subject) {
  const std::string name(stream), subj(subject);
  jsOptions o = ApiOptions(connection);
  natsMsg* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetLastMsg(&raw, connection.js(), name.c_str(), subj.c_str(), &o, &code);
  if (s == NATS_NOT_FOUND || code == JSNoMessageFoundErr) return std::optional<StoredMessage>();
  if (s != NATS_OK) {
    return FromNats(s, fmt::format("stream {} last message on {}", stream, subject), code);
  }
  MsgPtr msg(raw);
  return std::optional<StoredMessage>(ToStored(msg.get()));
}

Result<StreamState> GetStreamState(const Connection& connection, std::string_view stream) {
  const std::string name(stream);
  jsOptions o = ApiOptions(connection);
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, connection.js(), name.c_str(), &o, &code);
  if (s != NATS_OK) return FromNats(s, fmt::format("stream {}", stream), code);
  StreamState out{info->State.Msgs, info->State.Bytes, info->State.FirstSeq, info->State.LastSeq};
  jsStreamInfo_Destroy(info);
  return out;
}

}  // namespace earshot::nats
