// earshot_source_lag_seconds: /metrics tells how far a stream source is behind its network's
// head, for the sources that have one (Jetstream) and for no other.
#include <catch2/catch.hpp>
#include <sstream>

#include "daemon/app/app.h"
#include "daemon/app/config_loader.h"
#include "daemon/base/log.h"
#include "tests/state/temp_dir.h"

namespace earshot {
namespace {

TEST_CASE("App metrics: a Jetstream source's lag is a gauge, and a polled source has none",
          "[firehose][app]") {
  log::SetLevel(log::Level::kError);
  testing::TempDir dir;
  const std::filesystem::path config_path =
      dir.Write("earshot.yaml", fmt::format(R"(
brands: [AcmeAir]
state_dir: state
rules:
  files: [{0}/rules/complaints.yaml]
  lexicon_dir: {0}/rules/lexicon
sources:
  - name: firehose
    type: jetstream
    instances: [ws://127.0.0.1:9]
  - name: acmeair-sucks
    type: mastodon
    base_url: http://127.0.0.1:9
    hashtag: AcmeAirSucks
)",
                                            EARSHOT_SOURCE_DIR));
  Diagnostics diags;
  auto config = LoadAppConfig(config_path, &diags);
  INFO(diags.ToText());
  REQUIRE(config.ok());
  auto app = App::Create(*config, &diags);
  REQUIRE(app.ok());
  const std::string m = (*app)->RenderMetrics();
  CHECK(m.find("# TYPE earshot_source_lag_seconds gauge\n") != std::string::npos);
  // One sample, the Jetstream source's ("firehose", or "jetstream:firehose" should the source
  // take its network's prefix as the others do); nothing consumed yet: 0 behind.
  std::vector<std::string> samples;
  std::istringstream lines(m);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("earshot_source_lag_seconds{")) samples.push_back(line);
  }
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].find("firehose\"} 0") != std::string::npos);
}

}  // namespace
}  // namespace earshot
