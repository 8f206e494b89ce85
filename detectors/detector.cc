#include "detectors/detector.h"

#include <utility>

#include "daemon/base/check.h"

namespace earshot {

Detector::Detector(std::shared_ptr<const RuleSet> rules,
                   std::shared_ptr<const SentimentAnalyzer> sentiment,
                   std::shared_ptr<const ComplaintScorer> complaint)
    : rules_(std::move(rules)), sentiment_(std::move(sentiment)), complaint_(std::move(complaint)) {
  EARSHOT_CHECK(rules_ != nullptr) << "Detector needs a rule set";
  EARSHOT_CHECK(sentiment_ != nullptr) << "Detector needs a sentiment analyzer";
  EARSHOT_CHECK(complaint_ != nullptr) << "Detector needs a complaint scorer";
}

DetectedPost Detector::Detect(const Post& post) const {
  SentimentScores scores;
  return Detect(post, &scores);
}

DetectedPost Detector::Detect(const Post& post, SentimentScores* scores) const {
  DetectedPost out;
  *scores = sentiment_->Score(post.text);
  out.sentiment = scores->compound;
  out.complaint = complaint_->Score(post.text, *scores, !post.mentions.empty());
  out.detections = rules_->Evaluate(post, out.sentiment, out.complaint);
  out.post = post;
  return out;
}

PostExplanation Detector::Explain(const Post& post, bool all_rules) const {
  PostExplanation out;
  out.sentiment = sentiment_->Score(post.text);
  out.complaint = complaint_->Explain(post.text, out.sentiment, !post.mentions.empty());
  out.rules = rules_->Explain(post, out.sentiment.compound, out.complaint.probability, all_rules);
  return out;
}

}  // namespace earshot
