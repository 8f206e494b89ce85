// Unicode as the reference (Python str) sees it: whitespace beyond ASCII, case beyond ASCII,
// emoji sequences, right-to-left text; and bytes that are not UTF-8 at all.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "detectors/sentiment_text.h"
#include "detectors/utf8.h"
#include "tests/sentiment/sentiment_test_util.h"

namespace earshot {
namespace {

using testing::Compound;
using testing::ShippedAnalyzer;

double Norm(double sum) { return sum / std::sqrt(sum * sum + 15); }

bool InRange(const SentimentScores& s) {
  const bool empty = s.pos == 0 && s.neu == 0 && s.neg == 0;
  return s.compound >= -1 && s.compound <= 1 && s.pos >= 0 && s.neu >= 0 && s.neg >= 0 &&
         (empty || std::fabs(s.pos + s.neu + s.neg - 1) < 1e-9);
}

TEST_CASE("Unicode: accented words are words, and case follows Python", "[sentiment]") {
  CHECK(Compound("café is good") == Approx(Norm(1.9)));
  // "É" is uppercase to str.isupper(), so "ÉNORME" is an ALL CAPS word in mixed-case text...
  CHECK(Compound("ÉNORME and GOOD day") == Approx(Norm(1.9 + 0.733)));
  // ...and "GOOD CAFÉ" is all caps throughout: no emphasis.
  CHECK(Compound("GOOD CAFÉ") == Approx(Norm(1.9)));
  // A lowercase accented letter makes a word mixed case: "GOODé" is not ALL CAPS.
  std::string lower;
  CHECK_FALSE(sentiment_text::IsUpper(sentiment_text::AppendLower("GOODé", &lower)));
  CHECK(lower == "goodé");
  lower.clear();
  CHECK(sentiment_text::IsUpper(sentiment_text::AppendLower("ÀÉÎ", &lower)));
  CHECK(lower == "àéî");
  // Python's lower() maps KELVIN SIGN to ASCII k: "OK" written with it is still "ok".
  CHECK(Compound("O\u212A then") == Approx(Norm(1.2 + 0.733)));
  lower.clear();
  sentiment_text::AppendLower("\u0130", &lower);  // İ lowercases to i + combining dot
  CHECK(lower == "i\u0307");
}

TEST_CASE("Unicode: whitespace is what Python's str.split() splits on", "[sentiment]") {
  // NO-BREAK SPACE, EM SPACE, IDEOGRAPHIC SPACE and the ASCII file separators split words.
  CHECK(Compound("not\u00A0good") == Approx(Norm(1.9 * -0.74)));
  CHECK(Compound("not\u2003good") == Approx(Norm(1.9 * -0.74)));
  CHECK(Compound("not\u3000good") == Approx(Norm(1.9 * -0.74)));
  CHECK(Compound("not\x1cgood") == Approx(Norm(1.9 * -0.74)));
  // ZERO WIDTH SPACE does not: "not\u200Bgood" is one unknown word.
  CHECK(Compound("not\u200Bgood") == 0);
}

TEST_CASE("Unicode: emoji sequences are read one code point at a time", "[sentiment]") {
  const SentimentAnalyzer& a = ShippedAnalyzer();
  // Skin tones, ZWJ sequences, flags, keycaps and tag sequences never match whole (as in the
  // reference); their parts may. None of them may crash or leave the range.
  for (const char* text : {"👍🏽 good", "👨‍👩‍👧‍👦 family", "🇫🇷 flag", "1️⃣",
                           "🏴󠁧󠁢󠁷󠁬󠁳󠁿", "🤽🏽‍♂️ refund", "❤️❤️❤️",
                           "😂😂😂😂😂😂😂😂"}) {
    INFO(text);
    CHECK(InRange(a.Score(text)));
  }
  // 😂 = "face with tears of joy": joy is positive, tears negative.
  const SentimentScores joy = a.Score("😂");
  CHECK(joy.pos > 0);
  CHECK(joy.neg > 0);
  CHECK(Compound("😂😂") == Compound("😂 😂"));
}

TEST_CASE("Unicode: right-to-left text scores its English words", "[sentiment]") {
  CHECK(Compound("שלום good עולם") == Approx(Norm(1.9)));
  CHECK(Compound("مرحبا bad العالم") == Approx(Norm(-2.5)));
  CHECK(Compound("\u202Egood\u202C") == 0);  // bidi controls are part of the word
  const SentimentScores s = ShippedAnalyzer().Score("هذا سيء جدا");
  CHECK(s.compound == 0);
  CHECK(s.neu == 1);
}

TEST_CASE("Unicode: invalid UTF-8 never crashes and never reads past the end", "[sentiment]") {
  const SentimentAnalyzer& a = ShippedAnalyzer();
  const std::string cases[] = {
      std::string("\xff\xfe good"),
      std::string("good \xe2\x82"),          // truncated 3-byte sequence at the end
      std::string("\xf0\x9f\x98"),           // truncated emoji
      std::string("\xc0\xaf bad"),           // overlong '/'
      std::string("\xed\xa0\x80 good"),      // a UTF-16 surrogate
      std::string("\xf4\x90\x80\x80 good"),  // past U+10FFFF
      std::string("bad\x80\x80\x80!"),
      std::string("\0good\0", 6),
  };
  for (const std::string& text : cases) {
    CHECK(InRange(a.Score(text)));
  }
  CHECK(Compound(std::string("\xff\xfe good")) == Approx(Norm(1.9)));
  // A bad byte inside a word keeps it one unknown word.
  CHECK(Compound(std::string("go\xffod")) == 0);
  CHECK(utf8::Decode("\xe2\x82", "\xe2\x82" + 2).len == 1);
}

TEST_CASE("Unicode: empty, blank and very long input", "[sentiment]") {
  const SentimentAnalyzer& a = ShippedAnalyzer();
  for (const char* text : {"", " ", "\n\t \u3000", "!!!???", "..."}) {
    const SentimentScores s = a.Score(text);
    CHECK(s.compound == 0);
  }
  // A megabyte of words with "but" in it: long texts stay linear and in range.
  std::string big;
  while (big.size() < (1 << 20)) big += "the service was good but the delay was bad and 😡 ";
  const SentimentScores s = a.Score(big);
  CHECK(InRange(s));
  CHECK(s.compound < 0);  // after "but", "bad" and 😡 weigh 1.5x
  // The scratch area given back after a huge text does not change later results.
  CHECK(Compound("good") == Approx(Norm(1.9)));
}

}  // namespace
}  // namespace earshot
