// earshot.yaml as operators write it: the annotated example loads, mistakes are named with
// their position and a fix, secrets come only from files or $CREDENTIALS_DIRECTORY.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "daemon/app/config_loader.h"
#include "daemon/escalator/response_policy.h"
#include "daemon/escalator/routes.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("earshot-config-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path Write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
  fs::path path;
};

constexpr const char* kMinimal = R"(brands: [AcmeAir]
state_dir: state
rules:
  files: [rules/complaints.yaml]
  lexicon_dir: rules/lexicon
sources:
  - name: tag
    type: mastodon
    base_url: https://mastodon.example
    hashtag: '#AcmeAirSucks'
    poll_interval: 30s
  - name: mentions
    type: mastodon
    base_url: https://mastodon.example
    mentions: true
    token_file: secrets/token
sinks:
  - name: archive
    type: file
    path: out/escalations.jsonl
)";

TEST_CASE("Config: the annotated example in systemd/ loads", "[app]") {
  TempDir dir;
  setenv("CREDENTIALS_DIRECTORY", dir.path.c_str(), 1);
  dir.Write("mastodon_token", "secret\n");
  Diagnostics diags;
  auto config = LoadAppConfig(std::string(EARSHOT_SOURCE_DIR) + "/systemd/earshot.yaml", &diags);
  unsetenv("CREDENTIALS_DIRECTORY");
  INFO(diags.ToText());
  REQUIRE(config.ok());
  CHECK(config->brands == std::vector<std::string>{"AcmeAir"});
  // Only the public hashtag source is live: those needing a secret ship commented out.
  CHECK(config->sources.size() == 1);
  CHECK(config->sources[0].secret.empty());
  CHECK(!config->sinks.empty());
  CHECK_FALSE(config->cluster);  // the cluster example ships commented out: one node
  // The shipped silences file sits beside it, reads cleanly and holds none.
  CHECK(config->silences_file == fs::path(EARSHOT_SOURCE_DIR) / "systemd/silences.yaml");
  auto silences = LoadConfiguredSilences(*config, SystemTime{}, &diags);
  INFO(diags.ToText());
  REQUIRE(silences);
  CHECK(silences->empty());
  CHECK(diags.empty());
}

TEST_CASE("Config: relative paths resolve against the config file, secrets from files", "[app]") {
  TempDir dir;
  fs::create_directories(dir.path / "secrets");
  dir.Write("secrets/token", "tok-123\n\n");
  Diagnostics diags;
  auto config = LoadAppConfig(dir.Write("earshot.yaml", kMinimal), &diags);
  INFO(diags.ToText());
  REQUIRE(config.ok());
  CHECK(config->state_dir == dir.path / "state");
  CHECK(config->rule_files.at(0) == dir.path / "rules/complaints.yaml");
  CHECK(config->lexicon_dir == dir.path / "rules/lexicon");
  CHECK(config->sources[0].options.String("hashtag") == "AcmeAirSucks");  // the '#' is dropped
  CHECK(config->sources[0].poll_interval == std::chrono::seconds(30));
  CHECK(config->sources[1].options.Bool("mentions"));
  CHECK(config->sources[1].secret == "tok-123");  // trailing newlines trimmed
  CHECK(config->sinks.at(0).options.at("path") == (dir.path / "out/escalations.jsonl").string());
}

