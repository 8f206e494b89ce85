// SentimentAnalyzer: VADER (Hutto & Gilbert, ICWSM 2014), a faithful port of vaderSentiment 3.3.2's
// polarity_scores. Score() gives the same numbers as the reference on the same text: compound in
// [-1, 1] and the pos/neu/neg proportions. How it works, and the one place we go further
// (overlay phrases), are in docs/sentiment.md.
//
// Built once from a Lexicon (which it keeps alive), then immutable: Score() may be called from
// any number of threads at once, and copies share one set of tables, so passing an analyzer by
// value is cheap. Score() allocates nothing once a thread has scored a text of similar length
// (it reuses a per-thread scratch area).
#pragma once

#include <memory>
#include <string_view>

#include "detectors/lexicon.h"

namespace earshot {

struct SentimentScores {
  double compound = 0, pos = 0, neu = 0, neg = 0;
};

class SentimentAnalyzer {
 public:
  explicit SentimentAnalyzer(std::shared_ptr<const Lexicon> lexicon);

  // Scores UTF-8 text; any bytes are accepted (invalid sequences are scored as opaque
  // characters). The values are unrounded; RoundLikeReference() gives the reference's printout.
  SentimentScores Score(std::string_view text) const;

  const Lexicon& lexicon() const;

 private:
  struct Tables;
  std::shared_ptr<const Tables> tables_;
};

// The scores as polarity_scores() returns them: compound rounded to 4 decimals and the
// proportions to 3, with Python's round() (the exact binary value, ties to even).
SentimentScores RoundLikeReference(const SentimentScores& s);

// Python's round(x, digits) for 0 <= digits <= 15.
double RoundLikePython(double x, int digits);

}  // namespace earshot
