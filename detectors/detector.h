// Detector: judges one post against one RuleSet: scores its sentiment once (VADER compound),
// runs the one-pass matcher, and returns every rule that matched. A Detector is an immutable
// snapshot (rules + sentiment analyzer); a reload builds a new one and swaps the pointer.
// Thread-safe: Detect() may run on any number of threads at once, with no locks and no I/O.
#pragma once

#include <memory>

#include "detectors/detection.h"
#include "detectors/post.h"
#include "detectors/rule_set.h"
#include "detectors/sentiment.h"

namespace earshot {

class Detector {
 public:
  Detector(std::shared_ptr<const RuleSet> rules,
           std::shared_ptr<const SentimentAnalyzer> sentiment);

  DetectedPost Detect(const Post& post) const;
  // The same, also returning the full sentiment scores (for replay's output).
  DetectedPost Detect(const Post& post, SentimentScores* scores) const;

  const RuleSet& rules() const { return *rules_; }
  const SentimentAnalyzer& sentiment() const { return *sentiment_; }

 private:
  std::shared_ptr<const RuleSet> rules_;
  std::shared_ptr<const SentimentAnalyzer> sentiment_;
};

}  // namespace earshot
