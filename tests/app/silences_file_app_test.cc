// The silences file as the daemon and its commands see it: escalation.silences_file resolves
// against earshot.yaml, `earshot check` validates it, a reload swaps its entries in only when it
// reads cleanly, and `earshot silence list --config` shows them.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "daemon/app/app.h"
#include "daemon/app/config_loader.h"
#include "daemon/base/log.h"
#include "daemon/cli/commands.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() / ("earshot-silences-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path Write(const std::string& name, const std::string& text) const {
    fs::create_directories((path / name).parent_path());
    std::ofstream(path / name) << text;
    return path / name;
  }
  fs::path path;
};

// Far-future ends: these tests run on the real clock and must not depend on the date.
constexpr const char* kTwoSilences = R"(- matchers: ['brand="acmeair"', team=baggage]
  ends_at: 2099-01-01T00:00:00Z
  comment: baggage migration
  created_by: ops
- matchers: rule=~"refund-.*"
  ends_at: 2099-01-01T00:00:00Z
  comment: refund backlog announced
)";

std::string Config() {
  return fmt::format(R"(brands: [AcmeAir]
state_dir: state
rules:
  files: [{0}/rules/complaints.yaml]
  lexicon_dir: {0}/rules/lexicon
escalation:
  repeat_interval: 4h
  silences_file: ops/silences.yaml
)",
                     EARSHOT_SOURCE_DIR);
}

// The value of an unlabelled sample in Prometheus text, or -1.
double Sample(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(name + " ")) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

TEST_CASE("Silences file: the path resolves against earshot.yaml, check validates it", "[app]") {
  TempDir dir;
  const fs::path config_path = dir.Write("earshot.yaml", Config());
  dir.Write("ops/silences.yaml", kTwoSilences);
  Diagnostics diags;
  auto config = LoadAppConfig(config_path, &diags);
  INFO(diags.ToText());
  REQUIRE(config.ok());
  CHECK(config->silences_file == dir.path / "ops/silences.yaml");
  CHECK(config->silences_file_name == "ops/silences.yaml");
  CHECK(config->escalation.repeat_interval == std::chrono::hours(4));

  std::ostringstream out, err;
  CHECK(RunCheckCommand({"--config", config_path.string()}, out, err) == kExitOk);
  CHECK_THAT(out.str(), Catch::Contains("; 2 silence(s) in ops/silences.yaml;"));

  // An ended entry is a warning; a mistake is an error at its position, and exit 78.
  dir.Write("ops/silences.yaml", std::string(kTwoSilences) + R"(- matchers: brand=acmeair
  ends_at: 2020-01-01T00:00:00Z
  comment: an outage long gone
- matchers: brand=acmeair
  ends_at: 2099-01-01T00:00:00Z
  coment: typo
)");
  out.str("");
  err.str("");
  CHECK(RunCheckCommand({"--config", config_path.string()}, out, err) == kExitConfig);
  const std::string silences = (dir.path / "ops/silences.yaml").string();
  CHECK_THAT(err.str(),
             Catch::Contains(silences + ":8:3: warning: silence #3 ended at "
                                        "2020-01-01T00:00:00.000Z and is ignored; delete it"));
  CHECK_THAT(err.str(), Catch::Contains(silences + ":11:3: error: silence #4: missing required "
                                                   "key 'comment'"));
  CHECK_THAT(err.str(), Catch::Contains(silences + ":13:3: error: unknown key 'coment' in "
                                                   "silence #4 (did you mean 'comment'?)"));

  // A missing file is an error that names it.
  fs::remove(dir.path / "ops/silences.yaml");
  err.str("");
  CHECK(RunCheckCommand({"--config", config_path.string()}, out, err) == kExitConfig);
  CHECK_THAT(err.str(), Catch::Contains(silences));
}

