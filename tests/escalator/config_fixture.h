// The `routes:` and `response:` sections of an earshot.yaml text, read by the real readers, as
// tests need them; REQUIREs that they read without an error (the diagnostics are shown if not).
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "daemon/config/diagnostics.h"
#include "daemon/config/yaml_reader.h"
#include "daemon/escalator/response_policy.h"
#include "daemon/escalator/routes.h"

namespace earshot::testing {

// Parses `yaml` and reads the value of its top-level `key` with `read` (a Read* function that
// reports to the value's diagnostics and returns an optional).
template <typename Read>
auto ReadSection(std::string_view yaml, std::string_view key, Read read) {
  Diagnostics diags;
  auto file = YamlFile::Parse("earshot.yaml", yaml, &diags);
  REQUIRE(file.has_value());
  MapReader top(file->root(), "earshot.yaml");
  auto value = top.Get(key);
  REQUIRE(value.has_value());
  auto section = read(*value);
  INFO(diags.ToText());
  REQUIRE(section.has_value());
  return std::move(*section);
}

inline RoutingTree RoutesFrom(std::string_view yaml) {
  return ReadSection(yaml, "routes", [](const YamlValue& v) { return RoutingTree::Read(v); });
}

inline std::shared_ptr<const RoutingTree> SharedRoutesFrom(std::string_view yaml) {
  return std::make_shared<const RoutingTree>(RoutesFrom(yaml));
}

inline std::shared_ptr<const ResponsePolicy> ResponseFrom(std::string_view yaml) {
  return std::make_shared<const ResponsePolicy>(
      ReadSection(yaml, "response", [](const YamlValue& v) { return ReadResponsePolicy(v); }));
}

}  // namespace earshot::testing
