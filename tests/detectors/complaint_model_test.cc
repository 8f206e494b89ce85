// The complaint model's files: cue lines `phrase<TAB>class[<TAB>strength]` (strength 0 to 4,
// default 1; one to six words the tokenizer can produce), weight lines `feature<TAB>weight`
// (-50 to 50, every feature once the shipped file is read), overlay lines `cue<TAB>...` and
// `weight<TAB>...` that replace or add. Every error names the file and its 1-based line and says
// what to write instead; the messages here are the exact text an operator sees. Models are
// built in-test: the shipped lexicon is being tuned, so only its loading is checked here.
#include "detectors/complaint_model.h"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/complaint_scorer.h"
#include "tests/detectors/complaint_test_util.h"
#include "tests/state/temp_dir.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
using testing::FeatureIndex;
using testing::ModelFrom;
using testing::ShippedLexiconDir;
using testing::ShippedModel;
using testing::WeightsText;

constexpr std::string_view kAllClasses =
    "persistence, broken, unmet, waiting, money, demand, pointed_question, negative, sarcasm, "
    "gratitude, praise, resolution, info_question, promo, news, humour";

// The phrase of the cue that exactly the words of `words` (separated by spaces, already as the
// tokenizer writes them) reach in the model's trie, or "" when they reach none.
std::string Lookup(const ComplaintModel& m, std::string_view words) {
  int32_t node = 0;
  size_t pos = 0;
  while (pos <= words.size()) {
    size_t sp = words.find(' ', pos);
    if (sp == std::string_view::npos) sp = words.size();
    node = m.Step(node, HashWord(words.substr(pos, sp - pos)));
    if (node < 0) return "";
    pos = sp + 1;
  }
  const int32_t cue = m.node(node).cue;
  return cue < 0 ? "" : m.cues()[static_cast<size_t>(cue)].phrase;
}

struct ErrorCase {
  std::string cues;
  std::string weights;
  std::string message;
};

void CheckErrors(const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    INFO("cues:\n" << c.cues << "weights:\n" << c.weights);
    auto model = ComplaintModel::FromText(c.cues, c.weights);
    REQUIRE_FALSE(model.ok());
    CHECK(model.status().code() == Status::Code::kInvalidArgument);
    CHECK(model.status().message() == c.message);
  }
}

TEST_CASE("Complaint model: cue lines, normalised and located", "[detectors][complaint]") {
  const auto m = ModelFrom(
      "# comment\n"
      "\n"
      "still\tpersistence\t0.8\n"
      "  Still   Not \t broken \t +1.5 \r\n"  // cells trimmed, words lowercased and re-spaced
      "why is\tpointed_question\n",           // strength defaults to 1
      WeightsText());
  REQUIRE(m->cues().size() == 3);
  const auto& c = m->cues();
  CHECK(c[0].phrase == "still");
  CHECK(c[0].cls == CueClass::kPersistence);
  CHECK(c[0].strength == 0.8);
  CHECK(c[0].where == "complaint_cues.tsv:3");
  CHECK(c[1].phrase == "still not");
  CHECK(c[1].cls == CueClass::kBroken);
  CHECK(c[1].strength == 1.5);
  CHECK(c[1].where == "complaint_cues.tsv:4");
  CHECK(c[2].strength == 1.0);
  CHECK(m->max_phrase_words() == 2);
  CHECK(Lookup(*m, "still") == "still");
  CHECK(Lookup(*m, "still not") == "still not");
  CHECK(Lookup(*m, "why") == "");  // a prefix only
  CHECK(m->node(m->Step(0, HashWord("why"))).has_children);
  CHECK(Lookup(*m, "why is") == "why is");
  CHECK(Lookup(*m, "is") == "");
}

TEST_CASE("Complaint model: weight lines", "[detectors][complaint]") {
  const auto m = ModelFrom(
      "still\tpersistence\n",
      "# fitted 2024-05-01\n" +
          WeightsText({{"bias", -1.5}, {"cue:negative", 1.25}, {"positive_problem", 50}}));
  CHECK(m->weight(FeatureIndex(Feature::kBias)) == -1.5);
  CHECK(m->weight(FeatureIndex(CueClass::kNegative)) == 1.25);
  CHECK(m->weight(FeatureIndex(Feature::kPositiveProblem)) == 50);
  CHECK(m->weight(FeatureIndex(Feature::kShort)) == 0);
  CHECK(m->weights().size() == kFeatureCount);
}

