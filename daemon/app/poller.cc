#include "daemon/app/poller.h"

#include <fmt/format.h>

#include "daemon/app/live_detections.h"
#include "daemon/base/log.h"
#include "daemon/base/stop.h"
#include "daemon/model/post_limits.h"

namespace earshot {
namespace {

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Poller::Poller(std::unique_ptr<Source> source, std::unique_ptr<HttpClient> http,
               const DetectorHolder& detectors, BoundedQueue<PostBatch>& out,
               std::chrono::milliseconds alive_every, RecheckOptions recheck,
               LiveDetections* live)
    : source_(std::move(source)),
      http_(std::move(http)),
      recheck_(std::move(recheck)),
      detectors_(detectors),
      out_(out),
      live_(live),
      name_(source_->name()),
      alive_every_(alive_every) {
  // The first round waits a whole period: at start the incidents are as fresh as they get.
  next_round_ = std::chrono::steady_clock::now() + recheck_.every;
}

Poller::~Poller() {
  RequestStop();
  Join();
}

void Poller::Start() {
  heartbeat_ms_ = SteadyMillis();
  running_ = true;
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

Status Poller::Resume(const std::optional<std::string>& cursor) {
  Join();
  if (cursor) EARSHOT_RETURN_IF_ERROR(source_->Restore(*cursor));
  recheck_queue_.clear();
  Start();
  return Status::Ok();
}

void Poller::RequestStop() { thread_.request_stop(); }

void Poller::Join() {
  if (thread_.joinable()) thread_.join();
  running_ = false;
}

// Waits in slices so the heartbeat stays fresh through a long Retry-After: a source that is
// waiting as told is healthy; only a thread stuck elsewhere goes stale.
void Poller::Nap(std::stop_token stop, std::chrono::milliseconds wait, bool wake_on_reload) {
  constexpr std::chrono::milliseconds kSlice{1000};
  const auto until = std::chrono::steady_clock::now() + wait;
  while (!stop.stop_requested()) {
    heartbeat_ms_ = SteadyMillis();
    if (wake_on_reload && reload_credentials_.load()) return;
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= left.zero()) return;
    SleepFor(stop, std::min<std::chrono::steady_clock::duration>(left, kSlice));
  }
}

void Poller::Track(bool fetched, bool failed) {
  const std::string component = fmt::format("source:{}", name_);
  if (fetched) {
    const int64_t before = stats_.consecutive_failures.exchange(0);
    if (before >= kFailingAfter) {
      log::Info(component, {{"source", name_}, {"failures", before}},
                "fetching again after {} failures in a row; ready", before);
    }
    return;
  }
  if (!failed) return;
  if (++stats_.consecutive_failures == kFailingAfter) {
    log::Error(component, {{"source", name_}, {"failures", kFailingAfter}},
               "{} fetches in a row failed; /readyz reports this source as failing until one "
               "succeeds (see the warnings above for why)",
               kFailingAfter);
  }
}

Result<Pace> Poller::Fetch(std::stop_token stop, SourceBatch* fetched) {
  const bool rechecks = recheck_.every.count() > 0 && recheck_.ids && source_->can_recheck();
  if (rechecks && recheck_queue_.empty() && std::chrono::steady_clock::now() >= next_round_) {
    next_round_ = std::chrono::steady_clock::now() + recheck_.every;
    auto ids = recheck_.ids();
    if (ids.ok()) {
      recheck_queue_.assign(ids->begin(), ids->end());
      if (!recheck_queue_.empty()) {
        log::Debug(fmt::format("source:{}", name_), "re-checking {} post(s)", ids->size());
      }
    } else {
      log::Warn(fmt::format("source:{}", name_), "cannot list the posts to re-check: {}",
                ids.status().message());
    }
  }
  recheck_turn_ = !recheck_turn_;
  if (recheck_turn_ && !recheck_queue_.empty()) {
    const std::string id = std::move(recheck_queue_.front());
    recheck_queue_.pop_front();
    ++stats_.rechecks;
    return source_->Recheck(stop, *http_, id, fetched);
  }
  return source_->Next(stop, *http_, fetched);
}

void Poller::CompleteAuthors(std::stop_token stop, const Detector& detector, PostBatch* batch) {
  std::vector<size_t> matched;
  for (size_t i = 0; i < batch->posts.size(); ++i) {
    if (!batch->posts[i].detections.empty()) matched.push_back(i);
  }
  if (matched.empty()) return;
  std::vector<Post*> posts;
  posts.reserve(matched.size());
  for (size_t i : matched) posts.push_back(&batch->posts[i].post);
  // The source bounds the wait itself; this is only the outer limit.
  const SteadyTime deadline = std::chrono::steady_clock::now() + kCompleteAuthorsLimit;
  if (!source_->CompleteAuthors(stop, *http_, posts, deadline)) return;
  // Reach may change what the rules decide: judge the completed posts again.
  for (size_t i : matched) {
    const Post post = std::move(batch->posts[i].post);
    batch->posts[i] = detector.Detect(post);
  }
}

void Poller::Run(std::stop_token stop) {
  const std::string component = fmt::format("source:{}", source_->name());
  log::Info(component, "polling");
  // A batch goes out at least this often while fetches succeed, even an empty one, so the
  // escalator can tell a silent source (source_silent_after). Only a batch the source marked
  // `fetched` vouches for it: a source answered with 5xx for hours returns ok from Next (it
  // paces its own retries) but fetches nothing, and must look silent.
  auto last_sent = std::chrono::steady_clock::now() - alive_every_;
  while (!stop.stop_requested()) {
    heartbeat_ms_ = SteadyMillis();
    if (reload_credentials_.exchange(false)) source_->ReloadCredentials();
    SourceBatch fetched;
    Result<Pace> pace = Fetch(stop, &fetched);
    if (!pace.ok()) {
      if (pace.status().code() == Status::Code::kCancelled) break;
      // The source handles every likely failure itself; what reaches here it could not pace.
      // Waiting a minute keeps a broken source from spinning while the rest keeps running.
      ++stats_.source_errors;
      Track(false, true);
      log::Error(component, {{"source", source_->name()}, {"retry_in_ms", 60000}},
                 "{}; retrying in 60s", pace.status().message());
      Nap(stop, std::chrono::seconds(60));
      continue;
    }
    // A call that fetched nothing and asks for a wait failed (Source::Next paces every failure
    // with a wait > 0); a quiet stream's slice asks for none, and a good page sets `fetched`.
    Track(fetched.fetched, fetched.posts.empty() && pace->wait.count() > 0);
    if (!fetched.posts.empty() || fetched.cursor.has_value() || !fetched.deleted_ids.empty() ||
        (fetched.fetched && std::chrono::steady_clock::now() - last_sent >= alive_every_)) {
      last_sent = std::chrono::steady_clock::now();
      PostBatch batch;
      batch.fetch_ok = fetched.fetched;
      batch.source = std::string(source_->name());
      batch.cursor = std::move(fetched.cursor);
      batch.deleted_ids = std::move(fetched.deleted_ids);
      batch.posts.reserve(fetched.posts.size());
      const std::shared_ptr<const Detector> detector = detectors_.Get();
      std::map<std::string, int64_t> matches;
      const bool filter_locally = source_->hears_everything();
      int64_t filtered = 0;
      for (Post& post : fetched.posts) {
        post.source = batch.source;
        // Past here a post's size is bounded: rules, escalations and sinks see at most
        // kMaxPostTextBytes of text (daemon/model/post_limits.h).
        if (TruncatePostText(&post)) ++stats_.posts_truncated;
        const auto start = std::chrono::steady_clock::now();
        if (filter_locally && !detector->MayMatch(post)) {
          DetectedPost unscored;
          unscored.post = std::move(post);
          batch.posts.push_back(std::move(unscored));
          ++filtered;
        } else {
          batch.posts.push_back(detector->Detect(post));
        }
        stats_.detect_latency.Observe(std::chrono::steady_clock::now() - start);
      }
      CompleteAuthors(stop, *detector, &batch);
      for (const DetectedPost& dp : batch.posts) {
        for (const Detection& d : dp.detections) ++matches[d.rule_id];
        // Here the detections are final; the console sees a post before the escalator does.
        if (live_ != nullptr && !dp.detections.empty()) live_->Publish(batch.source, dp);
      }
      stats_.posts += static_cast<int64_t>(batch.posts.size());
      stats_.posts_filtered += filtered;
      if (!matches.empty()) {
        MutexLock lock(stats_.mu);
        for (const auto& [rule, n] : matches) stats_.rule_matches[rule] += n;
      }
      log::Debug(component, "fetched {} posts", batch.posts.size());
      // Blocks while the escalator is behind. On stop the batch is dropped here on purpose: its
      // cursor was never committed, so the next start fetches these posts again.
      const auto handoff = std::chrono::steady_clock::now();
      if (!out_.Push(std::move(batch), stop)) break;
      stats_.handoff_latency.Observe(std::chrono::steady_clock::now() - handoff);
      ++stats_.batches;
    }
    Nap(stop, pace->wait, pace->credentials_rejected);
  }
  log::Info(component, "stopped");
}

}  // namespace earshot
