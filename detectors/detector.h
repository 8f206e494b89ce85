// Detector: judges one post against one RuleSet: scores its sentiment once (VADER compound) and
// its complaint probability once (from the cues and VADER's scores), runs the one-pass matcher,
// and returns every rule that matched. A Detector is an immutable snapshot (rules + sentiment
// analyzer + complaint scorer); a reload builds a new one and swaps the pointer.
// Thread-safe: Detect() may run on any number of threads at once, with no locks and no I/O.
#pragma once

#include <memory>
#include <vector>

#include "detectors/complaint_scorer.h"
#include "daemon/model/detection.h"
#include "daemon/model/post.h"
#include "detectors/rule_set.h"
#include "detectors/sentiment.h"

namespace earshot {

// Everything behind a Detector's verdict on one post, for `earshot explain` and `earshot test`:
// the sentiment scores, the complaint scorer's cues, features and logit, and the condition tree
// of each rule (RuleSet::Explain).
struct PostExplanation {
  SentimentScores sentiment;
  ComplaintExplanation complaint;
  std::vector<RuleTrace> rules;
};

class Detector {
 public:
  Detector(std::shared_ptr<const RuleSet> rules,
           std::shared_ptr<const SentimentAnalyzer> sentiment,
           std::shared_ptr<const ComplaintScorer> complaint);

  DetectedPost Detect(const Post& post) const;
  // The same, also returning the full sentiment scores (for replay's output).
  DetectedPost Detect(const Post& post, SentimentScores* scores) const;
  // The firehose's local filter: false when no rule could hold for `post` (RuleSet::AnyCandidate:
  // no brand name, handle, hashtag or rule word in it), found before sentiment and the complaint
  // scorer run. Detect would then return no detections: a poller may skip it (and the scores
  // it would compute) for a source that hears everything.
  bool MayMatch(const Post& post) const { return rules_->AnyCandidate(post); }
  // Why Detect() says what it says: computed from the same scores, so a rule trace has
  // `matched` exactly when Detect() returns that rule, and complaint.probability equals
  // DetectedPost::complaint. The candidate rules only, or every rule when `all_rules`.
  PostExplanation Explain(const Post& post, bool all_rules = false) const;

  const RuleSet& rules() const { return *rules_; }
  const SentimentAnalyzer& sentiment() const { return *sentiment_; }
  const ComplaintScorer& complaint() const { return *complaint_; }

 private:
  std::shared_ptr<const RuleSet> rules_;
  std::shared_ptr<const SentimentAnalyzer> sentiment_;
  std::shared_ptr<const ComplaintScorer> complaint_;
};

}  // namespace earshot
