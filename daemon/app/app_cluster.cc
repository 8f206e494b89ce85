// App's cluster side (docs/cluster.md): a node that shares its sources, sinks and the
// escalator's leadership with others through NATS JetStream. See app_cluster.h.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <functional>
#include <thread>

#include "daemon/app/app.h"
#include "daemon/app/app_cluster.h"
#include "daemon/app/app_parts.h"
#include "daemon/app/prometheus_text.h"
#include "daemon/app/rule_hashtags.h"
#include "daemon/base/build_info.h"
#include "daemon/base/log.h"
#include "daemon/cluster/lease_table.h"
#include "daemon/nats/jetstream.h"

namespace earshot {
namespace {

constexpr const char* kComponent = "cluster";
// How long a node waits for its replica to apply the whole log: at its start (a new node
// replays everything), and before it takes up a lease's work (normally a few messages).
constexpr auto kJoinCatchUp = std::chrono::minutes(2);
constexpr auto kLeaseCatchUp = std::chrono::seconds(10);
// How long the batch stream keeps a batch nobody committed: longer than any leader change.
constexpr auto kBatchRetention = std::chrono::hours(24);

// How long a starting node waits for NATS to be ready: servers that boot beside earshot may
// still be forming their cluster, and a stream or bucket with replicas: 3 has "no suitable
// peers" until every server has joined.
constexpr auto kNatsSetupPatience = std::chrono::seconds(90);

// Runs `setup` again while it fails with what a forming NATS cluster answers (kUnavailable,
// kDeadlineExceeded), for up to kNatsSetupPatience; any other error, or the last one, returns.
Status RetryWhileForming(std::string_view what, const std::function<Status()>& setup) {
  const auto deadline = std::chrono::steady_clock::now() + kNatsSetupPatience;
  auto backoff = std::chrono::milliseconds(250);
  while (true) {
    Status s = setup();
    if (s.ok() || (s.code() != Status::Code::kUnavailable &&
                   s.code() != Status::Code::kDeadlineExceeded) ||
        std::chrono::steady_clock::now() + backoff >= deadline) {
      return s;
    }
    log::Warn(kComponent, "{}: {}; retrying in {}ms", what, s.message(), backoff.count());
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace

Status App::CreateCluster(Parts& p) {
  const ClusterOptions& o = *p.config.cluster;
  p.cluster = std::make_unique<ClusterParts>(o);
  ClusterParts& c = *p.cluster;
  nats::ConnectOptions connect;
  connect.servers = o.servers;
  connect.name = fmt::format("earshot {} {}", o.node, BuildVersion());
  connect.token = o.token;
  connect.credentials_file = o.credentials_file;
  EARSHOT_RETURN_IF_ERROR(RetryWhileForming("connecting to NATS", [&] {
    auto connection = nats::Connection::Connect(connect);
    if (!connection.ok()) return connection.status();
    c.connection = *std::move(connection);
    return Status::Ok();
  }));

  nats::KvSpec leases;
  leases.bucket = c.names.leases_bucket;
  leases.description = "earshot: which node holds each source, sink and the escalator";
  leases.ttl = o.lease_ttl;
  leases.replicas = o.replicas;
  EARSHOT_RETURN_IF_ERROR(RetryWhileForming("the leases bucket", [&] {
    auto bucket = nats::KvBucket::Open(*c.connection, leases);
    if (!bucket.ok()) return bucket.status();
    c.leases_bucket = *std::move(bucket);
    return Status::Ok();
  }));
  nats::KvSpec nodes;
  nodes.bucket = c.names.nodes_bucket;
  nodes.description = "earshot: the nodes alive, their rules hashes and leases";
  nodes.ttl = o.lease_ttl;
  nodes.replicas = o.replicas;
  EARSHOT_RETURN_IF_ERROR(RetryWhileForming("the nodes bucket", [&] {
    auto bucket = nats::KvBucket::Open(*c.connection, nodes);
    if (!bucket.ok()) return bucket.status();
    c.nodes_bucket = *std::move(bucket);
    return Status::Ok();
  }));
  c.leases = std::make_unique<cluster::LeaseTable>(*c.leases_bucket, o.node, o.lease_ttl);
  // A fifth of the ttl: a round's wait (a third) and a registry that does not answer still
  // bring the next renewal well inside the 0.8 ttl each lease is trusted for.
  c.nodes = std::make_unique<cluster::NodeRegistry>(*c.nodes_bucket, o.lease_ttl / 5);

  c.log = std::make_unique<cluster::StateLog>(*c.connection, c.names, o.replicas);
  EARSHOT_RETURN_IF_ERROR(RetryWhileForming("the state log", [&] { return c.log->Ensure(); }));
  nats::StreamSpec batches;
  batches.name = c.names.batch_stream;
  batches.description = "earshot: batches of detected posts, from every node to the leader";
  batches.subjects = {c.names.batch_subject};
  batches.replicas = o.replicas;
  batches.max_age = kBatchRetention;
  EARSHOT_RETURN_IF_ERROR(RetryWhileForming(
      "the batch stream", [&] { return nats::EnsureStream(*c.connection, batches); }));

  // Each commit applied here wakes this node's sink runners through the in-process bus, as the
  // escalator's publish does on a single node (whichever node leads).
  Parts* parts = &p;
  c.replica = std::make_unique<cluster::StateReplica>(
      *c.log, *p.store, [parts](const EscalatorCommit& commit) {
        for (const OutboxRecord& r : commit.outbox) {
          parts->newest_seq = std::max<uint64_t>(parts->newest_seq.load(), r.seq);
          if (Status s = parts->publisher->Publish(r.json); !s.ok()) {
            log::Warn(kComponent, "bus: {}; sinks will catch up from the outbox", s.message());
          }
        }
      });
  c.store = std::make_unique<cluster::ReplicatedStore>(*p.store, *c.log, *c.replica, o.node);
  c.forwarder = std::make_unique<cluster::BatchForwarder>(
      *c.connection, c.names, o.node, [parts](const std::string& source) {
        const cluster::LeaseKeeper* keeper = parts->cluster->keeper.get();
        const std::string lease = SourceLease(source);
        if (keeper == nullptr || !keeper->Holds(lease)) return std::optional<uint64_t>();
        return keeper->EpochOf(lease);
      });
  auto fingerprint = FingerprintOf(p.config);
  if (!fingerprint.ok()) return fingerprint.status();
  MutexLock lock(c.fingerprint_mu);
  c.fingerprint = *std::move(fingerprint);
  return Status::Ok();
}

Status App::StartCluster() {
  Parts& p = *parts_;
  ClusterParts& c = *p.cluster;
  EARSHOT_RETURN_IF_ERROR(c.replica->Start());
  if (Status s = c.replica->CatchUp(kJoinCatchUp); !s.ok()) {
    return Status::Unavailable(fmt::format(
        "cluster: could not catch up with the state log ({}); check NATS at {}", s.message(),
        c.connection->connected_url()));
  }
  log::Info(kComponent, {{"node", c.options.node}}, "joined the cluster as {}: state at log "
            "message {}", c.options.node, c.replica->applied());

  cluster::KeeperOptions keep;
  keep.wanted.emplace_back(kEscalatorLease);
  keep.sticky.emplace_back(kEscalatorLease);
  for (const auto& [lease, index] : c.pollers) keep.wanted.push_back(lease);
  for (const auto& [lease, index] : c.sinks) keep.wanted.push_back(lease);
  keep.identity.node = c.options.node;
  keep.identity.version = std::string(BuildVersion());
  keep.identity.started = RealClock().Now();
  keep.on_mismatch = c.options.on_rules_mismatch;
  ClusterParts* cp = &c;
  keep.fill = [cp](cluster::NodeRecord* r) {
    {
      MutexLock lock(cp->fingerprint_mu);
      r->rules_hash = cp->fingerprint.rules_hash;
      r->config_hash = cp->fingerprint.config_hash;
    }
    r->applied = cp->replica->applied();
  };
  keep.after_round = [this] { RestartBrokenTerm(); };
  c.keeper = std::make_unique<cluster::LeaseKeeper>(
      *c.leases, *c.nodes, std::move(keep),
      [this](const cluster::HeldLease& lease) { return OnLeaseGained(lease); },
      [this](const std::string& name, const Status& why) { OnLeaseLost(name, why); });
  // The forwarder asks the keeper which leases are held: it starts once the keeper exists.
  c.forwarder->Start(c.outgoing);
  c.keeper->Start();
  return Status::Ok();
}

void App::StopCluster() {
  ClusterParts& c = *parts_->cluster;
  if (c.keeper) c.keeper->Stop();  // stops every lease's work, then gives the leases back
  c.forwarder->Stop();
  c.replica->Stop();
}

bool App::OnLeaseGained(const cluster::HeldLease& lease) {
  Parts& p = *parts_;
  ClusterParts& c = *p.cluster;
  // Work resumes from the last holder's state: first apply all the log holds.
  if (Status s = c.replica->CatchUp(kLeaseCatchUp); !s.ok()) {
    log::Warn(kComponent, {{"lease", lease.name}}, "not taking up {}: {}", lease.name,
              s.message());
    return false;
  }
  if (lease.name == kEscalatorLease) return StartTerm(lease.epoch);
  if (auto it = c.pollers.find(lease.name); it != c.pollers.end()) {
    Poller& poller = *p.pollers[it->second];
    auto cursor = p.store->LoadCursor(poller.name());
    if (!cursor.ok()) {
      log::Warn(kComponent, {{"lease", lease.name}}, "{}: {}", lease.name,
                cursor.status().message());
      return false;
    }
    if (Status s = poller.Resume(*cursor); !s.ok()) {
      log::Error(kComponent, {{"lease", lease.name}}, "{}: {}", lease.name, s.message());
      return false;
    }
    log::Info(kComponent, {{"source", poller.name()}}, "polling {} from {}", poller.name(),
              cursor->value_or("its start"));
    return true;
  }
  if (auto it = c.sinks.find(lease.name); it != c.sinks.end()) {
    p.sinks[it->second]->Start();
    return true;
  }
  log::Warn(kComponent, "lease {} names no work of this node's config", lease.name);
  return false;
}

void App::OnLeaseLost(const std::string& name, const Status& why) {
  Parts& p = *parts_;
  ClusterParts& c = *p.cluster;
  if (name == kEscalatorLease) {
    EndTerm();
    return;
  }
  if (auto it = c.pollers.find(name); it != c.pollers.end()) {
    Poller& poller = *p.pollers[it->second];
    poller.RequestStop();
    poller.Join();
    return;
  }
  if (auto it = c.sinks.find(name); it != c.sinks.end()) {
    SinkRunner& runner = *p.sinks[it->second];
    // A clean stop gives the runner its grace to deliver what it has; a lost lease does not,
    // since another node is delivering already.
    if (why.code() == Status::Code::kCancelled) {
      runner.Drain(std::chrono::steady_clock::now() + p.config.shutdown_grace);
    }
    runner.Join();
  }
}

bool App::StartTerm(uint64_t epoch) {
  Parts& p = *parts_;
  ClusterParts& c = *p.cluster;
  auto committed = p.store->LoadPosition("batch_input");
  if (!committed.ok()) {
    log::Error(kComponent, "not leading: {}", committed.status().message());
    return false;
  }
  c.store->SetLeaderEpoch(epoch);
  c.term_batches = std::make_unique<BoundedQueue<PostBatch>>(kBatchQueueCapacity);
  auto escalator = std::make_shared<Escalator>(*c.store, p.config.escalation, RealClock(),
                                               p.escalator_publish);
  escalator->SetRuleHashtags(RuleHashtags(*p.detectors->Get()));
  {
    MutexLock lock(p.file_silences_mu);
    escalator->SetFileSilences(p.file_silences);
  }
  c.reader = std::make_unique<cluster::BatchReader>(*c.connection, c.names);
  c.reader->Start(*committed, *c.term_batches);
  escalator->Start(*c.term_batches);
  {
    MutexLock lock(p.escalator_mu);
    p.escalator = std::move(escalator);
  }
  ++c.terms;
  log::Info(kComponent, {{"epoch", epoch}},
            "leading: escalating from batch {} on, state at log message {}", *committed + 1,
            c.replica->applied());
  return true;
}

void App::RestartBrokenTerm() {
  ClusterParts& c = *parts_->cluster;
  const bool leading = parts_->CurrentEscalator() != nullptr;
  if (leading && !c.store->term_broken()) return;
  if (leading) {
    log::Warn(kComponent, "a commit was refused or its outcome unknown; starting a new term "
              "from the log");
    EndTerm();
  }
  // Still the lease's holder without a term (this round's, or an earlier round's restart that
  // could not catch up): start one.
  const std::optional<uint64_t> epoch = c.keeper->EpochOf(std::string(kEscalatorLease));
  if (!epoch || !c.keeper->Holds(std::string(kEscalatorLease))) return;
  if (Status s = c.replica->CatchUp(kLeaseCatchUp); !s.ok()) {
    log::Warn(kComponent, "the new term waits for the next lease round: {}", s.message());
    return;
  }
  StartTerm(*epoch);
}

void App::EndTerm() {
  Parts& p = *parts_;
  ClusterParts& c = *p.cluster;
  if (c.reader) c.reader->Stop();
  if (c.term_batches) c.term_batches->Close();
  std::shared_ptr<Escalator> escalator;
  {
    MutexLock lock(p.escalator_mu);
    escalator = std::move(p.escalator);
  }
  if (escalator) {
    escalator->RequestStop();
    escalator->Join();
  }
  c.reader.reset();
  c.term_batches.reset();
  log::Info(kComponent, "no longer leading");
}

void App::AppendClusterMetrics(PrometheusText* t) const {
  const Parts& p = *parts_;
  if (!p.cluster) return;
  const ClusterParts& c = *p.cluster;
  const MetricLabels node{{"node", c.options.node}};
  const cluster::LeaseKeeper* keeper = c.keeper.get();
  t->Family("earshot_cluster_nodes", "gauge", "Cluster nodes alive, as this node last saw.");
  t->Sample("earshot_cluster_nodes", node,
            static_cast<double>(keeper != nullptr ? keeper->live_nodes() : 0));
  t->Family("earshot_cluster_leases_held", "gauge",
            "Leases this node holds (its sources, sinks and the escalator's).");
  t->Sample("earshot_cluster_leases_held", node,
            static_cast<double>(keeper != nullptr ? keeper->Held().size() : 0));
  t->Family("earshot_cluster_leader", "gauge", "1 while this node leads the escalator.");
  t->Sample("earshot_cluster_leader", node,
            keeper != nullptr && keeper->Holds(std::string(kEscalatorLease)) ? 1 : 0);
  t->Family("earshot_cluster_rules_agree", "gauge",
            "1 while this node's rules and config hashes are the majority's, else 0.");
  bool agrees = true;
  if (keeper != nullptr) {
    const cluster::Agreement a = keeper->agreement();
    MutexLock lock(c.fingerprint_mu);
    agrees = a.agreeing == 0 || (a.rules_hash == c.fingerprint.rules_hash &&
                                 a.config_hash == c.fingerprint.config_hash);
  }
  t->Sample("earshot_cluster_rules_agree", node, agrees ? 1 : 0);
  t->Family("earshot_cluster_standing_by", "gauge",
            "1 while this node takes no lease because its rules differ (on_rules_mismatch).");
  t->Sample("earshot_cluster_standing_by", node,
            keeper != nullptr && keeper->standing_by() ? 1 : 0);
  t->Family("earshot_cluster_state_applied", "gauge",
            "The state log's last message applied to this node's copy.");
  t->Sample("earshot_cluster_state_applied", node, static_cast<double>(c.replica->applied()));
  t->Family("earshot_cluster_state_skipped_total", "counter",
            "State log messages this node could not read and passed over.");
  t->Sample("earshot_cluster_state_skipped_total", node,
            static_cast<double>(c.replica->skipped()));
  t->Family("earshot_cluster_batches_forwarded_total", "counter",
            "Batches this node's pollers sent to the batch stream.");
  t->Sample("earshot_cluster_batches_forwarded_total", node,
            static_cast<double>(c.forwarder->forwarded()));
  t->Family("earshot_cluster_batches_dropped_total", "counter",
            "Batches dropped because their source's lease was lost before they went out.");
  t->Sample("earshot_cluster_batches_dropped_total", node,
            static_cast<double>(c.forwarder->dropped()));
  t->Family("earshot_cluster_leader_terms_total", "counter", "Times this node became leader.");
  t->Sample("earshot_cluster_leader_terms_total", node, static_cast<double>(c.terms.load()));
  t->Family("earshot_cluster_nats_connected", "gauge", "1 while connected to a NATS server.");
  t->Sample("earshot_cluster_nats_connected", node, c.connection->connected() ? 1 : 0);
  t->Family("earshot_cluster_nats_reconnects_total", "counter",
            "Times the connection to NATS was re-established.");
  t->Sample("earshot_cluster_nats_reconnects_total", node,
            static_cast<double>(c.connection->reconnects()));
  t->Family("earshot_cluster_lease_rounds_failed_total", "counter",
            "Lease rounds that could not read or write the lease and node buckets.");
  t->Sample("earshot_cluster_lease_rounds_failed_total", node,
            static_cast<double>(keeper != nullptr ? keeper->rounds_failed() : 0));
}

}  // namespace earshot
