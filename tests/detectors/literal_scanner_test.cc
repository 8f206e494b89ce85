#include "detectors/literal_scanner.h"

#include <catch2/catch.hpp>

namespace earshot {
namespace {

std::vector<int> Scan(const LiteralScanner& s, std::string_view text) {
  std::vector<int> found;
  s.Scan(text, &found);
  return found;
}

TEST_CASE("LiteralScanner: every literal that occurs, overlapping and nested", "[detectors]") {
  // 0..5: "he" and "hers" end inside "she" and "ushers"; "his" never occurs.
  const LiteralScanner s({"he", "she", "his", "hers", "refund", "und"});
  CHECK(Scan(s, "ushers") == std::vector<int>{0, 1, 3});
  CHECK(Scan(s, "no REFUND yet") == std::vector<int>{4, 5});  // A-Z folded
  CHECK(Scan(s, "refun d").empty());
  CHECK(Scan(s, "").empty());
  CHECK(Scan(s, "hehehe") == std::vector<int>{0});  // reported once
}

TEST_CASE("LiteralScanner: bytes outside ASCII compare as themselves", "[detectors]") {
  const LiteralScanner s({"caf\u00e9", "k"});
  CHECK(Scan(s, "CAF\u00e9 au lait") == std::vector<int>{0});
  CHECK(Scan(s, "CAF\u00c9").empty());      // no folding beyond ASCII
  CHECK(Scan(s, "\u212A").empty());          // KELVIN SIGN is not k here (Matcher guards it)
}

TEST_CASE("LiteralScanner: an empty literal occurs everywhere, no literals find nothing",
          "[detectors]") {
  const LiteralScanner with_empty({"abc", ""});
  CHECK(Scan(with_empty, "xyz") == std::vector<int>{1});
  CHECK(Scan(with_empty, "xabcx") == std::vector<int>{0, 1});
  const LiteralScanner none;
  CHECK(none.empty());
  CHECK(Scan(none, "anything").empty());
}

}  // namespace
}  // namespace earshot
