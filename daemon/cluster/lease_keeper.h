// LeaseKeeper: this node's part in sharing the work. Every lease round (a third of the lease
// ttl) it
//   1. renews the leases it holds, and gives up at once any it lost (kAborted), could not
//      renew before it stopped being valid (NATS unreachable), or finds already past its
//      deadline (a pause, a slow round: the work stopped trusting it, so it is taken anew);
//   2. writes its NodeRecord (heartbeat, hashes, leases held) to the node registry;
//   3. judges whether its rules agree with the majority's; with on_rules_mismatch: stand_by a
//      node that differs releases everything and takes nothing until it agrees again;
//   4. moves toward its fair share, ceil(wanted / live nodes): above it, releases one lease a
//      round (the newest) for a node with fewer to take; below it, takes free ones.
// Every node of one config wants the same leases (one per source, plus the escalator's), so
// the shares add up to all of them, and a dead node's leases lapse and are taken within about
// one ttl.
//
// on_gained and on_lost run on the keeper's thread, in the round that found the change: the
// app starts a poller in on_gained and stops it in on_lost before the round goes on, so a node
// never works under a lease it no longer holds for longer than it takes to stop.
//
// Threads: Start/Stop from the owning thread; Round from the keeper's thread (or a test's
// instead of Start); the accessors from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"
#include "daemon/base/status.h"
#include "daemon/cluster/cluster_options.h"
#include "daemon/cluster/cluster_records.h"
#include "daemon/cluster/lease_table.h"
#include "daemon/cluster/node_registry.h"
#include "daemon/cluster/rules_agreement.h"

namespace earshot::cluster {

struct KeeperOptions {
  std::vector<std::string> wanted;  // every lease this node can work under, in config order
  // Leases never handed over to even out the shares (the escalator's: moving the leader costs a
  // catch-up and gains nothing); they move only when their holder stops or dies.
  std::vector<std::string> sticky;
  NodeRecord identity;              // node, version, started; the rest is filled per round
  // Fills the record's changing fields each round (hashes after a reload, the state applied);
  // leases, beat and stand_by are the keeper's. May be empty.
  std::function<void(NodeRecord*)> fill;
  // Runs on the keeper's thread at the end of each round, with the round's view settled (the
  // app restarts a leader's term there). May be empty.
  std::function<void()> after_round;
  RulesMismatchPolicy on_mismatch = RulesMismatchPolicy::kWarn;
};

class LeaseKeeper {
 public:
  // Starts the lease's work; false when it cannot now (the keeper gives the lease back at once).
  using OnGained = std::function<bool(const HeldLease&)>;
  using OnLost = std::function<void(const std::string& name, const Status& why)>;

  LeaseKeeper(LeaseTable& leases, NodeRegistry& nodes, KeeperOptions options, OnGained on_gained,
              OnLost on_lost, Clock& clock = RealClock());
  ~LeaseKeeper();  // Stop()s

  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Runs a round at once, then one every ttl/3 on the keeper's own thread.
  void Start();
  // Stops the rounds, releases every lease held (on_lost for each, reason "stopping") and
  // removes this node's record, so the others take over without waiting for a ttl.
  void Stop();
  // One round (see above). Public so that tests can drive the keeper without its thread.
  void Round();

  // True while this node holds `name` and its lease is still valid on this node's clock.
  bool Holds(const std::string& name) const;
  // The epoch of the held lease `name` (its fencing token), nullopt when not held.
  std::optional<uint64_t> EpochOf(const std::string& name) const;
  std::vector<std::string> Held() const;
  Agreement agreement() const;
  bool standing_by() const;
  size_t live_nodes() const;
  int64_t rounds_failed() const;  // rounds whose registry or lease reads failed (NATS away)

 private:
  void Run(std::stop_token stop);
  // Round's steps, which return early when one cannot go on.
  void RoundSteps() REQUIRES(round_mu_);
  // Drops held_[index] and tells on_lost.
  void Lose(size_t index, const Status& why) REQUIRES(round_mu_);
  void ReleaseAll(std::string_view reason) REQUIRES(round_mu_);
  void Acquire(size_t target) REQUIRES(round_mu_);
  // Copies held_ for the readers.
  void Publish() REQUIRES(round_mu_);

  LeaseTable& leases_;
  NodeRegistry& nodes_;
  const KeeperOptions options_;
  const OnGained on_gained_;
  const OnLost on_lost_;
  Clock& clock_;

  // Held by a round for its whole length, callbacks and NATS calls included: one round at a
  // time, and none after Stop.
  Mutex round_mu_;
  std::vector<HeldLease> held_ GUARDED_BY(round_mu_);  // oldest first
  bool stopped_ GUARDED_BY(round_mu_) = false;
  // What the readers see, copied at the end of each step of a round: they never wait on NATS.
  mutable Mutex mu_;
  std::vector<HeldLease> visible_ GUARDED_BY(mu_);
  Agreement agreement_ GUARDED_BY(mu_);
  bool standing_by_ GUARDED_BY(mu_) = false;
  size_t live_nodes_ GUARDED_BY(mu_) = 0;
  int64_t rounds_failed_ GUARDED_BY(mu_) = 0;
  std::jthread thread_;
};

}  // namespace earshot::cluster
