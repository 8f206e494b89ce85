#include "daemon/cluster/lease_keeper.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <utility>

#include "daemon/base/log.h"

namespace earshot::cluster {
namespace {

constexpr const char* kComponent = "cluster";

}  // namespace

LeaseKeeper::LeaseKeeper(LeaseTable& leases, NodeRegistry& nodes, KeeperOptions options,
                         OnGained on_gained, OnLost on_lost, Clock& clock)
    : leases_(leases),
      nodes_(nodes),
      options_(std::move(options)),
      on_gained_(std::move(on_gained)),
      on_lost_(std::move(on_lost)),
      clock_(clock) {}

LeaseKeeper::~LeaseKeeper() { Stop(); }

void LeaseKeeper::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void LeaseKeeper::Run(std::stop_token stop) {
  const auto every = leases_.ttl() / 3;
  std::mutex wait_mu;
  std::condition_variable_any wake;
  while (!stop.stop_requested()) {
    Round();
    std::unique_lock lock(wait_mu);
    wake.wait_for(lock, stop, every, [] { return false; });
  }
}

void LeaseKeeper::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  MutexLock lock(round_mu_);
  if (stopped_) return;
  stopped_ = true;
  ReleaseAll("stopping");
  if (Status s = nodes_.Leave(options_.identity.node); !s.ok()) {
    log::Warn(kComponent, "leaving the node registry: {}; the others count this node until its "
              "record lapses", s.message());
  }
}

void LeaseKeeper::Publish() {
  MutexLock lock(mu_);
  visible_ = held_;
}

void LeaseKeeper::Lose(size_t index, const Status& why) {
  const std::string name = held_[index].name;
  held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(index));
  Publish();
  on_lost_(name, why);
}

void LeaseKeeper::ReleaseAll(std::string_view reason) {
  while (!held_.empty()) {
    const HeldLease lease = held_.back();
    Lose(held_.size() - 1, Status::Cancelled(std::string(reason)));
    // Released after the work stopped, so the next holder never overlaps this one.
    if (Status s = leases_.Release(lease); !s.ok()) {
      log::Warn(kComponent, "releasing lease {}: {}; it lapses after the ttl instead", lease.name,
                s.message());
    }
  }
}

void LeaseKeeper::Round() {
  MutexLock round(round_mu_);
  if (stopped_) return;
  RoundSteps();
  if (options_.after_round) options_.after_round();
}

void LeaseKeeper::RoundSteps() {
  bool failed = false;

  // 1. Renew, newest first so that Lose's erase keeps the indexes below valid.
  for (size_t i = held_.size(); i-- > 0;) {
    HeldLease& lease = held_[i];
    if (!lease.Valid(clock_.SteadyNow())) {
      // Past its deadline the work already stopped trusting the lease: a sink runner refused
      // to send and ended, a poller's batches were dropped while it polled on. A renewal may
      // still land (the server's ttl is longer than the trust), but renewing would keep a
      // lease whose work is gone or has skipped posts. It is lost here instead, and taken
      // again below when still free, so the work restarts from the log.
      const HeldLease stale = lease;
      log::Warn(kComponent, {{"lease", stale.name}},
                "lease {} was not renewed before its deadline on this node's clock (a pause or "
                "a slow round); stopping its work",
                stale.name);
      Lose(i, Status::Aborted(fmt::format("lease {} expired on this node's clock", stale.name)));
      // After the work stopped, as in ReleaseAll; fails harmlessly when another node has it.
      if (Status s = leases_.Release(stale); !s.ok()) {
        log::Warn(kComponent, "releasing lease {}: {}", stale.name, s.message());
      }
      continue;
    }
    Status s = leases_.Renew(&lease);
    if (s.ok()) continue;
    if (s.code() == Status::Code::kAborted) {
      log::Warn(kComponent, {{"lease", lease.name}}, "{}; stopping its work", s.message());
      Lose(i, s);
      continue;
    }
    failed = true;
    if (!lease.Valid(clock_.SteadyNow())) {
      log::Warn(kComponent, {{"lease", lease.name}},
                "lease {} expired: renewing failed until it could no longer be trusted ({}); "
                "stopping its work",
                lease.name, s.message());
      Lose(i, Status::Aborted(fmt::format("lease {} expired unrenewed: {}", lease.name,
                                          s.message())));
    }
  }
  Publish();

  // 2. Heartbeat, then 3. the nodes alive and their agreement.
  NodeRecord me = options_.identity;
  if (options_.fill) options_.fill(&me);
  me.beat = clock_.Now();
  for (const HeldLease& l : held_) me.leases.push_back(l.name);
  {
    MutexLock lock(mu_);
    me.stand_by = standing_by_;
  }
  if (Status s = nodes_.Beat(me); !s.ok()) {
    failed = true;
    log::Warn(kComponent, "heartbeat: {}", s.message());
  }
  auto live = nodes_.Live();
  if (!live.ok()) {
    failed = true;
    log::Warn(kComponent, "reading the node registry: {}", live.status().message());
    MutexLock lock(mu_);
    ++rounds_failed_;
    return;  // without the live count no share can be judged; held leases stay renewed
  }
  // This round's own record may not be visible yet; count it anyway.
  if (std::none_of(live->begin(), live->end(),
                   [&](const NodeRecord& n) { return n.node == me.node; })) {
    live->push_back(me);
  }
  const Agreement agreement = JudgeAgreement(*live);
  const bool agrees = agreement.Agrees(me);
  const bool stand_by = !agrees && options_.on_mismatch == RulesMismatchPolicy::kStandBy;
  bool was_standing_by = false;
  {
    MutexLock lock(mu_);
    was_standing_by = standing_by_;
    if (!agrees && (agreement_.rules_hash != agreement.rules_hash ||
                    agreement_.config_hash != agreement.config_hash || agreement_.agreeing == 0)) {
      log::Warn(kComponent,
                {{"node", me.node}, {"rules_hash", me.rules_hash}, {"config_hash", me.config_hash}},
                "this node's rules or config differ from {} of {} node(s) (rules {}, config {}){}",
                agreement.agreeing, live->size(), agreement.rules_hash, agreement.config_hash,
                stand_by ? "; standing by: it takes no lease until they agree" : "");
    }
    agreement_ = agreement;
    standing_by_ = stand_by;
    live_nodes_ = live->size();
    if (failed) ++rounds_failed_;
  }
  if (stand_by) {
    ReleaseAll("this node's rules differ from the cluster's");
    return;
  }
  if (was_standing_by) log::Info(kComponent, "rules agree again; taking leases");
  // This round's record still carries the last round's stand_by: a node that agrees again
  // counts itself among the workers now, or it would judge its share against one node fewer
  // and take more than it keeps.
  for (NodeRecord& n : *live) {
    if (n.node == me.node) n.stand_by = false;
  }

  // 4. The fair share, counting only the nodes that take leases.
  const size_t workers = std::max<size_t>(
      1, static_cast<size_t>(std::count_if(live->begin(), live->end(),
                                           [](const NodeRecord& n) { return !n.stand_by; })));
  const size_t target = (options_.wanted.size() + workers - 1) / workers;
  // The newest lease that may move, handed over when this node holds more than its share.
  size_t movable = held_.size();
  for (size_t i = held_.size(); i-- > 0;) {
    if (std::find(options_.sticky.begin(), options_.sticky.end(), held_[i].name) ==
        options_.sticky.end()) {
      movable = i;
      break;
    }
  }
  if (held_.size() > target && movable < held_.size()) {
    const HeldLease lease = held_[movable];
    log::Info(kComponent, {{"lease", lease.name}},
              "handing lease {} over: {} node(s) share {} lease(s), and this one holds {}",
              lease.name, workers, options_.wanted.size(), held_.size());
    Lose(movable, Status::Cancelled("rebalancing"));
    if (Status s = leases_.Release(lease); !s.ok()) {
      log::Warn(kComponent, "releasing lease {}: {}", lease.name, s.message());
    }
    return;
  }
  Acquire(target);
}

