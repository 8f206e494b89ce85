#include "daemon/cluster/lease_table.h"

#include <fmt/format.h>

#include <utility>

#include "daemon/cluster/lease_key.h"

namespace earshot::cluster {

LeaseTable::LeaseTable(nats::KvBucket& bucket, std::string node, std::chrono::milliseconds ttl,
                       Clock& clock)
    : bucket_(bucket), node_(std::move(node)), ttl_(ttl), clock_(clock) {}

std::chrono::milliseconds LeaseTable::TrustFor() const { return ttl_ - ttl_ / 5; }

Result<std::optional<HeldLease>> LeaseTable::Take(std::string_view name,
                                                  std::optional<uint64_t> revision,
                                                  SteadyTime started) {
  // The epoch is the revision this very write lands at: the bucket's revisions only grow, so
  // it is higher than any earlier holder's. It is known once the write lands; the record
  // carries it from the first renewal on (readers need only the holder).
  LeaseRecord record;
  record.holder = node_;
  record.acquired = clock_.Now();
  const std::string key = LeaseKey(name);
  Result<uint64_t> written = revision ? bucket_.Update(key, record.ToJson(), *revision)
                                      : bucket_.Create(key, record.ToJson());
  if (!written.ok()) {
    if (written.status().code() == Status::Code::kAborted) return std::optional<HeldLease>();
    return written.status();
  }
  HeldLease held;
  held.name = std::string(name);
  held.revision = *written;
  held.epoch = *written;
  held.acquired = record.acquired;
  held.valid_until = started + TrustFor();
  return std::optional<HeldLease>(std::move(held));
}

Result<std::optional<HeldLease>> LeaseTable::TryAcquire(std::string_view name) {
  const SteadyTime started = clock_.SteadyNow();
  EARSHOT_ASSIGN_OR_RETURN(std::optional<nats::KvEntry> entry, bucket_.Get(LeaseKey(name)));
  if (!entry) return Take(name, std::nullopt, started);
  auto record = LeaseRecord::FromJson(entry->value);
  // A record earshot cannot read is taken over like a released one: the lease is unusable as
  // it is, and the compare-and-set still keeps two nodes from both taking it.
  if (record.ok() && !record->holder.empty() && record->holder != node_) {
    return std::optional<HeldLease>();
  }
  return Take(name, entry->revision, started);
}

Status LeaseTable::Renew(HeldLease* lease) {
  const SteadyTime started = clock_.SteadyNow();
  LeaseRecord record;
  record.holder = node_;
  record.epoch = lease->epoch;
  record.acquired = lease->acquired;
  Result<uint64_t> written = bucket_.Update(LeaseKey(lease->name), record.ToJson(),
                                            lease->revision);
  if (!written.ok()) {
    lease->valid_until = SteadyTime{};
    if (written.status().code() == Status::Code::kAborted) {
      return Status::Aborted(fmt::format("lease {} was lost: another node took it, or it lapsed",
                                         lease->name));
    }
    return written.status();
  }
  lease->revision = *written;
  lease->valid_until = started + TrustFor();
  return Status::Ok();
}

Status LeaseTable::Release(const HeldLease& lease) {
  LeaseRecord record;  // holder "": free
  record.epoch = lease.epoch;
  record.acquired = lease.acquired;
  Result<uint64_t> written = bucket_.Update(LeaseKey(lease.name), record.ToJson(), lease.revision);
  if (!written.ok() && written.status().code() != Status::Code::kAborted) return written.status();
  return Status::Ok();
}

Result<std::vector<LeaseView>> LeaseTable::List() {
  EARSHOT_ASSIGN_OR_RETURN(std::vector<nats::KvEntry> entries, bucket_.All());
  std::vector<LeaseView> out;
  for (nats::KvEntry& e : entries) {
    std::optional<std::string> name = LeaseNameOf(e.key);
    auto record = LeaseRecord::FromJson(e.value);
    if (!name || !record.ok()) continue;  // not a lease earshot wrote
    LeaseView v;
    v.name = *std::move(name);
    v.record = *std::move(record);
    v.revision = e.revision;
    v.renewed = e.written;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace earshot::cluster
