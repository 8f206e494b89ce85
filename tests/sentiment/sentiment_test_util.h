// Shared by the sentiment tests: the shipped lexicon, loaded once per test binary.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "detectors/lexicon.h"
#include "detectors/sentiment.h"

namespace earshot::testing {

inline std::string LexiconDir() { return std::string(EARSHOT_SOURCE_DIR) + "/rules/lexicon"; }

inline std::shared_ptr<const Lexicon> ShippedLexicon() {
  static const std::shared_ptr<const Lexicon> lexicon = [] {
    auto r = Lexicon::Load(LexiconDir());
    if (!r.ok()) FAIL("cannot load the shipped lexicon: " << r.status().message());
    return *r;
  }();
  return lexicon;
}

inline const SentimentAnalyzer& ShippedAnalyzer() {
  static const SentimentAnalyzer analyzer(ShippedLexicon());
  return analyzer;
}

inline SentimentScores Rounded(std::string_view text) {
  return RoundLikeReference(ShippedAnalyzer().Score(text));
}

inline double Compound(std::string_view text) { return ShippedAnalyzer().Score(text).compound; }

}  // namespace earshot::testing
