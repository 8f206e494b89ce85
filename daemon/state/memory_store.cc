#include "daemon/state/memory_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace earshot {
namespace {

// StateStore keeps times as Unix milliseconds: what it reads back is cut to the millisecond.
SystemTime ToMillis(SystemTime t) { return FromUnixMillis(ToUnixMillis(t)); }
std::optional<SystemTime> ToMillis(const std::optional<SystemTime>& t) {
  return t ? std::optional<SystemTime>(ToMillis(*t)) : std::nullopt;
}

// A score that is not a number reads back as 0 (StateStore's FiniteScore).
double Finite(double score) { return std::isfinite(score) ? score : 0.0; }

// The record as StateStore would read it back after storing it.
IncidentRecord AsStored(IncidentRecord r) {
  r.opened_at = ToMillis(r.opened_at);
  r.last_post_at = ToMillis(r.last_post_at);
  r.last_notified_at = ToMillis(r.last_notified_at);
  r.resolved_at = ToMillis(r.resolved_at);
  if (r.first_response) {
    r.first_response->at = ToMillis(r.first_response->at);
    r.first_response->after = std::max(r.first_response->after, std::chrono::seconds(0));
  }
  r.response_due_at = ToMillis(r.response_due_at);
  r.unanswered_level = std::max(r.unanswered_level, 0);
  // Stored as its text: a reason the text cannot tell apart (a resolution) reads back as kOther.
  if (!r.pending_reason.empty()) r.pending_reason = NotifyReason::Parse(r.pending_reason.Text());
  return r;
}

PostRef AsStored(PostRef p) {
  p.created_at = ToMillis(p.created_at);
  p.sentiment = Finite(p.sentiment);
  p.complaint = Finite(p.complaint);
  p.text_bytes = 0;  // not a column: a stored post reads back whole
  return p;
}

std::string SeenKey(std::string_view source, std::string_view post_id) {
  std::string key;
  key.reserve(source.size() + 1 + post_id.size());
  key.append(source).push_back('\0');
  key.append(post_id);
  return key;
}

// Newest activity first, then by id (ListIncidents).
bool ByLastPostDescending(const IncidentRecord* a, const IncidentRecord* b) {
  if (a->last_post_at != b->last_post_at) return a->last_post_at > b->last_post_at;
  return a->id < b->id;
}

}  // namespace

MemoryStore::Incident* MemoryStore::Find(std::string_view id) {
  auto it = incidents_.find(id);
  return it == incidents_.end() ? nullptr : &it->second;
}

// ---- IncidentStore reads ------------------------------------------------------------------------

Result<bool> MemoryStore::IsPostSeen(std::string_view source, std::string_view post_id) {
  MutexLock lock(mu_);
  return seen_.contains(SeenKey(source, post_id));
}

Result<std::vector<bool>> MemoryStore::ArePostsSeen(std::string_view source,
                                                    const std::vector<std::string_view>& post_ids) {
  MutexLock lock(mu_);
  std::vector<bool> seen;
  seen.reserve(post_ids.size());
  for (std::string_view id : post_ids) seen.push_back(seen_.contains(SeenKey(source, id)));
  return seen;
}

Result<std::optional<IncidentRecord>> MemoryStore::LoadIncident(std::string_view id) {
  MutexLock lock(mu_);
  const Incident* inc = Find(id);
  return inc ? std::optional<IncidentRecord>(inc->record) : std::nullopt;
}

Result<std::vector<IncidentRecord>> MemoryStore::LoadIncidents(
    const std::vector<std::string>& ids) {
  MutexLock lock(mu_);
  std::vector<IncidentRecord> out;
  for (const std::string& id : ids) {
    if (const Incident* inc = Find(id)) out.push_back(inc->record);
  }
  return out;
}

Result<std::vector<IncidentRecord>> MemoryStore::LoadActiveIncidents() {
  MutexLock lock(mu_);
  std::vector<IncidentRecord> out;
  for (const auto& [id, inc] : incidents_) {  // a std::map: in id order
    if (inc.record.status != IncidentStatus::kResolved) out.push_back(inc.record);
  }
  return out;
}

Result<std::vector<PostRef>> MemoryStore::LoadIncidentPosts(std::string_view incident_id,
                                                            size_t limit) {
  MutexLock lock(mu_);
  std::vector<PostRef> out;
  const Incident* inc = Find(incident_id);
  if (!inc || limit == 0) return out;
  // Newest first by created_at, then by post id, descending both (StateStore's ORDER BY).
  std::vector<const PostRef*> order;
  order.reserve(inc->posts.size());
  for (const StoredPost& p : inc->posts) order.push_back(&p.post);
  const size_t n = std::min(limit, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n), order.end(),
                    [](const PostRef* a, const PostRef* b) {
                      if (a->created_at != b->created_at) return a->created_at > b->created_at;
                      return a->id > b->id;
                    });
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(*order[i]);
  return out;
}

