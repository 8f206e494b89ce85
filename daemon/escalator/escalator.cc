#include "daemon/escalator/escalator.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_set>

#include "daemon/base/log.h"
#include "daemon/base/stop.h"
#include "daemon/escalator/escalator_step.h"
#include "daemon/escalator/incident_key.h"
#include "daemon/escalator/momentum.h"
#include "daemon/escalator/routes.h"
#include "daemon/model/escalation_json.h"

namespace earshot {
namespace {

using escalator_internal::RefOf;

constexpr const char* kComponent = "escalator";
constexpr auto kTickEvery = std::chrono::seconds(1);
constexpr auto kPruneEvery = std::chrono::hours(1);

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool Contains(const std::vector<std::string>& list, std::string_view handle) {
  for (const auto& s : list) {
    if (s.size() == handle.size() &&
        std::equal(s.begin(), s.end(), handle.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
  }
  return false;
}

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

SurgeOptions SurgeOptionsOf(const EscalatorOptions& o) {
  SurgeOptions s;
  s.window = o.surge_window;
  s.min_count = o.surge_min_count;
  s.factor = o.surge_factor;
  s.min_distinct_authors = o.surge_min_distinct_authors;
  s.ewma_alpha = o.surge_ewma_alpha;
  return s;
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

constexpr std::string_view kSurgePrefix = "surge|";

}  // namespace


Escalator::Escalator(IncidentStore& store, EscalatorOptions options, Clock& clock, Publish publish)
    : store_(store),
      options_(std::move(options)),
      clock_(clock),
      publish_(std::move(publish)),
      surge_(SurgeOptionsOf(options_)) {
  heartbeat_ms_ = SteadyMillis();
  for (const std::string& brand : options_.brands) {
    std::string key = BrandKey(brand);
    // A one-letter brand would be in every other hashtag; keys that short are not a signal.
    if (key.size() >= 3 && std::find(brand_keys_.begin(), brand_keys_.end(), key) ==
                               brand_keys_.end()) {
      brand_keys_.push_back(std::move(key));
    }
  }
  SetRuleHashtags({});
}

void Escalator::SetRuleHashtags(const std::vector<std::string>& hashtags) {
  auto known = std::make_shared<HashtagSet>();
  auto add = [&](std::string tag) {
    if (!tag.empty() && tag[0] == '#') tag.erase(0, 1);
    std::transform(tag.begin(), tag.end(), tag.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    known->insert(std::move(tag));
  };
  for (const std::string& tag : options_.known_hashtags) add(tag);
  if (options_.new_hashtag_known_from_rules) {
    for (const std::string& tag : hashtags) add(tag);
  }
  std::lock_guard lock(known_hashtags_mu_);
  known_hashtags_ = std::move(known);
}

std::shared_ptr<const Escalator::HashtagSet> Escalator::KnownHashtags() const {
  std::lock_guard lock(known_hashtags_mu_);
  return known_hashtags_;
}

std::optional<size_t> Escalator::committed_active_incidents() const {
  const int64_t n = committed_active_.load(std::memory_order_relaxed);
  if (n < 0) return std::nullopt;
  return static_cast<size_t>(n);
}

Escalator::~Escalator() {
  RequestStop();
  Join();
}

Status Escalator::EnsureLoaded() {
  if (loaded_) return Status::Ok();
  EARSHOT_ASSIGN_OR_RETURN(auto incidents, store_.LoadActiveIncidents());
  EARSHOT_ASSIGN_OR_RETURN(uint64_t max_seq, store_.MaxOutboxSeq());
  active_.clear();
  threads_.clear();
  for (auto& inc : incidents) {
    if (std::string thread = ThreadKeyOf(inc); !thread.empty()) threads_[thread].push_back(inc.id);
    std::string id = inc.id;
    active_.emplace(std::move(id), std::move(inc));
  }
  last_seq_ = max_seq;
  last_prune_ = clock_.Now();
  EARSHOT_ASSIGN_OR_RETURN(auto hashtags, store_.LoadBrandHashtags());
  hashtags_.clear();
  for (auto& h : hashtags) {
    std::string tag = h.hashtag;
    hashtags_.emplace(std::move(tag), std::move(h));
  }
  // Surge counts as the last commit left them: windows, baselines and running surges.
  EARSHOT_ASSIGN_OR_RETURN(auto surge_keys, store_.LoadSurgeKeys());
  surge_.Load(surge_keys);
  // A surge open in a store that kept no counts for it keeps running (and inhibiting) until
  // fresh counts end it.
  for (const auto& [id, inc] : active_) {
    if (inc.category == IncidentKind::kSurge && inc.group_key.starts_with(kSurgePrefix)) {
      surge_.Restore(inc.group_key.substr(kSurgePrefix.size()), id, last_prune_);
    }
  }
  EARSHOT_RETURN_IF_ERROR(RefreshSilences());
  loaded_ = true;
  committed_active_.store(static_cast<int64_t>(active_.size()), std::memory_order_relaxed);
  log::Info(kComponent, "{} active incident(s), outbox at seq {}", active_.size(), last_seq_);
  return Status::Ok();
}

IncidentRecord* Escalator::Touch(Step& step, const std::string& id, bool load_resolved) {
  if (auto it = step.touched.find(id); it != step.touched.end()) return &it->second;
  if (auto it = active_.find(id); it != active_.end()) {
    step.order.push_back(id);
    return &step.touched.emplace(id, it->second).first->second;
  }
  if (!load_resolved) return nullptr;
  // A resolved incident is not cached; a new complaint in its thread reopens it under its id.
  if (step.prefetched) {
    auto it = step.stored.find(id);
    if (it == step.stored.end()) return nullptr;
    step.order.push_back(id);
    return &step.touched.emplace(id, std::move(it->second)).first->second;
  }
  auto loaded = store_.LoadIncident(id);
  if (!loaded.ok()) {
    if (step.error.ok()) step.error = loaded.status();
    return nullptr;
  }
  if (!loaded->has_value()) return nullptr;
  step.order.push_back(id);
  return &step.touched.emplace(id, std::move(**loaded)).first->second;
}

Status Escalator::Process(const PostBatch& batch) {
  EARSHOT_RETURN_IF_ERROR(EnsureLoaded());
  SurgeStep surge_step(surge_);
  Step step;
  step.now = clock_.Now();
  step.commit.source = batch.source;
  step.commit.cursor = batch.cursor;
  // Posts no rule matched cannot page; remembering them would only cost writes. An edited post
  // is seen under its id and edit stamp: each version is judged once.
  std::vector<std::string> seen_keys;
  for (const DetectedPost& dp : batch.posts) {
    if (!dp.detections.empty()) seen_keys.push_back(SeenKey(dp.post));
  }
  const std::vector<std::string_view> ids(seen_keys.begin(), seen_keys.end());
  EARSHOT_ASSIGN_OR_RETURN(std::vector<bool> seen, store_.ArePostsSeen(batch.source, ids));
  {
    // Prefetch, in one read, the stored incidents this batch's complaints could reopen.
    std::vector<std::string> candidates;
    size_t i = 0;
    for (const DetectedPost& dp : batch.posts) {
      if (dp.detections.empty() || seen[i++]) continue;
      const Post& p = dp.post;
      const Detection* complaint = LoudestComplaint(dp);
      std::string id =
          IncidentIdFor(complaint != nullptr ? GroupKeyFor(p, *complaint)
                                             : AuthorThreadKey(p.network, p.author.handle,
                                                               ThreadOf(p)));
      if (!active_.contains(id)) candidates.push_back(std::move(id));
    }
    EARSHOT_ASSIGN_OR_RETURN(auto stored, store_.LoadIncidents(candidates));
    for (auto& inc : stored) {
      std::string id = inc.id;
      step.stored.emplace(std::move(id), std::move(inc));
    }
    step.prefetched = true;
  }
  std::unordered_set<std::string_view> in_batch;
  size_t next = 0;
  for (const DetectedPost& dp : batch.posts) {
    if (dp.detections.empty()) continue;
    const std::string& key = seen_keys[next];
    if (seen[next++]) {
      if (!in_batch.insert(key).second) continue;  // its growth counts once per batch
      // Read again (a re-fetch, an overlapping page): only its counts may have grown.
      if (const Detection* complaint = LoudestComplaint(dp)) RefreshEngagement(step, dp, *complaint);
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
    if (complaint != nullptr) {
      HandleComplaint(step, dp, *complaint, batch.source);
    } else if (resolution || Contains(options_.staff_authors, dp.post.author.handle)) {
      HandleResolution(step, dp, batch.source);
    }
    // Praise and noise are remembered as seen and never page.
    if (!step.error.ok()) return step.error;
  }
  // A staff reply resolves even when no rule matched it.
  for (const DetectedPost& dp : batch.posts) {
    if (dp.detections.empty() && Contains(options_.staff_authors, dp.post.author.handle)) {
      HandleResolution(step, dp, batch.source);
    }
  }
  if (!step.error.ok()) return step.error;
  if (!batch.deleted_ids.empty()) {
    // A post deleted on the network takes its incident with it ("post deleted"), in this
    // batch's commit. Its posts may be stored or still in this step.
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
      IncidentRecord* inc = Touch(step, id, /*load_resolved=*/false);
      if (inc == nullptr || inc->status == IncidentStatus::kResolved) continue;
      // One deleted post does not end a storm, nor unsay a new hashtag; and post ids are per
      // source.
      if (inc->category == IncidentKind::kSurge || inc->category == IncidentKind::kNewHashtag) {
        continue;
      }
      auto src = inc->labels.find("source");
      if (src != inc->labels.end() && src->second != batch.source) continue;
      Resolve(step, *inc, "post deleted", nullptr);
    }
  }
  // Only pollers vouch for a fetch: replayed or hand-made batches never watch a source.
  const bool heard = batch.fetch_ok;
  if (heard && options_.source_silent_after.count() > 0) {
    if (IncidentRecord* silent = SilentIncident(step, batch.source)) {
      Resolve(step, *silent, "source fetching again", nullptr);
    }
  }
  EARSHOT_RETURN_IF_ERROR(Finish(step));
  surge_step.Commit();
  if (heard) last_fetch_[batch.source] = step.now;
  return Status::Ok();
}

IncidentRecord* Escalator::SilentIncident(Step& step, const std::string& source) {
  std::string found;
  for (const auto* map : {&active_, &step.touched}) {
    for (const auto& [id, inc] : *map) {
      if (inc.category != IncidentKind::kSourceSilent ||
          inc.status == IncidentStatus::kResolved) {
        continue;
      }
      auto src = inc.labels.find("source");
      if (src != inc.labels.end() && src->second == source) found = id;
    }
  }
  return found.empty() ? nullptr : Touch(step, found, /*load_resolved=*/false);
}

void Escalator::CheckSilentSources(Step& step) {
  if (options_.source_silent_after.count() <= 0) return;
  std::vector<std::string> sources;
  for (const auto& [source, last] : last_fetch_) {
    if (step.now - last >= options_.source_silent_after) sources.push_back(source);
  }
  std::sort(sources.begin(), sources.end());  // a deterministic seq order
  for (const std::string& source : sources) {
    IncidentRecord* existing = SilentIncident(step, source);
    if (existing != nullptr && existing->status != IncidentStatus::kResolved) continue;
    const SystemTime last = last_fetch_.at(source);
    const std::string group_key =
        fmt::format("{}|{}", IncidentKindName(IncidentKind::kSourceSilent), source);
    // One incident per silent episode, like surges: the next silence is a new page.
    const std::string id = IncidentIdFor(fmt::format("{}|{}", group_key, ToUnixMillis(last)));
    IncidentRecord* inc = Touch(step, id, /*load_resolved=*/false);
    if (inc != nullptr) continue;  // this episode was already opened and resolved
    step.order.push_back(id);
    inc = &step.touched[id];
    inc->id = id;
    inc->group_key = group_key;
    inc->rule_id = std::string(IncidentKindName(IncidentKind::kSourceSilent));
    inc->category = IncidentKind::kSourceSilent;
    inc->severity = options_.source_silent_severity;
    inc->labels["source"] = source;
    const std::string quiet = ShortDuration(options_.source_silent_after);
    inc->summary = fmt::format("source {} has fetched nothing for {} (since {})", source, quiet,
                               FormatIso8601(last));
    inc->opened_at = step.now;
    inc->last_post_at = step.now;
    inc->last_notified_at = step.now;
    inc->pending_reason = NotifyReason::Of(NotifyReason::Kind::kSourceSilent, quiet);
    log::Warn(kComponent, {{"incident_id", id}, {"source", source}},
              "source {} silent for {}: {}", source, quiet, id);
    // Its history says why it opened, and the step commits it even while group_wait holds it.
    step.commit.events.push_back(
        {id, step.now, IncidentEventKind::kSourceSilent, inc->severity, inc->summary, 0});
    FlushDue(step, *inc);
  }
}

void Escalator::HandleComplaint(Step& step, const DetectedPost& dp, const Detection& d,
                                const std::string& source) {
  const Post& post = dp.post;
  // Surges first: the post that starts one is already inhibited by it.
  if (options_.surge_enabled) ObserveSurges(step, dp, d);
  if (!step.error.ok()) return;
  if (options_.new_hashtag_enabled && !brand_keys_.empty()) ObserveHashtags(step, dp, source);
  if (!step.error.ok()) return;
  const std::string key = GroupKeyFor(post, d);
  const std::string id = IncidentIdFor(key);
  Severity severity = PostSeverity(d, dp, options_);
  const Engagement engagement = EngagementOf(post);
  IncidentRecord* inc = Touch(step, id, /*load_resolved=*/true);
  if (!step.error.ok()) return;
  if (inc == nullptr || inc->status == IncidentStatus::kResolved) {
    const bool reopened = inc != nullptr;
    if (inc == nullptr) {
      step.order.push_back(id);
      inc = &step.touched[id];
    }
    *inc = IncidentRecord{};
    inc->id = id;
    inc->group_key = key;
    inc->rule_id = d.rule_id;
    inc->category = IncidentKind::kComplaint;  // only complaints open incidents
    inc->severity = severity;
    inc->labels = d.labels;
    inc->labels["network"] = post.network;
    inc->labels["source"] = source;
    // Routes match `complaint="high"`; the escalator's band replaces any rule label of the name.
    inc->labels["complaint"] = std::string(ComplaintBand(dp.complaint));
    inc->opened_at = step.now;
    inc->last_notified_at = step.now;
    inc->pending_reason = NotifyReason::Of(reopened ? NotifyReason::Kind::kReopened
                                                    : NotifyReason::Kind::kNewIncident);
    // Momentum from the start: a viral first post, or a thread others already complain in.
    inc->engagement = engagement;
    inc->authors = 1 + static_cast<int64_t>(ThreadNeighbours(step, *inc).size());
    if (!step.error.ok()) return;
    MaybeRaiseForMomentum(step, *inc, /*had_momentum=*/false);
  } else {
    // The band of the incident's highest post, set before timing is looked up for this post.
    std::string& band = inc->labels["complaint"];
    band = std::string(HigherComplaintBand(band, ComplaintBand(dp.complaint)));
    const bool had = HasMomentum(*inc, options_);
    Add(&inc->engagement, engagement);
    if (ThreadKeyOf(*inc).empty() && inc->category == IncidentKind::kComplaint) {
      // Grouped by labels: a new author in the incident itself is a complainer joining.
      bool known = false;
      for (const PostRef& ref : step.new_posts[id]) known = known || ref.author == post.author.handle;
      if (!known) {
        auto has = store_.IncidentHasAuthor(id, post.author.handle);
        if (!has.ok()) {
          step.error = has.status();
          return;
        }
        known = *has;
      }
      if (!known) ++inc->authors;
    }
    MaybeRaiseForMomentum(step, *inc, had);
    // Once it has momentum, every new post of the incident counts one step higher.
    if (HasMomentum(*inc, options_)) severity = RaiseOne(severity);
    if (severity > inc->severity) {
      inc->severity = severity;
      inc->rule_id = d.rule_id;
    }
    for (const auto& [k, v] : d.labels) inc->labels.emplace(k, v);
    if (!inc->notified_severity) {
      if (inc->pending_reason.empty()) {
        inc->pending_reason = NotifyReason::Of(NotifyReason::Kind::kNewIncident);
      }
    } else if (inc->severity > *inc->notified_severity) {
      // Lowering never notifies: severity only rises.
      inc->pending_reason = NotifyReason::Of(NotifyReason::Kind::kSeverityRaised);
    } else if (inc->pending_reason.empty() && inc->status != IncidentStatus::kAcknowledged &&
               step.now - inc->last_notified_at >= TimingFor(*inc).repeat_interval) {
      // Someone acknowledged it (`earshot ack`): they know; only a severity raise pages again.
      inc->pending_reason = NotifyReason::Of(NotifyReason::Kind::kRepeat);
    }
  }
  inc->summary = PostSummary(post);
  inc->last_post_at = step.now;
  ++inc->post_count;
  step.AddPost(id, RefOf(dp));
  step.commit.posts.back().engagement = engagement;
  FlushDue(step, *inc);
}

void Escalator::ObserveSurges(Step& step, const DetectedPost& dp, const Detection& d) {
  const Post& post = dp.post;
  auto brand = d.labels.find("brand");
  std::vector<std::string> keys;
  keys.push_back(fmt::format("rule:{}|brand:{}", d.rule_id,
                             brand == d.labels.end() ? std::string() : brand->second));
  std::vector<std::string> tags = post.hashtags;
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  for (const std::string& tag : tags) keys.push_back("hashtag:" + tag);
  const std::string author = post.network + "|" + post.author.handle;
  std::vector<std::string> attached;  // surge incidents this post joined (two keys, one storm)
  for (const std::string& key : keys) {
    std::string id;
    if (auto started = surge_.Observe(key, author, step.now)) {
      // The same storm seen through another key (the rule, then its hashtag) stays one incident.
      id = OpenSurgeFor(step, brand == d.labels.end() ? std::string() : brand->second);
      if (id.empty()) {
        OpenSurge(step, key, *started, dp, d);
        attached.push_back(surge_.incident(key));
        continue;
      }
      surge_.set_incident(key, id);
      IncidentRecord* inc = Touch(step, id, /*load_resolved=*/false);
      if (inc != nullptr) {
        step.commit.events.push_back({id, step.now, IncidentEventKind::kJoined, inc->severity,
                                      fmt::format("surge on {} too: {} complaints from {} authors",
                                                  key, started->count, started->distinct_authors),
                                      0});
      }
    } else {
      id = surge_.incident(key);
    }
    if (id.empty() || std::find(attached.begin(), attached.end(), id) != attached.end()) continue;
    // A running surge gathers the storm's posts, without paging again.
    IncidentRecord* inc = Touch(step, id, /*load_resolved=*/false);
    if (inc == nullptr || inc->status == IncidentStatus::kResolved) continue;
    attached.push_back(id);
    inc->last_post_at = step.now;
    ++inc->post_count;
    step.AddPost(id, RefOf(dp));
  }
}

void Escalator::OpenSurge(Step& step, const std::string& key, const SurgeDetector::Stats& stats,
                          const DetectedPost& dp, const Detection& d) {
  const std::string group_key = std::string(kSurgePrefix) + key;
  // One incident per surge episode: the next surge on the same key is a new page, not a reopen.
  const std::string id = IncidentIdFor(fmt::format("{}|{}", group_key, ToUnixMillis(step.now)));
  surge_.set_incident(key, id);
  IncidentRecord* inc = Touch(step, id, /*load_resolved=*/false);
  if (inc == nullptr) {
    step.order.push_back(id);
    inc = &step.touched[id];
  }
  const bool hashtag = key.starts_with("hashtag:");
  const std::string subject =
      hashtag ? "#" + key.substr(8) : fmt::format("rule {}", d.rule_id);
  *inc = IncidentRecord{};
  inc->id = id;
  inc->group_key = group_key;
  inc->rule_id = d.rule_id;
  inc->category = IncidentKind::kSurge;
  inc->severity = options_.surge_severity;
  inc->labels["surge"] = hashtag ? "hashtag" : "rule";
  if (hashtag) {
    inc->labels["hashtag"] = key.substr(8);
  } else {
    inc->labels["rule"] = d.rule_id;
  }
  if (auto brand = d.labels.find("brand"); brand != d.labels.end() && !brand->second.empty()) {
    inc->labels["brand"] = brand->second;
  }
  inc->labels["network"] = dp.post.network;
  inc->summary = fmt::format("surge on {}: {} complaints from {} authors in {} (usually {:.1f})",
                             subject, stats.count, stats.distinct_authors,
                             ShortDuration(options_.surge_window), stats.baseline_mean);
  inc->opened_at = step.now;
  inc->last_post_at = step.now;
  inc->last_notified_at = step.now;
  inc->post_count = 1;
  inc->pending_reason =
      NotifyReason::Of(NotifyReason::Kind::kSurge,
                       fmt::format("{} complaints from {} authors in {}", stats.count,
                                   stats.distinct_authors, ShortDuration(options_.surge_window)));
  step.AddPost(id, RefOf(dp));
  log::Info(kComponent, {{"incident_id", id}, {"network", dp.post.network}},
            "surge started on {}: {} posts, {} authors, threshold {:.1f}, as {}", subject,
            stats.count, stats.distinct_authors, stats.threshold, id);
  FlushDue(step, *inc);
}

std::string Escalator::OpenSurgeFor(const Step& step, const std::string& brand) const {
  if (brand.empty()) return {};
  for (const auto& [key, id] : surge_.Active()) {
    const IncidentRecord* surge = nullptr;
    if (auto it = step.touched.find(id); it != step.touched.end()) {
      surge = &it->second;
    } else if (auto it = active_.find(id); it != active_.end()) {
      surge = &it->second;
    }
    if (surge == nullptr || surge->status == IncidentStatus::kResolved) continue;
    auto b = surge->labels.find("brand");
    if (b != surge->labels.end() && b->second == brand) return id;
  }
  return {};
}

std::string Escalator::InhibitedBy(const Step& step, const IncidentRecord& inc) const {
  // A new hashtag pages once ever and is news even in a storm: never inhibited.
  if (!options_.surge_inhibits || inc.category == IncidentKind::kSurge ||
      inc.category == IncidentKind::kNewHashtag) {
    return {};
  }
  auto brand = inc.labels.find("brand");
  return brand == inc.labels.end() ? std::string() : OpenSurgeFor(step, brand->second);
}

void Escalator::HandleResolution(Step& step, const DetectedPost& dp, const std::string& source) {
  (void)source;
  const Post& post = dp.post;
  const bool staff = Contains(options_.staff_authors, post.author.handle);
  std::vector<std::string_view> threads = {ThreadOf(post)};
  if (!post.reply_to.empty() && post.reply_to != threads[0]) threads.push_back(post.reply_to);
  const PostRef ref = RefOf(dp);
  for (std::string_view thread : threads) {
    if (!staff) {
      // The author's own thank-you (or "sorted") in the thread closes their incident.
      const std::string id = IncidentIdFor(AuthorThreadKey(post.network, post.author.handle, thread));
      IncidentRecord* inc = Touch(step, id, /*load_resolved=*/false);
      if (inc != nullptr && inc->status != IncidentStatus::kResolved) {
        step.AddPost(id, ref);
        Resolve(step, *inc, "resolved by author", &ref);
        return;
      }
      continue;
    }
    // A staff reply closes every incident in the thread, whoever opened it.
    const std::string prefix = post.network + "|";
    const std::string suffix = "|" + std::string(thread);
    std::vector<std::string> ids;
    for (const auto* map : {&active_, &step.touched}) {
      for (const auto& [id, inc] : *map) {
        if (inc.group_key.starts_with(prefix) && inc.group_key.ends_with(suffix)) ids.push_back(id);
      }
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const std::string& id : ids) {
      IncidentRecord* inc = Touch(step, id, false);
      if (inc == nullptr || inc->status == IncidentStatus::kResolved) continue;
      step.AddPost(id, ref);
      Resolve(step, *inc, fmt::format("staff replied (@{})", post.author.handle), &ref);
    }
  }
}

void Escalator::Resolve(Step& step, IncidentRecord& inc, std::string reason, const PostRef* post) {
  (void)post;
  inc.status = IncidentStatus::kResolved;
  inc.resolved_at = step.now;
  inc.pending_reason.clear();
  if (inc.notified_severity) {
    step.Notify(inc.id, Escalation::Kind::kResolve,
                NotifyReason::Of(NotifyReason::Kind::kResolved, std::move(reason)));
  } else {
    // Nothing was ever paged (still in group_wait, or silenced): nothing to take back.
    step.commit.events.push_back({inc.id, step.now, IncidentEventKind::kResolve, inc.severity,
                                  reason + " (never paged)", 0});
  }
}

void Escalator::FlushDue(Step& step, IncidentRecord& inc) {
  if (inc.pending_reason.empty() || inc.status == IncidentStatus::kResolved) return;
  const NotifyTiming timing = TimingFor(inc);
  const SystemTime due = inc.notified_severity ? inc.last_notified_at + timing.group_interval
                                               : inc.opened_at + timing.group_wait;
  if (step.now < due) return;
  // Inhibited by a surge for the brand: recorded and dropped, not held, so that a storm's
  // hundreds of pages do not all go out when the surge ends. A later complaint pages normally.
  if (std::string surge = InhibitedBy(step, inc); !surge.empty()) {
    step.commit.events.push_back(
        {inc.id, step.now, IncidentEventKind::kInhibited, inc.severity,
         fmt::format("inhibited by surge {} ({})", surge, inc.pending_reason.Text()), 0});
    inc.pending_reason.clear();
    return;
  }
  // A silenced notification stays pending: when the silence ends, it goes out (Alertmanager).
  if (std::string silence = SilencedBy(inc); !silence.empty()) {
    if (auto [it, fresh] = muted_.try_emplace(inc.id, silence); fresh || it->second != silence) {
      it->second = silence;
      step.commit.events.push_back({inc.id, step.now, IncidentEventKind::kSilenced, inc.severity,
                                    fmt::format("{} (by {})", inc.pending_reason.Text(), silence),
                                    0});
    }
    return;
  }
  muted_.erase(inc.id);
  const auto kind = inc.notified_severity ? Escalation::Kind::kUpdate : Escalation::Kind::kOpen;
  step.Notify(inc.id, kind, std::move(inc.pending_reason));
  inc.pending_reason.clear();
  inc.notified_severity = inc.severity;
  inc.last_notified_at = step.now;
}

NotifyTiming Escalator::TimingFor(const IncidentRecord& inc) const {
  if (!options_.routes) return options_.timing();
  // The labels the sinks' routing will see on this incident's next escalation.
  Labels labels = inc.labels;
  labels.emplace("severity", SeverityName(inc.severity));
  labels.emplace("rule", inc.rule_id);
  labels.emplace("category", IncidentKindName(inc.category));
  labels.emplace("kind", inc.notified_severity ? "update" : "open");
  labels.emplace("incident_id", inc.id);
  return options_.routes->TimingFor(labels, options_.timing());
}

void Escalator::SetFileSilences(std::vector<FileSilence> silences) {
  auto next = std::make_shared<const std::vector<FileSilence>>(std::move(silences));
  std::lock_guard lock(file_silences_mu_);
  file_silences_ = std::move(next);
}

size_t Escalator::file_silence_count() const {
  std::lock_guard lock(file_silences_mu_);
  return file_silences_ ? file_silences_->size() : 0;
}

Status Escalator::RefreshSilences() {
  const SystemTime now = clock_.Now();
  EARSHOT_ASSIGN_OR_RETURN(auto records, store_.ListSilences(now, /*active_only=*/true));
  std::vector<std::pair<std::string, LabelMatchers>> silences;
  for (const SilenceRecord& r : records) {
    auto m = LabelMatchers::Parse(r.matchers);
    if (!m.ok()) {
      log::Warn(kComponent, "silence {} ignored: {}", r.id, m.status());
      continue;
    }
    silences.emplace_back(r.id, std::move(m).value());
  }
  std::shared_ptr<const std::vector<FileSilence>> file;
  {
    std::lock_guard lock(file_silences_mu_);
    file = file_silences_;
  }
  if (file) {
    for (const FileSilence& f : *file) {
      if (f.ActiveAt(now)) silences.emplace_back(f.id, f.matchers);
    }
  }
  silences_ = std::move(silences);
  return Status::Ok();
}

std::string Escalator::SilencedBy(const IncidentRecord& inc) const {
  if (silences_.empty()) return {};
  Labels labels = inc.labels;
  labels.emplace("severity", SeverityName(inc.severity));
  labels.emplace("rule", inc.rule_id);
  labels.emplace("category", IncidentKindName(inc.category));
  labels.emplace("incident_id", inc.id);
  for (const auto& [id, matchers] : silences_) {
    if (matchers.Matches(labels)) return id;
  }
  return {};
}

Status Escalator::Finish(Step& step) {
  EscalatorCommit& commit = step.commit;
  std::vector<Escalation> escalations;
  escalations.reserve(step.intents.size());
  for (const Step::Intent& intent : step.intents) {
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
    e.at = step.now;
    // The newest posts: this step's (not yet committed) and the stored ones.
    std::vector<PostRef> posts = step.new_posts[inc.id];
    // A new incident's posts are all in this step: skip the read.
    if (static_cast<int64_t>(posts.size()) < inc.post_count || intent.kind != Escalation::Kind::kOpen) {
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
  commit.surge = surge_.Changes(step.now);

  const bool empty = commit.seen.empty() && commit.incidents.empty() && commit.events.empty() &&
                     commit.surge.empty() && commit.acks_done.empty() &&
                     !(commit.cursor && !commit.source.empty());
  if (!empty) EARSHOT_RETURN_IF_ERROR(store_.Commit(commit));

  // Committed: now the in-memory view may follow, and the world may hear of it.
  for (const std::string& id : step.order) {
    IncidentRecord& inc = step.touched.at(id);
    if (std::string thread = ThreadKeyOf(inc); !thread.empty()) {
      std::vector<std::string>& ids = threads_[thread];
      auto it = std::find(ids.begin(), ids.end(), id);
      if (inc.status == IncidentStatus::kResolved) {
        if (it != ids.end()) ids.erase(it);
        if (ids.empty()) threads_.erase(thread);
      } else if (it == ids.end()) {
        ids.push_back(id);
      }
    }
    if (inc.status == IncidentStatus::kResolved) {
      active_.erase(id);
    } else {
      active_[id] = std::move(inc);
    }
  }
  committed_active_.store(static_cast<int64_t>(active_.size()), std::memory_order_relaxed);
  for (auto& [tag, rec] : step.hashtags) hashtags_[tag] = std::move(rec);
  last_seq_ += escalations.size();
  for (const Escalation& e : escalations) {
    log::Fields fields{{"seq", e.seq},
                       {"incident_id", e.incident_id},
                       {"kind", KindName(e.kind)},
                       {"severity", SeverityName(e.severity)},
                       {"rule", e.rule_id},
                       {"category", e.category}};
    if (!e.posts.empty()) fields.Add({"network", e.posts.back().network});
    log::Info(kComponent, fields, "seq {} {} {} [{}] {}: {}", e.seq, KindName(e.kind),
              e.incident_id, SeverityName(e.severity), e.reason, e.summary);
    if (publish_) publish_(e);
  }
  return Status::Ok();
}

Status Escalator::Tick() {
  EARSHOT_RETURN_IF_ERROR(EnsureLoaded());
  // `earshot silence` writes from another process, a reload sets the file's: re-read what is
  // active now.
  EARSHOT_RETURN_IF_ERROR(RefreshSilences());
  // `earshot ack` too: an acknowledged incident stops its repeat pages.
  EARSHOT_ASSIGN_OR_RETURN(std::vector<std::string> acked, store_.AcknowledgedIncidentIds());
  for (const std::string& id : acked) {
    auto it = active_.find(id);
    if (it == active_.end() || it->second.status != IncidentStatus::kOpen) continue;
    it->second.status = IncidentStatus::kAcknowledged;
    if (it->second.pending_reason.kind == NotifyReason::Kind::kRepeat) {
      it->second.pending_reason.clear();
    }
    log::Info(kComponent, {{"incident_id", id}}, "{} acknowledged: no more repeat pages", id);
  }
  SurgeStep surge_step(surge_);
  Step step;
  step.now = clock_.Now();
  // The receivers hear of each acknowledgement once, in seq order with everything else: the
  // pending record is deleted in the commit that puts the escalation in the outbox.
  EARSHOT_ASSIGN_OR_RETURN(std::vector<PendingAck> acks, store_.LoadPendingAcks());
  for (const PendingAck& ack : acks) {
    step.commit.acks_done.push_back(ack.id);
    IncidentRecord* inc = Touch(step, ack.incident_id, /*load_resolved=*/false);
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
  std::vector<std::string> ids;
  for (const auto& [id, inc] : active_) {
    if (!inc.pending_reason.empty() || step.now - inc.last_post_at >= options_.resolve_after_quiet) {
      ids.push_back(id);
    }
  }
  std::sort(ids.begin(), ids.end());  // a deterministic seq order
  for (const std::string& id : ids) {
    IncidentRecord* inc = Touch(step, id, false);
    if (step.now - inc->last_post_at >= options_.resolve_after_quiet) {
      Resolve(step, *inc, fmt::format("quiet for {}", ShortDuration(options_.resolve_after_quiet)),
              nullptr);
    } else {
      FlushDue(step, *inc);
    }
  }
  CheckSilentSources(step);
  // Surges whose rate fell back resolve, to the same receivers, under the same id.
  for (const SurgeDetector::Ended& ended : surge_.Expire(step.now)) {
    if (ended.incident_id.empty()) continue;
    // A storm seen through several keys ends when the last of them falls back.
    const auto still = surge_.Active();
    if (std::any_of(still.begin(), still.end(),
                    [&](const auto& a) { return a.second == ended.incident_id; })) {
      continue;
    }
    IncidentRecord* inc = Touch(step, ended.incident_id, /*load_resolved=*/false);
    if (inc == nullptr || inc->status == IncidentStatus::kResolved) continue;
    Resolve(step,
            *inc,
            fmt::format("surge over: {} complaints in the last {}", ended.stats.count,
                        ShortDuration(options_.surge_window)),
            nullptr);
  }
  // Only commit when something changed (held notifications not yet due change nothing). Surge
  // keys the timer forgot are deleted from the store too, or they would come back at the next
  // start; a window that merely slid is not worth an fsync a second (it is redone at start).
  if (!step.intents.empty() || !step.commit.events.empty() || !step.commit.acks_done.empty() ||
      !surge_.Changes(step.now).forgotten.empty()) {
    EARSHOT_RETURN_IF_ERROR(Finish(step));
  }
  surge_step.Commit();

  if (step.now - last_prune_ >= kPruneEvery) {
    EARSHOT_ASSIGN_OR_RETURN(int64_t pruned, store_.PruneSeenPosts(step.now - options_.seen_retention));
    last_prune_ = step.now;
    if (pruned > 0) log::Info(kComponent, "forgot {} seen post id(s)", pruned);
  }
  return Status::Ok();
}

// ---- the thread -----------------------------------------------------------------------------

void Escalator::Start(BoundedQueue<PostBatch>& in) {
  heartbeat_ms_ = SteadyMillis();
  thread_ = std::jthread([this, &in](std::stop_token stop) { Run(stop, in); });
}

void Escalator::RequestStop() { thread_.request_stop(); }

void Escalator::Join() {
  if (thread_.joinable()) thread_.join();
}

void Escalator::ProcessUntilCommitted(const PostBatch& batch, std::stop_token stop) {
  auto backoff = std::chrono::milliseconds(100);
  while (true) {
    Status s = Process(batch);
    if (s.ok()) return;
    log::Error(kComponent, {{"source", batch.source}},
               "batch of {} post(s) from '{}' not committed, retrying in {}ms: {}",
               batch.posts.size(), batch.source, backoff.count(), s);
    heartbeat_ms_ = SteadyMillis();
    if (!SleepFor(stop, backoff)) {
      // Stopping: the cursor did not move, so the source re-reads this batch after the restart.
      log::Warn(kComponent, "stopping with a batch from '{}' uncommitted; it will be re-read",
                batch.source);
      return;
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

void Escalator::Run(std::stop_token stop, BoundedQueue<PostBatch>& in) {
  auto next_tick = std::chrono::steady_clock::now() + kTickEvery;
  while (!stop.stop_requested()) {
    heartbeat_ms_ = SteadyMillis();
    const auto now = std::chrono::steady_clock::now();
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - now);
    if (auto batch = in.Pop(stop, std::max(wait, std::chrono::milliseconds(0)))) {
      ProcessUntilCommitted(*batch, stop);
    } else if (std::chrono::steady_clock::now() < next_tick) {
      // Pop returned early without an item: the queue is closed and empty. Wait for the stop
      // request (or the next tick) instead of spinning.
      SleepFor(stop, next_tick - std::chrono::steady_clock::now());
    }
    if (std::chrono::steady_clock::now() >= next_tick) {
      if (Status s = Tick(); !s.ok()) log::Error(kComponent, "timer step failed: {}", s);
      next_tick = std::chrono::steady_clock::now() + kTickEvery;
    }
  }
  // Drain: the pollers have stopped; commit what they handed over. One try each with the stop
  // already requested: a failing store leaves those cursors unmoved, so nothing is lost.
  while (auto batch = in.TryPop()) {
    heartbeat_ms_ = SteadyMillis();
    if (Status s = Process(*batch); !s.ok()) {
      log::Warn(kComponent, "batch from '{}' not committed at stop; it will be re-read: {}",
                batch->source, s);
    }
  }
  heartbeat_ms_ = SteadyMillis();
}

}  // namespace earshot
