// Every network is a SourceFactory in one registry (Envoy's config tests, per plugin): the
// table each publishes is one the loader can read, its budget key never holds the secret, and
// docs/sources.md and systemd/earshot.yaml name every network.
#include "daemon/sources/source_registry.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace earshot {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("Source registry: the built-in networks, in the order the docs list them", "[sources]") {
  CHECK(BuiltinSources().types() == std::vector<std::string>{"mastodon", "x", "bluesky", "jetstream", "reddit"});
  CHECK(BuiltinSources().Find("mastodom") == nullptr);
}

TEST_CASE("Source registry: each network's options read from YAML, defaults filled in",
          "[sources]") {
  for (const std::string& type : BuiltinSources().types()) {
    INFO(type);
    const SourceFactory& factory = *BuiltinSources().Find(type);
    int secrets = 0;
    for (const ConfigOption& row : factory.options()) secrets += row.secret ? 1 : 0;
    // One credential per source (SourceSettings::secret); none for an open stream.
    CHECK(secrets == (factory.SecretRequired(SourceSettings{}) || secrets > 0 ? 1 : 0));
    // An entry that gives nothing: every required key is named, at the entry, and the
    // defaults parse (a bad default would abort here, not in an operator's config).
    Diagnostics diags;
    auto file = YamlFile::Parse("t.yaml", "name: a\n", &diags);
    REQUIRE(file);
    MapReader map(file->root(), "source");
    SourceOptions options;
    ReadSourceOptions(map, factory.options(), &options);
    for (const ConfigOption& row : factory.options()) {
      if (row.required && !row.secret) {
        CHECK(diags.ToText().find("'" + row.name + "'") != std::string::npos);
      }
      if (!row.default_value.empty()) CHECK(options.Has(row.name));
    }
  }
}

TEST_CASE("Source registry: budget keys start with the type and never hold the secret",
          "[sources]") {
  for (const std::string& type : BuiltinSources().types()) {
    INFO(type);
    const SourceFactory& factory = *BuiltinSources().Find(type);
    SourceSettings s;
    s.name = "a";
    s.type = type;
    s.secret = "hunter2-secret";
    const std::string key = factory.BudgetKey(s);
    CHECK(key.rfind(type + "|", 0) == 0);
    CHECK(key.find("hunter2") == std::string::npos);
    // A network without a quota polls nothing (a stream nobody counts).
    CHECK((factory.quota().requests > 0 || factory.RequestsPerPoll(s) == 0));
  }
}

TEST_CASE("Source registry: docs/sources.md and systemd/earshot.yaml name every network and key",
          "[sources]") {
  const std::string docs = ReadText(std::string(EARSHOT_SOURCE_DIR) + "/docs/sources.md");
  const std::string yaml = ReadText(std::string(EARSHOT_SOURCE_DIR) + "/systemd/earshot.yaml");
  for (const std::string& type : BuiltinSources().types()) {
    INFO(type);
    CHECK(docs.find("| `" + type + "`") != std::string::npos);
    CHECK(yaml.find("type: " + type) != std::string::npos);
    // Each of the network's keys has its row in the "Keys" table.
    for (const ConfigOption& row : BuiltinSources().Find(type)->options()) {
      INFO(row.name);
      CHECK(docs.find("| `" + type + "` | `" + row.name) != std::string::npos);
    }
  }
}

}  // namespace
}  // namespace earshot