Result<std::optional<Engagement>> MemoryStore::LoadPostEngagement(std::string_view incident_id,
                                                                  std::string_view network,
                                                                  std::string_view post_id) {
  MutexLock lock(mu_);
  if (const Incident* inc = Find(incident_id)) {
    for (const StoredPost& p : inc->posts) {
      if (p.post.network == network && p.post.id == post_id) return {p.engagement};
    }
  }
  return std::optional<Engagement>();
}

Result<bool> MemoryStore::IncidentHasAuthor(std::string_view incident_id, std::string_view author) {
  MutexLock lock(mu_);
  const Incident* inc = Find(incident_id);
  return inc && std::any_of(inc->posts.begin(), inc->posts.end(),
                            [&](const StoredPost& p) { return p.post.author == author; });
}

Result<std::vector<std::string>> MemoryStore::IncidentsWithPosts(
    const std::vector<std::string>& post_ids) {
  MutexLock lock(mu_);
  std::vector<std::string> out;
  for (const std::string& post_id : post_ids) {
    auto it = incidents_by_post_.find(post_id);
    if (it == incidents_by_post_.end()) continue;
    for (const std::string& id : it->second) {  // in id order, each once
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    }
  }
  return out;
}

Result<std::vector<std::string>> MemoryStore::AcknowledgedIncidentIds() {
  MutexLock lock(mu_);
  std::vector<std::string> out;
  for (const auto& [id, inc] : incidents_) {
    if (inc.record.status == IncidentStatus::kAcknowledged) out.push_back(id);
  }
  return out;
}

Result<std::vector<PendingAck>> MemoryStore::LoadPendingAcks() {
  MutexLock lock(mu_);
  std::vector<PendingAck> out;
  for (const auto& [id, ack] : pending_acks_) out.push_back(ack);
  return out;
}

Result<std::vector<PendingResolve>> MemoryStore::LoadPendingResolves() {
  MutexLock lock(mu_);
  std::vector<PendingResolve> out;
  for (const auto& [id, resolve] : pending_resolves_) out.push_back(resolve);
  return out;
}

Result<std::vector<SurgeKeyRecord>> MemoryStore::LoadSurgeKeys() {
  MutexLock lock(mu_);
  std::vector<SurgeKeyRecord> out;
  for (const auto& [key, record] : surge_keys_) out.push_back(record);
  return out;
}

Result<std::vector<BrandHashtagRecord>> MemoryStore::LoadBrandHashtags() {
  MutexLock lock(mu_);
  std::vector<BrandHashtagRecord> out;
  for (const auto& [tag, record] : hashtags_) out.push_back(record);
  return out;
}

Result<std::vector<SilenceRecord>> MemoryStore::ListSilences(SystemTime now, bool active_only) {
  MutexLock lock(mu_);
  const SystemTime at = ToMillis(now);
  std::vector<SilenceRecord> out;
  for (const auto& [number, s] : silences_) {
    if (!active_only || (s.starts_at <= at && s.ends_at > at)) out.push_back(s);
  }
  return out;
}

Result<uint64_t> MemoryStore::MaxOutboxSeq() {
  MutexLock lock(mu_);
  return max_seq_;
}

// ---- the one write ------------------------------------------------------------------------------

Status MemoryStore::Commit(const EscalatorCommit& c) {
  MutexLock lock(mu_);
  // Checked before anything changes, so a refused commit leaves the store as it was.
  uint64_t expect = max_seq_ + 1;
  for (const OutboxRecord& r : c.outbox) {
    if (r.seq != expect) {
      return Status::Internal(fmt::format(
          "state store (memory): {}: outbox seq {} would leave a gap (next is {}); nothing "
          "written",
          c.source.empty() ? std::string("commit escalator step")
                           : fmt::format("commit batch of source '{}'", c.source),
          r.seq, expect));
    }
    ++expect;
  }
  Apply(c);
  return Status::Ok();
}

void MemoryStore::AttachPost(const IncidentPost& ip) {
  Incident* inc = Find(ip.incident_id);
  if (!inc) return;  // StateStore's foreign key would refuse it; the escalator never sends one
  PostRef post = AsStored(ip.post);
  for (StoredPost& p : inc->posts) {
    if (p.post.network == post.network && p.post.id == post.id) {
      // An edited version: what it says now; its url, author and first counts stay.
      p.post.text = std::move(post.text);
      p.post.sentiment = post.sentiment;
      p.post.complaint = post.complaint;
      p.post.followers = post.followers;
      return;
    }
  }
  incidents_by_post_[post.id].insert(ip.incident_id);
  inc->posts.push_back({std::move(post), ip.engagement});
}

