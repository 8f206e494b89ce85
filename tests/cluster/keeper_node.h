// One node's lease machinery for the keeper and status tests: its LeaseTable, NodeRegistry and
// LeaseKeeper over the shared buckets, and a record of what the keeper told the node's work
// (on_gained, on_lost), which the keeper's thread may write while the test reads.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "daemon/cluster/lease_keeper.h"

namespace earshot::testing {

class KeeperNode {
 public:
  struct Options {
    std::string name;
    std::vector<std::string> wanted;
    std::vector<std::string> sticky;
    SystemTime started{};
    RulesMismatchPolicy on_mismatch = RulesMismatchPolicy::kWarn;
    std::string rules_hash = "rules-1";
    // Leases whose work "cannot start": on_gained answers false.
    std::set<std::string> refuse;
    Clock* clock = nullptr;  // the table's and keeper's; null = the real one

    static Options Of(std::string name, std::vector<std::string> wanted) {
      Options o;
      o.name = std::move(name);
      o.wanted = std::move(wanted);
      return o;
    }
    Options& Sticky(std::vector<std::string> v) { sticky = std::move(v); return *this; }
    Options& Started(SystemTime t) { started = t; return *this; }
    Options& Mismatch(RulesMismatchPolicy p) { on_mismatch = p; return *this; }
    Options& Rules(std::string h) { rules_hash = std::move(h); return *this; }
    Options& Refuse(std::set<std::string> r) { refuse = std::move(r); return *this; }
    Options& WithClock(Clock& c) { clock = &c; return *this; }
  };

  KeeperNode(nats::KvBucket& leases, nats::KvBucket& nodes, Options options,
             std::chrono::milliseconds ttl)
      : options_(std::move(options)),
        table_(leases, options_.name, ttl,
               options_.clock != nullptr ? *options_.clock : RealClock()),
        registry_(nodes),
        rules_hash_(options_.rules_hash) {
    cluster::KeeperOptions k;
    k.wanted = options_.wanted;
    k.sticky = options_.sticky;
    k.identity.node = options_.name;
    k.identity.version = "0.0.0-test";
    k.identity.started = options_.started;
    k.on_mismatch = options_.on_mismatch;
    k.fill = [this](cluster::NodeRecord* r) {
      std::lock_guard lock(mu_);
      r->rules_hash = rules_hash_;
      r->config_hash = "config-1";
    };
    keeper_ = std::make_unique<cluster::LeaseKeeper>(
        table_, registry_, std::move(k),
        [this](const cluster::HeldLease& l) {
          std::lock_guard lock(mu_);
          gained_.push_back(l.name);
          return options_.refuse.count(l.name) == 0;
        },
        [this](const std::string& name, const Status& why) {
          std::lock_guard lock(mu_);
          lost_.emplace_back(name, why.code());
        },
        options_.clock != nullptr ? *options_.clock : RealClock());
  }

  cluster::LeaseKeeper& keeper() { return *keeper_; }
  cluster::LeaseTable& table() { return table_; }
  const std::string& name() const { return options_.name; }

  void SetRulesHash(std::string hash) {
    std::lock_guard lock(mu_);
    rules_hash_ = std::move(hash);
  }
  std::vector<std::string> gained() const {
    std::lock_guard lock(mu_);
    return gained_;
  }
  std::vector<std::pair<std::string, Status::Code>> lost() const {
    std::lock_guard lock(mu_);
    return lost_;
  }
  size_t LostCount(const std::string& name) const {
    std::lock_guard lock(mu_);
    return static_cast<size_t>(std::count_if(lost_.begin(), lost_.end(),
                                             [&](const auto& l) { return l.first == name; }));
  }

 private:
  const Options options_;
  cluster::LeaseTable table_;
  cluster::NodeRegistry registry_;
  mutable std::mutex mu_;
  std::string rules_hash_;
  std::vector<std::string> gained_;
  std::vector<std::pair<std::string, Status::Code>> lost_;
  std::unique_ptr<cluster::LeaseKeeper> keeper_;  // last: destroyed (stopped) first
};

}  // namespace earshot::testing
