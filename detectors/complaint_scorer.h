// ComplaintScorer: how likely a post is a complaint, as a probability in [0, 1].
//
// A lexicon-based model of the complaint speech act (docs/complaints.md): the post's words are
// matched against the cue lexicon of a ComplaintModel (leftmost-longest, one pass over a trie of
// word hashes); each cue adds its strength to its class, halved before a "but" and raised by
// half after it (as VADER weighs contrast), and a cue after a negator ("not", "never",
// "hasn't" within three words) counts as its opposite where it has one: negated praise is a
// negative evaluation ("not happy"), a negated resolution is an unmet expectation ("still not
// fixed", "hasn't arrived"), other negated counter-cues count for nothing ("no problem"). The
// class sums (capped at 2), VADER's scores and the surface signs (question, shouting, ...) are
// the features of a logistic model whose weights come from the model's weights file:
//
//   complaint = 1 / (1 + exp(-(bias + sum_f weight_f * feature_f)))
//
// Immutable and thread-safe: Score() may run on any number of threads at once, takes no locks,
// and allocates nothing once a thread has scored a text of similar length.
#pragma once

#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "detectors/complaint_model.h"
#include "detectors/sentiment.h"

namespace earshot {

// One cue found in a post, for `earshot explain`.
struct ComplaintCueHit {
  size_t cue = 0;                             // index into ComplaintModel::cues()
  CueClass counted_as = CueClass::kNegative;  // the class after negation
  double strength = 0;                        // after contrast and negation; 0 = dropped
  bool negated = false;
  double contrast = 1.0;      // 0.5 before "but", 1.5 after, else 1
  size_t begin = 0, end = 0;  // byte span in the text
};

struct ComplaintExplanation {
  std::vector<ComplaintCueHit> cues;
  std::array<double, kFeatureCount> features{};  // each feature's value (bias is 1)
  double logit = 0;
  double probability = 0;
};

class ComplaintScorer {
 public:
  explicit ComplaintScorer(std::shared_ptr<const ComplaintModel> model);

  // The complaint probability of `text`, given its VADER scores. `addressed` says the post
  // names an account (its mentions); an @mention in the text counts too.
  double Score(std::string_view text, const SentimentScores& sentiment, bool addressed) const;
  // The same, with every cue, feature value and the logit.
  ComplaintExplanation Explain(std::string_view text, const SentimentScores& sentiment,
                               bool addressed) const;

  const ComplaintModel& model() const { return *model_; }

 private:
  // Computes the features (and, when `hits` is not null, records the cues).
  void Features(std::string_view text, const SentimentScores& sentiment, bool addressed,
                std::array<double, kFeatureCount>* features,
                std::vector<ComplaintCueHit>* hits) const;
  double Logit(const std::array<double, kFeatureCount>& features) const;

  std::shared_ptr<const ComplaintModel> model_;
};

}  // namespace earshot
