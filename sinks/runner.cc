#include "sinks/runner.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/log.h"
#include "daemon/base/stop.h"
#include "daemon/bus/subscriber.h"
#include "sinks/escalation_fit.h"
#include "daemon/model/escalation_json.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kSlice{100};
constexpr milliseconds kLiveWait{100};

int64_t SteadyMillisNow() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Human(milliseconds d) {
  if (d >= std::chrono::hours(1)) return fmt::format("{:.1f}h", d.count() / 3.6e6);
  if (d >= std::chrono::minutes(1)) return fmt::format("{:.1f}m", d.count() / 6e4);
  if (d >= std::chrono::seconds(1)) return fmt::format("{:.1f}s", d.count() / 1e3);
  return fmt::format("{}ms", d.count());
}

}  // namespace

SinkRunner::SinkRunner(std::string name, SinkPtr sink, OutboxStore& store, zmq::context_t& context,
                       SinkRunnerOptions options, Clock& clock)
    : name_(std::move(name)),
      component_("sink:" + name_),
      sink_(std::move(sink)),
      store_(store),
      context_(context),
      options_(std::move(options)),
      clock_(clock),
      limiter_(options_.policy.rate_limit, options_.policy.rate_period),
      rng_(std::random_device{}()) {
  Beat();  // a runner that has not started yet is not stale
}

SinkRunner::SinkRunner(std::string name, ConfiguredSink sink, OutboxStore& store,
                       zmq::context_t& context, SinkRunnerOptions options, Clock& clock)
    : SinkRunner(std::move(name), std::move(sink.sink), store, context,
                 [&] {
                   options.policy = sink.policy;
                   return std::move(options);
                 }(),
                 clock) {}

SinkRunner::~SinkRunner() { Join(); }

void SinkRunner::Start() {
  {
    MutexLock lock(mu_);
    done_ = false;
  }
  draining_.store(false);
  running_.store(true);
  thread_ = std::jthread([this](std::stop_token stop) {
    Run(stop);
    MutexLock lock(mu_);
    done_ = true;
    done_cv_.notify_all();
  });
}

void SinkRunner::Drain(SteadyTime deadline) {
  if (!thread_.joinable()) return;
  draining_.store(true);
  MutexLock lock(mu_);
  if (!done_cv_.wait_until(lock, deadline, [this] {
        mu_.AssertHeld();
        return done_;
      })) {
    log::Warn(component_, "shutdown grace ended before the sink caught up (delivered up to seq "
                          "{}); the rest stays in the outbox",
              cursor());
    thread_.request_stop();
  }
}

void SinkRunner::Join() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  running_.store(false);
}

void SinkRunner::Beat() { heartbeat_ms_.store(SteadyMillisNow(), std::memory_order_relaxed); }

bool SinkRunner::Pause(std::stop_token stop, milliseconds d, bool drain_interrupts) {
  const auto end = std::chrono::steady_clock::now() + d;
  for (;;) {
    Beat();
    if (stop.stop_requested()) return false;
    if (drain_interrupts && draining_.load()) return false;
    const auto left = end - std::chrono::steady_clock::now();
    if (left <= left.zero()) return true;
    if (!SleepFor(stop, std::min<std::chrono::steady_clock::duration>(left, kSlice))) return false;
  }
}

milliseconds SinkRunner::Backoff(int attempt) {
  const DeliveryPolicy& p = options_.policy;
  int64_t d = p.retry_initial.count();
  for (int i = 1; i < attempt && d < p.retry_max.count(); ++i) d *= 2;
  d = std::min<int64_t>(d, p.retry_max.count());
  // Equal jitter: half fixed, half random, so retries spread out but never come too soon.
  std::uniform_int_distribution<int64_t> dist(d / 2, d);
  return milliseconds(dist(rng_));
}

void SinkRunner::Park(uint64_t seq, const std::string& reason, std::string_view incident_id) {
  log::Fields fields{{"sink", name_}, {"seq", seq}};
  if (!incident_id.empty()) fields.Add({"incident_id", incident_id});
  Status s = store_.AddDeadLetter(DeadLetter{name_, seq, reason, clock_.Now()});
  if (!s.ok()) {
    // The cursor moves on in memory so one bad record cannot stall the sink; after a restart
    // the escalation is tried again, which is the safe side of at least once.
    log::Error(component_, fields, "seq {}: cannot record the dead letter: {}", seq,
               s.message());
  }
  fields.Add({"outcome", "dead_letter"});
  log::Warn(component_, fields, "seq {} moved to dead letters: {}", seq, reason);
  cursor_.store(seq, std::memory_order_relaxed);
  dead_lettered_.fetch_add(1, std::memory_order_relaxed);
}

