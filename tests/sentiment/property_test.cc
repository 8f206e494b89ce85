// Properties over random input: scores stay in range, are deterministic, and the two forms of
// the "but" rule agree; random bytes never crash (ASan/UBSan in CI watch the reads).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "detectors/sentiment_but.h"
#include "tests/sentiment/sentiment_test_util.h"

namespace earshot {
namespace {

using testing::ShippedAnalyzer;

bool InRange(const SentimentScores& s) {
  const bool empty = s.pos == 0 && s.neu == 0 && s.neg == 0;
  return std::isfinite(s.compound) && s.compound >= -1 && s.compound <= 1 && s.pos >= 0 &&
         s.neu >= 0 && s.neg >= 0 && (empty || std::fabs(s.pos + s.neu + s.neg - 1) < 1e-9);
}

// Words chosen to trigger every rule together: lexicon words, boosters, negations, "but",
// "least", "kind of", idiom parts, caps, emoticons, emoji, punctuation, non-ASCII.
const std::vector<std::string> kVocabulary = {
    "good", "bad", "GOOD", "BAD", "great", "horrible", "no", "not", "isn't", "never", "so",
    "this", "without", "doubt", "but", "BUT", "least", "at", "very", "VERY", "kind", "of",
    "sort", "just", "enough", "the", "shit", "bomb", "bad", "ass", "bus", "stop", "yeah",
    "right", "kiss", "death", "to", "die", "for", "broken", "heart", "or", "nor", ":)", ":(",
    ":-D", "😂", "😡", "👍🏽", "!", "!!", "?", "??", "refund", "a", "I", "café", "ÉNORME",
    "\xff", "lol", "LOL", "sux", "fed", "up", "on", "hold", "#fail", "@airline", "...",
};

std::string RandomText(std::mt19937& rng) {
  std::uniform_int_distribution<size_t> len(0, 40);
  std::uniform_int_distribution<size_t> pick(0, kVocabulary.size() - 1);
  std::uniform_int_distribution<int> sep(0, 9);
  std::string text;
  const size_t n = len(rng);
  for (size_t i = 0; i < n; ++i) {
    text += kVocabulary[pick(rng)];
    const int s = sep(rng);
    text += s == 0 ? "" : s == 1 ? ", " : s == 2 ? "\t" : " ";
  }
  return text;
}

TEST_CASE("Sentiment property: random rule-dense texts stay in range and repeat exactly",
          "[sentiment]") {
  std::mt19937 rng(20140601);
  const SentimentAnalyzer& a = ShippedAnalyzer();
  auto overlay = testing::ShippedLexicon()->WithOverlayText(
      "p.yaml", "words:\n  fed up: -1.8\n  on hold: -1.2\n  refund: -0.3\n");
  REQUIRE(overlay.ok());
  const SentimentAnalyzer with_phrases(*overlay);
  size_t out_of_range = 0;
  size_t unstable = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string text = RandomText(rng);
    for (const SentimentAnalyzer* an : {&a, &with_phrases}) {
      const SentimentScores s1 = an->Score(text);
      const SentimentScores s2 = an->Score(text);
      if (!InRange(s1)) ++out_of_range;
      if (s1.compound != s2.compound || s1.pos != s2.pos) ++unstable;
    }
  }
  CHECK(out_of_range == 0);
  CHECK(unstable == 0);
}

TEST_CASE("Sentiment property: the direct and heap forms of the 'but' rule agree",
          "[sentiment]") {
  std::mt19937 rng(7);
  // Few distinct values, so equal values (the quirk's trigger) are common.
  const double values[] = {0, 0, 0, 1.9, -2.5, 0.95, 3.8, 1.5, 3.0, 0.75, -1.25, 2.85};
  std::uniform_int_distribution<size_t> pick(0, std::size(values) - 1);
  size_t differ = 0;
  for (int round = 0; round < 5000; ++round) {
    std::vector<double> s(std::uniform_int_distribution<size_t>(1, 60)(rng));
    for (double& v : s) v = values[pick(rng)];
    const size_t bi = std::uniform_int_distribution<size_t>(0, s.size() - 1)(rng);
    s[bi] = 0;
    std::vector<double> direct = s;
    std::vector<double> heap = s;
    sentiment_internal::ApplyButShift(&direct, bi, s.size());
    sentiment_internal::ApplyButShift(&heap, bi, 0);
    if (direct != heap) ++differ;
  }
  CHECK(differ == 0);
}

TEST_CASE("Sentiment property: random bytes never crash", "[sentiment]") {
  std::mt19937 rng(99);
  const SentimentAnalyzer& a = ShippedAnalyzer();
  size_t out_of_range = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(std::uniform_int_distribution<size_t>(0, 64)(rng), '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    // Mix in UTF-8 lead bytes and emoji so decoding paths get exercised, not just rejected.
    if (i % 3 == 0) bytes += "😂\xf0\x9f";
    if (!InRange(a.Score(bytes))) ++out_of_range;
  }
  CHECK(out_of_range == 0);
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

// Python's round(x, n) as printf and strtod give it: the exact binary value rounded, ties to
// even, read back as the nearest double. RoundLikePython must give the very same double.
double RoundByPrintf(double x, int digits) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return std::strtod(buf, nullptr);
}

TEST_CASE("RoundLikePython: the same double as printf and strtod, ties and signs included",
          "[sentiment]") {
  std::mt19937_64 rng(20261207);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::vector<double> xs = {0.0,    -0.0,    0.0005, -0.0005, 0.00049999, 0.1235, 2.675,
                            0.6345, -0.6345, 1.0,    -1.0,    0.99995,    1e-300, 123456.78,
                            5e6,    -7e7,    0.125,  0.375,   -0.0625};
  for (int i = 0; i < 200000; ++i) xs.push_back(unit(rng));
  // Sums of quarters and thousandths land on and next to ties.
  for (int i = -4000; i <= 4000; ++i) xs.push_back(i / 8000.0);
  for (int i = -2000; i <= 2000; ++i) xs.push_back(i * 0.0005);
  int mismatches = 0;
  for (double x : xs) {
    for (int digits : {3, 4}) {
      const double got = RoundLikePython(x, digits), want = RoundByPrintf(x, digits);
      // Bit for bit: -0.0 and 0.0 differ here.
      if (std::memcmp(&got, &want, sizeof got) != 0 && ++mismatches <= 5) {
        UNSCOPED_INFO("x=" << x << " digits=" << digits << " got " << got << " want " << want);
      }
    }
  }
  CHECK(mismatches == 0);
}

}  // namespace
}  // namespace earshot
