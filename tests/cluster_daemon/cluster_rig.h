// ClusterRig: earshot's cluster mode end to end. One fake Mastodon in this process, real
// nats-server processes (one, or three with `replicas: 3`), and `earshot run` nodes as child
// processes, each with its own state_dir, metrics port and systemd notify socket, all reading
// the same rules and the same four hashtag sources, all writing the same JSONL file. The file
// sink recognises its own last line after a crash, so that one file is the cluster's single
// receiver: a line in it twice is a page sent twice, whichever node wrote it.
//
// Ownership: the test owns the rig; the rig owns the fake, the servers and the nodes.
// Threads: one test thread, except that Post() may run on another.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/cluster/cluster_status.h"
#include "daemon/model/escalation.h"
#include "daemon/nats/nats_connection.h"
#include "daemon/sources/fake/fake_mastodon.h"
#include "tests/fakes/child_process.h"
#include "tests/fakes/nats_server.h"
#include "tests/fakes/notify_listener.h"

namespace earshot::testing {

struct NodeOptions {
  std::string on_rules_mismatch = "warn";
  // A rule file added to the shared ones: this node's rules then differ from the others'.
  std::string extra_rule_file;
};

class ClusterRig {
 public:
  // Hashtag sources, one lease each; with the file sink and the escalator, six leases.
  static constexpr int kSources = 4;
  static constexpr const char* kFileSink = "archive";

  // `nats_servers`: 1, or 3 for a NATS cluster on which every stream has three replicas.
  explicit ClusterRig(int nats_servers = 1);
  ~ClusterRig();
  ClusterRig(const ClusterRig&) = delete;
  ClusterRig& operator=(const ClusterRig&) = delete;

  FakeMastodon& fake() { return *fake_; }
  NatsCluster* nats_cluster() { return nats_cluster_.get(); }
  const std::string& dir() const { return dir_; }
  std::string escalations_path() const { return dir_ + "/escalations.jsonl"; }

  // Writes node `name`'s config; returns its index. Not started.
  int AddNode(const std::string& name, NodeOptions options = {});
  int nodes() const { return static_cast<int>(nodes_.size()); }
  const std::string& name(int node) const;
  std::string config_path(int node) const;
  // Starts `earshot run` for each node and waits for each one's READY=1 (false if one never
  // came within 60 s). Started together, so the cluster forms in one go.
  bool Start(const std::vector<int>& nodes);
  bool Start(int node) { return Start(std::vector<int>{node}); }
  void Kill(int node);  // SIGKILL, then reaps it
  int Stop(int node);   // SIGTERM; the exit status
  void Pause(int node);
  void Resume(int node);
  bool running(int node) const;
  std::vector<int> Running() const;
  std::string Log(int node) const;  // every run's output, in order
  std::string AllLogs() const;

  // One sample `family{node="<name>"}` of the node's /metrics; nullopt when unanswered.
  std::optional<double> Metric(int node, const std::string& family) const;

  // The leases every node wants: "escalator", "source:<name>" per source, "sink:archive".
  std::vector<std::string> Leases() const;
  // The cluster as NATS knows it (what `earshot cluster status` reads); nullopt on a failure.
  std::optional<cluster::ClusterStatus> Status();
  // Lease -> holder, for leases held now (released and lapsed ones are absent).
  std::map<std::string, std::string> Holders();
  // Every lease held by one of `names`, none of which holds more than ceil(leases / names).
  bool Balanced(const std::vector<std::string>& names);
  bool WaitBalanced(const std::vector<std::string>& names, std::chrono::milliseconds timeout);
  // The running node holding the most leases (the escalator's holder on a tie); -1 if none.
  int Busiest();
  // The node holding `lease`, or -1.
  int HolderOf(const std::string& lease);
  // The leases node `name` holds now.
  std::vector<std::string> LeasesOf(const std::string& name);
  // Waits until each of `leases` is held by a node other than `gone`: the time from `since`
  // until the last of them was, as this poll saw it; nullopt after `timeout`.
  std::optional<std::chrono::milliseconds> WaitTakenOver(
      const std::string& gone, const std::vector<std::string>& leases,
      std::chrono::steady_clock::time_point since, std::chrono::milliseconds timeout);

  // Lease -> the bucket revision of its last write, for leases held now.
  std::map<std::string, uint64_t> Revisions();
  // Waits until each lease in `before` is held and written since: by a successor, or by its
  // holder restarted under the same name (which takes its own leases back at once). The time
  // from `since` until the last of them was, as this poll saw it; nullopt after `timeout`.
  // Reads only NATS: safe while another thread starts or stops nodes.
  std::optional<std::chrono::milliseconds> WaitReheld(
      const std::map<std::string, uint64_t>& before, std::chrono::steady_clock::time_point since,
      std::chrono::milliseconds timeout);

  // Runs `earshot cluster status --config <node 0's config> [--json]`; its exit status, with
  // its standard output in `*out`.
  int StatusCommand(bool json, std::string* out) const;

  // Publishes a complaint by `author` on source (n % kSources)'s hashtag.
  void Post(const std::string& author, int n);
  // Every complete line of the file sink, in file order (throws on a garbled line).
  std::vector<Escalation> Escalations() const;

 private:
  struct Node;
  std::unique_ptr<FakeMastodon> fake_;
  std::unique_ptr<NatsServer> nats_server_;
  std::unique_ptr<NatsCluster> nats_cluster_;
  std::unique_ptr<nats::Connection> connection_;
  std::string dir_;
  std::vector<std::unique_ptr<Node>> nodes_;
};

// The hashtag source `i` polls.
std::string SourceTag(int i);

}  // namespace earshot::testing
