// The complaint scorer's tokenizer (ReadComplaintText) against its contract: words are runs of
// ASCII letters, digits, apostrophes (’ and ‘ read as ') and accented Latin letters, lowercased;
// numbers become class words (45 <num>, 3rd <ord>, 9am <time>, 0x80 and e404 <code>, and 45mins
// is <num> then "mins"); a hashtag is the words of its camelCase parts; @mentions and links are
// no words but raise flags; '?', '!', a pair of them, and words of 4+ letters in capitals are
// the surface signs. Words are compared by HashWord(), the hash the cue trie is keyed on.
#include "detectors/complaint_text.h"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "detectors/complaint_model.h"

namespace earshot {
namespace {

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const size_t sp = s.find(' ');
    if (sp != 0) out.push_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp + 1);
  }
  return out;
}

// The words read from `text`, spelled as `expected` spells them where the hashes agree, and as
// "?<the text's bytes>" where they do not, so a failure shows which word went wrong.
std::string Spelled(std::string_view text, const ComplaintText& t,
                    const std::vector<std::string_view>& expected) {
  std::string out;
  for (size_t k = 0; k < t.words.size(); ++k) {
    const ComplaintWord& w = t.words[k];
    if (!out.empty()) out += ' ';
    if (k < expected.size() && w.hash == HashWord(expected[k])) {
      out += expected[k];
    } else {
      out += '?';
      out += text.substr(w.begin, w.end - w.begin);
    }
  }
  return out;
}

// The surface signs, in a fixed order: "question exclaim repeated mention link caps:N".
std::string Signs(const ComplaintText& t) {
  std::vector<std::string> on;
  if (t.question) on.push_back("question");
  if (t.exclaim) on.push_back("exclaim");
  if (t.repeated_punct) on.push_back("repeated");
  if (t.mention) on.push_back("mention");
  if (t.link) on.push_back("link");
  if (t.caps_words > 0) on.push_back(fmt::format("caps:{}", t.caps_words));
  return fmt::format("{}", fmt::join(on, " "));
}

struct WordsCase {
  std::string_view text;
  std::string_view words;  // the expected words, separated by spaces
};

void CheckWords(std::initializer_list<WordsCase> cases) {
  ComplaintText t;
  for (const WordsCase& c : cases) {
    INFO("text: " << c.text);
    ReadComplaintText(c.text, &t);
    const auto expected = SplitSpaces(c.words);
    CHECK(Spelled(c.text, t, expected) == std::string(c.words));
  }
}

struct SignsCase {
  std::string_view text;
  std::string_view signs;  // as Signs() writes them
};

void CheckSigns(std::initializer_list<SignsCase> cases) {
  ComplaintText t;
  for (const SignsCase& c : cases) {
    INFO("text: " << c.text);
    ReadComplaintText(c.text, &t);
    CHECK(Signs(t) == std::string(c.signs));
  }
}

TEST_CASE("Complaint text: words are lowercased runs of letters and apostrophes",
          "[detectors][complaint]") {
  CheckWords({
      {"My parcel hasn't arrived", "my parcel hasn't arrived"},
      {"STILL Waiting...", "still waiting"},
      {"on-hold/again,twice", "on hold again twice"},  // any other sign splits words
      {"it's 'quoted' here", "it's quoted here"},      // edge apostrophes are dropped
      {"' '' x", "x"},                                 // apostrophes alone are no word
      {"café naïve", "café naïve"},                    // accented letters stay in the word
      {"under_score", "under score"},
  });
}

TEST_CASE("Complaint text: numbers become class words", "[detectors][complaint]") {
  CheckWords({
      {"waited 45 minutes", "waited <num> minutes"},
      {"the 3rd time, 1st 2nd 24th", "the <ord> time <ord> <ord> <ord>"},
      {"since 9am until 10PM", "since <time> until <time>"},
      {"error 0x80 and E404", "error <code> and <code>"},  // digits with letters: a code
      {"covid19 v2", "<code> <code>"},
      {"45mins on hold", "<num> mins on hold"},  // a number with a unit is two words
      {"2hrs 3days 10k 5x", "<num> hrs <num> days <num> k <num> x"},
      {"£1.20 credit", "<num> <num> credit"},
      {"9:30am", "<num> <time>"},
  });
}

TEST_CASE("Complaint text: hashtags are the words of their camelCase parts",
          "[detectors][complaint]") {
  CheckWords({
      {"#CustomerServiceFail", "customer service fail"},
      {"#fail", "fail"},
      {"#AcmeAirSucks again", "acme air sucks again"},
      {"#Day3 #24hours", "day <num> <num> hours"},  // letters and digits split too
      {"#NOTWORKING", "notworking"},                // no lower->upper step, one word
      {"# alone", "alone"},                         // a bare '#' is no hashtag
      {"x#tag", "x tag"},
  });
}

TEST_CASE("Complaint text: curly apostrophes read as straight ones", "[detectors][complaint]") {
  CheckWords({
      {"can’t", "can't"},
      {"hasn’t arrived", "hasn't arrived"},
      {"I‘m fed up", "i'm fed up"},  // the left quotation mark as well
      {"‘quoted’", "quoted"},        // and they are dropped at the edges like '
  });
  ComplaintText curly, straight;
  ReadComplaintText("we can’t log in", &curly);
  ReadComplaintText("we can't log in", &straight);
  REQUIRE(curly.words.size() == straight.words.size());
  for (size_t k = 0; k < curly.words.size(); ++k) {
    CHECK(curly.words[k].hash == straight.words[k].hash);
    CHECK(curly.words[k].flags == straight.words[k].flags);
  }
}

