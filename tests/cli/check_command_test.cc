// `earshot check` as analysts run it: five distinct mistakes, five positioned errors, one run.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "daemon/cli/commands.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

TEST_CASE("check: five distinct mistakes give five positioned errors and exit 78", "[app]") {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("earshot-check-" + std::to_string(rd()));
  fs::create_directories(dir);
  std::ofstream(dir / "rules.yaml") << R"(- rule: lost-bag
  descripton: "a typo in a key"
  category: complaint
  severity: high
  match:
    any:
      - regex: '(unclosed'
- rule: repeated-word
  description: "a backreference"
  category: complant
  severity: high
  match:
    any:
      - regex: '(\w+) \1'
- rule: shouting
  description: "a bad severity and a yes"
  category: complaint
  severity: urgent
  enabled: yes
  match:
    any:
      - hashtag: acmeairsucks
)";
  std::ofstream(dir / "earshot.yaml")
      << "brands: [AcmeAir]\nstate_dir: state\nrules:\n  files: [rules.yaml]\n  lexicon_dir: "
      << EARSHOT_SOURCE_DIR << "/rules/lexicon\nsinks:\n  - name: c\n    type: console\n";
  std::ostringstream out, err;
  const int code = RunCheckCommand({"--config", (dir / "earshot.yaml").string()}, out, err);
  fs::remove_all(dir);
  INFO(err.str());
  CHECK(code == 78);
  const std::string text = err.str();
  for (const char* expected :
       {"rules.yaml:2:3: error: unknown key 'descripton' in rule 'lost-bag' (did you mean "
        "'description'?)",
        "rules.yaml:7:16: error: regex in rule 'lost-bag' invalid regex: missing ): (unclosed",
        "rules.yaml:10:13: error: category of rule 'repeated-word': unknown value 'complant' "
        "(did you mean 'complaint'?)",
        "rules.yaml:14:16: error: regex in rule 'repeated-word' regex uses a backreference '\\1'",
        "rules.yaml:18:13: error: severity of rule 'shouting': unknown value 'urgent'",
        "rules.yaml:19:12: error: 'enabled' of rule 'shouting': expected true or false, got 'yes'"}) {
    CHECK(text.find(expected) != std::string::npos);
  }
}

TEST_CASE("check: a clean config says what it loaded", "[app]") {
  std::ostringstream out, err;
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("earshot-check-" + std::to_string(rd()));
  fs::create_directories(dir);
  std::ofstream(dir / "earshot.yaml")
      << "brands: [AcmeAir]\nstate_dir: state\nrules:\n  files: [" << EARSHOT_SOURCE_DIR
      << "/rules/complaints.yaml]\n  lexicon_dir: " << EARSHOT_SOURCE_DIR
      << "/rules/lexicon\nsinks:\n  - name: c\n    type: console\n";
  const int code = RunCheckCommand({"--config", (dir / "earshot.yaml").string()}, out, err);
  fs::remove_all(dir);
  INFO(err.str());
  CHECK(code == 0);
  CHECK(out.str().find(": ok: ") != std::string::npos);
  CHECK(out.str().find("cluster") == std::string::npos);  // one node says nothing of clusters
}

TEST_CASE("check: a cluster section is one line, without its token", "[app]") {
  std::ostringstream out, err;
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("earshot-check-" + std::to_string(rd()));
  fs::create_directories(dir);
  std::ofstream(dir / "nats.token") << "nats-token-value\n";
  std::ofstream(dir / "earshot.yaml")
      << "brands: [AcmeAir]\nstate_dir: state\nrules:\n  files: [" << EARSHOT_SOURCE_DIR
      << "/rules/complaints.yaml]\n  lexicon_dir: " << EARSHOT_SOURCE_DIR
      << "/rules/lexicon\nsinks:\n  - name: c\n    type: console\n"
         "cluster:\n  node: earshot-a\n  nats: [nats://n1, nats://n2, tls://n3:4443]\n"
         "  token_file: nats.token\n  replicas: 3\n";
  const int code = RunCheckCommand({"--config", (dir / "earshot.yaml").string()}, out, err);
  fs::remove_all(dir);
  INFO(out.str() << err.str());
  CHECK(code == 0);
  CHECK_THAT(out.str(), Catch::Contains("\ncluster: node earshot-a, 3 NATS server(s), lease_ttl "
                                        "10s, replicas 3\n"));
  CHECK(out.str().find("nats-token-value") == std::string::npos);
  CHECK(err.str().find("nats-token-value") == std::string::npos);
}

