#include "daemon/nats/kv_bucket.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/nats/nats_error.h"

namespace earshot::nats {
namespace {

struct EntryDeleter {
  void operator()(kvEntry* e) const { kvEntry_Destroy(e); }
};
using EntryPtr = std::unique_ptr<kvEntry, EntryDeleter>;

KvEntry ToEntry(kvEntry* e) {
  KvEntry out;
  out.key = kvEntry_Key(e);
  const char* data = static_cast<const char*>(kvEntry_Value(e));
  out.value.assign(data != nullptr ? data : "", static_cast<size_t>(kvEntry_ValueLen(e)));
  out.revision = kvEntry_Revision(e);
  out.written = SystemTime(std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::nanoseconds(kvEntry_Created(e))));
  return out;
}

}  // namespace

Result<std::unique_ptr<KvBucket>> KvBucket::Open(const Connection& connection, const KvSpec& spec) {
  std::unique_ptr<KvBucket> b(new KvBucket());
  b->name_ = spec.bucket;
  natsStatus s = js_KeyValue(&b->kv_, connection.js(), spec.bucket.c_str());
  if (s == NATS_OK) return b;
  b->kv_ = nullptr;
  if (s != NATS_NOT_FOUND) return FromNats(s, fmt::format("KV bucket {}", spec.bucket));
  kvConfig cfg;
  kvConfig_Init(&cfg);
  cfg.Bucket = spec.bucket.c_str();
  cfg.Description = spec.description.c_str();
  cfg.History = static_cast<uint8_t>(std::clamp(spec.history, 1, 64));
  cfg.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(spec.ttl).count();
  cfg.Replicas = spec.replicas;
  cfg.StorageType = js_FileStorage;
  s = js_CreateKeyValue(&b->kv_, connection.js(), &cfg);
  if (s != NATS_OK) {
    b->kv_ = nullptr;
    // Read the failure now: the bind below resets the thread's last error, and with it the
    // server's reason ("no suitable peers for placement").
    Status failed = FromNats(s, fmt::format("create KV bucket {} ({} replica(s))", spec.bucket,
                                            spec.replicas));
    // Another node created it between our two calls: bind to theirs.
    if (js_KeyValue(&b->kv_, connection.js(), spec.bucket.c_str()) == NATS_OK) return b;
    b->kv_ = nullptr;
    return failed;
  }
  return b;
}

KvBucket::~KvBucket() {
  if (kv_ != nullptr) kvStore_Destroy(kv_);
}

std::string KvBucket::Describe(std::string_view op, std::string_view key) const {
  return fmt::format("KV {} {} {}", name_, op, key);
}

Result<std::optional<KvEntry>> KvBucket::Get(std::string_view key) {
  const std::string k(key);
  kvEntry* raw = nullptr;
  natsStatus s = kvStore_Get(&raw, kv_, k.c_str());
  if (s == NATS_NOT_FOUND) return std::optional<KvEntry>();
  if (s != NATS_OK) return FromNats(s, Describe("get", key));
  EntryPtr e(raw);
  return std::optional<KvEntry>(ToEntry(e.get()));
}

Result<uint64_t> KvBucket::Create(std::string_view key, std::string_view value) {
  const std::string k(key);
  uint64_t rev = 0;
  natsStatus s = kvStore_Create(&rev, kv_, k.c_str(), value.data(), static_cast<int>(value.size()));
  if (s != NATS_OK) {
    Status status = FromNats(s, Describe("create", key));
    // The server answers a create on a live key with "wrong last sequence".
    if (status.code() == Status::Code::kAborted) {
      return Status::Aborted(Describe("create", key) + ": the key already has a value");
    }
    return status;
  }
  return rev;
}

Result<uint64_t> KvBucket::Update(std::string_view key, std::string_view value, uint64_t expected) {
  const std::string k(key);
  uint64_t rev = 0;
  natsStatus s =
      kvStore_Update(&rev, kv_, k.c_str(), value.data(), static_cast<int>(value.size()), expected);
  if (s != NATS_OK) {
    Status status = FromNats(s, Describe("update", key));
    if (status.code() == Status::Code::kAborted) {
      return Status::Aborted(fmt::format("{}: revision {} is no longer the latest",
                                         Describe("update", key), expected));
    }
    return status;
  }
  return rev;
}

Result<uint64_t> KvBucket::Put(std::string_view key, std::string_view value) {
  const std::string k(key);
  uint64_t rev = 0;
  natsStatus s = kvStore_Put(&rev, kv_, k.c_str(), value.data(), static_cast<int>(value.size()));
  if (s != NATS_OK) return FromNats(s, Describe("put", key));
  return rev;
}

Status KvBucket::Delete(std::string_view key) {
  const std::string k(key);
  return FromNats(kvStore_Delete(kv_, k.c_str()), Describe("delete", key));
}

Result<std::vector<KvEntry>> KvBucket::All(std::chrono::milliseconds list_timeout) {
  kvKeysList keys{};
  kvWatchOptions options;
  kvWatchOptions_Init(&options);
  options.Timeout = list_timeout.count();
  natsStatus s = kvStore_Keys(&keys, kv_, list_timeout.count() > 0 ? &options : nullptr);
  std::vector<KvEntry> out;
  if (s == NATS_NOT_FOUND) return out;  // an empty bucket
  if (s != NATS_OK) return FromNats(s, fmt::format("KV {} keys", name_));
  for (int i = 0; i < keys.Count; ++i) {
    auto entry = Get(keys.Keys[i]);
    if (!entry.ok()) {
      kvKeysList_Destroy(&keys);
      return entry.status();
    }
    // A key deleted or expired between the listing and the read is simply gone.
    if (entry->has_value()) out.push_back(**std::move(entry));
  }
  kvKeysList_Destroy(&keys);
  std::sort(out.begin(), out.end(),
            [](const KvEntry& a, const KvEntry& b) { return a.key < b.key; });
  return out;
}

}  // namespace earshot::nats