const Escalation& SinkRunner::Fit(const Escalation& e, std::optional<Escalation>* fitted) {
  if (fitted->has_value()) return **fitted;  // cut at an earlier attempt
  if (EscalationToJson(e).size() <= options_.policy.max_escalation_bytes) return e;
  Escalation cut = e;
  FitEscalation(&cut, options_.policy.max_escalation_bytes);
  cut_.fetch_add(1, std::memory_order_relaxed);
  log::Warn(component_, {{"sink", name_}, {"seq", e.seq}, {"incident_id", e.incident_id}},
            "seq {} ({}) is larger than max_escalation_bytes {}: post texts cut, {} oldest "
            "posts left out",
            e.seq, e.incident_id, options_.policy.max_escalation_bytes, cut.posts_omitted);
  return fitted->emplace(std::move(cut));
}

SinkRunner::Outcome SinkRunner::DeliverOne(const Escalation& e, std::stop_token stop) {
  if (!sink_->RoutedHere(e)) {
    // The routes send it to other receivers: passed over, no token spent, the cursor past it.
    if (Status s = store_.SaveSinkCursor(name_, e.seq); !s.ok()) {
      log::Error(component_, {{"sink", name_}, {"seq", e.seq}},
                 "seq {} passed over, but the cursor was not saved: {}", e.seq, s.message());
    }
    cursor_.store(e.seq, std::memory_order_relaxed);
    skipped_.fetch_add(1, std::memory_order_relaxed);
    return Outcome::kDone;
  }
  std::optional<Escalation> fitted;  // e cut to max_escalation_bytes, once needed
  int attempt = 0;
  for (;;) {
    for (milliseconds wait = limiter_.Wait(clock_.SteadyNow()); wait.count() > 0;
         wait = limiter_.Wait(clock_.SteadyNow())) {
      if (!Pause(stop, wait, /*drain_interrupts=*/false)) return Outcome::kStopped;
    }
    limiter_.Take(clock_.SteadyNow());
    Beat();
    // Asked at the last moment: a node paused past its lease finds out here, before it sends
    // what the sink's new holder sends.
    if (options_.may_deliver && !options_.may_deliver()) {
      log::Warn(component_, {{"sink", name_}, {"seq", e.seq}},
                "seq {} not sent: this node no longer holds the sink's lease", e.seq);
      return Outcome::kStopped;
    }
    DeliveryResult r = sink_->Deliver(Fit(e, &fitted), stop);
    ++attempt;
    switch (r.kind) {
      case DeliveryResult::Kind::kDelivered: {
        if (Status s = store_.SaveSinkCursor(name_, e.seq); !s.ok()) {
          // Delivered but not recorded: a restart delivers it again, and the receiver's
          // idempotency key (incident id + seq) makes that harmless.
          log::Error(component_, {{"sink", name_}, {"seq", e.seq}, {"incident_id", e.incident_id}},
                     "seq {} delivered, but the cursor was not saved: {}", e.seq, s.message());
        }
        cursor_.store(e.seq, std::memory_order_relaxed);
        log::Info(component_,
                  {{"sink", name_},
                   {"seq", e.seq},
                   {"incident_id", e.incident_id},
                   {"outcome", "delivered"},
                   {"attempt", attempt}},
                  "seq {} ({}) delivered{}", e.seq, e.incident_id,
                  attempt > 1 ? fmt::format(" after {} attempts", attempt) : "");
        delivered_.fetch_add(1, std::memory_order_relaxed);
        return Outcome::kDone;
      }
      case DeliveryResult::Kind::kPermanent:
        Park(e.seq, r.detail, e.incident_id);
        return Outcome::kDone;
      case DeliveryResult::Kind::kRetry:
        break;
    }
    if (stop.stop_requested()) return Outcome::kStopped;
    retries_.fetch_add(1, std::memory_order_relaxed);
    const auto age = std::chrono::duration_cast<milliseconds>(clock_.Now() - e.at);
    if (age >= options_.policy.max_age) {
      Park(e.seq, fmt::format("undelivered {} after it was raised ({} attempts, max_age {}): {}",
                              Human(age), attempt, Human(options_.policy.max_age), r.detail),
           e.incident_id);
      return Outcome::kDone;
    }
    if (draining_.load()) {
      log::Warn(component_, {{"sink", name_}, {"seq", e.seq}, {"incident_id", e.incident_id}},
                "seq {} not delivered before shutdown ({}); it stays in the outbox", e.seq,
                r.detail);
      return Outcome::kStopped;
    }
    const milliseconds wait = r.retry_after.count() > 0 ? r.retry_after : Backoff(attempt);
    // The first failure and then every tenth: a receiver down for an hour must not flood the log.
    if (attempt == 1 || attempt % 10 == 0) {
      log::Warn(component_,
                {{"sink", name_},
                 {"seq", e.seq},
                 {"incident_id", e.incident_id},
                 {"outcome", "retry"},
                 {"attempt", attempt},
                 {"retry_in_ms", wait.count()}},
                "seq {} attempt {} failed: {}; retrying in {}{}", e.seq, attempt, r.detail,
                Human(wait), r.retry_after.count() > 0 ? " (Retry-After)" : "");
    }
    if (!Pause(stop, wait, /*drain_interrupts=*/true)) return Outcome::kStopped;
  }
}