// Two X queries under one bearer token polling every second: 1800 requests per 15 minutes
// against X's 450. A Mastodon stream and a slow Reddit listing fit and say nothing.
TEST_CASE("check: sources of one credential that outrun its quota are a positioned warning",
          "[app]") {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("earshot-check-" + std::to_string(rd()));
  fs::create_directories(dir);
  std::ofstream(dir / "x.token") << "secret-bearer-value\n";
  std::ofstream(dir / "x2.token") << "another-bearer-value\n";
  std::ofstream(dir / "earshot.yaml")
      << "brands: [AcmeAir]\nstate_dir: state\nrules:\n  files: [" << EARSHOT_SOURCE_DIR
      << "/rules/complaints.yaml]\n  lexicon_dir: " << EARSHOT_SOURCE_DIR
      << "/rules/lexicon\n"
         "sources:\n"
         "  - name: airline\n"             // line 7
         "    type: x\n"
         "    query: acmeair\n"
         "    bearer_token_file: x.token\n"
         "    poll_interval: 1s\n"
         "  - name: brand\n"
         "    type: x\n"
         "    query: acme\n"
         "    bearer_token_file: x.token\n"
         "    poll_interval: 1s\n"
         "  - name: other-app\n"           // line 17: another token, a budget of its own
         "    type: x\n"
         "    query: acme\n"
         "    bearer_token_file: x2.token\n"
         "    poll_interval: 10s\n"
         "sinks:\n  - name: c\n    type: console\n";
  std::ostringstream out, err;
  const int code = RunCheckCommand({"--config", (dir / "earshot.yaml").string()}, out, err);
  fs::remove_all(dir);
  INFO(err.str());
  CHECK(code == 0);  // a warning, not an error: the daemon paces itself, only slower than asked
  CHECK(err.str().find("earshot.yaml:7:5: warning: sources x:airline and x:brand share one X "
                       "bearer token and need 1800 requests per 15 min; X allows 450. Raise "
                       "poll_interval to at least 4s on each") != std::string::npos);
  CHECK(err.str().find("other-app") == std::string::npos);  // 90 per 15 min fits
  CHECK(err.str().find("bearer-value") == std::string::npos);  // never the secret
  CHECK(out.str().find("1 warning(s)") != std::string::npos);
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

// A path typed into a config can name anything: /dev/zero once grew `check` by 140 MB/s and a
// FIFO made it wait forever. Each is one error naming the file, at once.
TEST_CASE("check: /dev/zero or a FIFO as config, a FIFO as rule file, is refused naming it",
          "[app]") {
  std::random_device rd;
  const fs::path dir = fs::temp_directory_path() / ("earshot-check-" + std::to_string(rd()));
  fs::create_directories(dir);
  const fs::path fifo = dir / "fifo.yaml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::ofstream(dir / "earshot.yaml")
      << "brands: [AcmeAir]\nstate_dir: state\nrules:\n  files: [fifo.yaml]\n  lexicon_dir: "
      << EARSHOT_SOURCE_DIR << "/rules/lexicon\nsinks:\n  - name: c\n    type: console\n";
  struct Case {
    fs::path config;
    std::string named;
  };
  for (const Case& c : {Case{"/dev/zero", "/dev/zero"}, Case{fifo, fifo.string()},
                        Case{dir / "earshot.yaml", fifo.string()}}) {
    std::ostringstream out, err;
    const int code = RunCheckCommand({"--config", c.config.string()}, out, err);
    INFO(c.config.string() << "\n" << err.str());
    CHECK(code != 0);
    CHECK_THAT(err.str(), Catch::Contains(c.named));
    CHECK_THAT(err.str(), Catch::Contains("not a regular file"));
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace earshot
