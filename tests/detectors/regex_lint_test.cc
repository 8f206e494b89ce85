#include "detectors/regex_lint.h"

#include <catch2/catch.hpp>

namespace earshot {
namespace {

TEST_CASE("UnsupportedRegexSyntax: names what RE2 refuses", "[detectors]") {
  auto [pattern, needle] = GENERATE(table<const char*, const char*>({
      {R"((\w+) \1)", "backreference '\\1'"},
      {R"(bag(?=gage))", "lookahead '(?='"},
      {R"(bag(?!gage))", "negative lookahead '(?!'"},
      {R"((?<=lost )bag)", "lookbehind '(?<='"},
      {R"((?<!found )bag)", "negative lookbehind '(?<!'"},
      {R"((?>a+)b)", "atomic group '(?>'"},
      {R"(a++b)", "possessive quantifier '++'"},
      {R"((?P<w>x)\k<w>)", "named backreference"},
  }));
  CAPTURE(pattern);
  CHECK_THAT(UnsupportedRegexSyntax(pattern), Catch::Contains(needle));
}

TEST_CASE("UnsupportedRegexSyntax: leaves supported syntax alone", "[detectors]") {
  for (const char* p : {R"(\bbag\b)", R"((?i:lost)\s+bag)", R"([\1(?=])", R"(\\1)",
                        R"((?P<item>bag|luggage))", R"(a+?b)", R"(\d{2,3})"}) {
    CAPTURE(p);
    CHECK(UnsupportedRegexSyntax(p).empty());
  }
}

TEST_CASE("FindWildcardGap: finds gaps between words, not at the ends", "[detectors]") {
  CHECK(FindWildcardGap(R"(lost.{0,40}bag)") == ".{0,40}");
  CHECK(FindWildcardGap(R"(lost.*bag)") == ".*");
  CHECK(FindWildcardGap(R"(lost[^.]+bag)") == "[^.]+");
  CHECK(FindWildcardGap(R"(lost\S*\s+bag)") == "\\S*");
  CHECK(FindWildcardGap(R"(lost.{0,3}bag)").empty());  // a few characters is not a gap
  CHECK(FindWildcardGap(R"(lost\s+bag)").empty());
  CHECK(FindWildcardGap(R"(lost.*)").empty());
  CHECK(FindWildcardGap(R"(.*bag)").empty());
  CHECK(FindWildcardGap(R"(\bbag\w*)").empty());
}

TEST_CASE("QuoteRegex: escapes punctuation, keeps words and UTF-8", "[detectors]") {
  CHECK(QuoteRegex("Acme Air.") == "Acme\\ Air\\.");
  CHECK(QuoteRegex("café") == "café");
}

}  // namespace
}  // namespace earshot
