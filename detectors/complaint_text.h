// ComplaintText: a post's text as the complaint scorer reads it. One pass over the bytes gives
// the words (hashed, lowercased, with their byte spans), and the surface signs of a complaint
// that are not words: a question mark, '!', repeated punctuation, words in capitals, an
// @mention, a link.
//
// Words are runs of ASCII letters, digits and apostrophes (’ counts as ') and Latin letters with
// accents; @mentions and URLs are not words. A hashtag is read as the words it is made of
// (#CustomerServiceFail -> customer service fail). Numbers become class words: 45 -> <num>,
// 3rd -> <ord>, 9am -> <time>, 0x80 / e404 -> <code>; "45mins" is <num> then "mins".
// Pure and allocation-free once the caller's vector has grown; any bytes are accepted.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace earshot {

struct ComplaintWord {
  uint64_t hash = 0;            // HashWord() of the lowercase word or class word
  uint32_t begin = 0, end = 0;  // byte span in the text
  uint8_t flags = 0;            // kWordNegator | kWordContrast | kWordFirstPerson | ...
};

enum ComplaintWordFlag : uint8_t {
  kWordNegator = 1,       // not, no, never, nothing, can't, hasn't, ...
  kWordContrast = 2,      // but, however
  kWordFirstPerson = 4,   // i, my, me, we, our, us, i'm, ...
  kWordSecondPerson = 8,  // you, your, u, ur, you're, ...
  kWordClauseStart = 16,  // punctuation (, . ; : ! ?) or a line break comes before this word
  kWordNumber = 32,       // a class word: <num>, <ord>, <time>, <code>
};

struct ComplaintText {
  std::vector<ComplaintWord> words;
  bool question = false;        // a '?'
  bool exclaim = false;         // a '!'
  bool repeated_punct = false;  // ?! !? !! ??
  bool mention = false;         // an @mention
  bool link = false;            // http://, https:// or www.
  int caps_words = 0;           // words of 4+ letters all in capitals

  void Clear();
};

// Reads `text` into *out (cleared first).
void ReadComplaintText(std::string_view text, ComplaintText* out);

}  // namespace earshot