void MemoryStore::Apply(const EscalatorCommit& c) {
  for (const SeenPost& s : c.seen)
    seen_.try_emplace(SeenKey(s.source, s.post_id), ToMillis(s.seen_at));
  for (const IncidentRecord& r : c.incidents) {
    Incident& inc = incidents_[r.id];
    // `earshot ack` may have acknowledged it since the escalator read it: an "open" from the
    // escalator's cache does not undo that (a resolution still wins).
    const bool keep_ack = inc.record.status == IncidentStatus::kAcknowledged &&
                          r.status == IncidentStatus::kOpen && !inc.record.id.empty();
    inc.record = AsStored(r);
    if (keep_ack) inc.record.status = IncidentStatus::kAcknowledged;
  }
  for (const IncidentPost& ip : c.posts) AttachPost(ip);
  for (const IncidentPost& ip : c.engagement) {
    Incident* inc = Find(ip.incident_id);
    if (!inc) continue;
    for (StoredPost& p : inc->posts) {
      if (p.post.network == ip.post.network && p.post.id == ip.post.id) {
        p.engagement.replies = std::max(p.engagement.replies, ip.engagement.replies);
        p.engagement.boosts = std::max(p.engagement.boosts, ip.engagement.boosts);
        p.engagement.likes = std::max(p.engagement.likes, ip.engagement.likes);
      }
    }
  }
  for (const IncidentEvent& e : c.events) {
    if (Incident* inc = Find(e.incident_id)) {
      IncidentEvent stored = e;
      stored.at = ToMillis(e.at);
      inc->events.push_back(std::move(stored));
    }
  }
  if (!c.outbox.empty()) max_seq_ = c.outbox.back().seq;
  for (int64_t id : c.acks_done) pending_acks_.erase(id);
  for (int64_t id : c.resolves_done) pending_resolves_.erase(id);
  for (const BrandHashtagRecord& h : c.hashtags) {
    BrandHashtagRecord stored = h;
    stored.first_seen = ToMillis(h.first_seen);
    hashtags_[h.hashtag] = std::move(stored);
  }
  for (const std::string& key : c.surge.forgotten) surge_keys_.erase(key);
  for (const SurgeKeyRecord& k : c.surge.keys) {
    SurgeKeyRecord& stored = surge_keys_[k.key];
    std::vector<SurgeEventRecord> window = std::move(stored.events);
    stored = k;
    stored.hold_until = ToMillis(k.hold_until);
    stored.drop_through.reset();
    // The window is kept in time order (posts of one time in the order added), as StateStore
    // reads it back: what slid out is a prefix.
    auto by_time = [](const SurgeEventRecord& a, const SurgeEventRecord& b) { return a.at < b.at; };
    if (k.drop_through) {
      const SystemTime through = ToMillis(*k.drop_through);
      window.erase(window.begin(), std::find_if(window.begin(), window.end(),
                                                [&](const auto& e) { return e.at > through; }));
    }
    const size_t kept = window.size();
    for (const SurgeEventRecord& e : k.events) window.push_back({ToMillis(e.at), e.author});
    // A step adds its posts at the escalator's clock, which only moves on: usually in order.
    if (!std::is_sorted(window.begin() + static_cast<std::ptrdiff_t>(kept > 0 ? kept - 1 : 0),
                        window.end(), by_time)) {
      std::stable_sort(window.begin(), window.end(), by_time);
    }
    stored.events = std::move(window);
  }
}

Result<int64_t> MemoryStore::PruneSeenPosts(SystemTime before) {
  MutexLock lock(mu_);
  const SystemTime cut = ToMillis(before);
  return static_cast<int64_t>(
      std::erase_if(seen_, [&](const auto& entry) { return entry.second < cut; }));
}

// ---- OperatorStore ------------------------------------------------------------------------------

Result<std::vector<IncidentRecord>> MemoryStore::ListIncidents(std::string_view status,
                                                               size_t limit) {
  MutexLock lock(mu_);
  std::vector<const IncidentRecord*> order;
  for (const auto& [id, inc] : incidents_) {
    if (status.empty() || IncidentStatusName(inc.record.status) == status) {
      order.push_back(&inc.record);
    }
  }
  std::sort(order.begin(), order.end(), ByLastPostDescending);
  std::vector<IncidentRecord> out;
  for (size_t i = 0; i < order.size() && i < limit; ++i) out.push_back(*order[i]);
  return out;
}

Result<std::vector<IncidentEvent>> MemoryStore::LoadIncidentEvents(std::string_view incident_id) {
  MutexLock lock(mu_);
  const Incident* inc = Find(incident_id);
  return inc ? inc->events : std::vector<IncidentEvent>();
}

