// Loading the shipped lexicon the reference's way, and deployment overlays (YAML and TSV,
// words and phrases) with errors that name file and line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "tests/sentiment/sentiment_test_util.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
using testing::ShippedLexicon;

// A temporary directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("earshot-lexicon-" + std::to_string(rd()) + "-" +
                                         std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path Write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

 private:
  fs::path path_;
};

double Compound(const std::shared_ptr<const Lexicon>& lex, std::string_view text) {
  return SentimentAnalyzer(lex).Score(text).compound;
}

TEST_CASE("Lexicon: loads the shipped files, last duplicate wins", "[sentiment]") {
  const auto lex = ShippedLexicon();
  CHECK(lex->size() == 7520 - 14);  // 14 tokens are listed twice
  CHECK(lex->Valence("lol") == 1.8);  // not the first line's 2.9
  CHECK(lex->Valence("ok") == 1.2);   // not 1.6
  CHECK(lex->Valence("xd") == 2.8);
  CHECK(lex->Valence("x-d") == 2.6);
  CHECK(lex->Valence("good") == 1.9);
  CHECK(lex->Valence("sucks") == -1.5);
  CHECK_FALSE(lex->Valence("refund").has_value());
  CHECK(lex->emoji_size() == 3570);
  CHECK(lex->EmojiDescription(U'😂') == "face with tears of joy");
  CHECK(lex->EmojiDescription(U'a').empty());
}

TEST_CASE("Lexicon: shipped multi-word entries stay inert, as in the reference",
          "[sentiment]") {
  const auto lex = ShippedLexicon();
  CHECK(lex->Valence("fed up") == -1.8);
  // Token-by-token lookup never sees "fed up": "fed" and "up" are neutral words.
  CHECK(Compound(lex, "so fed up") == 0);
}

TEST_CASE("Lexicon: YAML overlay adds words and phrases and overrides", "[sentiment]") {
  TempDir dir;
  const fs::path overlay = dir.Write("airline.yaml", R"(# airline complaints
words:
  stranded: -2.1
  Rebooked: -0.4       # keys are lowercased
  on hold: -1.2
  "fed up": -1.8       # a shipped phrase becomes live when an overlay lists it
  can't stand: -2.0
  good: 0.5            # overrides the shipped 1.9
)");
  auto lex = Lexicon::Load(testing::LexiconDir(), {overlay});
  REQUIRE(lex.ok());
  CHECK((*lex)->Valence("stranded") == -2.1);
  CHECK((*lex)->Valence("rebooked") == -0.4);
  CHECK((*lex)->size() == ShippedLexicon()->size() + 3);
  auto norm = [](double x) { return x / std::sqrt(x * x + 15); };
  CHECK(Compound(*lex, "stranded again") == Approx(norm(-2.1)));
  CHECK(Compound(*lex, "REBOOKED twice") == Approx(norm(-0.4 - 0.733)));
  CHECK(Compound(*lex, "good") == Approx(norm(0.5)));
  // Phrases match across words, case-insensitively, with edge punctuation stripped...
  CHECK(Compound(*lex, "on hold") == Approx(norm(-1.2)));
  CHECK(Compound(*lex, "still On Hold!") == Approx(norm(-1.2 - 0.292)));
  CHECK(Compound(*lex, "I am really fed up") == Approx(norm(-1.8 - 0.293)));
  // (With "so" just before it, the reference's start-2 check also multiplies by 1.25.)
  CHECK(Compound(*lex, "I am so fed up") == Approx(norm((-1.8 - 0.293) * 1.25)));
  // ...are modified like words: negated, boosted, ALL CAPS in mixed text...
  CHECK(Compound(*lex, "not on hold") == Approx(norm(-1.2 * -0.74)));
  CHECK(Compound(*lex, "I am FED UP") == Approx(norm(-1.8 - 0.733)));
  // ...and the words inside a phrase no longer count on their own: "can't" negates nothing.
  CHECK(Compound(*lex, "can't stand good") == Approx(norm(-2.0 + 0.5)));
  // A word alone is not the phrase.
  CHECK(Compound(*lex, "hold on") == 0);
}

TEST_CASE("Lexicon: TSV overlay, later overlays win, comments and CRLF", "[sentiment]") {
  TempDir dir;
  const fs::path a = dir.Write("a.tsv", "# domain words\nrefund\t-0.5\r\nlost luggage\t-2.5\n");
  const fs::path b = dir.Write("b.tsv", "refund\t-1.0\t0.5\t[-1, -1]\n\n");
  auto lex = Lexicon::Load(testing::LexiconDir(), {a, b});
  REQUIRE(lex.ok());
  CHECK((*lex)->Valence("refund") == -1.0);
  CHECK((*lex)->Valence("lost luggage") == -2.5);
  const double lost_luggage = Compound(*lex, "lost luggage again");
  CHECK(lost_luggage == Approx(-2.5 / std::sqrt(2.5 * 2.5 + 15)));
}

