// The `cluster:` section of earshot.yaml: read whole, defaulted, and every mistake named at its
// line and column with the fix; the NATS token stays out of every message.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "daemon/app/config_loader.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

constexpr const char* kToken = "s3cr3t-nats-token";

struct TempDir {
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("earshot-cluster-" + std::to_string(rd()));
    fs::create_directories(path / "secrets");
    Write("secrets/nats_token", std::string(kToken) + "\n");
    Write("nats.creds", "-----BEGIN NATS USER JWT-----\n");
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path Write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
  fs::path path;
};

// Lines 10-21 are the cluster section; the error cases below point into them.
constexpr const char* kConfig = R"(brands: [AcmeAir]
state_dir: state
rules:
  files: [rules/complaints.yaml]
  lexicon_dir: rules/lexicon
sinks:
  - name: archive
    type: file
    path: out/escalations.jsonl
cluster:
  node: earshot-a
  nats:
    - nats://nats-1:4222
    - tls://nats-2
    - NATS://[::1]:6222
    - tls://[fd00::7]
  token_file: secrets/nats_token
  lease_ttl: 15s
  replicas: 3
  prefix: earshot_staging
  on_rules_mismatch: stand_by
)";

std::string Edit(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

TEST_CASE("Cluster: a full section is read into ClusterOptions", "[app]") {
  TempDir dir;
  Diagnostics diags;
  auto config = LoadAppConfig(dir.Write("earshot.yaml", kConfig), &diags);
  INFO(diags.ToText());
  REQUIRE(config.ok());
  CHECK(diags.empty());
  REQUIRE(config->cluster);
  const ClusterOptions& c = *config->cluster;
  CHECK(c.node == "earshot-a");
  // Ports default to 4222; schemes are compared and written in lower case.
  CHECK(c.servers == std::vector<std::string>{"nats://nats-1:4222", "tls://nats-2:4222",
                                              "nats://[::1]:6222", "tls://[fd00::7]:4222"});
  CHECK(c.token == kToken);  // trailing newline trimmed
  CHECK(c.credentials_file.empty());
  CHECK(c.lease_ttl == std::chrono::seconds(15));
  CHECK(c.replicas == 3);
  CHECK(c.prefix == "earshot_staging");
  CHECK(c.on_rules_mismatch == RulesMismatchPolicy::kStandBy);
  CHECK(config->cluster_position.line == 11);  // the section's mapping starts at its first key
  CHECK(config->state_dir == dir.path / "state");  // each node keeps its own
}

TEST_CASE("Cluster: a .creds file or a systemd credential instead of a token file", "[app]") {
  TempDir dir;
  Diagnostics diags;
  const std::string creds = Edit(kConfig, "token_file: secrets/nats_token",
                                 "credentials_file: nats.creds");
  auto config = LoadAppConfig(dir.Write("earshot.yaml", creds), &diags);
  INFO(diags.ToText());
  REQUIRE(config.ok());
  REQUIRE(config->cluster);
  CHECK(config->cluster->credentials_file == (dir.path / "nats.creds").string());
  CHECK(config->cluster->token.empty());

  setenv("CREDENTIALS_DIRECTORY", (dir.path / "secrets").c_str(), 1);
  const std::string cred = Edit(kConfig, "token_file: secrets/nats_token",
                                "token_credential: nats_token");
  config = LoadAppConfig(dir.Write("earshot.yaml", cred), &diags);
  unsetenv("CREDENTIALS_DIRECTORY");
  INFO(diags.ToText());
  REQUIRE(config.ok());
  CHECK(config->cluster->token == kToken);
}

TEST_CASE("Cluster: only nats: given, the rest defaults", "[app]") {
  TempDir dir;
  const std::string text = Edit(kConfig, std::string(kConfig).substr(
                                             std::string(kConfig).find("cluster:")),
                                "cluster:\n  nats: nats://solo\n");
  Diagnostics diags;
  auto config = LoadAppConfig(dir.Write("earshot.yaml", text), &diags);
  INFO(diags.ToText());
  REQUIRE(config.ok());
  REQUIRE(config->cluster);
  const ClusterOptions& c = *config->cluster;
  char host[256] = {};
  REQUIRE(gethostname(host, sizeof(host) - 1) == 0);
  const std::string short_host = std::string(host).substr(0, std::string(host).find('.'));
  CHECK(c.node == short_host);
  CHECK(!c.node.empty());
  CHECK(c.servers == std::vector<std::string>{"nats://solo:4222"});
  CHECK(c.token.empty());
  CHECK(c.credentials_file.empty());
  CHECK(c.lease_ttl == std::chrono::seconds(10));
  CHECK(c.replicas == 1);
  CHECK(c.prefix == "earshot");
  CHECK(c.on_rules_mismatch == RulesMismatchPolicy::kWarn);
}

TEST_CASE("Cluster: no section is one node, as before", "[app]") {
  TempDir dir;
  const std::string text = std::string(kConfig).substr(0, std::string(kConfig).find("cluster:"));
  Diagnostics diags;
  auto config = LoadAppConfig(dir.Write("earshot.yaml", text), &diags);
  INFO(diags.ToText());
  REQUIRE(config.ok());
  CHECK_FALSE(config->cluster.has_value());
  CHECK(config->cluster_position.line == 0);
}

TEST_CASE("Cluster: each mistake is named at its line and column with the fix", "[app]") {
  struct Case {
    std::string from, to;  // an edit of kConfig
    std::string expected;  // one whole diagnostic line, after the directory
  };
  const std::string nats_list = "  nats:\n    - nats://nats-1:4222\n    - tls://nats-2\n"
                                "    - NATS://[::1]:6222\n    - tls://[fd00::7]\n";
  const std::vector<Case> cases = {
      {"node: earshot-a", "node: earshot.a",
       "earshot.yaml:11:9: error: cluster.node: 'earshot.a' has '.'; it is part of NATS KV keys: "
       "use A-Z, a-z, 0-9, '_' and '-'"},
      {"node: earshot-a", "node: 'earshot a'",
       "earshot.yaml:11:9: error: cluster.node: 'earshot a' has a space; it is part of NATS KV "
       "keys: use A-Z, a-z, 0-9, '_' and '-'"},
      {"node: earshot-a", "node: ''",
       "earshot.yaml:11:9: error: cluster.node: empty; leave the key out to name the node after "
       "the host"},
      {"- nats://nats-1:4222", "- http://nats-1:4222",
       "earshot.yaml:13:7: error: cluster.nats[0]: 'http://nats-1:4222' has scheme 'http'; "
       "expected nats://host:port or tls://host:port (the port defaults to 4222)"},
      {"- tls://nats-2", "- nats-2:4222",
       "earshot.yaml:14:7: error: cluster.nats[1]: 'nats-2:4222' has no scheme; expected "
       "nats://host:port or tls://host:port (the port defaults to 4222)"},
      {"- tls://nats-2", "- tls://nats-2:99999",
       "earshot.yaml:14:7: error: cluster.nats[1]: 'tls://nats-2:99999' has no valid port (1 to "
       "65535); expected nats://host:port or tls://host:port (the port defaults to 4222)"},
      {"- tls://nats-2", "- nats://:4222",
       "earshot.yaml:14:7: error: cluster.nats[1]: 'nats://:4222' has no host; expected"},
      {"- tls://nats-2", "- nats://nats 2",
       "earshot.yaml:14:7: error: cluster.nats[1]: 'nats://nats 2' has a space in its host; "
       "expected"},
      {"- tls://nats-2", "- nats://nats-2:4222/jetstream",
       "earshot.yaml:14:7: error: cluster.nats[1]: 'nats://nats-2:4222/jetstream' has a path"},
      {"- tls://nats-2", "- nats://alice:pw-in-url@nats-2",
       "earshot.yaml:14:7: error: cluster.nats[1]: a URL with user:password@ or token@ puts a "
       "secret in the config file; use cluster.token_file, token_credential or "
       "credentials_file"},
      {nats_list, "  nats: []\n",
       "earshot.yaml:12:9: error: cluster.nats: empty; give at least one NATS server URL "
       "(nats://host:4222)"},
      {nats_list, "  nats: {a: b}\n",
       "earshot.yaml:12:9: error: cluster.nats: expected a list of NATS server URLs, got a "
       "mapping"},
      {nats_list, "", "error: 'cluster' of earshot.yaml: missing required key 'nats'"},
      {"token_file: secrets/nats_token", "token_file: secrets/nats_token\n"
                                         "  credentials_file: nats.creds",
       "earshot.yaml:18:21: error: cluster: give either a token (token_file, token_credential) "
       "or credentials_file, not both; NATS authenticates a connection one way"},
      {"token_file: secrets/nats_token", "credentials_file: missing.creds",
       "missing.creds: cannot read the file: No such file or directory; name the .creds file "
       "the NATS operator issued (nsc generate creds)"},
      {"token_file: secrets/nats_token", "token_file: secrets/nope",
       "earshot.yaml:17:15: error: token_file of cluster: cannot read "},
      {"token_file: secrets/nats_token", "token: abc",
       "earshot.yaml:17:10: error: cluster: secrets never go in the config file; use token_file "
       "or token_credential"},
      {"lease_ttl: 15s", "lease_ttl: 2s",
       "earshot.yaml:18:14: error: cluster.lease_ttl: 2s is below 3s; a node renews its leases "
       "three times per lease_ttl, and renewals closer than a second apart lose leases to one "
       "slow NATS round trip"},
      {"lease_ttl: 15s", "lease_ttl: 10m",
       "earshot.yaml:18:14: error: cluster.lease_ttl: 10m is above 5m; the sources of a node "
       "that dies wait this long before another node takes them over"},
      {"lease_ttl: 15s", "lease_ttl: 15",
       "earshot.yaml:18:14: error: 'lease_ttl' of 'cluster' of earshot.yaml: "},
      {"replicas: 3", "replicas: 2",
       "earshot.yaml:19:13: error: cluster.replicas: 2 is not 1, 3 or 5; JetStream keeps a "
       "stream on 1, 3 or 5 servers (R1, R3, R5), never more than the NATS cluster has"},
      {"prefix: earshot_staging", "prefix: Earshot",
       "earshot.yaml:20:11: error: cluster.prefix: 'Earshot' has 'E'; it begins the names of "
       "NATS streams, buckets and subjects: use a-z, 0-9, '_' and '-'"},
      {"on_rules_mismatch: stand_by", "on_rules_mismatch: standby",
       "earshot.yaml:21:22: error: cluster.on_rules_mismatch: unknown value 'standby' (did you "
       "mean 'stand_by'?); known: warn, stand_by"},
      {"lease_ttl: 15s", "lease_tll: 15s",
       "earshot.yaml:18:3: error: unknown key 'lease_tll' in 'cluster' of earshot.yaml (did you "
       "mean 'lease_ttl'?)"},
      {"cluster:\n  node", "cluster: []\nx:\n  node",
       "earshot.yaml:10:10: error: 'cluster' of earshot.yaml: expected a mapping, got a list"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    Diagnostics diags;
    auto config = LoadAppConfig(dir.Write("earshot.yaml", Edit(kConfig, c.from, c.to)), &diags);
    const std::string text = diags.ToText();
    INFO(c.to << "\n" << text);
    CHECK_FALSE(config.ok());
    CHECK(text.find(c.expected) != std::string::npos);
    CHECK(text.find(kToken) == std::string::npos);
    CHECK(text.find("pw-in-url") == std::string::npos);
  }
}

TEST_CASE("Cluster: the token appears in no diagnostic, however many there are", "[app]") {
  TempDir dir;
  // The token file is read, then every other key is wrong, some of them next to it.
  std::string text = Edit(kConfig, "node: earshot-a", "node: earshot.a");
  text = Edit(text, "lease_ttl: 15s", "lease_ttl: 1s\n  credentials_file: nats.creds");
  text = Edit(text, "prefix: earshot_staging", "prefix: Bad");
  text = Edit(text, "replicas: 3", "replicas: 4\n  tokn: x");
  text = Edit(text, "- tls://nats-2", "- http://nats-2");
  Diagnostics diags;
  auto config = LoadAppConfig(dir.Write("earshot.yaml", text), &diags);
  const std::string all = diags.ToText() + diags.ToJson();
  INFO(all);
  CHECK_FALSE(config.ok());
  CHECK(diags.error_count() == 7);
  CHECK(all.find(kToken) == std::string::npos);
  CHECK(all.find("s3cr3t") == std::string::npos);
}

}  // namespace
}  // namespace earshot
