// Escalator: turns detected posts into incidents and incidents into escalations, once each.
// It is the only writer of incidents, seen posts, the outbox, source cursors, surge counts and
// brand hashtags: each batch (or timer step) is ONE IncidentStore::Commit, and only after it
// commits are its escalations handed to `publish`, in seq order. A crash therefore loses nothing
// (the source re-reads the batch) and repeats nothing (seen posts and deterministic incident ids
// recognise the re-read).
//
// Owned by App. Threads: Process() and Tick() run on one thread at a time (the escalator's own
// thread after Start(), or a test's thread); heartbeat_ms() may be read from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/base/bounded_queue.h"
#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"
#include "daemon/base/status.h"
#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/label_matcher.h"
#include "daemon/escalator/silence_file.h"
#include "daemon/escalator/surge.h"
#include "daemon/model/detection.h"
#include "daemon/model/escalation.h"
#include "daemon/state/incident_store.h"

namespace earshot {

class Escalator {
 public:
  // Called on the escalator's thread after each commit, once per escalation, in seq order.
  // It must not block for long (the app publishes on the bus); a failure there loses nothing,
  // since the escalation is already in the outbox.
  using Publish = std::function<void(const Escalation&)>;

  // `store` and `clock` must outlive the Escalator.
  Escalator(IncidentStore& store, EscalatorOptions options, Clock& clock, Publish publish);
  ~Escalator();  // RequestStop() and Join()
  Escalator(const Escalator&) = delete;
  Escalator& operator=(const Escalator&) = delete;

  // The synchronous core. Skips posts this source already committed, opens, joins and
  // resolves incidents, writes the outbox and moves batch.cursor in one transaction, then
  // publishes. On error nothing was written and nothing published: call again with the same
  // batch (the in-memory state is untouched too).
  Status Process(const PostBatch& batch);

  // Time-based work: notifications held by group_wait / group_interval or a silence that has
  // ended, quiet-period resolution, pruning of old seen post ids. Called every second by the
  // thread; tests call it after moving their clock.
  Status Tick();

  // Runs Process() for each batch popped from `in` and Tick() every second, until
  // RequestStop(); then drains what is left in `in`. A store error is logged and the same
  // batch retried with backoff: a batch is never dropped while earshot runs.
  void Start(BoundedQueue<PostBatch>& in);
  void RequestStop();
  void Join();

  // Replaces the silences read from the silences file (silence_file.h). Safe from any thread:
  // App::Reload calls it on the main thread while the escalator runs. They join the store's
  // silences at the next Tick() (within a second), each active between its starts_at and
  // ends_at, and mute through the same list.
  void SetFileSilences(std::vector<FileSilence> silences);
  // How many file silences are loaded (active, pending or ended since), from any thread.
  size_t file_silence_count() const;
  // The hashtags the loaded rule packs name (rule_hashtags.h): with escalation's `known` list,
  // they never open a "new-hashtag" incident, unless new_hashtag.known_from_rules is false.
  // Safe from any thread: the app calls it at start and again after each reload, while the
  // escalator runs; the next batch sees the new set.
  void SetRuleHashtags(const std::vector<std::string>& hashtags);

  // steady_clock milliseconds of the thread's last loop turn, for the watchdog.
  int64_t heartbeat_ms() const { return heartbeat_ms_.load(std::memory_order_relaxed); }
  // Incidents open or acknowledged (escalator thread, or when the thread is not running).
  size_t active_incidents() const { return active_.size(); }
  // The same count as of the last commit, from any thread (the /metrics scrape), without
  // touching the store; nullopt until the escalator has loaded its incidents (its first step).
  // Only the escalator opens and resolves incidents, and an acknowledgement leaves one active,
  // so this is the store's count of unresolved incidents.
  std::optional<size_t> committed_active_incidents() const;
  // Surges running now, as (surge key, incident id): "rule:lost-baggage|brand:acmeair",
  // "hashtag:acmeairsucks". Same thread contract as active_incidents().
  std::vector<std::pair<std::string, std::string>> active_surges() const { return surge_.Active(); }

 private:
  struct Step;