bool SinkRunner::Redeliver(std::stop_token stop) {
  if (std::chrono::steady_clock::now() < redeliver_after_) return true;
  Result<std::vector<uint64_t>> seqs = store_.LoadRedeliveries(name_);
  if (!seqs.ok()) {
    log::Error(component_, "cannot read dead letters to retry: {}", seqs.status().message());
    return !stop.stop_requested();
  }
  for (uint64_t seq : *seqs) {
    Beat();
    if (stop.stop_requested()) return false;
    Result<std::vector<OutboxRecord>> records = store_.ReadOutbox(seq - 1, 1);
    if (!records.ok()) {
      log::Error(component_, "cannot read the outbox: {}", records.status().message());
      return !stop.stop_requested();
    }
    Status s;
    if (records->empty() || records->front().seq != seq) {
      s = store_.UpdateDeadLetter(
          DeadLetter{name_, seq, "retry: the escalation is no longer in the outbox", clock_.Now()});
      log::Warn(component_, {{"sink", name_}, {"seq", seq}},
                "seq {}: cannot retry, no longer in the outbox", seq);
    } else if (Result<Escalation> e = EscalationFromJson(records->front().json); !e.ok()) {
      s = store_.UpdateDeadLetter(DeadLetter{
          name_, seq,
          fmt::format("unreadable escalation in the outbox: {}", e.status().message()),
          clock_.Now()});
    } else {
      e->seq = seq;
      for (milliseconds wait = limiter_.Wait(clock_.SteadyNow()); wait.count() > 0;
           wait = limiter_.Wait(clock_.SteadyNow())) {
        if (!Pause(stop, wait, /*drain_interrupts=*/false)) return false;
      }
      limiter_.Take(clock_.SteadyNow());
      Beat();
      std::optional<Escalation> fitted;
      DeliveryResult r = sink_->Deliver(Fit(*e, &fitted), stop);
      switch (r.kind) {
        case DeliveryResult::Kind::kDelivered:
          s = store_.ClearDeadLetter(name_, seq);
          redeliver_failures_ = 0;
          delivered_.fetch_add(1, std::memory_order_relaxed);
          log::Info(component_,
                    {{"sink", name_},
                     {"seq", seq},
                     {"incident_id", e->incident_id},
                     {"outcome", "delivered"}},
                    "seq {} delivered on retry from dead letters", seq);
          break;
        case DeliveryResult::Kind::kPermanent:
          s = store_.UpdateDeadLetter(DeadLetter{name_, seq, r.detail, clock_.Now()});
          log::Warn(component_,
                    {{"sink", name_},
                     {"seq", seq},
                     {"incident_id", e->incident_id},
                     {"outcome", "dead_letter"}},
                    "seq {} retried from dead letters, refused again: {}", seq, r.detail);
          break;
        case DeliveryResult::Kind::kRetry: {
          // Stays flagged; the receiver is struggling, so the others wait too.
          retries_.fetch_add(1, std::memory_order_relaxed);
          ++redeliver_failures_;
          const milliseconds wait =
              r.retry_after.count() > 0 ? r.retry_after : Backoff(redeliver_failures_);
          redeliver_after_ = std::chrono::steady_clock::now() + wait;
          if (redeliver_failures_ == 1 || redeliver_failures_ % 10 == 0) {
            log::Warn(component_,
                      {{"sink", name_},
                       {"seq", seq},
                       {"incident_id", e->incident_id},
                       {"outcome", "retry"},
                       {"retry_in_ms", wait.count()}},
                      "seq {} retried from dead letters, failed: {}; trying again in {}", seq,
                      r.detail, Human(wait));
          }
          return !stop.stop_requested();
        }
      }
    }
    if (!s.ok()) log::Error(component_, "seq {}: cannot update its dead letter: {}", seq,
                            s.message());
  }
  return !stop.stop_requested();
}

