// A rule set that cannot page: a reload that leaves no live complaint rule is accepted with a
// warning, or refused (the running rules kept, counted as failed) when earshot.yaml says
// rules.require_complaint_rules: true; `earshot check` says the same and exits 78 then.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/app/app.h"
#include "daemon/app/config_loader.h"
#include "daemon/base/log.h"
#include "daemon/cli/commands.h"
#include "tests/state/temp_dir.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

constexpr const char* kComplaint = R"(- rule: lost-bag
  description: lost bag
  category: complaint
  severity: high
  match:
    all:
      - near: 2
        terms: [lost, bag]
)";

constexpr const char* kPraiseOnly = R"(- rule: thanks
  description: thanks
  category: praise
  match:
    any: [{phrase: thank you}]
)";

// earshot.yaml naming local.yaml; `require` sets rules.require_complaint_rules (line 6).
std::string Config(const char* require) {
  return fmt::format(R"(brands: [AcmeAir]
state_dir: state
rules:
  files: [local.yaml]
  lexicon_dir: {}/rules/lexicon
  require_complaint_rules: {}
)",
                     EARSHOT_SOURCE_DIR, require);
}

std::string Sample(const std::string& metrics, const std::string& name) {
  std::istringstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(name + " ")) return line.substr(name.size() + 1);
  }
  return "";
}

TEST_CASE("Reload: no live complaint rule is refused when rules.require_complaint_rules is true",
          "[app]") {
  log::SetLevel(log::Level::kError);
  TempDir dir;
  const fs::path config_path = dir.Write("earshot.yaml", Config("true"));
  dir.Write("local.yaml", kComplaint);
  Diagnostics diags;
  auto app = App::Create(*LoadAppConfig(config_path, &diags), &diags);
  INFO(diags.ToText());
  REQUIRE(app.ok());

  // The analyst's edit leaves only praise: the reload is refused, the complaint rule keeps
  // running, and the failure is counted.
  dir.Write("local.yaml", kPraiseOnly);
  Diagnostics refused;
  CHECK_FALSE((*app)->ReloadFromFile(config_path, &refused).ok());
  CHECK(refused.error_count() == 1);
  const std::string config_name = config_path.string();
  CHECK_THAT(refused.ToText(),
             Catch::Contains(config_name + ":6:28: error: rules.require_complaint_rules is true, "
                             "but the rule files hold no live complaint rule"));
  std::string metrics = (*app)->RenderMetrics();
  CHECK(Sample(metrics, "earshot_reloads_total{result=\"failed\"}") == "1");
  CHECK(Sample(metrics, "earshot_reloads_total{result=\"ok\"}") == "0");
  CHECK(Sample(metrics, "earshot_config_last_reload_successful") == "0");

  // Without the setting the same rules load, with a warning at rules.files.
  dir.Write("earshot.yaml", Config("false"));
  Diagnostics warned;
  CHECK((*app)->ReloadFromFile(config_path, &warned).ok());
  CHECK(warned.error_count() == 0);
  CHECK_THAT(warned.ToText(),
             Catch::Contains(config_name + ":4:10: warning: the rule files hold no live complaint "
                             "rule (no enabled rule has category: complaint)"));
  metrics = (*app)->RenderMetrics();
  CHECK(Sample(metrics, "earshot_reloads_total{result=\"ok\"}") == "1");
  CHECK(Sample(metrics, "earshot_config_last_reload_successful") == "1");
}

TEST_CASE("check: no live complaint rule exits 78 naming rules.require_complaint_rules", "[app]") {
  TempDir dir;
  const fs::path config_path = dir.Write("earshot.yaml", Config("true"));
  dir.Write("local.yaml", kPraiseOnly);
  std::ostringstream out, err;
  CHECK(RunCheckCommand({"--config", config_path.string()}, out, err) == kExitConfig);
  CHECK_THAT(err.str(), Catch::Contains(":6:28: error: rules.require_complaint_rules is true"));
  CHECK_THAT(err.str(), Catch::Contains("1 error(s)"));

  // Not required: ok, with the warning, exit 0.
  dir.Write("earshot.yaml", Config("false"));
  out.str("");
  err.str("");
  CHECK(RunCheckCommand({"--config", config_path.string()}, out, err) == kExitOk);
  CHECK_THAT(err.str(), Catch::Contains(":4:10: warning: the rule files hold no live complaint"));
  CHECK_THAT(out.str(), Catch::Contains(", 2 warning(s)"));  // and "no sinks"
}

}  // namespace
}  // namespace earshot