TEST_CASE("Complaint text: mentions and links are skipped and flagged", "[detectors][complaint]") {
  CheckWords({
      {"@Acme help", "help"},
      {"@traveller@mastodon.social hi", "hi"},  // Mastodon's user@host is one mention
      {"@acme_support.", ""},
      {"mail bob@acme.com", "mail bob acme com"},  // an address is no mention
      {"see https://acme.com/a?b=1 now", "see now"},
      {"HTTP://ACME.COM x", "x"},
      {"www.acme.com/help", ""},
      {"whttp://x", "whttp x"},  // a link starts a word, never inside one
  });
  CheckSigns({
      {"@Acme help", "mention"},
      {"@traveller@mastodon.social hi", "mention"},
      {"mail bob@acme.com", ""},
      {"@ alone", ""},
      {"see https://acme.com/a?b=1!", "link"},  // the link's '?' and '!' are not the post's
      {"www.acme.com", "link"},
      {"@Acme see http://x", "mention link"},
  });
}

TEST_CASE("Complaint text: question, exclamation and their pairs", "[detectors][complaint]") {
  CheckSigns({
      {"why", ""},
      {"why?", "question"},
      {"now!", "exclaim"},
      {"why?!", "question exclaim repeated"},
      {"what!?", "question exclaim repeated"},
      {"why??", "question repeated"},
      {"no!!", "exclaim repeated"},
      {"why? now!", "question exclaim"},  // apart, they are no pair
  });
}

TEST_CASE("Complaint text: words of four or more letters in capitals", "[detectors][complaint]") {
  CheckSigns({
      {"THIS is bad", "caps:1"},
      {"WHY IS MY BILL STILL WRONG", "caps:3"},  // WHY, IS, MY are under four letters
      {"I'M NOT OK", ""},
      {"FIX IT NOW!!", "exclaim repeated"},
      {"STILL WAITING", "caps:2"},
      {"Still Waiting", ""},
      {"WiFi DOWN", "caps:1"},
      {"#FAIL", ""},  // hashtags are no shouting
  });
}

TEST_CASE("Complaint text: words carry negator, contrast and person flags",
          "[detectors][complaint]") {
  struct Case {
    std::string_view word;
    uint8_t flags;
  };
  const Case cases[] = {
      {"not", kWordNegator},
      {"NEVER", kWordNegator},
      {"cannot", kWordNegator},
      {"can't", kWordNegator},
      {"can’t", kWordNegator},
      {"cant", kWordNegator},
      {"shan't", kWordNegator},  // any other "...n't" word
      {"hasnt", kWordNegator},
      {"nothing", kWordNegator},
      {"but", kWordContrast},
      {"However", kWordContrast},
      {"I", kWordFirstPerson},
      {"my", kWordFirstPerson},
      {"i’m", kWordFirstPerson},
      {"you", kWordSecondPerson},
      {"ur", kWordSecondPerson},
      {"you're", kWordSecondPerson},
      {"parcel", 0},
      {"45", kWordNumber},  // class words are marked: they count as specifics
      {"3rd", kWordNumber},
      {"e404", kWordNumber},
      {"nt", 0},
  };
  ComplaintText t;
  for (const Case& c : cases) {
    INFO("word: " << c.word);
    ReadComplaintText(c.word, &t);
    REQUIRE(t.words.size() == 1);
    CHECK(int{t.words[0].flags} == int{c.flags});
  }
}

TEST_CASE("Complaint text: byte spans of words", "[detectors][complaint]") {
  struct Case {
    std::string_view text;
    std::string_view spans;  // [begin,end) of each word
  };
  const Case cases[] = {
      {"hi  there", "[0,2) [4,9)"},
      {"can’t go", "[0,7) [8,10)"},  // ’ is three bytes of the word
      {"#CustomerServiceFail", "[1,9) [9,16) [16,20)"},
      {"45mins", "[0,6) [0,6)"},  // both words of a number with a unit span it whole
      {"@Acme why", "[6,9)"},
      {"café!", "[0,5)"},
  };
  ComplaintText t;
  for (const Case& c : cases) {
    INFO("text: " << c.text);
    ReadComplaintText(c.text, &t);
    std::vector<std::string> spans;
    for (const ComplaintWord& w : t.words) spans.push_back(fmt::format("[{},{})", w.begin, w.end));
    CHECK(fmt::format("{}", fmt::join(spans, " ")) == std::string(c.spans));
  }
}

TEST_CASE("Complaint text: any bytes are read without harm", "[detectors][complaint]") {
  CheckWords({
      {"", ""},
      {std::string_view("\xff\xfe bad \xc3", 8), "bad"},  // stray bytes and a cut-off é
      {"ok \xe2\x80", "ok"},                              // a cut-off ’ at the end
      {std::string_view("a\0b", 3), "a b"},
      {"#", ""},
      {"@", ""},
      {"http", "http"},
      {"www", "www"},
  });
  ComplaintText t;
  ReadComplaintText("why?!", &t);
  ReadComplaintText("", &t);  // Clear() resets the previous text's signs
  CHECK(t.words.empty());
  CHECK(Signs(t).empty());
  // A run longer than the 48-byte word buffer is still one word, and no overflow.
  ReadComplaintText(std::string(4096, 'a') + " " + std::string(100, '7') + "x", &t);
  CHECK(t.words.size() == 2);
  // Every byte value, in every position.
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  for (size_t start = 0; start < all.size(); ++start) {
    ReadComplaintText(std::string_view(all).substr(start), &t);
    for (const ComplaintWord& w : t.words) CHECK(w.end <= all.size() - start);
  }
}

}  // namespace
}  // namespace earshot
