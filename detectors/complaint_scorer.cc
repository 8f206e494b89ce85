#include "detectors/complaint_scorer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "daemon/base/check.h"
#include "detectors/complaint_text.h"

namespace earshot {
namespace {

constexpr double kClassCap = 2.0;        // a class counts at most twice: ten "still"s are not ten
constexpr int kNegationWindow = 3;       // words before a cue that can negate it (VADER's reach)
constexpr double kBeforeContrast = 0.5;  // VADER's "but" weights
constexpr double kAfterContrast = 1.5;
constexpr size_t kShortPost = 6;

// What a negated cue counts as; kCount = nothing.
CueClass Negated(CueClass c) {
  switch (c) {
    case CueClass::kPraise:
      return CueClass::kNegative;
    case CueClass::kResolution:
      return CueClass::kUnmet;
    case CueClass::kGratitude:
    case CueClass::kBroken:
    case CueClass::kNegative:
    case CueClass::kInfoQuestion:
    case CueClass::kPromo:
    case CueClass::kNews:
    case CueClass::kHumour:
      return CueClass::kCount;
    default:
      return c;  // persistence, unmet, waiting, ... carry their negation inside
  }
}

size_t Index(CueClass c) { return static_cast<size_t>(c); }
size_t Index(Feature f) { return static_cast<size_t>(f); }

ComplaintText& Scratch() {
  thread_local ComplaintText text;
  return text;
}

}  // namespace

ComplaintScorer::ComplaintScorer(std::shared_ptr<const ComplaintModel> model)
    : model_(std::move(model)) {
  EARSHOT_CHECK(model_ != nullptr) << "ComplaintScorer needs a model";
}

void ComplaintScorer::Features(std::string_view text, const SentimentScores& sentiment,
                               bool addressed, std::array<double, kFeatureCount>* features,
                               std::vector<ComplaintCueHit>* hits) const {
  ComplaintText& t = Scratch();
  ReadComplaintText(text, &t);
  const auto& words = t.words;
  const size_t n = words.size();
  const ComplaintModel& m = *model_;

  size_t contrast_at = n;
  bool first_person = false, second_person = false;
  int negations = 0, specifics = 0;
  for (size_t i = 0; i < n; ++i) {
    negations += (words[i].flags & kWordNegator) ? 1 : 0;
    specifics += (words[i].flags & kWordNumber) ? 1 : 0;
    if ((words[i].flags & kWordContrast) && contrast_at == n) contrast_at = i;
    first_person = first_person || (words[i].flags & kWordFirstPerson);
    second_person = second_person || (words[i].flags & kWordSecondPerson);
  }

  std::array<double, kCueClassCount> sums{};
  size_t i = 0;
  while (i < n) {
    // Leftmost-longest: the longest cue starting at word i.
    int32_t node = 0, best = -1;
    size_t best_end = i;
    for (size_t j = i; j < n && j - i < m.max_phrase_words(); ++j) {
      node = m.Step(node, words[j].hash);
      if (node < 0) break;
      const auto& nd = m.node(node);
      if (nd.cue >= 0) {
        best = nd.cue;
        best_end = j + 1;
      }
      if (!nd.has_children) break;
    }
    if (best < 0) {
      ++i;
      continue;
    }
    const auto& cue = m.cues()[static_cast<size_t>(best)];
    ComplaintCueHit hit;
    hit.cue = static_cast<size_t>(best);
    hit.counted_as = cue.cls;
    hit.begin = words[i].begin;
    hit.end = words[best_end - 1].end;
    if (!(words[i].flags & kWordNegator)) {
      for (size_t k = i; k > 0 && i - k < kNegationWindow; --k) {
        if (words[k].flags & kWordClauseStart) break;  // "hasn't arrived, thanks"
        if (words[k - 1].flags & kWordNegator) {
          hit.negated = true;
          break;
        }
      }
    }
    double strength = cue.strength;
    if (hit.negated) {
      hit.counted_as = Negated(cue.cls);
      if (hit.counted_as == CueClass::kCount) {
        hit.counted_as = cue.cls;
        strength = 0;
      }
    }
    if (contrast_at < n && i != contrast_at) {
      hit.contrast = i < contrast_at ? kBeforeContrast : kAfterContrast;
    }
    hit.strength = strength * hit.contrast;
    sums[Index(hit.counted_as)] += hit.strength;
    if (hits != nullptr) hits->push_back(hit);
    i = best_end;
  }

  auto& f = *features;
  f.fill(0);
  for (size_t c = 0; c < kCueClassCount; ++c) f[c] = std::min(sums[c], kClassCap);
  const double problem = sums[Index(CueClass::kPersistence)] + sums[Index(CueClass::kBroken)] +
                         sums[Index(CueClass::kUnmet)] + sums[Index(CueClass::kWaiting)] +
                         sums[Index(CueClass::kMoney)];
  const double positive = sums[Index(CueClass::kPraise)] + sums[Index(CueClass::kGratitude)];
  f[Index(Feature::kBias)] = 1;
  f[Index(Feature::kVaderCompound)] = sentiment.compound;
  f[Index(Feature::kVaderNeg)] = sentiment.neg;
  f[Index(Feature::kVaderPos)] = sentiment.pos;
  f[Index(Feature::kQuestion)] = t.question ? 1 : 0;
  f[Index(Feature::kExclaim)] = t.exclaim ? 1 : 0;
  f[Index(Feature::kRepeatedPunct)] = t.repeated_punct ? 1 : 0;
  f[Index(Feature::kShouting)] = std::min(1.0, t.caps_words / 2.0);
  f[Index(Feature::kAddressed)] = (addressed || t.mention) ? 1 : 0;
  f[Index(Feature::kSecondPerson)] = second_person ? 1 : 0;
  f[Index(Feature::kFirstPerson)] = first_person ? 1 : 0;
  f[Index(Feature::kLink)] = t.link ? 1 : 0;
  f[Index(Feature::kShort)] = n <= kShortPost ? 1 : 0;
  f[Index(Feature::kProblemQuestion)] = (t.question && problem > 0) ? 1 : 0;
  f[Index(Feature::kPositiveProblem)] = (positive > 0 && problem > 0) ? 1 : 0;
  f[Index(Feature::kNegations)] = std::min(negations, 2);
  f[Index(Feature::kSpecifics)] = std::min(specifics, 2);
}

double ComplaintScorer::Logit(const std::array<double, kFeatureCount>& features) const {
  double z = 0;
  for (size_t k = 0; k < kFeatureCount; ++k) z += model_->weight(k) * features[k];
  return z;
}

double ComplaintScorer::Score(std::string_view text, const SentimentScores& sentiment,
                              bool addressed) const {
  std::array<double, kFeatureCount> features;
  Features(text, sentiment, addressed, &features, nullptr);
  return 1.0 / (1.0 + std::exp(-Logit(features)));
}

ComplaintExplanation ComplaintScorer::Explain(std::string_view text,
                                              const SentimentScores& sentiment,
                                              bool addressed) const {
  ComplaintExplanation e;
  Features(text, sentiment, addressed, &e.features, &e.cues);
  e.logit = Logit(e.features);
  e.probability = 1.0 / (1.0 + std::exp(-e.logit));
  return e;
}

}  // namespace earshot
