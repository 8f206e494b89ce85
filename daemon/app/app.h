// App: one running earshot. It owns every part through unique_ptr, builds them in the order
// state -> bus -> sinks -> escalator -> sources, and stops them in reverse, every step running
// even when an earlier one failed (Falco's teardown). The main thread drives it: Create, Start,
// then Reload on SIGHUP and Stop on SIGTERM; no other thread calls it.
//
// Reload swaps the detection snapshot (rules + lexicon) and the silences file's entries only
// after both read fully; a broken rule or silences file keeps the running rules and silences
// and returns every diagnostic.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/app/app_config.h"
#include "daemon/base/clock.h"
#include "daemon/base/log.h"
#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/config/diagnostics.h"

namespace earshot {

namespace cluster {
struct HeldLease;
}  // namespace cluster
class DetectionFeed;
class Detector;
class OperatorStore;
class OutboxStore;
class PrometheusText;
class RuleActivity;

// What the last reload did (or the start, before any reload), for a console's "load errors of
// the last reload".
struct ReloadOutcome {
  bool ok = true;
  bool at_start = true;  // no reload yet: this is the start's load
  SystemTime at{};       // when it finished
  std::string error;     // the reload's Status message when it failed; "" when ok
  // Every diagnostic it reported, errors and warnings, as Diagnostic::ToString() renders them
  // ("rules/complaints.yaml:14:5: error: unknown key ..."), in the order found.
  std::vector<std::string> diagnostics;
};

// Loads the lexicon and the rule files of `config` into one immutable detector.
// Diagnostics carry every problem, 1-based file:line:col; the Status is their summary.
Result<std::shared_ptr<const Detector>> BuildDetector(const AppConfig& config,
                                                      Diagnostics* diags);

// A source as the web console's sources page shows it.
struct SourceView {
  std::string name;     // "mastodon:acmeair-sucks"
  std::string network;  // "mastodon"
  int64_t posts = 0;
  int64_t consecutive_failures = 0;
  bool failing = false;                    // as /readyz judges it
  std::optional<double> lag_seconds;       // streams only
  std::string budget;                      // the rate budget it shares ("x:a,x:b"), "" = none
  std::optional<int64_t> budget_remaining, budget_limit;
  std::optional<SystemTime> budget_reset;
  std::optional<log::Problem> last_problem;  // its last warning or error
};

// A sink as the web console's sinks page shows it.
struct SinkView {
  std::string name;
  uint64_t delivered = 0, skipped = 0, retries = 0, dead_lettered = 0;
  uint64_t backlog = 0;  // escalations in the outbox it has not handled yet
  std::optional<log::Problem> last_problem;
};

class App {
 public:
  // Builds every part without starting a thread: opens the state store, binds the bus, creates
  // each sink and source (checking their options), compiles the rules. Any problem is reported
  // in *diags and returned; nothing is left running.
  static Result<std::unique_ptr<App>> Create(const AppConfig& config, Diagnostics* diags);
  ~App();  // Stop()s if still running

  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Starts the sink runners (they catch up from the outbox first), the escalator, then the
  // pollers, each restored to its committed cursor.
  Status Start();

  // Recompiles rules and lexicon and re-reads the silences file from `config`; swaps them in
  // only when everything read cleanly. Counted in earshot_reloads_total by result.
  Status Reload(const AppConfig& config, Diagnostics* diags);
  // What SIGHUP does: re-reads earshot.yaml at `config_path`, then Reload()s from it. A config
  // that does not load is a failed reload too (counted, the running rules kept), so the
  // failed-reload alert fires whichever file the operator broke.
  Status ReloadFromFile(const std::filesystem::path& config_path, Diagnostics* diags);

  // Stops sources, drains what they fetched through the escalator, gives the sinks `grace` to
  // deliver, then closes the bus and the store. Undelivered escalations stay in the outbox.
  void Stop();

  // True while every thread stamped its heartbeat within `max_age` (the watchdog's question).
  bool Healthy(std::chrono::milliseconds max_age) const;
  // The names of the threads whose heartbeat is older than `max_age`.
  std::vector<std::string> Stale(std::chrono::milliseconds max_age) const;
  // The sources whose fetches keep failing (poller.h, kFailingAfter), each as
  // "mastodon:airline (7 failed fetches in a row)", for /readyz. Thread-safe while the App runs.
  std::vector<std::string> FailingSources() const;
  // Every number of /metrics, in Prometheus text format. Thread-safe while the App runs.
  std::string RenderMetrics() const;
  // One line for systemd's STATUS=: "2 sources, 2 sinks, 3 incidents escalated".
  std::string StatusLine() const;

  // What the web console reads and acts through (daemon/console), thread-safe while the App
  // runs: the operators' side of the state store (the same calls `earshot ack` and `earshot
  // silence` make), its outbox side (the sinks' deliveries), and the rules now loaded.
  OperatorStore& operator_store() const;
  OutboxStore& outbox_store() const;
  std::shared_ptr<const Detector> detector() const;
  // Every source and sink with its counters now, in config order. Thread-safe while running.
  std::vector<SourceView> Sources() const;
  std::vector<SinkView> Sinks() const;
  // The console's live views, fed by every poller with each post that matched a rule. They
  // live as long as the App; both are thread-safe.
  DetectionFeed& detection_feed();
  const DetectionFeed& detection_feed() const;
  RuleActivity& rule_activity();
  const RuleActivity& rule_activity() const;
  // A copy of what the last Reload or ReloadFromFile did. Thread-safe.
  ReloadOutcome LastReload() const;
  // Per brand, the complaints an hour its complaint rules usually see: the surge detector's
  // baselines (EWMA per surge_window) of the brand's rule keys, summed and scaled to an hour.
  // Brands without a learnt baseline are absent. Reads the state store.
  Result<std::map<std::string, double>> SurgeBaselinesPerHour() const;

 private:
  struct Parts;
  explicit App(std::unique_ptr<Parts> parts);
  // The escalator's and the sinks' families of /metrics.
  void AppendComponentMetrics(PrometheusText* t) const;

  // ---- a cluster node (app_cluster.cc, docs/cluster.md) ----------------------------------------
  // Connects to NATS, makes sure the streams and buckets exist and opens the state replica:
  // Create's part, before any work is built on the replicated store.
  static Status CreateCluster(Parts& p);
  // Catches up with the state log, then starts forwarding batches and taking leases.
  Status StartCluster();
  // Gives every lease back (stopping its work), then stops the replica.
  void StopCluster();
  // The keeper's callbacks (its thread): start or stop the work under one lease.
  bool OnLeaseGained(const cluster::HeldLease& lease);
  void OnLeaseLost(const std::string& name, const Status& why);
  // A term as the escalator's leader: its escalator and batch reader.
  bool StartTerm(uint64_t epoch);
  void EndTerm();
  // After each lease round: a term whose commit had an unknown outcome ends, and a new one
  // starts from the state log when this node still leads.
  void RestartBrokenTerm();
  void AppendClusterMetrics(PrometheusText* t) const;
  // Reload's work: everything but counting and recording the outcome.
  Status ReloadRules(const AppConfig& config, Diagnostics* diags);
  // Counts one reload, sets the last-reload gauges and keeps its outcome for LastReload(), with
  // the diagnostics it added to `diags` from index `from` on.
  void FinishReload(const Status& status, const Diagnostics& diags, size_t from);
  std::unique_ptr<Parts> parts_;
};

}  // namespace earshot
