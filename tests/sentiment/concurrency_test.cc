// One analyzer shared by many threads gives every thread the single-threaded answers. Run under
// TSan in CI. Assertions stay on the test's thread; workers only count disagreements.
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/sentiment/sentiment_test_util.h"

namespace earshot {
namespace {

std::vector<std::string> ReferenceTexts(size_t limit) {
  std::ifstream f(std::string(EARSHOT_SOURCE_DIR) + "/tests/data/vader/reference_scores.tsv");
  std::vector<std::string> texts;
  std::string line;
  std::getline(f, line);
  while (texts.size() < limit && std::getline(f, line)) {
    texts.push_back(line.substr(0, line.find('\t')));
  }
  return texts;
}

bool Same(const SentimentScores& a, const SentimentScores& b) {
  return a.compound == b.compound && a.pos == b.pos && a.neu == b.neu && a.neg == b.neg;
}

TEST_CASE("SentimentAnalyzer: many threads scoring one analyzer agree with one thread",
          "[sentiment]") {
  const std::vector<std::string> texts = ReferenceTexts(4000);
  REQUIRE(texts.size() == 4000);
  // A copy shares the tables: scoring through copies is part of the contract too.
  const SentimentAnalyzer analyzer(testing::ShippedLexicon());
  std::vector<SentimentScores> expected;
  for (const std::string& t : texts) expected.push_back(analyzer.Score(t));

  constexpr int kThreads = 8;
  std::atomic<size_t> disagreements{0};
  std::atomic<size_t> scored{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const SentimentAnalyzer mine = analyzer;
      size_t local_bad = 0;
      // Each thread walks the texts from a different start, so threads score different texts at
      // the same moment, and long and short texts interleave in each thread's scratch area.
      for (size_t k = 0; k < texts.size(); ++k) {
        const size_t i = (k + static_cast<size_t>(t) * 997) % texts.size();
        const SentimentAnalyzer& use = (k % 2 == 0) ? analyzer : mine;
        if (!Same(use.Score(texts[i]), expected[i])) ++local_bad;
      }
      disagreements += local_bad;
      scored += texts.size();
    });
  }
  for (auto& th : threads) th.join();
  CHECK(scored == texts.size() * kThreads);
  CHECK(disagreements == 0);
}

TEST_CASE("SentimentAnalyzer: outlives the caller's lexicon pointer", "[sentiment]") {
  std::optional<SentimentAnalyzer> analyzer;
  {
    auto lex = Lexicon::Load(testing::LexiconDir());
    REQUIRE(lex.ok());
    analyzer.emplace(*lex);
  }  // the analyzer holds the lexicon alive
  CHECK(analyzer->lexicon().size() > 7000);
  CHECK(analyzer->Score("good").compound > 0.44);
}

}  // namespace
}  // namespace earshot
