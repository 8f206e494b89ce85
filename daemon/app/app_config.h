// AppConfig: earshot.yaml as typed values, after validation. systemd/earshot.yaml documents every
// key in place; config_loader.h reads the file into this struct. Plain data, copyable: a reload
// builds a new one and swaps the parts that changed.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/cluster/cluster_options.h"
#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/routes.h"
#include "daemon/sources/source_settings.h"

namespace earshot {

// One sink: its type picks the SinkFactory; `options` are the remaining keys, checked against
// the factory's OptionSpec (secrets already read from their *_file / *_credential keys).
struct SinkSettings {
  std::string name;
  std::string type;
  std::map<std::string, std::string> options;
  std::string file;  // where the sink is declared, for diagnostics raised when it is built
  int line = 0, column = 0;
};

// Where a setting is written in earshot.yaml: problems found later, when the files it names are
// read, are reported there ("earshot.yaml:12:5: rules.files[1]: ...: no such file").
struct ConfigPosition {
  std::string file;
  int line = 0, column = 0;  // 1-based; 0 = unknown
};

struct AppConfig {
  std::filesystem::path file;          // the config file itself, for reload and messages
  std::vector<std::string> brands;     // fill {{brand}} in rule packs
  std::filesystem::path state_dir;     // holds earshot.db
  std::string log_level = "info";      // debug | info | warn | error
  std::string log_format = "keyvalue"; // keyvalue | json
  std::vector<std::filesystem::path> rule_files;
  std::filesystem::path lexicon_dir;
  std::vector<std::filesystem::path> lexicon_overlays;
  // Overlays of the complaint scorer's cues and weights (ComplaintModel), applied in order.
  std::vector<std::filesystem::path> complaint_overlays;
  std::vector<ConfigPosition> rule_file_positions;  // one per rule_files entry
  ConfigPosition rules_position;                    // the `files:` list
  ConfigPosition lexicon_dir_position;
  // rules.require_complaint_rules: a rule set with no live complaint rule (nothing could page)
  // is an error, so a reload refuses it and `earshot check` fails; otherwise a warning.
  bool require_complaint_rules = false;
  ConfigPosition require_complaint_rules_position;
  // One poller thread each; the network's SourceFactory checked and builds it.
  std::vector<SourceSettings> sources;
  EscalatorOptions escalation;        // the `escalation:` section
  // escalation.silences_file: resolved against the config's directory, and as written (it names
  // the file silences' ids, "file:silences.yaml:12"). Empty = no silences file. The file itself
  // is read by App::Create / App::Reload and `earshot check` (LoadConfiguredSilences).
  std::filesystem::path silences_file;
  std::string silences_file_name;
  // The `routes:` tree; nullptr sends every escalation to every sink.
  std::shared_ptr<const RoutingTree> routes;
  std::string bus_endpoint;            // "" = in-process only
  std::vector<SinkSettings> sinks;
  std::string metrics_address;         // "127.0.0.1:9464"; "" = no metrics server
  // The web console on the metrics address (docs/console.md).
  struct Console {
    bool enabled = true;
    // console.secret_file / secret_credential: "" = served to loopback peers only.
    std::string secret;
    std::chrono::seconds session_ttl{std::chrono::hours(12)};
  } console;
  std::chrono::milliseconds shutdown_grace{10000};  // sinks' time to deliver on SIGTERM
  // A thread silent this long is stuck: the watchdog ping stops and /healthz turns 503. Longer
  // than any single blocking call (an HTTP request times out after 30 s).
  std::chrono::milliseconds stale_after{90000};
  // The `cluster:` section (docs/cluster.md): nullopt, the default, runs one node on its own
  // SQLite state as ever. Each node keeps its state_dir either way.
  std::optional<ClusterOptions> cluster;
  // The section itself, for problems found when the node joins (NATS refusing the token, a
  // stream with other replicas) to point at.
  ConfigPosition cluster_position;
};

}  // namespace earshot