  Status EnsureLoaded();
  IncidentRecord* Touch(Step& step, const std::string& id, bool load_resolved);
  void HandleComplaint(Step& step, const DetectedPost& dp, const Detection& d,
                       const std::string& source);
  void HandleResolution(Step& step, const DetectedPost& dp, const std::string& source);
  // New brand hashtags: counts the complaint's hashtags that contain a brand; a never-seen one
  // that reaches new_hashtag_min_posts opens its "new-hashtag" incident, once ever; later
  // posts carrying it join that incident while it is open, without paging.
  void ObserveHashtags(Step& step, const DetectedPost& dp, const std::string& source);
  void OpenHashtagIncident(Step& step, BrandHashtagRecord& tag, const DetectedPost& dp,
                           const std::string& source);
  // Momentum (momentum.h). A post already committed, read again with higher counts, adds the
  // difference to its active incident.
  void RefreshEngagement(Step& step, const DetectedPost& dp, const Detection& d);
  // A complainer new to the incident's thread: counts the other active complainers there
  // (returned as their incidents) and adds one author to each of them.
  std::vector<IncidentRecord*> ThreadNeighbours(Step& step, const IncidentRecord& inc);
  // Raises `inc` one step when `had_momentum` was false and it has momentum now; records why.
  // Returns true when it raised.
  bool MaybeRaiseForMomentum(Step& step, IncidentRecord& inc, bool had_momentum);
  // Counts the complaint under its surge keys; opens a surge incident when one starts and
  // attaches the post to the surges already running.
  void ObserveSurges(Step& step, const DetectedPost& dp, const Detection& d);
  void OpenSurge(Step& step, const std::string& key, const SurgeDetector::Stats& stats,
                 const DetectedPost& dp, const Detection& d);
  // The id of an open surge incident for `brand` ("" when none, or `brand` is "").
  std::string OpenSurgeFor(const Step& step, const std::string& brand) const;
  // The surge that inhibits the incident's pages (same brand), or "".
  std::string InhibitedBy(const Step& step, const IncidentRecord& inc) const;
  void Resolve(Step& step, IncidentRecord& inc, std::string reason, const PostRef* post);
  void FlushDue(Step& step, IncidentRecord& inc);
  // The incident's group_wait / group_interval / repeat_interval: the first route its labels
  // (plus severity, rule, category, kind, incident_id) match, over the `escalation:` values.
  NotifyTiming TimingFor(const IncidentRecord& inc) const;
  // The id of an active silence matching the incident's labels (plus severity, rule,
  // category, incident_id), or "" when none does.
  std::string SilencedBy(const IncidentRecord& inc) const;
  Status RefreshSilences();
  // The active "source-silent" incident of `source`, or nullptr.
  IncidentRecord* SilentIncident(Step& step, const std::string& source);
  // Opens an incident for each source that has not fetched for source_silent_after.
  void CheckSilentSources(Step& step);
  Status Finish(Step& step);
  void Run(std::stop_token stop, BoundedQueue<PostBatch>& in);
  void ProcessUntilCommitted(const PostBatch& batch, std::stop_token stop);

  IncidentStore& store_;
  const EscalatorOptions options_;
  Clock& clock_;
  Publish publish_;

  // The escalator thread's state (or the caller's, before Start()).
  bool loaded_ = false;
  uint64_t last_seq_ = 0;
  std::unordered_map<std::string, IncidentRecord> active_;  // open + acknowledged, by id
  SystemTime last_prune_{};
  // Active silences by id: the store's, then the file's (RefreshSilences).
  std::vector<std::pair<std::string, LabelMatchers>> silences_;
  // The silences file's entries as last set; the one field shared with other threads.
  mutable Mutex file_silences_mu_;
  std::shared_ptr<const std::vector<FileSilence>> file_silences_ GUARDED_BY(file_silences_mu_);
  std::unordered_map<std::string, std::string> muted_;  // incident id -> silence id, logged once
  SurgeDetector surge_;
  // Every brand hashtag seen (committed), by hashtag; and the ones never to signal.
  std::unordered_map<std::string, BrandHashtagRecord> hashtags_;
  // The hashtags never to signal: options_.known_hashtags and the rules' (SetRuleHashtags),
  // swapped whole by a reload; the escalator thread reads one snapshot per batch.
  using HashtagSet = std::unordered_set<std::string>;
  mutable Mutex known_hashtags_mu_;
  std::shared_ptr<const HashtagSet> known_hashtags_ GUARDED_BY(known_hashtags_mu_);
  std::shared_ptr<const HashtagSet> KnownHashtags() const;
  std::vector<std::string> brand_keys_;  // BrandKey of each of options_.brands
  // Active per-author complaint incidents by thread (momentum.h ThreadKeyOf), kept with active_.
  std::unordered_map<std::string, std::vector<std::string>> threads_;
  // When each source last fetched successfully (batches with fetch_ok), for source_silent_after.
  std::unordered_map<std::string, SystemTime> last_fetch_;

  // active_.size() after the last commit (or the load), -1 before the load: for other threads.
  std::atomic<int64_t> committed_active_{-1};
  std::atomic<int64_t> heartbeat_ms_{0};
  std::jthread thread_;
};

}  // namespace earshot