TEST_CASE("Config: every mistake is reported at once with file:line:col and a fix", "[app]") {
  struct Case {
    std::string from, to;  // an edit of kMinimal
    std::string expected;  // substring of one diagnostic
  };
  const std::vector<Case> cases = {
      {"state_dir: state", "stat_dir: state", "earshot.yaml:2:1: error: unknown key 'stat_dir'"},
      {"poll_interval: 30s", "poll_interval: 30", "poll_interval"},
      {"type: file", "type: file\n    type: console", "duplicate key 'type'"},
      {"mentions: true", "mentions: yes", "true"},
      {"token_file: secrets/token", "token: abc", "secrets never go in the config file"},
      {"token_file: secrets/token", "token_file: secrets/missing", "cannot read"},
      {"name: mentions", "name: tag", "source 'tag' is declared twice"},
      {"    hashtag: '#AcmeAirSucks'\n", "", "say what to read"},
      {"type: mastodon\n    base_url: https://mastodon.example\n    hashtag",
       "type: mastodom\n    base_url: https://mastodon.example\n    hashtag", "mastodon"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    fs::create_directories(dir.path / "secrets");
    dir.Write("secrets/token", "tok");
    std::string text = kMinimal;
    const size_t at = text.find(c.from);
    REQUIRE(at != std::string::npos);
    text.replace(at, c.from.size(), c.to);
    Diagnostics diags;
    auto config = LoadAppConfig(dir.Write("earshot.yaml", text), &diags);
    INFO(c.to << "\n" << diags.ToText());
    CHECK_FALSE(config.ok());
    CHECK(diags.ToText().find(c.expected) != std::string::npos);
    for (const Diagnostic& d : diags.all()) CHECK(d.line > 0);
  }
}

TEST_CASE("Config: escalation momentum and per-route timing", "[app]") {
  TempDir dir;
  fs::create_directories(dir.path / "secrets");
  dir.Write("secrets/token", "tok");
  const std::string text = std::string(kMinimal) + R"(escalation:
  group_wait: 10s
  momentum:
    boosts_raise_one: 80
    distinct_authors_raise_one: 0
routes:
  receivers: [{name: all, sinks: [archive]}]
  route:
    receiver: all
    routes:
      - matchers: [team=baggage]
        group_wait: 2m
)";
  Diagnostics diags;
  auto config = LoadAppConfig(dir.Write("earshot.yaml", text), &diags);
  INFO(diags.ToText());
  REQUIRE(config.ok());
  const EscalatorOptions& e = config->escalation;
  CHECK(e.momentum_boosts_raise_one == 80);
  CHECK(e.momentum_authors_raise_one == 0);
  CHECK(e.momentum_replies_raise_one == EscalatorOptions{}.momentum_replies_raise_one);
  // The escalator sees the tree, and its timing falls back to `escalation:`.
  REQUIRE(e.routes != nullptr);
  CHECK(e.routes->TimingFor({{"team", "baggage"}}, e.timing()).group_wait ==
        std::chrono::minutes(2));
  CHECK(e.routes->TimingFor({{"team", "crew"}}, e.timing()).group_wait ==
        std::chrono::seconds(10));

  Diagnostics bad;
  std::string negative = text;
  negative.replace(negative.find("boosts_raise_one: 80"), 20, "boosts_raise_one: -1");
  CHECK_FALSE(LoadAppConfig(dir.Write("bad.yaml", negative), &bad).ok());
  CHECK_THAT(bad.ToText(), Catch::Contains("bad.yaml:24:23: error: escalation.momentum."
                                           "boosts_raise_one: -1 is negative"));
}

TEST_CASE("Config: escalation.complaint_raise is read beside sentiment_raise", "[app]") {
  TempDir dir;
  fs::create_directories(dir.path / "secrets");
  dir.Write("secrets/token", "tok");
  {
    Diagnostics diags;
    auto config = LoadAppConfig(dir.Write("earshot.yaml", kMinimal), &diags);
    INFO(diags.ToText());
    REQUIRE(config.ok());
    CHECK(config->escalation.complaint_raise == 0.9);  // the default
  }
  {
    const std::string text =
        std::string(kMinimal) + "escalation:\n  sentiment_raise: -0.5\n  complaint_raise: 0.75\n";
    Diagnostics diags;
    auto config = LoadAppConfig(dir.Write("earshot.yaml", text), &diags);
    INFO(diags.ToText());
    REQUIRE(config.ok());
    CHECK(config->escalation.sentiment_raise == -0.5);
    CHECK(config->escalation.complaint_raise == 0.75);
  }
  // The shipped example says 0.9 (and its comment says what the value means).
  setenv("CREDENTIALS_DIRECTORY", dir.path.c_str(), 1);
  dir.Write("mastodon_token", "secret\n");
  Diagnostics shipped_diags;
  auto shipped =
      LoadAppConfig(std::string(EARSHOT_SOURCE_DIR) + "/systemd/earshot.yaml", &shipped_diags);
  unsetenv("CREDENTIALS_DIRECTORY");
  REQUIRE(shipped.ok());
  CHECK(shipped->escalation.complaint_raise == 0.9);

  const std::string negative =
      std::string(kMinimal) + "escalation:\n  complaint_raise: -0.1\n";
  Diagnostics bad;
  CHECK_FALSE(LoadAppConfig(dir.Write("bad.yaml", negative), &bad).ok());
  CHECK_THAT(bad.ToText(), Catch::Contains("bad.yaml:22:20: error: escalation.complaint_raise: "
                                           "-0.1 is below 0"));
}

