// The scorer against vaderSentiment 3.3.2 on every line of tests/data/vader/reference_scores.tsv.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "detectors/lexicon.h"
#include "detectors/sentiment.h"

namespace earshot {
namespace {

TEST_CASE("SentimentAnalyzer: agrees with the reference on every line of reference_scores.tsv",
          "[sentiment]") {
  auto lexicon = Lexicon::Load(std::string(EARSHOT_SOURCE_DIR) + "/rules/lexicon");
  REQUIRE(lexicon.ok());
  const SentimentAnalyzer analyzer(*lexicon);
  std::ifstream f(std::string(EARSHOT_SOURCE_DIR) + "/tests/data/vader/reference_scores.tsv");
  REQUIRE(f);
  std::string line;
  std::getline(f, line);
  REQUIRE(line == "text\tcompound\tpos\tneu\tneg");
  size_t lines = 0;
  size_t mismatches = 0;
  std::ostringstream report;
  while (std::getline(f, line)) {
    ++lines;
    std::istringstream fields(line);
    std::string text, compound, pos, neu, neg;
    std::getline(fields, text, '\t');
    std::getline(fields, compound, '\t');
    std::getline(fields, pos, '\t');
    std::getline(fields, neu, '\t');
    std::getline(fields, neg, '\t');
    const SentimentScores got = RoundLikeReference(analyzer.Score(text));
    if (got.compound != std::stod(compound) || got.pos != std::stod(pos) ||
        got.neu != std::stod(neu) || got.neg != std::stod(neg)) {
      if (++mismatches <= 20) {
        report << "line " << lines + 1 << ": " << text << "\n  want " << compound << " " << pos
               << " " << neu << " " << neg << "\n  got  " << got.compound << " " << got.pos
               << " " << got.neu << " " << got.neg << "\n";
      }
    }
  }
  INFO(report.str());
  CHECK(lines == 20000);
  CHECK(mismatches == 0);
}

}  // namespace
}  // namespace earshot