TEST_CASE("Complaint model: class and feature names", "[detectors][complaint]") {
  for (size_t c = 0; c < kCueClassCount; ++c) {
    const auto cls = static_cast<CueClass>(c);
    CHECK(CueClassFromName(CueClassName(cls)) == cls);
    CHECK(FeatureName(c) == "cue:" + std::string(CueClassName(cls)));  // cue features first
  }
  for (size_t f = 0; f < kFeatureCount; ++f) CHECK(FeatureFromName(FeatureName(f)) == f);
  CHECK(FeatureName(FeatureIndex(Feature::kBias)) == "bias");
  CHECK(FeatureName(FeatureIndex(Feature::kVaderCompound)) == "vader_compound");
  CHECK(FeatureName(FeatureIndex(Feature::kPositiveProblem)) == "positive_problem");
  CHECK(CueClassName(CueClass::kPointedQuestion) == "pointed_question");
  CHECK_FALSE(CueClassFromName("Persistence").has_value());
  CHECK_FALSE(FeatureFromName("persistence").has_value());  // a class is not a feature
}

TEST_CASE("Complaint model: cue file errors", "[detectors][complaint]") {
  const std::string w = WeightsText();
  const std::string columns =
      "error: expected `phrase<TAB>class[<TAB>strength]` (columns are separated by tabs)";
  CheckErrors({
      {"# comment\n\nstill\n", w, "complaint_cues.tsv:3: " + columns},
      {"still persistence 0.8\n", w, "complaint_cues.tsv:1: " + columns},  // spaces, no tabs
      {"still\tpersistence\t0.8\tx\n", w, "complaint_cues.tsv:1: " + columns},
      {"still\tpersistance\n", w,
       fmt::format("complaint_cues.tsv:1: error: unknown cue class 'persistance' (did you mean 'persistence'?); known: {}",
                   kAllClasses)},
      {"still\t\t1\n", w,
       fmt::format("complaint_cues.tsv:1: error: unknown cue class ''; known: {}", kAllClasses)},
      {"still\tpersistence\tstrong\n", w,
       "complaint_cues.tsv:1: error: strength 'strong' is not a number from 0 to 4"},
      {"still\tpersistence\t-1\n", w,
       "complaint_cues.tsv:1: error: strength '-1' is not a number from 0 to 4"},
      {"still\tpersistence\t4.5\n", w,
       "complaint_cues.tsv:1: error: strength '4.5' is not a number from 0 to 4"},
      {"still\tpersistence\t1.5x\n", w,
       "complaint_cues.tsv:1: error: strength '1.5x' is not a number from 0 to 4"},
      {"still\tpersistence\t\n", w,  // a trailing tab is an empty third column
       "complaint_cues.tsv:1: error: strength '' is not a number from 0 to 4"},
      {"wi-fi down\tbroken\n", w,
       "complaint_cues.tsv:1: error: 'wi-fi' has '-', where the scorer splits words (or drops "
       "the sign); write the words apart (\"wi fi\", not \"wi-fi\")"},
      {"it's down.\tbroken\n", w,
       "complaint_cues.tsv:1: error: 'down.' has '.', where the scorer splits words (or drops "
       "the sign); write the words apart (\"wi fi\", not \"wi-fi\")"},
      {"down for 24h\tpersistence\n", w,
       "complaint_cues.tsv:1: error: '24h' has digits, which the scorer reads as <num>, <ord>, "
       "<time> or <code>; write one of those"},
      {"3rd time\tpersistence\n", w,
       "complaint_cues.tsv:1: error: '3rd' has digits, which the scorer reads as <num>, <ord>, "
       "<time> or <code>; write one of those"},
      {"for <number> days\tpersistence\n", w,
       "complaint_cues.tsv:1: error: '<number>' has '<', where the scorer splits words (or "
       "drops the sign); write the words apart (\"wi fi\", not \"wi-fi\")"},
      {"\tbroken\n", w, "complaint_cues.tsv:1: error: empty phrase"},
      {"a b c d e f g\tnegative\n", w,
       "complaint_cues.tsv:1: error: phrase has 7 words; at most 6 (split it into shorter cues)"},
      {"still\tpersistence\n# again, by another hand\nStill\tbroken\t2\n", w,
       "complaint_cues.tsv:3: error: 'still' is already listed at complaint_cues.tsv:1; keep "
       "one line per phrase"},
      {"still  not\tpersistence\nstill not\tbroken\n", w,
       "complaint_cues.tsv:2: error: 'still not' is already listed at complaint_cues.tsv:1; "
       "keep one line per phrase"},
  });
}