TEST_CASE("Config: a credential needs $CREDENTIALS_DIRECTORY and says so", "[app]") {
  TempDir dir;
  std::string text = kMinimal;
  text.replace(text.find("token_file: secrets/token"), 25, "token_credential: mastodon");
  unsetenv("CREDENTIALS_DIRECTORY");
  Diagnostics diags;
  CHECK_FALSE(LoadAppConfig(dir.Write("earshot.yaml", text), &diags).ok());
  CHECK(diags.ToText().find("$CREDENTIALS_DIRECTORY") != std::string::npos);

  dir.Write("mastodon", "from-systemd");
  setenv("CREDENTIALS_DIRECTORY", dir.path.c_str(), 1);
  Diagnostics ok_diags;
  auto config = LoadAppConfig(dir.Write("earshot.yaml", text), &ok_diags);
  unsetenv("CREDENTIALS_DIRECTORY");
  INFO(ok_diags.ToText());
  REQUIRE(config.ok());
  CHECK(config->sources[1].secret == "from-systemd");
}

TEST_CASE("Config: a secret's value never appears in a diagnostic", "[app]") {
  TempDir dir;
  std::string text = kMinimal;
  text.replace(text.find("token_file: secrets/token"), 25, "token: hunter2-secret");
  Diagnostics diags;
  CHECK_FALSE(LoadAppConfig(dir.Write("earshot.yaml", text), &diags).ok());
  CHECK(diags.ToText().find("hunter2") == std::string::npos);
}


// kMinimal's sources replaced by `sources` (an X and a Bluesky source, say).
std::string WithSources(const std::string& sources) {
  std::string text = kMinimal;
  const size_t from = text.find("sources:\n");
  const size_t to = text.find("sinks:\n");
  return text.substr(0, from) + "sources:\n" + sources + text.substr(to);
}

constexpr const char* kMentionSources = R"(  - name: x-mentions
    type: x
    mentions_of: '@AcmeAir'
    user_id: '2244994945'
    bearer_token_file: secrets/token
    limit: 5
  - name: x-lookup
    type: x
    mentions_of: AcmeAir
    bearer_token_file: secrets/token
  - name: bsky-mentions
    type: bluesky
    mentions: true
    identifier: acme.bsky.social
    app_password_file: secrets/token
)";

TEST_CASE("Config: X and Bluesky read the brand's mentions", "[app]") {
  TempDir dir;
  fs::create_directories(dir.path / "secrets");
  dir.Write("secrets/token", "tok");
  Diagnostics diags;
  auto config = LoadAppConfig(dir.Write("earshot.yaml", WithSources(kMentionSources)), &diags);
  INFO(diags.ToText());
  REQUIRE(config.ok());
  REQUIRE(config->sources.size() == 3);
  CHECK(config->sources[0].options.String("mentions_of") == "AcmeAir");  // the '@' is dropped
  CHECK(config->sources[0].options.String("user_id") == "2244994945");
  CHECK(config->sources[0].options.String("query").empty());
  CHECK(config->sources[0].limit == 5);
  CHECK(config->sources[1].options.String("mentions_of") == "AcmeAir");
  CHECK(config->sources[1].options.String("user_id").empty());
  CHECK(config->sources[2].options.Bool("mentions"));
  CHECK(config->sources[2].options.String("query").empty());
}

