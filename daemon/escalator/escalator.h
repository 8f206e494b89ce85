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
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/base/bounded_queue.h"
#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/escalator/active_silences.h"
#include "daemon/escalator/complaint_incidents.h"
#include "daemon/escalator/escalator_loop.h"
#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/hashtag_watch.h"
#include "daemon/escalator/incident_book.h"
#include "daemon/escalator/momentum_watch.h"
#include "daemon/escalator/pager.h"
#include "daemon/escalator/response_metrics.h"
#include "daemon/escalator/response_watch.h"
#include "daemon/escalator/silence_file.h"
#include "daemon/escalator/silent_sources.h"
#include "daemon/escalator/surge_watch.h"
#include "daemon/model/detection.h"
#include "daemon/model/escalation.h"
#include "daemon/state/incident_store.h"

namespace earshot {

class Escalator {
 public:
  // Called on the escalator's thread after each commit, once per escalation, in seq order.
  // It must not block for long (the app publishes on the bus); a failure there loses nothing,
  // since the escalation is already in the outbox. `json` is the outbox record's text, the
  // escalation as EscalationToJson writes it: the wire form, made once.
  using Publish = std::function<void(const Escalation& e, std::string_view json)>;

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
  // ended, quiet-period resolution, acknowledgements and resolutions by hand from the store,
  // pruning of old seen post ids. Called every second by the
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

  // Nobody else writes the store (`earshot replay`'s scratch file, which no other process
  // knows): no `earshot ack` or `resolve` can write behind the escalator's back, so after the
  // first tick it stops re-reading acknowledgements, pending acks and pending resolutions. Call
  // before the first batch; never for the daemon's store.
  void SetSoleWriter() { sole_writer_ = true; }

  // First-response times and target breaches per (brand, severity), from any thread.
  const ResponseMetrics& response_metrics() const { return response_metrics_; }

  // steady_clock milliseconds of the thread's last loop turn, for the watchdog.
  int64_t heartbeat_ms() const { return loop_.heartbeat_ms(); }
  // Incidents open or acknowledged (escalator thread, or when the thread is not running).
  size_t active_incidents() const { return book_.size(); }
  // The same count as of the last commit, from any thread (the /metrics scrape), without
  // touching the store; nullopt until the escalator has loaded its incidents (its first step).
  // Only the escalator opens and resolves incidents, and an acknowledgement leaves one active,
  // so this is the store's count of unresolved incidents.
  std::optional<size_t> committed_active_incidents() const;
  // Surges running now, as (surge key, incident id): "rule:lost-baggage|brand:acmeair",
  // "hashtag:acmeairsucks". Same thread contract as active_incidents().
  std::vector<std::pair<std::string, std::string>> active_surges() const {
    return surges_.detector().Active();
  }

 private:
  // The steps themselves: Process() and Tick() read, ask the parts below to change the step's
  // copies, then Finish() commits once and publishes.
  Status EnsureLoaded();
  // Reads, in one go, the stored incidents the batch's new posts could reopen.
  Status Prefetch(EscalationStep& step, const PostBatch& batch, const std::vector<bool>& seen);
  // Surges first (the post that starts one is already inhibited by it), then the new-hashtag
  // signal, then the complaint's own incident.
  void HandleComplaint(EscalationStep& step, const DetectedPost& dp, const Detection& d,
                       const std::string& source);
  // `earshot resolve`'s pending resolutions (PendingResolve): each resolves its incident if it
  // is still active, as any resolution does.
  void ResolveByHand(EscalationStep& step, const std::vector<PendingResolve>& resolves);
  // A post deleted on the network takes its incident with it ("post deleted").
  Status ResolveDeleted(EscalationStep& step, const PostBatch& batch);
  Status Finish(EscalationStep& step);
  // After a commit: the first responses and breaches it stored, into response_metrics_.
  void CountResponses(const EscalationStep& step);

  IncidentStore& store_;
  const EscalatorOptions options_;
  Clock& clock_;
  Publish publish_;

  // The escalator thread's state (or the caller's, before Start()).
  bool loaded_ = false;
  bool sole_writer_ = false;
  bool acks_read_ = false;  // a sole writer's store has had its acknowledgements read once
  uint64_t last_seq_ = 0;
  SystemTime last_prune_{};
  // The parts, each with one job (see their headers). They keep references to one another
  // and to options_, so they are declared, and built, in this order.
  IncidentBook book_;              // the active incidents
  ActiveSilences silences_;        // the silences in force
  SurgeWatch surges_;              // surge incidents and their inhibition
  Pager pager_;                    // when a pending notification goes out
  MomentumWatch momentum_;         // engagement and authors raise severity
  HashtagWatch hashtags_;          // new brand hashtags
  SilentSources silent_;           // sources that stopped fetching
  ResponseWatch responses_;        // response targets and the unanswered levels
  ComplaintIncidents complaints_;  // complaints open, join and resolve incidents

  ResponseMetrics response_metrics_;
  // book_.size() after the last commit (or the load), -1 before the load: for other threads.
  std::atomic<int64_t> committed_active_{-1};
  EscalatorLoop loop_;  // last: its thread stops before anything it uses is destroyed
};

}  // namespace earshot
