// Each rule of VADER alone, against values worked by hand from the reference's constants:
// booster 0.293 (x0.95 two words back, x0.9 three back), ALL CAPS 0.733, negation x-0.74,
// "never so" x1.25, "but" x0.5 before / x1.5 after, "!" 0.292 each up to 4, "??" 0.18 each up to
// 3 then 0.96, compound x / sqrt(x^2 + 15).
#include <catch2/catch.hpp>

#include <cmath>

#include "detectors/sentiment_but.h"
#include "tests/sentiment/sentiment_test_util.h"

namespace earshot {
namespace {

using testing::Compound;
using testing::ShippedAnalyzer;

double Norm(double sum) { return sum / std::sqrt(sum * sum + 15); }

constexpr double kGood = 1.9;  // vader_lexicon.txt
constexpr double kBad = -2.5;
constexpr double kGreat = 3.1;

struct Case {
  const char* text;
  double sum;  // the valence sum the rules should reach, before normalisation
};

void CheckCases(std::initializer_list<Case> cases) {
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK(Compound(c.text) == Approx(Norm(c.sum)).margin(1e-12));
  }
}

TEST_CASE("Sentiment rule: lexicon words and neutral words", "[sentiment]") {
  CheckCases({{"good", kGood}, {"bad", kBad}, {"good bad", kGood + kBad}, {"xyzzy", 0}});
  const SentimentScores s = ShippedAnalyzer().Score("a good");
  // One-letter words are words (3.3.2): "a" counts as one neutral word.
  CHECK(s.pos == Approx((kGood + 1) / (kGood + 1 + 1)));
  CHECK(s.neu == Approx(1 / (kGood + 1 + 1)));
  CHECK(s.neg == 0);
}

TEST_CASE("Sentiment rule: boosters and dampeners, by distance and sign", "[sentiment]") {
  CheckCases({
      {"very good", kGood + 0.293},
      {"very xyzzy good", kGood + 0.293 * 0.95},
      {"very xyzzy xyzzy good", kGood + 0.293 * 0.9},
      {"very xyzzy xyzzy xyzzy good", kGood},
      {"barely good", kGood - 0.293},
      {"very bad", kBad - 0.293},    // a booster pushes away from zero
      {"barely bad", kBad + 0.293},  // a dampener pulls toward it
      {"very", 0},                   // a booster alone is neutral
  });
}

TEST_CASE("Sentiment rule: ALL CAPS emphasis only in mixed-case text", "[sentiment]") {
  CheckCases({
      {"GOOD day", kGood + 0.733},
      {"GOOD", kGood},            // all words ALL CAPS: no emphasis
      {"GOOD DAY", kGood},
      {"BAD day", kBad - 0.733},
      {"VERY good day", kGood + 0.293 + 0.733},  // an ALL CAPS booster adds both
  });
}

TEST_CASE("Sentiment rule: negation in the three preceding words", "[sentiment]") {
  CheckCases({
      {"not good", kGood * -0.74},
      {"isn't good", kGood * -0.74},     // any word with n't
      {"aint good", kGood * -0.74},
      {"not xyzzy good", kGood * -0.74},
      {"not xyzzy xyzzy good", kGood * -0.74},
      {"not xyzzy xyzzy xyzzy good", kGood},  // four words back is too far
      {"never so good", (kGood + 0.293) * 1.25},  // "never so/this" intensifies
      {"never this good", kGood * 1.25},
      {"no good", kGood * -0.74},  // "no" before a lexicon word negates it and scores 0 itself
      {"no", -1.2},
  });
}

TEST_CASE("Sentiment rule: 'but' weights what follows", "[sentiment]") {
  CheckCases({
      {"good but bad", kGood * 0.5 + kBad * 1.5},
      {"bad but good", kBad * 0.5 + kGood * 1.5},
      {"good BUT bad", kGood * 0.5 + kBad * 1.5},
  });
}

TEST_CASE("Sentiment rule: the reference's 'but' quirk with equal values", "[sentiment]") {
  // list.index() finds the first equal value: after 3.0 -> 1.5 at position 0, the 1.5 at
  // position 2 halves position 0 again and stays unshifted itself.
  for (size_t limit : {size_t{64}, size_t{0}}) {
    std::vector<double> s = {3.0, 0, 1.5, 3.0};
    sentiment_internal::ApplyButShift(&s, 1, limit);
    CHECK(s == std::vector<double>{0.75, 0, 1.5, 4.5});
  }
}

TEST_CASE("Sentiment rule: 'least' negates unless 'at least' or 'very least'", "[sentiment]") {
  CheckCases({
      {"least good", kGood * -0.74},
      {"the least good", kGood * -0.74},
      {"at least good", kGood},
      {"very least good", kGood + 0.293 * 0.95},  // "very" still boosts from two words back
  });
}

TEST_CASE("Sentiment rule: 'kind of' dampens and is not the word 'kind'", "[sentiment]") {
  CheckCases({
      {"kind", 2.4},
      {"kind of good", kGood},  // the bigram dampener needs three words of context
      {"it was kind of good", kGood - 0.293},
      {"it was sort of good", kGood - 0.293},
  });
}

TEST_CASE("Sentiment rule: special-case idioms", "[sentiment]") {
  CheckCases({
      {"you are the shit", 3},
      {"this is the bomb", 3},
      {"he is bad ass", kBad + 1.5},  // "bad" still counts; "ass" (-2.5) becomes 1.5
      {"sits at the bus stop", 0},    // "stop" (-1.2) is neutral after "bus"
      {"the bus stop", -1.2},         // idioms need three words before the scored word
  });
}

TEST_CASE("Sentiment rule: '!' and '?' amplify with their caps", "[sentiment]") {
  CheckCases({
      {"good!", kGood + 0.292},
      {"good!!", kGood + 2 * 0.292},
      {"good!!!!!!!", kGood + 4 * 0.292},
      {"bad!", kBad - 0.292},
      {"good?", kGood},
      {"good??", kGood + 2 * 0.18},
      {"good???", kGood + 3 * 0.18},
      {"good?????", kGood + 0.96},
      {"good!??", kGood + 0.292 + 2 * 0.18},
      {"xyzzy!!!", 0},  // nothing to amplify
  });
}

TEST_CASE("Sentiment rule: emoticons and emoji", "[sentiment]") {
  CheckCases({
      {"good :)", kGood + 2.0},
      {":-)", 1.3},
      {"so sad :(", (-2.1 - 0.293) + (-1.9 - 0.293 * 0.95)},
      {"😁", 2.0},                    // "beaming face with smiling eyes": smiling 2.0
      {"great😁", kGreat + 2.0},      // a space goes before the description...
      {"😁great", 2.0},               // ...but none after it: "eyesgreat" is no word
      {"💘 💋", 3.2 + 1.8},           // heart with arrow, kiss mark
  });
}

TEST_CASE("Sentiment rule: edge punctuation is stripped from words only", "[sentiment]") {
  CheckCases({
      {"good,", kGood},
      {"\"good\"", kGood},
      {"#good", kGood},
      {"(good)!", kGood + 0.292},
      {":)", 2.0},  // stripping would leave nothing, so the emoticon stays whole
  });
}

TEST_CASE("Sentiment rule: compound and proportions", "[sentiment]") {
  const SentimentScores empty = ShippedAnalyzer().Score("");
  CHECK(empty.compound == 0);
  CHECK(empty.pos == 0);
  CHECK(empty.neu == 0);
  CHECK(empty.neg == 0);
  const SentimentScores s = ShippedAnalyzer().Score("the good and the bad");
  CHECK(s.pos == Approx(2.9 / (2.9 + 3.5 + 3)));
  CHECK(s.neg == Approx(3.5 / (2.9 + 3.5 + 3)));
  CHECK(s.neu == Approx(3 / (2.9 + 3.5 + 3)));
  CHECK(s.pos + s.neu + s.neg == Approx(1));
  // Huge sums approach but never pass 1.
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "great ";
  CHECK(Compound(many) <= 1.0);
  CHECK(Compound(many) > 0.999);
}

}  // namespace
}  // namespace earshot