TEST_CASE("Config: a mentions source says what is wrong with it, where, and the fix", "[app]") {
  struct Case {
    std::string from, to;  // an edit of kMentionSources
    std::string expected;  // substring of one diagnostic
  };
  const std::vector<Case> cases = {
      {"    mentions_of: AcmeAir\n", "    mentions_of: AcmeAir\n    query: acmeair\n",
       "earshot.yaml:13:5: error: source 'x-lookup': choose query: (recent search) or "
       "mentions_of: USERNAME (the account's mention timeline), not both"},
      {"    mentions_of: AcmeAir\n", "",
       "source 'x-lookup': say what to read: query: SEARCH or mentions_of: USERNAME"},
      {"    mentions_of: '@AcmeAir'\n", "",
       "source 'x-mentions': user_id belongs with mentions_of: USERNAME"},
      {"user_id: '2244994945'", "user_id: '@AcmeAir'",
       "earshot.yaml:10:14: error: source 'x-mentions': user_id '@AcmeAir' is not a numeric X "
       "user id"},
      {"mentions_of: AcmeAir", "mentions_of: Acme Air", "is not an X username"},
      {"limit: 5", "limit: 4", "limit must be 5..100"},
      {"    mentions: true\n", "    mentions: true\n    query: acmeair\n",
       "source 'bsky-mentions': choose query: (post search) or mentions: true"},
      {"    mentions: true\n", "", "source 'bsky-mentions': say what to read"},
      {"mentions: true", "mentions: yes", "true"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    fs::create_directories(dir.path / "secrets");
    dir.Write("secrets/token", "tok");
    std::string sources = kMentionSources;
    const size_t at = sources.find(c.from);
    REQUIRE(at != std::string::npos);
    sources.replace(at, c.from.size(), c.to);
    Diagnostics diags;
    auto config = LoadAppConfig(dir.Write("earshot.yaml", WithSources(sources)), &diags);
    INFO(c.to << "\n" << diags.ToText());
    CHECK_FALSE(config.ok());
    CHECK(diags.ToText().find(c.expected) != std::string::npos);
  }
}

TEST_CASE("Config: response targets and their business calendar", "[app]") {
  TempDir dir;
  fs::create_directories(dir.path / "secrets");
  dir.Write("secrets/token", "tok");
  {
    Diagnostics diags;
    auto config = LoadAppConfig(dir.Write("earshot.yaml", kMinimal), &diags);
    REQUIRE(config.ok());
    CHECK(config->escalation.response == nullptr);  // no targets unless written
  }
  const std::string text = std::string(kMinimal) + R"(response:
  business_hours: {time_zone: America/New_York, hours: "mon-fri 08:00-20:00"}
  targets: {critical: 15m, high: 1h, low: next business day}
)";
  Diagnostics diags;
  auto config = LoadAppConfig(dir.Write("earshot.yaml", text), &diags);
  INFO(diags.ToText());
  REQUIRE(config.ok());
  REQUIRE(config->escalation.response != nullptr);
  const ResponsePolicy& policy = *config->escalation.response;
  CHECK(policy.TargetFor(Severity::kHigh)->Text() == "1h");
  CHECK(!policy.TargetFor(Severity::kMedium).has_value());
  // Friday 2026-11-20 21:00 New York (after closing): due at Monday's close, 20:00 EST.
  CHECK(policy.DueAt(Severity::kLow, *ParseIso8601("2026-11-21T02:00:00Z")) ==
        *ParseIso8601("2026-11-24T01:00:00Z"));

  const std::string broken = std::string(kMinimal) + "response:\n  targets: {high: soon}\n";
  Diagnostics broken_diags;
  auto rejected = LoadAppConfig(dir.Write("broken.yaml", broken), &broken_diags);
  CHECK(!rejected.ok());
  CHECK_THAT(broken_diags.ToText(),
             Catch::Contains("broken.yaml:22:19: error: response.targets.high: 'soon' is not a "
                             "response target"));
}

}  // namespace
}  // namespace earshot