TEST_CASE("Complaint model: weight file errors", "[detectors][complaint]") {
  const std::string cues = "still\tpersistence\n";
  const std::string all = WeightsText();
  // The complete file without the lines of `drop`.
  auto without = [&](std::initializer_list<std::string_view> drop) {
    std::istringstream in(all);
    std::string out, line;
    while (std::getline(in, line)) {
      bool skip = false;
      for (auto d : drop) skip = skip || line.rfind(std::string(d) + "\t", 0) == 0;
      if (!skip) out += line + "\n";
    }
    return out;
  };
  CheckErrors({
      {cues, without({"short", "cue:humour"}),
       "complaint_weights.tsv: error: no weight for cue:humour, short; refit with "
       "scripts/fit-complaint-weights.sh or add the lines"},
      {cues, "baias\t1\n" + all,
       "complaint_weights.tsv:1: error: unknown feature 'baias' (did you mean 'bias'?); the features are listed in "
       "docs/complaints.md"},
      {cues, "# header\npersistence\t1\n" + all,  // the class is not the feature's name
       "complaint_weights.tsv:2: error: unknown feature 'persistence'; the features are listed "
       "in docs/complaints.md"},
      {cues, without({"bias"}) + "bias\t51\n",
       fmt::format("complaint_weights.tsv:{}: error: weight '51' is not a number from -50 to 50",
                   kFeatureCount)},
      {cues, all + "bias\t1\n",  // the last of two lines would win silently
       fmt::format("complaint_weights.tsv:{}: error: 'bias' has a weight already; keep one line "
                   "per feature",
                   kFeatureCount + 1)},
      {cues, "bias\t-50.5\n" + all,
       "complaint_weights.tsv:1: error: weight '-50.5' is not a number from -50 to 50"},
      {cues, "bias\theavy\n" + all,
       "complaint_weights.tsv:1: error: weight 'heavy' is not a number from -50 to 50"},
      {cues, "bias\tinf\n" + all,
       "complaint_weights.tsv:1: error: weight 'inf' is not a number from -50 to 50"},
      {cues, "bias 1\n" + all, "complaint_weights.tsv:1: error: expected `feature<TAB>weight`"},
      {cues, "bias\t1\t2\n" + all, "complaint_weights.tsv:1: error: expected `feature<TAB>weight`"},
      // The cue file is read first; its error wins.
      {"still\n", "bias\t99\n",
       "complaint_cues.tsv:1: error: expected `phrase<TAB>class[<TAB>strength]` (columns are "
       "separated by tabs)"},
  });
}

TEST_CASE("Complaint model: errors carry the caller's file names", "[detectors][complaint]") {
  auto cue_error = ComplaintModel::FromText("still\tpersistance\n", WeightsText(), "a/cues.tsv",
                                            "b/weights.tsv");
  REQUIRE_FALSE(cue_error.ok());
  CHECK(cue_error.status().message().rfind("a/cues.tsv:1: error: unknown cue class", 0) == 0);
  auto weight_error =
      ComplaintModel::FromText("still\tpersistence\n", "bias\t1\n", "a/cues.tsv", "b/weights.tsv");
  REQUIRE_FALSE(weight_error.ok());
  CHECK(weight_error.status().message().rfind("b/weights.tsv: error: no weight for", 0) == 0);
}

TEST_CASE("Complaint model: a word with n't also matches its other spellings",
          "[detectors][complaint]") {
  const auto m = ModelFrom(
      "hasn't arrived\tunmet\n"
      "can't log in\tbroken\n"
      "won't load\tbroken\n"
      "shan't\tnegative\n"
      "what's happening\tpointed_question\n",
      WeightsText());
  struct Case {
    std::string_view words;  // as the tokenizer reads them
    std::string_view cue;    // the phrase they reach, "" for none
  };
  const Case cases[] = {
      {"hasn't arrived", "hasn't arrived"},
      {"hasnt arrived", "hasn't arrived"},
      {"has not arrived", "hasn't arrived"},
      {"has arrived", ""},
      {"hasn't", ""},  // a prefix is no cue
      {"can't log in", "can't log in"},
      {"cant log in", "can't log in"},
      {"won't load", "won't load"},
      {"wont load", "won't load"},
      {"will not load", "won't load"},
      {"wo not load", ""},  // "won't" spells out as "will not", not as its stem
      {"shan't", "shan't"},
      {"shall not", "shan't"},
      {"shant", "shan't"},
      {"what's happening", "what's happening"},
      {"whats happening", "what's happening"},  // any apostrophe may be left out
      {"what is happening", ""},                // but only n't is spelled out
  };
  for (const Case& c : cases) {
    INFO("words: " << c.words);
    CHECK(Lookup(*m, c.words) == c.cue);
  }
  // The spelled-out form is one word longer: a phrase of six may need seven.
  const auto six = ModelFrom("it still hasn't come through yet\tunmet\n", WeightsText());
  CHECK(six->max_phrase_words() == 7);
  CHECK(Lookup(*six, "it still has not come through yet") == "it still hasn't come through yet");
  // The other way round does not hold: "has not" is two plain words.
  const auto spelled = ModelFrom("has not arrived\tunmet\n", WeightsText());
  CHECK(Lookup(*spelled, "hasn't arrived") == "");
}