Result<std::vector<IncidentRecord>> MemoryStore::ListIncidentsOpenedBetween(SystemTime since,
                                                                            SystemTime until) {
  MutexLock lock(mu_);
  const SystemTime from = ToMillis(since), to = ToMillis(until);
  std::vector<std::pair<SystemTime, const IncidentRecord*>> found;
  for (const auto& [id, inc] : incidents_) {
    if (inc.record.category != IncidentKind::kComplaint) continue;
    const SystemTime first = FirstOpenedAt(inc.record);
    if (first >= from && first < to) found.emplace_back(first, &inc.record);
  }
  // By first opening, then id: the map gave id order, a stable sort keeps it within a time.
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<IncidentRecord> out;
  out.reserve(found.size());
  for (const auto& [first, record] : found) out.push_back(*record);
  return out;
}

Status MemoryStore::AcknowledgeIncident(std::string_view id, std::string_view by, SystemTime now) {
  MutexLock lock(mu_);
  Incident* inc = Find(id);
  if (!inc) {
    return Status::NotFound(
        fmt::format("incident '{}': no such incident; see `earshot incidents` for the ids", id));
  }
  if (inc->record.status == IncidentStatus::kResolved) {
    return Status::InvalidArgument(
        fmt::format("incident '{}': already resolved; nothing to acknowledge", id));
  }
  if (inc->record.status == IncidentStatus::kAcknowledged) return Status::Ok();
  if (ResolvePending(id)) {
    return Status::InvalidArgument(fmt::format(
        "incident '{}': already resolved by hand (the daemon carries it out within a second); "
        "nothing to acknowledge",
        id));
  }
  inc->record.status = IncidentStatus::kAcknowledged;
  const SystemTime at = ToMillis(now);
  inc->events.push_back(
      {std::string(id), at, IncidentEventKind::kAcknowledged, inc->record.severity,
       NotifyReason::Of(NotifyReason::Kind::kAcknowledged, std::string(by)).Text(), 0});
  const int64_t ack_id = next_ack_id_++;
  pending_acks_[ack_id] = PendingAck{ack_id, std::string(id), std::string(by), at};
  return Status::Ok();
}

bool MemoryStore::ResolvePending(std::string_view id) const {
  return std::any_of(pending_resolves_.begin(), pending_resolves_.end(),
                     [&](const auto& entry) { return entry.second.incident_id == id; });
}

Status MemoryStore::ResolveIncident(std::string_view id, std::string_view by, SystemTime now) {
  MutexLock lock(mu_);
  Incident* inc = Find(id);
  if (!inc) {
    return Status::NotFound(
        fmt::format("incident '{}': no such incident; see `earshot incidents` for the ids", id));
  }
  if (inc->record.status == IncidentStatus::kResolved || ResolvePending(id)) return Status::Ok();
  // As StateStore: the status is the escalator's to change when it carries the record out.
  const SystemTime at = ToMillis(now);
  inc->events.push_back({std::string(id), at, IncidentEventKind::kResolved, inc->record.severity,
                         ResolvedByReason(by), 0});
  const int64_t resolve_id = next_resolve_id_++;
  pending_resolves_[resolve_id] = PendingResolve{resolve_id, std::string(id), std::string(by), at};
  return Status::Ok();
}

Result<std::string> MemoryStore::AddSilence(const SilenceRecord& silence) {
  MutexLock lock(mu_);
  // As StateStore: a given id (a cluster replica's) is kept, once; SQLite's next rowid is then
  // one past the highest.
  const std::optional<int64_t> given = silence.id.empty() ? std::nullopt : SilenceNumber(silence.id);
  if (!silence.id.empty() && (!given || *given <= 0)) {
    return Status::InvalidArgument(fmt::format("silence id '{}' is not sil-N", silence.id));
  }
  if (given && silences_.count(*given) > 0) return silence.id;
  const int64_t number = given ? *given : next_silence_;
  next_silence_ = std::max(next_silence_, number + 1);
  SilenceRecord& stored = silences_[number] = silence;
  stored.id = fmt::format("sil-{}", number);
  stored.starts_at = ToMillis(silence.starts_at);
  stored.ends_at = ToMillis(silence.ends_at);
  return stored.id;
}

Status MemoryStore::ExpireSilence(std::string_view id, SystemTime now) {
  const std::optional<int64_t> number = SilenceNumber(id);
  if (!number) {
    return Status::NotFound(
        fmt::format("silence '{}': no such silence (ids look like sil-3; "
                    "see `earshot silence list`)",
                    id));
  }
  MutexLock lock(mu_);
  auto it = silences_.find(*number);
  if (it == silences_.end()) {
    return Status::NotFound(
        fmt::format("silence '{}': no such silence; see `earshot silence list`", id));
  }
  it->second.ends_at = std::min(it->second.ends_at, ToMillis(now));
  return Status::Ok();
}

}  // namespace earshot