TEST_CASE("Silences file: a reload swaps the entries in, a broken file keeps the previous ones",
          "[app]") {
  log::SetLevel(log::Level::kError);
  TempDir dir;
  const fs::path config_path = dir.Write("earshot.yaml", Config());
  dir.Write("ops/silences.yaml", kTwoSilences);
  Diagnostics diags;
  auto config = LoadAppConfig(config_path, &diags);
  REQUIRE(config.ok());
  auto app = App::Create(*config, &diags);
  INFO(diags.ToText());
  REQUIRE(app.ok());
  CHECK(Sample((*app)->RenderMetrics(), "earshot_file_silences") == 2);
  // Not started, the escalator has loaded nothing: the gauge is the store's count still.
  CHECK(Sample((*app)->RenderMetrics(), "earshot_incidents_open") == 0);

  // Broken: the reload fails with the error's position, and the two entries stay.
  dir.Write("ops/silences.yaml",
            "- matchers: 'brand=~\"(\"'\n  ends_at: 2099-01-01T00:00:00Z\n"
            "  comment: broken\n");
  Diagnostics broken;
  Status s = (*app)->Reload(*config, &broken);
  CHECK(!s.ok());
  CHECK_THAT(broken.ToText(), Catch::Contains("silences.yaml:1:13: error: matchers of silence #1"));
  std::string metrics = (*app)->RenderMetrics();
  CHECK(Sample(metrics, "earshot_file_silences") == 2);
  CHECK_THAT(metrics, Catch::Contains("earshot_reloads_total{result=\"failed\"} 1"));

  // Fixed, with one entry: the reload takes it.
  dir.Write("ops/silences.yaml",
            "- matchers: brand=acmeair\n  ends_at: 2099-01-01T00:00:00Z\n"
            "  comment: fixed\n");
  Diagnostics fixed;
  s = (*app)->Reload(*config, &fixed);
  INFO(fixed.ToText());
  CHECK(s.ok());
  metrics = (*app)->RenderMetrics();
  CHECK(Sample(metrics, "earshot_file_silences") == 1);
  CHECK_THAT(metrics, Catch::Contains("earshot_reloads_total{result=\"ok\"} 1"));
}

TEST_CASE("Silences file: earshot silence list --config shows its entries", "[app]") {
  TempDir dir;
  const fs::path config_path = dir.Write("earshot.yaml", Config());
  dir.Write("ops/silences.yaml", kTwoSilences);
  fs::create_directories(dir.path / "state");  // the daemon made it
  std::ostringstream out, err;
  CHECK(RunSilenceCommand({"--config", config_path.string(), "list"}, out, err) == 0);
  INFO(err.str());
  CHECK(out.str() ==
        "file:ops/silences.yaml:1  brand=\"acmeair\",team=\"baggage\"  active until "
        "2099-01-01T00:00:00.000Z  by ops  (from ops/silences.yaml)  # baggage migration\n"
        "file:ops/silences.yaml:5  rule=~\"refund-.*\"  active until 2099-01-01T00:00:00.000Z  "
        "by -  (from ops/silences.yaml)  # refund backlog announced\n");
  out.str("");
  CHECK(RunSilenceCommand({"--config", config_path.string(), "expire", "file:ops/silences.yaml:5"},
                          out, err) == kExitUsage);
  CHECK_THAT(err.str(), Catch::Contains("(ops/silences.yaml line 5); delete the entry or set its "
                                        "ends_at there"));

  // A broken file is reported; the store's silences still list, and the exit says so.
  dir.Write("ops/silences.yaml", "- ends_at: soon\n");
  out.str("");
  err.str("");
  CHECK(RunSilenceCommand({"--config", config_path.string(), "list"}, out, err) == kExitFailure);
  CHECK(out.str() == "no active silences\n");
  CHECK_THAT(err.str(), Catch::Contains("silences.yaml:1:3: error: silence #1: missing required "
                                        "key 'matchers'"));
  CHECK_THAT(err.str(), Catch::Contains("its entries are not listed"));
}

}  // namespace
}  // namespace earshot