TEST_CASE("Lexicon: a longer phrase wins over a shorter one", "[sentiment]") {
  auto lex = ShippedLexicon()->WithOverlayText(
      "o.yaml", "words:\n  on hold: -1.0\n  on hold forever: -3.0\n");
  REQUIRE(lex.ok());
  CHECK(Compound(*lex, "on hold forever") == Approx(-3.0 / std::sqrt(9 + 15)));
  CHECK(Compound(*lex, "on hold for now") == Approx(-1.0 / std::sqrt(1 + 15)));
}

TEST_CASE("Lexicon: bad overlays and files are errors naming file:line", "[sentiment]") {
  TempDir dir;
  struct Bad {
    const char* name;
    const char* text;
    const char* expect;  // a substring of the message
  };
  const Bad cases[] = {
      {"a.yaml", "words:\n  stranded: -2.1\n  refund: lots\n",
       "a.yaml:3:3: error: valence 'lots'"},
      {"b.yaml", "words:\n  stranded: 9\n",
       "b.yaml:2:3: error: valence 9 of 'stranded' is outside"},
      {"c.yaml", "word:\n  stranded: -1\n", "c.yaml:1:1: error: unknown key 'word'"},
      {"d.yaml", "words: [a, b]\n", "d.yaml:1:8: error: 'words' must map"},
      {"e.yaml", "words:\n  a: [1\n", "e.yaml:"},
      {"f.yaml", "- just a list\n", "f.yaml:1:1: error: an overlay is a mapping"},
      {"g.yaml", "words:\n  '  ': -1\n", "g.yaml:2:3: error: entry '  ' has no word left"},
      {"h.tsv", "refund\t-1\nstranded -2\n",
       "h.tsv:2: error: expected 'word or phrase<TAB>valence'"},
      {"i.tsv", "refund\tnope\n", "i.tsv:1: error: valence 'nope'"},
      {"j.json", "{}", "j.json: error: unknown overlay format '.json'"},
      {"k.yaml", "words:\n  a b c d e f g h i: -1\n", "k.yaml:2:3: error: phrase"},
  };
  for (const Bad& b : cases) {
    INFO(b.name);
    const fs::path p = dir.Write(b.name, b.text);
    auto lex = Lexicon::Load(testing::LexiconDir(), {p});
    REQUIRE_FALSE(lex.ok());
    CHECK(lex.status().code() == Status::Code::kInvalidArgument);
    CHECK_THAT(lex.status().message(), Catch::Contains(b.expect));
    CHECK_THAT(lex.status().message(), Catch::StartsWith(p.string()));
  }
  auto missing = Lexicon::Load(testing::LexiconDir(), {dir.path() / "absent.yaml"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Status::Code::kNotFound);
  CHECK_THAT(missing.status().message(), Catch::Contains("absent.yaml"));
}

TEST_CASE("Lexicon: a bad lexicon directory is an error naming the file", "[sentiment]") {
  TempDir dir;
  auto empty = Lexicon::Load(dir.path());
  REQUIRE_FALSE(empty.ok());
  CHECK_THAT(empty.status().message(), Catch::Contains("vader_lexicon.txt"));

  dir.Write("vader_lexicon.txt", "good\t1.9\t0.9\t[2, 2]\nbad -2.5\n");
  dir.Write("emoji_utf8_lexicon.txt", "😂\tface with tears of joy\n");
  auto bad_line = Lexicon::Load(dir.path());
  REQUIRE_FALSE(bad_line.ok());
  CHECK_THAT(bad_line.status().message(), Catch::Contains("vader_lexicon.txt:2: error:"));

  dir.Write("vader_lexicon.txt", "good\t1.9\n\nbad\tworse\n");
  auto bad_value = Lexicon::Load(dir.path());
  REQUIRE_FALSE(bad_value.ok());
  CHECK_THAT(bad_value.status().message(), Catch::Contains("vader_lexicon.txt:3: error:"));

  dir.Write("vader_lexicon.txt", "good\t1.9\ngood\t2.5\n");
  auto dup = Lexicon::Load(dir.path());
  REQUIRE(dup.ok());
  CHECK((*dup)->Valence("good") == 2.5);
  CHECK((*dup)->size() == 1);
}

}  // namespace
}  // namespace earshot