void LeaseKeeper::Acquire(size_t target) {
  for (const std::string& name : options_.wanted) {
    if (held_.size() >= target) break;
    if (std::any_of(held_.begin(), held_.end(),
                    [&](const HeldLease& l) { return l.name == name; })) {
      continue;
    }
    auto taken = leases_.TryAcquire(name);
    if (!taken.ok()) {
      log::Warn(kComponent, {{"lease", name}}, "taking lease {}: {}", name,
                taken.status().message());
      MutexLock lock(mu_);
      ++rounds_failed_;
      return;
    }
    if (!taken->has_value()) continue;  // another node holds it
    held_.push_back(**std::move(taken));
    Publish();
    const HeldLease lease = held_.back();
    log::Info(kComponent, {{"lease", name}, {"epoch", lease.epoch}}, "took lease {} (epoch {})",
              name, lease.epoch);
    if (!on_gained_(lease)) {
      held_.pop_back();
      Publish();
      log::Warn(kComponent, {{"lease", name}}, "lease {} given back: its work could not start",
                name);
      if (Status s = leases_.Release(lease); !s.ok()) {
        log::Warn(kComponent, "releasing lease {}: {}", name, s.message());
      }
    }
  }
}

bool LeaseKeeper::Holds(const std::string& name) const {
  const SteadyTime now = clock_.SteadyNow();
  MutexLock lock(mu_);
  return std::any_of(visible_.begin(), visible_.end(),
                     [&](const HeldLease& l) { return l.name == name && l.Valid(now); });
}

std::optional<uint64_t> LeaseKeeper::EpochOf(const std::string& name) const {
  MutexLock lock(mu_);
  for (const HeldLease& l : visible_) {
    if (l.name == name) return l.epoch;
  }
  return std::nullopt;
}

std::vector<std::string> LeaseKeeper::Held() const {
  MutexLock lock(mu_);
  std::vector<std::string> names;
  for (const HeldLease& l : visible_) names.push_back(l.name);
  return names;
}

Agreement LeaseKeeper::agreement() const {
  MutexLock lock(mu_);
  return agreement_;
}

bool LeaseKeeper::standing_by() const {
  MutexLock lock(mu_);
  return standing_by_;
}

size_t LeaseKeeper::live_nodes() const {
  MutexLock lock(mu_);
  return live_nodes_;
}

int64_t LeaseKeeper::rounds_failed() const {
  MutexLock lock(mu_);
  return rounds_failed_;
}

}  // namespace earshot::cluster
