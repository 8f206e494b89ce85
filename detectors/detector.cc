#include "detectors/detector.h"

#include <utility>

#include "daemon/base/check.h"

namespace earshot {

Detector::Detector(std::shared_ptr<const RuleSet> rules,
                   std::shared_ptr<const SentimentAnalyzer> sentiment)
    : rules_(std::move(rules)), sentiment_(std::move(sentiment)) {
  EARSHOT_CHECK(rules_ != nullptr) << "Detector needs a rule set";
  EARSHOT_CHECK(sentiment_ != nullptr) << "Detector needs a sentiment analyzer";
}

DetectedPost Detector::Detect(const Post& post) const {
  SentimentScores scores;
  return Detect(post, &scores);
}

DetectedPost Detector::Detect(const Post& post, SentimentScores* scores) const {
  DetectedPost out;
  *scores = sentiment_->Score(post.text);
  out.sentiment = scores->compound;
  out.detections = rules_->Evaluate(post, out.sentiment);
  out.post = post;
  return out;
}

}  // namespace earshot
