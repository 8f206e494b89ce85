// The VADER scorer on any bytes (sentiment.h: "any bytes are accepted"): scores are finite and
// in range, and scoring is a pure function of the text even though each thread reuses scratch
// space between calls.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "daemon/base/paths.h"
#include "detectors/lexicon.h"
#include "detectors/sentiment.h"
#include "fuzz/fuzz_check.h"

namespace {

const earshot::SentimentAnalyzer& Analyzer() {
  static const earshot::SentimentAnalyzer analyzer = [] {
    auto lexicon = earshot::Lexicon::Load(std::filesystem::path(earshot::DefaultRulesDir()) / "lexicon");
    FUZZ_CHECK(lexicon.ok(), "the shipped lexicon loads");
    return earshot::SentimentAnalyzer(*lexicon);
  }();
  return analyzer;
}

bool In(double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; }

void CheckScores(const earshot::SentimentScores& s) {
  FUZZ_CHECK(In(s.compound, -1, 1), "compound is finite, in [-1, 1]");
  FUZZ_CHECK(In(s.pos, 0, 1) && In(s.neu, 0, 1) && In(s.neg, 0, 1),
             "the proportions are finite, in [0, 1]");
  const double sum = s.pos + s.neu + s.neg;
  FUZZ_CHECK(sum == 0 || std::fabs(sum - 1) < 1e-9, "the proportions sum to 1 (0 for no words)");
}

bool Same(const earshot::SentimentScores& a, const earshot::SentimentScores& b) {
  return a.compound == b.compound && a.pos == b.pos && a.neu == b.neu && a.neg == b.neg;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& analyzer = Analyzer();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto scores = analyzer.Score(text);
  CheckScores(scores);
  const auto rounded = earshot::RoundLikeReference(scores);
  FUZZ_CHECK(In(rounded.compound, -1, 1) && In(rounded.pos, 0, 1) && In(rounded.neu, 0, 1) &&
                 In(rounded.neg, 0, 1),
             "rounding stays in range");
  // A different text in between (the first half) must not change the answer.
  CheckScores(analyzer.Score(text.substr(0, size / 2)));
  FUZZ_CHECK(Same(analyzer.Score(text), scores), "scoring is a pure function of the text");
  return 0;
}
