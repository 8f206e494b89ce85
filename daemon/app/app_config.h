// AppConfig: earshot.yaml as typed values, after validation. systemd/earshot.yaml documents every
// key in place; config_loader.h reads the file into this struct. Plain data, copyable: a reload
// builds a new one and swaps the parts that changed.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/routes.h"

namespace earshot {

// One poller thread: a Mastodon hashtag timeline or the token account's mentions, an X recent
// search or an account's X mention timeline, a Bluesky post search or the login account's
// Bluesky mentions (notifications), or a Reddit listing.
struct SourceSettings {
  std::string name;      // "acmeair-sucks": unique, names the cursor in the state store
  std::string type;      // "mastodon", "x", "bluesky", "reddit"
  std::string base_url;  // "https://mastodon.social"; "" = the network's own API host
  std::string hashtag;   // mastodon: without '#'; empty when `mentions` is true
  bool mentions = false; // mastodon, bluesky: the account's mentions instead of a tag / query
  std::string local_domain;  // mastodon: appended to local accounts ("" = base_url's host)
  std::string mode = "poll";  // mastodon: poll (REST paging) | stream (SSE, gaps filled by REST)
  std::string query;     // x, bluesky: the search query; reddit: for listing: search
  std::string mentions_of;  // x: the username whose mention timeline to read (no '@')
  std::string user_id;      // x: that account's numeric id; "" = looked up from mentions_of
  std::string identifier;                // bluesky: the account's handle or email
  std::string listing, subreddit;        // reddit: new | comments | search, and "airlines"
  std::string client_id, reddit_user;    // reddit: the app's id, the account named in User-Agent
  // The credential itself (Mastodon token, X bearer token, Bluesky app password, Reddit client
  // secret), read from its *_file / *_credential key; never logged.
  std::string secret;
  // Where `secret` came from, so the source can re-read it after a 401 and on reload: the file's
  // path (token_file resolved, or $CREDENTIALS_DIRECTORY/NAME) and the key that named it.
  std::string secret_path, secret_key;
  std::chrono::milliseconds poll_interval{15000};
  // mastodon: how often the posts of open incidents are re-checked for deletion (404); 0 = never.
  std::chrono::milliseconds recheck_every{600000};
  int limit = 0;  // page size; 0 = the network's own default (Mastodon 40, others 100)
  std::string file;  // where the source is declared
  int line = 0, column = 0;
};

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
  std::chrono::milliseconds shutdown_grace{10000};  // sinks' time to deliver on SIGTERM
  // A thread silent this long is stuck: the watchdog ping stops and /healthz turns 503. Longer
  // than any single blocking call (an HTTP request times out after 30 s).
  std::chrono::milliseconds stale_after{90000};
};

}  // namespace earshot
