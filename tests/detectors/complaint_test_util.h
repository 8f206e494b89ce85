// Shared by the complaint tests: weights files written from named constants, small in-test
// models, and the shipped model and VADER analyzer, each loaded once per test binary.
#pragma once

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "detectors/complaint_model.h"
#include "detectors/complaint_scorer.h"
#include "detectors/lexicon.h"
#include "detectors/sentiment.h"

namespace earshot::testing {

inline std::string ShippedLexiconDir() { return EARSHOT_SOURCE_DIR "/rules/lexicon"; }

// A complete weights file: every feature at 0 except those given ("bias", "cue:negative", ...).
inline std::string WeightsText(
    std::initializer_list<std::pair<std::string_view, double>> set = {}) {
  std::string out;
  for (size_t f = 0; f < kFeatureCount; ++f) {
    double w = 0;
    for (const auto& [name, value] : set) {
      if (FeatureName(f) == name) w = value;
    }
    out += fmt::format("{}\t{}\n", FeatureName(f), w);
  }
  return out;
}

// A model from cue and weight lines that must load.
inline std::shared_ptr<const ComplaintModel> ModelFrom(std::string_view cues,
                                                       std::string_view weights) {
  auto model = ComplaintModel::FromText(cues, weights);
  INFO(model.status().message());
  REQUIRE(model.ok());
  return *model;
}

inline std::shared_ptr<const ComplaintModel> ShippedModel() {
  static const std::shared_ptr<const ComplaintModel> model = [] {
    auto m = ComplaintModel::Load(ShippedLexiconDir());
    if (!m.ok()) FAIL("cannot load the shipped complaint model: " << m.status().message());
    return *m;
  }();
  return model;
}

inline const SentimentAnalyzer& ShippedVader() {
  static const SentimentAnalyzer analyzer = [] {
    auto lexicon = Lexicon::Load(ShippedLexiconDir());
    if (!lexicon.ok())
      FAIL("cannot load the shipped VADER lexicon: " << lexicon.status().message());
    return SentimentAnalyzer(*lexicon);
  }();
  return analyzer;
}

inline size_t FeatureIndex(Feature f) { return static_cast<size_t>(f); }
inline size_t FeatureIndex(CueClass c) { return static_cast<size_t>(c); }

}  // namespace earshot::testing
