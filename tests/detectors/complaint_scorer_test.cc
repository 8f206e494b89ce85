// The complaint scorer's rules, each alone, on a small model written here (the shipped lexicon
// and weights are being tuned; only a few robust orderings are checked against them, last):
//   matching   leftmost-longest over the words: at each word the longest cue starting there,
//              then on after it; an unfinished longer cue falls back to the longest found
//   negation   a negator among the 3 words before a cue (not, never, no, hasn't, ...) turns
//              praise into negative, resolution into unmet, and drops gratitude, broken,
//              negative, info_question, promo, news and humour to 0 ("no problem"); other
//              classes keep their class; a cue that starts with a negator is never negated
//   contrast   before the first "but" or "however" a cue counts x0.5, after it x1.5
//   cap        each class feature is the class's summed strength, capped at 2
//   logistic   probability = 1 / (1 + exp(-(sum of weight x feature))), bias feature 1
#include "detectors/complaint_scorer.h"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <atomic>
#include <cmath>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/detectors/complaint_test_util.h"

namespace earshot {
namespace {

using testing::FeatureIndex;
using testing::ModelFrom;
using testing::ShippedModel;
using testing::ShippedVader;
using testing::WeightsText;

// One or two cues of each class; every weight 0, so the rule tables look only at the cues.
constexpr std::string_view kCues =
    "still\tpersistence\t0.8\n"
    "still waiting\tpersistence\t1.5\n"
    "for <num> days\tpersistence\t1.2\n"
    "not working\tbroken\t1.5\n"
    "problem\tbroken\t0.8\n"
    "hasn't arrived\tunmet\t1.5\n"
    "on hold\twaiting\n"
    "hold music\tnegative\n"
    "refund\tmoney\n"
    "please fix\tdemand\t1.5\n"
    "why is\tpointed_question\n"
    "rubbish\tnegative\n"
    "thanks for nothing\tsarcasm\t2\n"
    "thanks\tgratitude\n"
    "love\tpraise\n"
    "happy\tpraise\n"
    "fixed\tresolution\n"
    "do you\tinfo_question\n"
    "giveaway\tpromo\n"
    "announced\tnews\n"
    "lol\thumour\n";

const ComplaintScorer& RuleScorer() {
  static const ComplaintScorer scorer(ModelFrom(kCues, WeightsText()));
  return scorer;
}

// The cues found in `text`: "phrase -> class strength" (strength after negation and
// contrast), "(negated)" when a negator reached it, joined by "; ".
std::string Hits(const ComplaintScorer& scorer, std::string_view text) {
  const ComplaintExplanation e = scorer.Explain(text, SentimentScores{}, false);
  std::vector<std::string> out;
  for (const ComplaintCueHit& h : e.cues) {
    out.push_back(fmt::format("{} -> {} {:g}{}", scorer.model().cues()[h.cue].phrase,
                              CueClassName(h.counted_as), h.strength,
                              h.negated ? " (negated)" : ""));
  }
  return fmt::format("{}", fmt::join(out, "; "));
}

struct HitsCase {
  std::string_view text;
  std::string_view hits;  // as Hits() writes them
};

void CheckHits(std::initializer_list<HitsCase> cases) {
  for (const HitsCase& c : cases) {
    INFO("text: " << c.text);
    CHECK(Hits(RuleScorer(), c.text) == std::string(c.hits));
  }
}

TEST_CASE("Complaint scorer: leftmost-longest cue matching", "[detectors][complaint]") {
  CheckHits({
      {"still waiting", "still waiting -> persistence 1.5"},  // the longer cue wins
      {"still here", "still -> persistence 0.8"},
      {"still still waiting", "still -> persistence 0.8; still waiting -> persistence 1.5"},
      {"on hold music", "on hold -> waiting 1"},  // the leftmost cue takes "hold"
      {"the hold music", "hold music -> negative 1"},
      {"thanks for everything", "thanks -> gratitude 1"},  // back to the longest found
      {"thanks for nothing", "thanks for nothing -> sarcasm 2"},
      {"down for 3 days", "for <num> days -> persistence 1.2"},
      {"#StillWaiting", "still waiting -> persistence 1.5"},
      {"STILL WAITING!!", "still waiting -> persistence 1.5"},
      {"my parcel hasn’t arrived", "hasn't arrived -> unmet 1.5"},
      {"has not arrived", "hasn't arrived -> unmet 1.5"},
      {"refunded, unhappy", ""},  // whole words only
      {"", ""},
  });
}

TEST_CASE("Complaint scorer: negation turns, keeps or drops a cue", "[detectors][complaint]") {
  CheckHits({
      {"not happy", "happy -> negative 1 (negated)"},  // praise -> negative
      {"never happy", "happy -> negative 1 (negated)"},
      {"isn’t happy", "happy -> negative 1 (negated)"},
      {"not fixed", "fixed -> unmet 1 (negated)"},  // resolution -> unmet
      {"still not fixed", "still -> persistence 0.8; fixed -> unmet 1 (negated)"},
      {"no thanks", "thanks -> gratitude 0 (negated)"},  // dropped
      {"no problem", "problem -> broken 0 (negated)"},
      {"not rubbish", "rubbish -> negative 0 (negated)"},
      {"do not do you", "do you -> info_question 0 (negated)"},
      {"no giveaway", "giveaway -> promo 0 (negated)"},
      {"never announced", "announced -> news 0 (negated)"},
      {"not lol", "lol -> humour 0 (negated)"},
      {"not still waiting", "still waiting -> persistence 1.5 (negated)"},  // kept
      {"no refund", "refund -> money 1 (negated)"},
      {"no please fix", "please fix -> demand 1.5 (negated)"},
      {"no, not working", "not working -> broken 1.5"},  // starts with its own negator
      {"hasn't arrived", "hasn't arrived -> unmet 1.5"},
  });
}

TEST_CASE("Complaint scorer: a negator reaches three words back", "[detectors][complaint]") {
  CheckHits({
      {"not very happy", "happy -> negative 1 (negated)"},
      {"not very very happy", "happy -> negative 1 (negated)"},
      {"not very very very happy", "happy -> praise 1"},  // four words back: too far
      {"can't say i'm happy", "happy -> negative 1 (negated)"},
      {"can’t say I'm happy", "happy -> negative 1 (negated)"},
      {"happy not", "happy -> praise 1"},  // a negator after the cue does nothing
      {"not @Acme https://x.y happy", "happy -> negative 1 (negated)"},  // no words between
      {"not 45 45 45 happy", "happy -> praise 1"},                       // class words are words
  });
}

TEST_CASE("Complaint scorer: negation stops at the end of a clause", "[detectors][complaint]") {
  CheckHits({
      {"not fixed, thanks", "fixed -> unmet 1 (negated); thanks -> gratitude 1"},
      {"not. happy", "happy -> praise 1"},
      {"not! happy", "happy -> praise 1"},
      {"no\nhappy", "happy -> praise 1"},
      {"not; very happy", "happy -> praise 1"},
      {"not - happy", "happy -> negative 1 (negated)"},  // a dash joins, as in speech
  });
}

TEST_CASE("Complaint scorer: cues before 'but' count half, after it half again",
          "[detectors][complaint]") {
  CheckHits({
      {"love it but not working", "love -> praise 0.5; not working -> broken 2.25"},
      {"not working at all but fixed", "not working -> broken 0.75; fixed -> resolution 1.5"},
      {"love it however on hold", "love -> praise 0.5; on hold -> waiting 1.5"},
      {"BUT still waiting", "still waiting -> persistence 2.25"},
      {"rubbish but happy but rubbish",  // only the first "but" divides
       "rubbish -> negative 0.5; happy -> praise 1.5; rubbish -> negative 1.5"},
      {"love it but not happy", "love -> praise 0.5; happy -> negative 1.5 (negated)"},
      {"love it but no thanks", "love -> praise 0.5; thanks -> gratitude 0 (negated)"},
  });
}

TEST_CASE("Complaint scorer: each class counts at most 2", "[detectors][complaint]") {
  struct Case {
    std::string_view text;
    CueClass cls;
    double feature;
  };
  const Case cases[] = {
      {"rubbish", CueClass::kNegative, 1},
      {"rubbish rubbish", CueClass::kNegative, 2},
      {"rubbish rubbish rubbish", CueClass::kNegative, 2},         // 3, capped
      {"still waiting still waiting", CueClass::kPersistence, 2},  // 1.5 + 1.5
      {"still waiting still", CueClass::kPersistence, 2},          // 1.5 + 0.8
      {"still still", CueClass::kPersistence, 1.6},
      {"not happy not happy not happy", CueClass::kNegative, 2},  // negated praise counts too
      {"not happy not happy not happy", CueClass::kPraise, 0},
  };
  for (const Case& c : cases) {
    INFO("text: " << c.text << ", class " << CueClassName(c.cls));
    const auto e = RuleScorer().Explain(c.text, SentimentScores{}, false);
    CHECK(e.features[FeatureIndex(c.cls)] == Approx(c.feature).margin(1e-12));
  }
}

// The features that are not cue classes or VADER, as "name=value" for those not 0.
std::string SurfaceFeatures(const ComplaintExplanation& e) {
  std::vector<std::string> out;
  for (size_t f = FeatureIndex(Feature::kQuestion); f < kFeatureCount; ++f) {
    if (e.features[f] != 0) out.push_back(fmt::format("{}={:g}", FeatureName(f), e.features[f]));
  }
  return fmt::format("{}", fmt::join(out, " "));
}

TEST_CASE("Complaint scorer: surface features", "[detectors][complaint]") {
  struct Case {
    std::string_view text;
    bool addressed;
    std::string_view features;  // as SurfaceFeatures() writes them
  };
  const Case cases[] = {
      {"", false, "short=1"},
      {"@Acme thanks", false, "addressed=1 short=1"},  // an @mention in the text
      {"thanks", true, "addressed=1 short=1"},         // or the post's mentions
      {"one two three four five six", false, "short=1"},
      {"one two three four five six seven", false, ""},
      {"why is my refund still not here?", false,
       "question=1 first_person=1 problem_question=1 negations=1"},  // refund, still: problems
      {"do you ship to canada at all?", false, "question=1 second_person=1"},
      {"love you guys but still waiting here!!", false,
       "exclaim=1 repeated_punct=1 second_person=1 positive_problem=1"},
      {"not happy and still waiting here today", false, "negations=1"},  // negated praise: no praise
      {"THIS IS RUBBISH and nobody cares at all", false, "shouting=1 negations=1"},  // two caps
      {"order 12345 on the 3rd, no no no never", false, "negations=2 specifics=2"},  // capped
      {"WORST service in the whole wide world", false, "shouting=0.5"},  // one
      {"see https://acme.com for the giveaway details today", false, "link=1 short=1"},
      {"see https://acme.com for all the giveaway details today", false, "link=1"},
  };
  for (const Case& c : cases) {
    INFO("text: " << c.text);
    const auto e = RuleScorer().Explain(c.text, SentimentScores{}, c.addressed);
    CHECK(SurfaceFeatures(e) == std::string(c.features));
    CHECK(e.features[FeatureIndex(Feature::kBias)] == 1);
  }
  // VADER's scores are features as given.
  const SentimentScores s{0.5, 0.3, 0.6, 0.1};
  const auto e = RuleScorer().Explain("anything", s, false);
  CHECK(e.features[FeatureIndex(Feature::kVaderCompound)] == 0.5);
  CHECK(e.features[FeatureIndex(Feature::kVaderPos)] == 0.3);
  CHECK(e.features[FeatureIndex(Feature::kVaderNeg)] == 0.1);
}

TEST_CASE("Complaint scorer: cue spans are the bytes of the text", "[detectors][complaint]") {
  struct Case {
    std::string_view text;
    std::string_view cue_bytes;  // the text under the first cue
  };
  const Case cases[] = {
      {"my parcel hasn’t arrived!", "hasn’t arrived"},
      {"ugh #StillWaiting", "StillWaiting"},
      {"@Acme down for 45 days now", "for 45 days"},
      {"love it but not working", "love"},
  };
  for (const Case& c : cases) {
    INFO("text: " << c.text);
    const auto e = RuleScorer().Explain(c.text, SentimentScores{}, false);
    REQUIRE_FALSE(e.cues.empty());
    CHECK(c.text.substr(e.cues[0].begin, e.cues[0].end - e.cues[0].begin) == c.cue_bytes);
  }
}

// Weights chosen so that each term of a logit is told apart; the features of each text below
// are worked out beside its row.
constexpr double kBias = -1.25;
constexpr double kWPersistence = 0.75;
constexpr double kWNegative = 1.5;
constexpr double kWGratitude = -1.0;
constexpr double kWPraise = -0.5;
constexpr double kWCompound = -2.0;
constexpr double kWNeg = 1.0;
constexpr double kWPos = -0.25;
constexpr double kWQuestion = 0.4;
constexpr double kWAddressed = 0.3;
constexpr double kWFirstPerson = 0.2;
constexpr double kWShort = 0.1;
constexpr double kWProblemQuestion = 0.6;
constexpr double kWPositiveProblem = 0.8;

const ComplaintScorer& WeightedScorer() {
  static const ComplaintScorer scorer(
      ModelFrom("still\tpersistence\t0.8\n"
                "rubbish\tnegative\n"
                "love\tpraise\n"
                "thanks\tgratitude\n"
                "why is\tpointed_question\n",  // weight 0: found, but adds nothing
                WeightsText({{"bias", kBias},
                             {"cue:persistence", kWPersistence},
                             {"cue:negative", kWNegative},
                             {"cue:gratitude", kWGratitude},
                             {"cue:praise", kWPraise},
                             {"vader_compound", kWCompound},
                             {"vader_neg", kWNeg},
                             {"vader_pos", kWPos},
                             {"question", kWQuestion},
                             {"addressed", kWAddressed},
                             {"first_person", kWFirstPerson},
                             {"short", kWShort},
                             {"problem_question", kWProblemQuestion},
                             {"positive_problem", kWPositiveProblem}})));
  return scorer;
}

double Sigmoid(double z) { return 1 / (1 + std::exp(-z)); }

TEST_CASE("Complaint scorer: the probability is the logistic of the weighted features",
          "[detectors][complaint]") {
  struct Case {
    std::string_view text;
    SentimentScores vader;  // compound, pos, neu, neg
    bool addressed;
    double logit;
  };
  const Case cases[] = {
      // Nothing but the bias and "short" (no words is six or fewer).
      {"", {}, false, kBias + kWShort},
      // still 0.8, rubbish 1, VADER -0.5 with neg 0.5, '?', @mention, 2 words, and a question
      // in a post with a problem (persistence).
      {"@Acme still rubbish?",
       {-0.5, 0, 0.5, 0.5},
       false,
       kBias + 0.8 * kWPersistence + 1 * kWNegative + -0.5 * kWCompound + 0.5 * kWNeg + kWQuestion +
           kWAddressed + kWShort + kWProblemQuestion},
      // "love" before "but": 0.5; "still" after: 0.8 x 1.5 = 1.2; two "rubbish" after:
      // 1.5 + 1.5 capped at 2; praise beside a problem; "i"; 7 words; addressed by the caller.
      {"i love it but still rubbish rubbish",
       {0.2, 0.3, 0.5, 0.2},
       true,
       kBias + 0.5 * kWPraise + 1.2 * kWPersistence + 2 * kWNegative + 0.2 * kWCompound +
           0.2 * kWNeg + 0.3 * kWPos + kWAddressed + kWFirstPerson + kWPositiveProblem},
      // "no thanks" drops the gratitude; "thanks" alone counts 1.
      {"no thanks", {}, false, kBias + kWShort},
      {"thanks", {}, false, kBias + kWGratitude + kWShort},
      // "why is" is found (weight 0) and is no problem: no problem_question.
      {"why is it like this?", {}, false, kBias + kWQuestion + kWShort},
  };
  for (const Case& c : cases) {
    INFO("text: " << c.text);
    const ComplaintExplanation e = WeightedScorer().Explain(c.text, c.vader, c.addressed);
    CHECK(e.logit == Approx(c.logit).margin(1e-12));
    CHECK(e.probability == Approx(Sigmoid(c.logit)).margin(1e-12));
    CHECK(WeightedScorer().Score(c.text, c.vader, c.addressed) == e.probability);
  }
}

TEST_CASE("Complaint scorer: extreme logits stay in [0, 1]", "[detectors][complaint]") {
  const ComplaintScorer scorer(
      ModelFrom("rubbish\tnegative\t4\n", WeightsText({{"cue:negative", 50}, {"bias", 50}})));
  CHECK(scorer.Score("rubbish", {}, false) == 1.0);
  const ComplaintScorer low(ModelFrom("", WeightsText({{"bias", -50}, {"short", -50}})));
  const double p = low.Score("", {}, false);
  CHECK(p >= 0.0);
  CHECK(p < 1e-40);
}

// Texts of many lengths for the thread and equality checks: the scorer reuses a per-thread
// scratch area that grows with the text.
std::vector<std::string> VariedTexts() {
  std::vector<std::string> texts = {
      "",
      "@Acme my parcel still hasn't arrived, third time I'm chasing this",
      "@Acme do you ship to Canada?",
      "@Acme thanks so much for sorting my refund, legends",
      "still not fixed!!! WHY IS THIS SO HARD #CustomerServiceFail",
      "love the new app but it keeps crashing every time I open it, please fix",
      "on hold for 45 mins, error e404 since 9am on the 3rd day https://acme.com",
      std::string("\xff\xfe broken \xe2\x80", 12),
  };
  std::string long_text;
  for (int i = 0; i < 200; ++i) long_text += "still waiting for a refund but nobody replies ";
  texts.push_back(long_text);
  return texts;
}

TEST_CASE("Complaint scorer: Score() is Explain().probability", "[detectors][complaint]") {
  const ComplaintScorer scorer(ShippedModel());
  for (const std::string& text : VariedTexts()) {
    INFO("text: " << text);
    const SentimentScores vader = ShippedVader().Score(text);
    for (bool addressed : {false, true}) {
      const ComplaintExplanation e = scorer.Explain(text, vader, addressed);
      CHECK(scorer.Score(text, vader, addressed) == e.probability);
      CHECK(e.probability >= 0);
      CHECK(e.probability <= 1);
    }
  }
}

TEST_CASE("Complaint scorer: threads scoring at once agree with one thread",
          "[detectors][complaint]") {
  const ComplaintScorer scorer(ShippedModel());
  const std::vector<std::string> texts = VariedTexts();
  std::vector<SentimentScores> vader;
  std::vector<double> expected;
  for (const std::string& t : texts) {
    vader.push_back(ShippedVader().Score(t));
    expected.push_back(scorer.Score(t, vader.back(), false));
  }
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      for (int r = 0; r < kRounds; ++r) {
        // Each thread walks the texts from a different place, so lengths interleave.
        for (size_t k = 0; k < texts.size(); ++k) {
          const size_t i = (k + static_cast<size_t>(th)) % texts.size();
          const double p = (r % 2 == 0) ? scorer.Score(texts[i], vader[i], false)
                                        : scorer.Explain(texts[i], vader[i], false).probability;
          if (p != expected[i]) ++mismatches;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(mismatches.load() == 0);
}

// The shipped lexicon and weights, on posts whose reading no tuning should change.
TEST_CASE("Complaint scorer: the shipped model on unambiguous posts", "[detectors][complaint]") {
  struct Case {
    std::string_view text;
    bool complaint;  // scores above 0.5
  };
  const Case cases[] = {
      {"@Acme my parcel still hasn't arrived, third time I'm chasing this", true},
      {"@Acme the app keeps crashing every time I open it, please fix", true},
      {"@Acme charged twice for the same order and still no refund!!", true},
      {"@Acme do you ship to Canada?", false},
      {"@Acme thanks so much for sorting my refund, legends", false},
      {"@Acme great service today, staff were lovely", false},
  };
  const ComplaintScorer scorer(ShippedModel());
  for (const Case& c : cases) {
    const double p = scorer.Score(c.text, ShippedVader().Score(c.text), false);
    INFO("text: " << c.text << "\nprobability: " << p);
    CHECK((p > 0.5) == c.complaint);
  }
}

}  // namespace
}  // namespace earshot
