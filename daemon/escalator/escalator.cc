#include "daemon/escalator/escalator.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "daemon/base/log.h"
#include "daemon/escalator/escalator_step.h"
#include "daemon/escalator/incident_key.h"
#include "daemon/model/escalation_json.h"

namespace earshot {
namespace {

constexpr const char* kComponent = "escalator";
constexpr auto kPruneEvery = std::chrono::hours(1);

// The loudest complaint decides; a post that complains and thanks at once is a complaint.
const Detection* LoudestComplaint(const DetectedPost& dp) {
  const Detection* complaint = nullptr;
  for (const Detection& d : dp.detections) {
    if (d.category == Category::kComplaint &&
        (complaint == nullptr || d.severity > complaint->severity)) {
      complaint = &d;
    }
  }
  return complaint;
}

// Stages the surge detector's changes for one step: kept only when the step committed.
class SurgeStep {
 public:
  explicit SurgeStep(SurgeDetector& d) : d_(d) { d_.Begin(); }
  ~SurgeStep() {
    if (!done_) d_.Rollback();
  }
  SurgeStep(const SurgeStep&) = delete;
  SurgeStep& operator=(const SurgeStep&) = delete;
  void Commit() {
    d_.Commit();
    done_ = true;
  }

 private:
  SurgeDetector& d_;
  bool done_ = false;
};

}  // namespace

Escalator::Escalator(IncidentStore& store, EscalatorOptions options, Clock& clock, Publish publish)
    : store_(store),
      options_(std::move(options)),
      clock_(clock),
      publish_(std::move(publish)),
      book_(store_),
      silences_(store_),
      surges_(options_, book_),
      pager_(options_, silences_, surges_),
      momentum_(options_, store_, book_, pager_),
      hashtags_(options_, book_, pager_),
      silent_(options_, book_, pager_),
      responses_(options_, book_, pager_),
      complaints_(options_, store_, book_, pager_, momentum_),
      loop_([this](const PostBatch& batch) { return Process(batch); }, [this] { return Tick(); }) {}

Escalator::~Escalator() {
  RequestStop();
  Join();
}

void Escalator::SetRuleHashtags(const std::vector<std::string>& hashtags) {
  hashtags_.SetRuleHashtags(hashtags);
}

void Escalator::SetFileSilences(std::vector<FileSilence> silences) {
  silences_.SetFile(std::move(silences));
}

size_t Escalator::file_silence_count() const { return silences_.file_count(); }

std::optional<size_t> Escalator::committed_active_incidents() const {
  const int64_t n = committed_active_.load(std::memory_order_relaxed);
  if (n < 0) return std::nullopt;
  return static_cast<size_t>(n);
}

void Escalator::Start(BoundedQueue<PostBatch>& in) { loop_.Start(in); }

void Escalator::RequestStop() { loop_.RequestStop(); }

void Escalator::Join() { loop_.Join(); }

Status Escalator::EnsureLoaded() {
  if (loaded_) return Status::Ok();
  EARSHOT_RETURN_IF_ERROR(book_.Load());
  EARSHOT_ASSIGN_OR_RETURN(uint64_t max_seq, store_.MaxOutboxSeq());
  last_seq_ = max_seq;
  last_prune_ = clock_.Now();
  EARSHOT_RETURN_IF_ERROR(hashtags_.Load(store_));
  EARSHOT_RETURN_IF_ERROR(surges_.Load(store_, last_prune_));
  EARSHOT_RETURN_IF_ERROR(silences_.Refresh(clock_.Now()));
  loaded_ = true;
  committed_active_.store(static_cast<int64_t>(book_.size()), std::memory_order_relaxed);
  log::Info(kComponent, "{} active incident(s), outbox at seq {}", book_.size(), last_seq_);
  return Status::Ok();
}

Status Escalator::Prefetch(EscalationStep& step, const PostBatch& batch,
                           const std::vector<bool>& seen) {
  std::vector<std::string> candidates;
  size_t i = 0;
  for (const DetectedPost& dp : batch.posts) {
    if (dp.detections.empty() || seen[i++]) continue;
    const Post& p = dp.post;
    const Detection* complaint = LoudestComplaint(dp);
    std::string id = IncidentIdFor(complaint != nullptr
                                       ? GroupKeyFor(p, *complaint)
                                       : AuthorThreadKey(p.network, p.author.handle, ThreadOf(p)));
    if (!book_.contains(id)) candidates.push_back(std::move(id));
  }
  EARSHOT_ASSIGN_OR_RETURN(auto stored, store_.LoadIncidents(candidates));
  for (auto& inc : stored) {
    std::string id = inc.id;
    step.stored.emplace(std::move(id), std::move(inc));
  }
  step.prefetched = true;
  return Status::Ok();
}

Status Escalator::Process(const PostBatch& batch) {
  EARSHOT_RETURN_IF_ERROR(EnsureLoaded());
  SurgeStep surge_step(surges_.detector());
  EscalationStep step;
  step.now = clock_.Now();
  step.commit.source = batch.source;
  step.commit.cursor = batch.cursor;
  step.commit.input_seq = batch.input_seq;
  // Posts no rule matched cannot page; remembering them would only cost writes. An edited post
  // is seen under its id and edit stamp: each version is judged once.
  std::vector<std::string> seen_keys;
  for (const DetectedPost& dp : batch.posts) {
    if (!dp.detections.empty()) seen_keys.push_back(SeenKey(dp.post));
  }
  const std::vector<std::string_view> ids(seen_keys.begin(), seen_keys.end());
  EARSHOT_ASSIGN_OR_RETURN(std::vector<bool> seen, store_.ArePostsSeen(batch.source, ids));
  EARSHOT_RETURN_IF_ERROR(Prefetch(step, batch, seen));
  std::unordered_set<std::string_view> in_batch;
  size_t next = 0;
  for (const DetectedPost& dp : batch.posts) {
    if (dp.detections.empty()) continue;
    const std::string& key = seen_keys[next];
    if (seen[next++]) {
      if (!in_batch.insert(key).second) continue;  // its growth counts once per batch
      // Read again (a re-fetch, an overlapping page): only its counts may have grown.
      if (const Detection* complaint = LoudestComplaint(dp)) {
        momentum_.RefreshEngagement(step, dp, *complaint);
      }
      if (!step.error.ok()) return step.error;
      continue;
    }
    if (!in_batch.insert(key).second) continue;
    step.commit.seen.push_back({batch.source, key, step.now});

    const Detection* complaint = LoudestComplaint(dp);
    bool resolution = false;
    for (const Detection& d : dp.detections) {
      resolution = resolution || d.category == Category::kResolution;
    }
    // A staff account's post is the brand speaking: an apology ("so sorry your bag is lost,
    // @AcmeAir will DM you") reads like a complaint to the rules, but it is the answer.
    if (complaints_.IsStaff(dp.post.author.handle)) {
      complaints_.Resolution(step, dp);
    } else if (complaint != nullptr) {
      HandleComplaint(step, dp, *complaint, batch.source);
    } else if (resolution) {
      complaints_.Resolution(step, dp);
    }
    // Praise and noise are remembered as seen and never page.
    if (!step.error.ok()) return step.error;
  }
  // A staff reply resolves even when no rule matched it.
  for (const DetectedPost& dp : batch.posts) {
    if (dp.detections.empty() && complaints_.IsStaff(dp.post.author.handle)) {
      complaints_.Resolution(step, dp);
    }
  }
  if (!step.error.ok()) return step.error;
  EARSHOT_RETURN_IF_ERROR(ResolveDeleted(step, batch));
  // Only pollers vouch for a fetch: replayed or hand-made batches never watch a source.
  const bool heard = batch.fetch_ok;
  if (heard) silent_.FetchedAgain(step, batch.source);
  EARSHOT_RETURN_IF_ERROR(Finish(step));
  surge_step.Commit();
  if (heard) silent_.Heard(batch.source, step.now);
  return Status::Ok();
}

void Escalator::HandleComplaint(EscalationStep& step, const DetectedPost& dp, const Detection& d,
                                const std::string& source) {
  if (options_.surge_enabled) surges_.Observe(step, dp, d, pager_);
  if (!step.error.ok()) return;
  if (hashtags_.enabled()) hashtags_.Observe(step, dp, source);
  if (!step.error.ok()) return;
  complaints_.Complaint(step, dp, d, source);
}

Status Escalator::ResolveDeleted(EscalationStep& step, const PostBatch& batch) {
  if (batch.deleted_ids.empty()) return Status::Ok();
  // In this batch's commit. The deleted posts may be stored or still in this step.
  EARSHOT_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                           store_.IncidentsWithPosts(batch.deleted_ids));
  for (const auto& [id, refs] : step.new_posts) {
    for (const PostRef& ref : refs) {
      if (std::find(batch.deleted_ids.begin(), batch.deleted_ids.end(), ref.id) !=
          batch.deleted_ids.end()) {
        ids.push_back(id);
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  for (const std::string& id : ids) {
    IncidentRecord* inc = book_.Touch(step, id, /*load_resolved=*/false);
    if (inc == nullptr || inc->status == IncidentStatus::kResolved) continue;
    // One deleted post does not end a storm, nor unsay a new hashtag; and post ids are per
    // source.
    if (inc->category == IncidentKind::kSurge || inc->category == IncidentKind::kNewHashtag) {
      continue;
    }
    auto src = inc->labels.find("source");
    if (src != inc->labels.end() && src->second != batch.source) continue;
    step.Resolve(*inc, "post deleted");
  }
  return Status::Ok();
}

Status Escalator::Finish(EscalationStep& step) {
  EscalatorCommit& commit = step.commit;
  std::vector<Escalation> escalations;
  escalations.reserve(step.intents.size());
  for (const EscalationStep::Intent& intent : step.intents) {
    const IncidentRecord& inc = step.touched.at(intent.id);
    Escalation e;
    e.seq = last_seq_ + escalations.size() + 1;
    e.incident_id = inc.id;
    e.kind = intent.kind;
    e.severity = inc.severity;
    e.rule_id = inc.rule_id;
    e.category = std::string(IncidentKindName(inc.category));
    e.summary = inc.summary;
    e.reason = intent.reason.Text();
    e.labels = inc.labels;
    for (const auto& [key, value] : intent.labels) e.labels[key] = value;
    e.at = step.now;
    e.first_response = intent.first_response;
    // The newest posts: this step's (not yet committed) and the stored ones.
    std::vector<PostRef> posts = step.new_posts[inc.id];
    // A new incident's posts are all in this step: skip the read.
    if (static_cast<int64_t>(posts.size()) < inc.post_count ||
        intent.kind != Escalation::Kind::kOpen) {
      EARSHOT_ASSIGN_OR_RETURN(auto stored,
                               store_.LoadIncidentPosts(inc.id, options_.posts_per_escalation));
      posts.insert(posts.end(), stored.begin(), stored.end());
    }
    std::stable_sort(posts.begin(), posts.end(), [](const PostRef& a, const PostRef& b) {
      return a.created_at > b.created_at;
    });
    std::unordered_set<std::string> ids;
    for (PostRef& p : posts) {
      if (e.posts.size() >= options_.posts_per_escalation) break;
      if (ids.insert(p.network + "/" + p.id).second) e.posts.push_back(std::move(p));
    }
    commit.outbox.push_back({e.seq, EscalationToJson(e), step.now});
    commit.events.push_back({inc.id, step.now, EventKindOf(e.kind), e.severity, e.reason, e.seq});
    escalations.push_back(std::move(e));
  }
  for (const std::string& id : step.order) commit.incidents.push_back(step.touched.at(id));
  for (const auto& [tag, rec] : step.hashtags) commit.hashtags.push_back(rec);
  // The surge counts this step changed, in the same transaction as the posts they count.
  commit.surge = surges_.detector().Changes(step.now);

  const bool empty = commit.seen.empty() && commit.incidents.empty() && commit.events.empty() &&
                     commit.surge.empty() && commit.acks_done.empty() &&
                     commit.resolves_done.empty() &&
                     !(commit.cursor && !commit.source.empty()) && !commit.input_seq;
  if (!empty) EARSHOT_RETURN_IF_ERROR(store_.Commit(commit));

  // Committed: now the in-memory view may follow, and the world may hear of it.
  CountResponses(step);
  book_.Apply(step);
  committed_active_.store(static_cast<int64_t>(book_.size()), std::memory_order_relaxed);
  hashtags_.Apply(step);
  last_seq_ += escalations.size();
  for (size_t i = 0; i < escalations.size(); ++i) {
    const Escalation& e = escalations[i];
    log::Fields fields{{"seq", e.seq},
                       {"incident_id", e.incident_id},
                       {"kind", KindName(e.kind)},
                       {"severity", SeverityName(e.severity)},
                       {"rule", e.rule_id},
                       {"category", e.category}};
    if (!e.posts.empty()) fields.Add({"network", e.posts.back().network});
    log::Info(kComponent, fields, "seq {} {} {} [{}] {}: {}", e.seq, KindName(e.kind),
              e.incident_id, SeverityName(e.severity), e.reason, e.summary);
    if (publish_) publish_(e, commit.outbox[i].json);
  }
  return Status::Ok();
}

void Escalator::CountResponses(const EscalationStep& step) {
  auto brand_of = [](const IncidentRecord& inc) {
    auto it = inc.labels.find("brand");
    return it == inc.labels.end() ? std::string() : it->second;
  };
  for (const std::string& id : step.answered) {
    const IncidentRecord& inc = step.touched.at(id);
    if (inc.first_response) {
      response_metrics_.ObserveFirstResponse(brand_of(inc), inc.severity,
                                             inc.first_response->after);
    }
  }
  for (const std::string& id : step.breached) {
    const IncidentRecord& inc = step.touched.at(id);
    response_metrics_.CountBreach(brand_of(inc), inc.severity);
  }
}

void Escalator::ResolveByHand(EscalationStep& step, const std::vector<PendingResolve>& resolves) {
  for (const PendingResolve& r : resolves) {
    // Carried out or moot, the record goes in this step's commit: a resolution is told once.
    step.commit.resolves_done.push_back(r.id);
    IncidentRecord* inc = book_.Touch(step, r.incident_id, /*load_resolved=*/false);
    // Resolved meanwhile (the receivers heard that resolve), or resolved and reopened since the
    // operator's word (the new complaint is news the operator has not seen; times compared at
    // the stored millisecond): nothing to carry out.
    if (inc == nullptr || inc->status == IncidentStatus::kResolved ||
        FromUnixMillis(ToUnixMillis(inc->opened_at)) > r.at) {
      continue;
    }
    // The path of every resolution: a `resolve` to the receivers when it was paged, else a
    // "(never paged)" history line; the book lets it go after the commit, so the next
    // complaint on its key reopens it.
    step.Resolve(*inc, ResolvedByReason(r.by));
    log::Info(kComponent, {{"incident_id", inc->id}}, "{} resolved by {} (earshot resolve)",
              inc->id, r.by);
  }
}

Status Escalator::Tick() {
  EARSHOT_RETURN_IF_ERROR(EnsureLoaded());
  // `earshot silence` writes from another process, a reload sets the file's: re-read what is
  // active now.
  EARSHOT_RETURN_IF_ERROR(silences_.Refresh(clock_.Now()));
  // `earshot ack` too: an acknowledged incident stops its repeat pages. A sole writer's store
  // changes only through this escalator, which acknowledges only from pending acks: once read,
  // neither list can grow (nor can the pending resolutions of `earshot resolve`).
  const bool read_acks = !sole_writer_ || !acks_read_;
  acks_read_ = true;
  std::vector<std::string> acked;
  if (read_acks) {
    EARSHOT_ASSIGN_OR_RETURN(acked, store_.AcknowledgedIncidentIds());
  }
  for (const std::string& id : acked) {
    if (!book_.Acknowledge(id)) continue;
    log::Info(kComponent, {{"incident_id", id}}, "{} acknowledged: no more repeat pages", id);
  }
  SurgeStep surge_step(surges_.detector());
  EscalationStep step;
  step.now = clock_.Now();
  // The receivers hear of each acknowledgement once, in seq order with everything else: the
  // pending record is deleted in the commit that puts the escalation in the outbox.
  std::vector<PendingAck> acks;
  if (read_acks) {
    EARSHOT_ASSIGN_OR_RETURN(acks, store_.LoadPendingAcks());
  }
  for (const PendingAck& ack : acks) {
    step.commit.acks_done.push_back(ack.id);
    IncidentRecord* inc = book_.Touch(step, ack.incident_id, /*load_resolved=*/false);
    // Resolved meanwhile (the resolve said it all), or never paged (nothing to acknowledge at
    // the receivers; its history has the acknowledgement): nothing to tell.
    if (inc == nullptr || inc->status == IncidentStatus::kResolved || !inc->notified_severity) {
      continue;
    }
    inc->status = IncidentStatus::kAcknowledged;
    if (inc->pending_reason.kind == NotifyReason::Kind::kRepeat) inc->pending_reason.clear();
    step.Notify(inc->id, Escalation::Kind::kAcknowledge,
                NotifyReason::Of(NotifyReason::Kind::kAcknowledged, ack.by));
  }
  std::vector<PendingResolve> resolves;
  if (read_acks) {
    EARSHOT_ASSIGN_OR_RETURN(resolves, store_.LoadPendingResolves());
  }
  ResolveByHand(step, resolves);
  for (const std::string& id : book_.TimerDue(step.now, options_.resolve_after_quiet)) {
    IncidentRecord* inc = book_.Touch(step, id, false);
    // Resolved by hand a moment ago: its resolve is in this step already.
    if (inc->status == IncidentStatus::kResolved) continue;
    if (step.now - inc->last_post_at >= options_.resolve_after_quiet) {
      step.Resolve(*inc, fmt::format("quiet for {}", ShortDuration(options_.resolve_after_quiet)));
    } else {
      pager_.FlushDue(step, *inc);
    }
  }
  const bool deadlines_moved = responses_.Check(step);
  silent_.Check(step);
  if (!step.error.ok()) return step.error;
  surges_.ResolveEnded(step);
  // Only commit when something changed (held notifications not yet due change nothing). Surge
  // keys the timer forgot are deleted from the store too, or they would come back at the next
  // start; a window that merely slid is not worth an fsync a second (it is redone at start).
  if (!step.intents.empty() || !step.commit.events.empty() || !step.commit.acks_done.empty() ||
      !step.commit.resolves_done.empty() || deadlines_moved ||
      !surges_.detector().Changes(step.now).forgotten.empty()) {
    EARSHOT_RETURN_IF_ERROR(Finish(step));
  }
  surge_step.Commit();

  if (step.now - last_prune_ >= kPruneEvery) {
    EARSHOT_ASSIGN_OR_RETURN(int64_t pruned,
                             store_.PruneSeenPosts(step.now - options_.seen_retention));
    last_prune_ = step.now;
    if (pruned > 0) log::Info(kComponent, "forgot {} seen post id(s)", pruned);
  }
  return Status::Ok();
}

}  // namespace earshot
