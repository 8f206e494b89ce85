#include "detectors/matcher.h"

#include <catch2/catch.hpp>

#include <algorithm>

namespace earshot {
namespace {

Post MakePost(std::string text, std::vector<std::string> tags = {},
              std::vector<std::string> mentions = {}) {
  Post p;
  p.text = std::move(text);
  p.hashtags = std::move(tags);
  p.mentions = std::move(mentions);
  return p;
}

TEST_CASE("Matcher: one set fires text, hashtag and mention atoms", "[detectors]") {
  MatcherBuilder b;
  std::string error;
  int bag = b.AddTextRegex(R"(\bbag\b)", false, &error);
  int cased = b.AddTextRegex(R"(\bBAG\b)", true, &error);
  int phrase = b.AddPhraseGroup({"lost my bag", "missing"}, &error);
  int exact = b.AddTagExact("AcmeAirSucks");
  int prefix = b.AddTagPrefix("acmeair");
  int tag_re = b.AddTagRegex(R"(acme\w*fail)", &error);
  int mention = b.AddMention("acmeair");
  REQUIRE(error.empty());
  CHECK(b.AddTextRegex(R"(\bbag\b)", false, &error) == bag);  // shared, not duplicated
  auto m = b.Build();
  REQUIRE(m.ok());
  CHECK((*m)->regex_count() == 4);
  CHECK((*m)->phrase_group_count() == 1);

  std::vector<int> hits;
  (*m)->Match(MakePost("They LOST my bag", {"acmeairsucks"}, {"acmeair@mastodon.social"}), &hits);
  CHECK(hits == std::vector<int>{bag, phrase, exact, prefix, mention});

  (*m)->Match(MakePost("BAG", {"acmeairfail", "other"}), &hits);
  CHECK(hits == std::vector<int>{bag, cased, prefix, tag_re});

  // A hashtag regex must match one whole tag, even when the set saw all tags at once.
  (*m)->Match(MakePost("nothing", {"acme", "fail"}), &hits);
  CHECK(hits.empty());
}

TEST_CASE("Matcher: a mention prefix finds a brand's support and regional accounts",
          "[detectors]") {
  MatcherBuilder b;
  const int acme = b.AddMentionPrefix("AcmeAir");
  const int acme_again = b.AddMentionPrefix("acmeair");
  const int beta = b.AddMentionPrefix("beta");
  const int exact = b.AddMention("acmeair");
  CHECK(acme == acme_again);  // shared, whatever the case
  auto m = b.Build();
  REQUIRE(m.ok());
  struct Case {
    std::vector<std::string> mentions;
    std::vector<int> hits;
  };
  const Case cases[] = {
      {{"acmeair"}, {acme, exact}},               // the handle itself is its own prefix
      {{"acmeairhelp"}, {acme}},                  // a support account
      {{"acmeair_uk@mastodon.social"}, {acme}},   // a regional account on another host
      {{"acme"}, {}},                             // shorter than the prefix
      {{"someone@acmeair.example"}, {}},          // the host is not the handle
      {{"betarail", "acmeaircares"}, {acme, beta}},
      {{}, {}},
  };
  for (const Case& c : cases) {
    std::vector<int> hits;
    (*m)->Match(MakePost("text", {}, c.mentions), &hits);
    std::vector<int> want = c.hits;
    std::sort(want.begin(), want.end());
    CHECK(hits == want);
  }
}

TEST_CASE("Matcher: hashtag prefixes match as the case-insensitive regex they stand for",
          "[detectors]") {
  // Plain-ASCII prefixes are looked up by length; these cases pin that the lookup agrees with
  // (?im)^prefix over the hashtags, which is how a prefix still matches a tag outside ASCII.
  MatcherBuilder b;
  std::string error;
  const int acme = b.AddTagPrefix("AcmeAir");
  const int kestrel = b.AddTagPrefix("kestrel");
  const int zurich = b.AddTagPrefix("zürich");  // not plain ASCII: stays a regex
  const int acme_sucks = b.AddTagExact("acmeairsucks");
  REQUIRE(b.AddTagRegex(R"(acme\w*fail)", &error) >= 0);
  auto m = b.Build();
  REQUIRE(m.ok());
  CHECK((*m)->regex_count() == 4);
  struct Case {
    std::vector<std::string> tags;
    std::vector<int> hits;
  };
  const Case cases[] = {
      {{"acmeair"}, {acme}},
      {{"AcmeAirSucks"}, {acme}},               // a tag the source did not lowercase
      {{"acmeairsucks"}, {acme, acme_sucks}},
      {{"acme", "air"}, {}},                    // a prefix never spans two tags
      {{"myacmeair"}, {}},                      // only at the start
      {{"\u212Aestrelrail"}, {kestrel}},        // KELVIN SIGN folds to k under (?i)
      {{"caf\u00e9", "kestrelrail"}, {kestrel}},  // one tag outside ASCII, the other looked up
      {{"x\nacmeair"}, {acme}},                // a tag broken over lines, as the regex sees it
      {{"z\u00fcrichtram"}, {zurich}},
      {{"Z\u00dcRICHtram"}, {zurich}},          // folded beyond ASCII
      {{}, {}},
  };
  for (const Case& c : cases) {
    std::vector<int> hits;
    (*m)->Match(MakePost("text", c.tags), &hits);
    std::vector<int> want = c.hits;
    std::sort(want.begin(), want.end());
    CHECK(hits == want);
  }
}

TEST_CASE("Matcher: text regexes fold case beyond ASCII and need no literal",
          "[detectors]") {
  // What any faster way of matching text regexes must keep: case folding beyond ASCII,
  // literals outside ASCII, a regex with no literal, case-sensitive regexes.
  MatcherBuilder b;
  std::string error;
  const int lost = b.AddTextRegex(R"(\blost\s+(?:my\s+)?(?:bag|luggage)\b)", false, &error);
  const int kestrel = b.AddTextRegex(R"(kestrel\b)", false, &error);
  const int didnt = b.AddTextRegex(R"(didn[\x{2019}']t\s+arrive)", false, &error);
  const int cafe = b.AddTextRegex(R"(caf\x{e9}\s+closed)", false, &error);
  const int digits = b.AddTextRegex(R"(\d{6})", false, &error);
  const int cased = b.AddTextRegex(R"(\bREFUND\b)", true, &error);
  REQUIRE(error.empty());
  auto m = b.Build();
  REQUIRE(m.ok());
  struct Case {
    std::string text;
    std::vector<int> hits;
  };
  const Case cases[] = {
      {"they LOST MY LUGGAGE", {lost}},
      {"lost the bag", {}},
      {"\u212Aestrel rail", {kestrel}},                   // KELVIN SIGN folds to k
      {"it didn\u2019t arrive \U0001F621", {didnt}},     // a literal outside ASCII
      {"it DIDN'T ARRIVE", {didnt}},
      {"CAF\u00c9 CLOSED again", {cafe}},                 // folded beyond ASCII
      {"order 123456 missing", {digits}},                 // no literal: always judged
      {"no REFUND", {cased}},
      {"no refund", {}},
  };
  for (const Case& c : cases) {
    std::vector<int> hits;
    (*m)->Match(MakePost(c.text), &hits);
    std::vector<int> want = c.hits;
    std::sort(want.begin(), want.end());
    CHECK(hits == want);
  }
}

TEST_CASE("Matcher: bad regexes are refused with a readable reason", "[detectors]") {
  MatcherBuilder b;
  std::string error;
  CHECK(b.AddTextRegex("(unclosed", false, &error) == -1);
  CHECK_THAT(error, Catch::StartsWith("invalid regex: missing ): "));
  CHECK(b.AddTextRegex(R"(bag(?!gage))", false, &error) == -1);
  CHECK_THAT(error, Catch::StartsWith("regex uses a negative lookahead '(?!'"));
}

TEST_CASE("Matcher: a regex over the per-regex memory budget is an error at load",
          "[detectors]") {
  MatcherOptions opts;
  opts.max_mem_per_regex = 1 << 20;
  MatcherBuilder b(opts);
  std::string error;
  CHECK(b.AddTextRegex(R"((?:\pL+\s+){50,100}bag)", false, &error) == -1);
  CHECK_THAT(error, Catch::Contains("per-regex budget of 1 MiB"));
}

TEST_CASE("Matcher: the set's total budget is checked when it compiles", "[detectors]") {
  MatcherOptions opts;
  opts.max_mem_total = 256 << 10;
  MatcherBuilder b(opts);
  std::string error;
  for (int i = 0; i < 300; ++i) {
    REQUIRE(b.AddTextRegex("\\bword" + std::to_string(i) + R"(\s+(?:alpha|beta|gamma)\d{2,4})",
                           false, &error) >= 0);
  }
  auto m = b.Build();
  REQUIRE_FALSE(m.ok());
  CHECK_THAT(m.status().message(), Catch::Contains("need more RE2 memory than re2_max_mem_total"));
}

TEST_CASE("SplitWords: lowercase words with apostrophes and UTF-8", "[detectors]") {
  CHECK(SplitWords("Didn't ARRIVE, café-bag!") ==
        std::vector<std::string>{"didn't", "arrive", "café", "bag"});
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

TEST_CASE("Matcher: phrases match whole consecutive words, any case", "[detectors]") {
  MatcherBuilder b;
  std::string error;
  int lost = b.AddPhraseGroup({"lost my bag", "Missing"}, &error);
  int didnt = b.AddPhraseGroup({"didn't arrive"}, &error);
  int cafe = b.AddPhraseGroup({"café"}, &error);
  REQUIRE(error.empty());
  CHECK(b.AddPhraseGroup({"  ", "x"}, &error) == -1);
  CHECK(error == "phrase '  ' has no words");
  auto m = b.Build();
  REQUIRE(m.ok());
  auto [text, expected] = GENERATE(table<const char*, std::vector<int>>({
      {"They LOST my   bag!", {0}},
      {"lost my bags", {}},
      {"lost my", {}},
      {"bag missing.", {0}},
      {"it DIDN'T arrive", {1}},
      {"didn arrive", {}},
      {"Café au lait", {2}},
      {"cafés", {}},
  }));
  CAPTURE(text);
  std::vector<int> ids;
  for (int e : expected) ids.push_back(e == 0 ? lost : e == 1 ? didnt : cafe);
  Post p;
  p.text = text;
  std::vector<int> hits;
  (*m)->Match(p, &hits);
  CHECK(hits == ids);
}

}  // namespace
}  // namespace earshot
