// The networks' documented responses under tests/data/<network>/, read whole by the parser and
// source tests.
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace earshot::testing {

// tests/data/<network>/<name> as a string; the test fails when the file is missing.
inline std::string Fixture(std::string_view network, std::string_view name) {
  const std::string path = std::string(EARSHOT_SOURCE_DIR) + "/tests/data/" + std::string(network) +
                           "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  INFO(path);
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace earshot::testing