// Cutting "n't" from "can't" leaves "ca": the spelled-out forms must still be "cannot" and
// "can not" (once, "ca not" was all the cue matched).
TEST_CASE("Complaint model: \"can't\" also matches \"cannot\" and \"can not\"",
          "[detectors][complaint]") {
  const auto m = ModelFrom("can't log in\tbroken\n", WeightsText());
  CHECK(Lookup(*m, "cannot log in") == "can't log in");
  CHECK(Lookup(*m, "can not log in") == "can't log in");
}

// std::from_chars reads "nan", and NaN passes range checks (NaN < 0 and NaN > 4 are both
// false): a NaN weight would make every probability NaN.
TEST_CASE("Complaint model: NaN is no strength and no weight",
          "[detectors][complaint]") {
  CHECK_FALSE(ComplaintModel::FromText("still\tpersistence\tnan\n", WeightsText()).ok());
  const auto base = ModelFrom("still\tpersistence\n", WeightsText());
  CHECK_FALSE(base->WithOverlayText("site.tsv", "weight\tbias\tnan\n").ok());
  CHECK_FALSE(base->WithOverlayText("site.tsv", "cue\tstill\tpersistence\tNaN\n").ok());
}

// A `weight` line's cells are checked as they are: a '#' or empty feature is no feature (and
// is not skipped as a comment or blank line would be).
TEST_CASE("Complaint model: an overlay weight line without a feature is an error",
          "[detectors][complaint]") {
  const auto base = ModelFrom("still\tpersistence\n", WeightsText());
  CHECK_FALSE(base->WithOverlayText("site.tsv", "weight\t#bias\t3\n").ok());
  CHECK_FALSE(base->WithOverlayText("site.tsv", "weight\t\t\n").ok());
}

TEST_CASE("Complaint model: overlays replace cues and weights and add cues",
          "[detectors][complaint]") {
  const auto base = ModelFrom("still\tpersistence\t0.8\nrubbish\tnegative\n",
                              WeightsText({{"bias", -1}, {"short", 0.5}}));
  auto over = base->WithOverlayText("site.tsv",
                                    "# our airline\n"
                                    "cue\tSTILL\tbroken\t2\n"
                                    "cue\tgate agent\tnegative\t1.5\n"
                                    "weight\tbias\t0.25\n"
                                    "cue\tgate agent\tnegative\t1.75\n");  // the last line wins
  INFO(over.status().message());
  REQUIRE(over.ok());
  const auto& m = **over;
  REQUIRE(m.cues().size() == 3);
  CHECK(m.cues()[0].phrase == "still");  // replaced in place
  CHECK(m.cues()[0].cls == CueClass::kBroken);
  CHECK(m.cues()[0].strength == 2);
  CHECK(m.cues()[0].where == "site.tsv:2");
  CHECK(m.cues()[2].phrase == "gate agent");
  CHECK(m.cues()[2].strength == 1.75);
  CHECK(m.cues()[2].where == "site.tsv:5");
  CHECK(Lookup(m, "gate agent") == "gate agent");
  CHECK(m.weight(FeatureIndex(Feature::kBias)) == 0.25);
  CHECK(m.weight(FeatureIndex(Feature::kShort)) == 0.5);  // untouched weights stay
  // The model overlaid is a copy: the base is as it was.
  CHECK(base->cues().size() == 2);
  CHECK(base->cues()[0].cls == CueClass::kPersistence);
  CHECK(base->weight(FeatureIndex(Feature::kBias)) == -1);
  CHECK(Lookup(*base, "gate agent") == "");
}

