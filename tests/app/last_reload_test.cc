// What the console shows as "load errors of the last reload": App::LastReload keeps the last
// reload's result, when it ran and each diagnostic as file:line:col, whichever file broke.
#include <catch2/catch.hpp>
#include <filesystem>

#include "daemon/app/app.h"
#include "daemon/app/config_loader.h"
#include "daemon/app/detection_feed.h"
#include "daemon/app/rule_activity.h"
#include "daemon/base/log.h"
#include "tests/state/temp_dir.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

constexpr const char* kGoodRule = R"(- rule: lost-bag
  description: lost bag
  category: complaint
  severity: high
  match:
    all:
      - near: 2
        terms: [lost, bag]
)";

// A typo on line 4: "severty".
constexpr const char* kBadRule = R"(- rule: lost-bag
  description: lost bag
  category: complaint
  severty: high
  match:
    all:
      - near: 2
        terms: [lost, bag]
)";

std::string Config() {
  return fmt::format(R"(brands: [AcmeAir]
state_dir: state
rules:
  files: [local.yaml]
  lexicon_dir: {}/rules/lexicon
)",
                     EARSHOT_SOURCE_DIR);
}

std::vector<std::string> Rendered(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.all()) out.push_back(d.ToString());
  return out;
}

// How many of `lines` start with `prefix`.
size_t Starting(const std::vector<std::string>& lines, const std::string& prefix) {
  size_t n = 0;
  for (const std::string& line : lines) n += line.starts_with(prefix) ? 1 : 0;
  return n;
}

size_t Containing(const std::vector<std::string>& lines, const std::string& part) {
  size_t n = 0;
  for (const std::string& line : lines) n += line.find(part) != std::string::npos ? 1 : 0;
  return n;
}

TEST_CASE("App: LastReload records a failed reload's diagnostics, then a good one's", "[app]") {
  log::SetLevel(log::Level::kError);
  TempDir dir;
  const fs::path config_path = dir.Write("earshot.yaml", Config());
  const fs::path rule_path = dir.Write("local.yaml", kGoodRule);
  Diagnostics diags;
  auto app = App::Create(*LoadAppConfig(config_path, &diags), &diags);
  INFO(diags.ToText());
  REQUIRE(app.ok());
  // Before any reload: the start's load, which succeeded.
  ReloadOutcome start = (*app)->LastReload();
  CHECK(start.ok);
  CHECK(start.at_start);
  CHECK(start.error.empty());
  // With its warnings: this test's earshot.yaml has no sinks.
  CHECK(Starting(start.diagnostics, config_path.string() + ":1:1: warning: no sinks") == 1);
  // The live views exist and are empty until a poller publishes.
  CHECK((*app)->detection_feed().newest_seq() == 0);
  CHECK((*app)->rule_activity().Snapshot(RealClock().Now()).empty());

  // A typo in a rule file: the reload fails, and says where.
  dir.Write("local.yaml", kBadRule);
  const SystemTime before = RealClock().Now();
  Diagnostics refused;
  const Status status = (*app)->ReloadFromFile(config_path, &refused);
  REQUIRE_FALSE(status.ok());
  ReloadOutcome failed = (*app)->LastReload();
  CHECK_FALSE(failed.ok);
  CHECK_FALSE(failed.at_start);
  CHECK(failed.at >= before);
  CHECK(failed.at <= RealClock().Now());
  CHECK(failed.error == status.message());
  REQUIRE_FALSE(failed.diagnostics.empty());
  CHECK(failed.diagnostics == Rendered(refused));
  CHECK(Starting(failed.diagnostics, rule_path.string() + ":4:3: error: unknown key 'severty'") ==
        1);

  // A broken earshot.yaml fails the reload too, before any rule is read.
  dir.Write("earshot.yaml", Config() + "bogus_key: 1\n");
  Diagnostics bad_config;
  REQUIRE_FALSE((*app)->ReloadFromFile(config_path, &bad_config).ok());
  failed = (*app)->LastReload();
  CHECK_FALSE(failed.ok);
  REQUIRE_FALSE(failed.diagnostics.empty());
  INFO(bad_config.ToText());
  CHECK(failed.diagnostics == Rendered(bad_config));
  CHECK(Starting(failed.diagnostics,
                 config_path.string() + ":6:1: error: unknown key 'bogus_key'") == 1);
  CHECK(Containing(failed.diagnostics, "severty") == 0);  // the previous reload's are gone

  // Fixed, through Reload with a config in hand: ok, no error to show. Diagnostics the caller
  // had collected before the reload are not the reload's.
  dir.Write("earshot.yaml", Config());
  dir.Write("local.yaml", kGoodRule);
  Diagnostics fixed;
  auto config = LoadAppConfig(config_path, &fixed);
  REQUIRE(config.ok());
  fixed.Error("elsewhere.yaml", 1, 1, "not from this reload");
  REQUIRE((*app)->Reload(*config, &fixed).ok());
  const ReloadOutcome ok = (*app)->LastReload();
  CHECK(ok.ok);
  CHECK_FALSE(ok.at_start);
  CHECK(ok.error.empty());
  CHECK(Containing(ok.diagnostics, "error:") == 0);
  CHECK(Containing(ok.diagnostics, "elsewhere.yaml") == 0);
  CHECK(ok.at >= failed.at);
}

}  // namespace
}  // namespace earshot
