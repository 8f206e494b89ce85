#include "daemon/config/diagnostics.h"

#include <catch2/catch.hpp>

#include "daemon/base/suggest.h"

namespace earshot {
namespace {

TEST_CASE("Diagnostic: GCC format with and without positions", "[config]") {
  Diagnostic d{Diagnostic::Level::kError, "rules/a.yaml", 14, 5, "unknown key 'severty'"};
  CHECK(d.ToString() == "rules/a.yaml:14:5: error: unknown key 'severty'");
  d.column = 0;
  CHECK(d.ToString() == "rules/a.yaml:14: error: unknown key 'severty'");
  d.line = 0;
  d.level = Diagnostic::Level::kWarning;
  CHECK(d.ToString() == "rules/a.yaml: warning: unknown key 'severty'");
}

TEST_CASE("Diagnostics: counts errors and warnings, renders JSON", "[config]") {
  Diagnostics diags;
  CHECK_FALSE(diags.has_errors());
  diags.Warning("a.yaml", 1, 2, "unused list 'x'");
  CHECK_FALSE(diags.has_errors());
  diags.Error("a.yaml", 3, 4, "bad \"regex\"");
  CHECK(diags.has_errors());
  CHECK(diags.error_count() == 1);
  CHECK(diags.warning_count() == 1);
  CHECK(diags.ToJson() ==
        R"({"errors":1,"warnings":1,"diagnostics":[)"
        R"({"level":"warning","file":"a.yaml","line":1,"column":2,"message":"unused list 'x'"},)"
        R"({"level":"error","file":"a.yaml","line":3,"column":4,"message":"bad \"regex\""}]})");
  CHECK(diags.ToText() ==
        "a.yaml:1:2: warning: unused list 'x'\na.yaml:3:4: error: bad \"regex\"\n");
}

TEST_CASE("ClosestMatch: suggests likely typos only", "[config]") {
  std::vector<std::string> keys = {"severity", "description", "labels", "match", "id"};
  CHECK(ClosestMatch("severty", keys) == "severity");
  CHECK(ClosestMatch("Labels", keys) == "labels");
  CHECK(ClosestMatch("descripton", keys) == "description");
  CHECK(ClosestMatch("zzz", keys).empty());
  CHECK(DidYouMean("mach", keys) == " (did you mean 'match'?)");
}

}  // namespace
}  // namespace earshot