TEST_CASE("Complaint model: an overlay strength of 0 switches a cue off",
          "[detectors][complaint]") {
  const auto base = ModelFrom("rubbish\tnegative\t1.5\n", WeightsText({{"cue:negative", 2}}));
  auto off = base->WithOverlayText("site.tsv", "cue\trubbish\tnegative\t0\n");
  REQUIRE(off.ok());
  const SentimentScores neutral;
  const ComplaintExplanation on_e = ComplaintScorer(base).Explain("rubbish", neutral, false);
  const ComplaintExplanation off_e = ComplaintScorer(*off).Explain("rubbish", neutral, false);
  CHECK(on_e.features[FeatureIndex(CueClass::kNegative)] == 1.5);
  CHECK(off_e.features[FeatureIndex(CueClass::kNegative)] == 0);
  CHECK(off_e.logit == 0);
  REQUIRE(off_e.cues.size() == 1);  // still found, so `earshot explain` can show it is off
  CHECK(off_e.cues[0].strength == 0);
}

TEST_CASE("Complaint model: overlay errors name the overlay and its line",
          "[detectors][complaint]") {
  const auto base = ModelFrom("still\tpersistence\n", WeightsText());
  struct Case {
    std::string text;
    std::string message;
  };
  const std::string wi_fi =
      "'wi-fi' has '-', where the scorer splits words (or drops the sign); write the words "
      "apart (\"wi fi\", not \"wi-fi\")";
  const Case cases[] = {
      {"still\tpersistence\t1\n",
       "site.tsv:1: error: an overlay line starts with `cue` or `weight` (see docs/complaints.md)"},
      {"Cue\tstill\tpersistence\t1\n",
       "site.tsv:1: error: an overlay line starts with `cue` or `weight` (see docs/complaints.md)"},
      {"# ok\nweight\tbias\n", "site.tsv:2: error: expected `weight<TAB>feature<TAB>weight`"},
      {"weight\tbaias\t1\n",
       "site.tsv:1: error: unknown feature 'baias' (did you mean 'bias'?); the features are listed in "
       "docs/complaints.md"},
      {"\n\nweight\tbias\t99\n", "site.tsv:3: error: weight '99' is not a number from -50 to 50"},
      {"cue\tstill\tpersistence\n",
       "site.tsv:1: error: expected `cue<TAB>phrase<TAB>class<TAB>strength`"},
      {"cue\tstill\tpersistance\t1\n",
       fmt::format("site.tsv:1: error: unknown cue class 'persistance' (did you mean 'persistence'?); known: {}", kAllClasses)},
      {"cue\tstill\tpersistence\t5\n",
       "site.tsv:1: error: strength '5' is not a number from 0 to 4"},
      {"cue\tstill\tpersistence\t-0.5\n",
       "site.tsv:1: error: strength '-0.5' is not a number from 0 to 4"},
      {"cue\twi-fi down\tbroken\t1\n", "site.tsv:1: error: " + wi_fi},
  };
  for (const Case& c : cases) {
    INFO("overlay:\n" << c.text);
    auto m = base->WithOverlayText("site.tsv", c.text);
    REQUIRE_FALSE(m.ok());
    CHECK(m.status().code() == Status::Code::kInvalidArgument);
    CHECK(m.status().message() == c.message);
  }
}