bool SinkRunner::CatchUp(std::stop_token stop) {
  for (;;) {
    Beat();
    Result<std::vector<OutboxRecord>> records =
        store_.ReadOutbox(cursor(), options_.catchup_batch);
    if (!records.ok()) {
      log::Error(component_, "cannot read the outbox: {}", records.status().message());
      return Pause(stop, milliseconds(1000), true);
    }
    if (records->empty()) return true;
    for (const OutboxRecord& rec : *records) {
      if (rec.seq <= cursor()) continue;
      Result<Escalation> e = EscalationFromJson(rec.json);
      if (!e.ok()) {
        Park(rec.seq, fmt::format("unreadable escalation in the outbox: {}", e.status().message()));
        continue;
      }
      // The outbox's seq is the truth even if the JSON disagrees.
      e->seq = rec.seq;
      if (DeliverOne(*e, stop) == Outcome::kStopped) return false;
    }
  }
}

void SinkRunner::Run(std::stop_token stop) {
  Beat();
  // Subscribe before reading the outbox, so nothing published during the catch-up is missed.
  std::unique_ptr<bus::Subscriber> sub;
  if (auto s = bus::Subscriber::Create(context_, options_.endpoint); s.ok()) {
    sub = *std::move(s);
  } else {
    log::Error(component_, "{}; delivering from the outbox only", s.status().message());
  }

  for (;;) {
    Result<std::optional<uint64_t>> saved = store_.LoadSinkCursor(name_);
    if (saved.ok() && saved->has_value()) {
      cursor_.store(**saved);
      break;
    }
    if (saved.ok()) {
      Result<uint64_t> start = options_.new_sink_starts_at_end ? store_.MaxOutboxSeq()
                                                               : Result<uint64_t>(uint64_t{0});
      if (start.ok()) {
        Status s = store_.SaveSinkCursor(name_, *start);
        if (s.ok()) {
          log::Info(component_, "new sink: delivering escalations after seq {}", *start);
          cursor_.store(*start);
          break;
        }
        saved = s;
      } else {
        saved = start.status();
      }
    }
    log::Error(component_, "cannot load the delivery cursor: {}; retrying",
               saved.status().message());
    if (!Pause(stop, milliseconds(1000), false)) return;
  }
  log::Debug(component_, "running from seq {}", cursor());

  auto next_check = std::chrono::steady_clock::now();
  bool gap = true;  // catch up first
  while (!stop.stop_requested()) {
    Beat();
    const bool draining = draining_.load();
    if (gap || draining || std::chrono::steady_clock::now() >= next_check) {
      if (!draining && !Redeliver(stop)) return;
      if (!CatchUp(stop)) return;
      gap = false;
      next_check = std::chrono::steady_clock::now() + options_.outbox_check_interval;
      // The escalator stopped before the drain began: the outbox is complete and delivered.
      if (draining) return;
    }
    if (!sub) {  // no bus: poll the outbox
      if (!Pause(stop, options_.outbox_check_interval, true) && stop.stop_requested()) return;
      gap = true;
      continue;
    }
    Result<std::optional<std::string>> msg = sub->Receive(stop, kLiveWait);
    if (!msg.ok()) {
      log::Error(component_, "{}; delivering from the outbox only", msg.status().message());
      sub.reset();
      continue;
    }
    if (!msg->has_value()) continue;
    Result<Escalation> e = EscalationFromJson(**msg);
    if (!e.ok()) {
      // The bus copy is unreadable; the outbox holds the real one.
      log::Warn(component_, "unreadable message on the bus ({}); reading the outbox",
                e.status().message());
      gap = true;
      continue;
    }
    if (e->seq <= cursor()) continue;  // already delivered during a catch-up
    if (e->seq != cursor() + 1) {
      log::Debug(component_, "gap: bus has seq {}, cursor is {}; reading the outbox", e->seq,
                 cursor());
      gap = true;
      continue;
    }
    if (DeliverOne(*e, stop) == Outcome::kStopped) return;
  }
}

}  // namespace earshot