TEST_CASE("Complaint model: files, overlay files and their errors", "[detectors][complaint]") {
  testing::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.File(name), std::ios::binary) << text;
    return dir.File(name);
  };
  write("complaint_cues.tsv", "still\tpersistence\t0.8\n");
  write("complaint_weights.tsv", WeightsText({{"bias", -1}}));
  const fs::path first = write("first.tsv", "weight\tbias\t1\ncue\tstill\tbroken\t1\n");
  const fs::path second = write("second.tsv", "weight\tbias\t2\n");
  const fs::path bad = write("bad.tsv", "# site cues\ncue\twi-fi\tbroken\t1\n");

  auto m = ComplaintModel::Load(dir.path(), {first, second});
  INFO(m.status().message());
  REQUIRE(m.ok());
  CHECK((*m)->weight(FeatureIndex(Feature::kBias)) == 2);  // overlays apply in order
  CHECK((*m)->cues()[0].cls == CueClass::kBroken);
  CHECK((*m)->cues()[0].where == first.string() + ":2");

  auto plain = ComplaintModel::Load(dir.path());
  REQUIRE(plain.ok());
  CHECK((*plain)->cues()[0].where == (dir.path() / "complaint_cues.tsv").string() + ":1");

  auto err = ComplaintModel::Load(dir.path(), {first, bad});
  REQUIRE_FALSE(err.ok());
  CHECK(err.status().message() ==
        bad.string() +
            ":2: error: 'wi-fi' has '-', where the scorer splits words (or drops the "
            "sign); write the words apart (\"wi fi\", not \"wi-fi\")");

  auto missing_overlay = ComplaintModel::Load(dir.path(), {dir.File("nope.tsv")});
  REQUIRE_FALSE(missing_overlay.ok());
  CHECK(missing_overlay.status().code() == Status::Code::kNotFound);
  CHECK(missing_overlay.status().message() ==
        dir.File("nope.tsv").string() +
            ": cannot open; check the path and that the file is readable");

  auto missing_dir = ComplaintModel::Load(dir.File("nowhere"));
  REQUIRE_FALSE(missing_dir.ok());
  CHECK(missing_dir.status().code() == Status::Code::kNotFound);
  CHECK(missing_dir.status().message() ==
        (dir.File("nowhere") / "complaint_cues.tsv").string() +
            ": cannot open; check the path and that the file is readable");
}

TEST_CASE("Complaint model: the shipped files load and weigh every feature",
          "[detectors][complaint]") {
  auto m = ComplaintModel::Load(ShippedLexiconDir());
  INFO(m.status().message());
  REQUIRE(m.ok());
  CHECK_FALSE((*m)->cues().empty());
  // Every feature has its own line (loading checks that one is there; this reads the file).
  std::ifstream in(ShippedLexiconDir() + "/complaint_weights.tsv");
  REQUIRE(in);
  std::set<std::string> named;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    named.insert(line.substr(0, line.find('\t')));
  }
  for (size_t f = 0; f < kFeatureCount; ++f) {
    INFO("feature: " << FeatureName(f));
    CHECK(named.count(std::string(FeatureName(f))) == 1);
  }
}

TEST_CASE("Complaint model: a shipped overlay line replaces a shipped cue",
          "[detectors][complaint]") {
  const auto shipped = ShippedModel();
  REQUIRE_FALSE(shipped->cues().empty());
  const ComplaintModel::Cue first = shipped->cues()[0];  // whatever the lexicon lists first
  testing::TempDir dir;
  const fs::path overlay = dir.File("site.tsv");
  std::ofstream(overlay) << "cue\t" << first.phrase << "\tnews\t0\n";
  auto m = ComplaintModel::Load(ShippedLexiconDir(), {overlay});
  INFO(m.status().message());
  REQUIRE(m.ok());
  CHECK((*m)->cues().size() == shipped->cues().size());
  CHECK((*m)->cues()[0].phrase == first.phrase);
  CHECK((*m)->cues()[0].cls == CueClass::kNews);
  CHECK((*m)->cues()[0].strength == 0);
  CHECK((*m)->cues()[0].where == overlay.string() + ":1");
  CHECK(shipped->cues()[0].where == first.where);
}

// Each shipped cue, written out as a post (class words as a number, ordinal, time or code),
// is found whole by the scorer: no cue is unreachable (a spelling the tokenizer never makes)
// or shadowed by another line that reaches the same words.
TEST_CASE("Complaint model: every shipped cue is found in its own words",
          "[detectors][complaint]") {
  const auto model = ShippedModel();
  const ComplaintScorer scorer(model);
  const std::pair<std::string_view, std::string_view> samples[] = {
      {"<num>", "45"}, {"<ord>", "3rd"}, {"<time>", "9am"}, {"<code>", "e404"}};
  for (size_t i = 0; i < model->cues().size(); ++i) {
    const ComplaintModel::Cue& cue = model->cues()[i];
    std::string text = cue.phrase;
    for (const auto& [cls, sample] : samples) {
      for (size_t at = text.find(cls); at != std::string::npos; at = text.find(cls)) {
        text.replace(at, cls.size(), sample);
      }
    }
    INFO(cue.where << ": " << cue.phrase << " as \"" << text << "\"");
    const ComplaintExplanation e = scorer.Explain(text, SentimentScores{}, false);
    REQUIRE(e.cues.size() >= 1);
    CHECK(model->cues()[e.cues[0].cue].phrase == cue.phrase);
    CHECK(e.cues[0].begin == 0);
    CHECK(e.cues[0].end == text.size());
  }
}

}  // namespace
}  // namespace earshot
