#include "daemon/base/utf8.h"

#include <catch2/catch.hpp>

namespace earshot {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST_CASE("utf8::IsValid and Scrub: each maximal bad subpart becomes one U+FFFD", "[base]") {
  struct Case {
    std::string in, out;
    bool valid;
  } cases[] = {
      {"", "", true},
      {"plain ascii, long enough for the word loop", "plain ascii, long enough for the word loop",
       true},
      {"caf\xC3\xA9 \xF0\x9F\x98\xA0 \xE2\x82\xAC", "caf\xC3\xA9 \xF0\x9F\x98\xA0 \xE2\x82\xAC",
       true},
      {"bad \xFF byte", "bad " + kFffd + " byte", false},
      {"cut \xC3", "cut " + kFffd, false},
      {"cut \xF0\x9F\x98 x", "cut " + kFffd + " x", false},       // 3 of 4 bytes: one U+FFFD
      {"\xC0\xAF", kFffd + kFffd, false},                         // overlong '/'
      {"\xE0\x80\xAF", kFffd + kFffd + kFffd, false},             // overlong, 3 bytes
      {"\xED\xA0\x80", kFffd + kFffd + kFffd, false},             // a surrogate in UTF-8
      {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd, false}, // past U+10FFFF
      {"\x80\x80", kFffd + kFffd, false},                         // lone continuations
      {"0123456789abcdef\xFE", "0123456789abcdef" + kFffd, false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    CHECK(utf8::IsValid(c.in) == c.valid);
    CHECK(utf8::Scrub(c.in) == c.out);
    CHECK(utf8::IsValid(utf8::Scrub(c.in)));
    std::string s = c.in;
    CHECK(utf8::ScrubInPlace(&s) == !c.valid);
    CHECK(s == c.out);
  }
}

TEST_CASE("utf8::ScrubJson: lone surrogate escapes become the replacement escape and pairs stay",
          "[base]") {
  struct Case {
    std::string in, out;
  } cases[] = {
      {R"({"a":"ok \ud83d\ude00"})", R"({"a":"ok \ud83d\ude00"})"},  // a pair
      {R"({"a":"cut \ud83d"})", R"({"a":"cut \uFFFD"})"},            // high, then the quote
      {R"({"a":"\ud83dx"})", R"({"a":"\uFFFDx"})"},
      {R"({"a":"\uD83D\u0041"})", R"({"a":"\uFFFD\u0041"})"},         // high, then no low
      {R"({"a":"\ude00 low"})", R"({"a":"\uFFFD low"})"},             // a low on its own
      {R"({"a":"\ud83d\ud83d\ude00"})", R"({"a":"\uFFFD\ud83d\ude00"})"},
      {R"({"a":"\\ud83d"})", R"({"a":"\\ud83d"})"},                    // an escaped backslash
      {R"({"a":"\\\ud83d"})", R"({"a":"\\\uFFFD"})"},                  // backslash, then escape
      {R"({"a":"\u00e9 \n \" \/"})", R"({"a":"\u00e9 \n \" \/"})"},
      {"{\"a\":\"raw \xFF\"}", "{\"a\":\"raw " + kFffd + "\"}"},
      {"{\"a\":\"\xFF \\ud83d\"}", "{\"a\":\"" + kFffd + " \\uFFFD\"}"},  // both at once
      {R"({"a":"\ud8)", R"({"a":"\ud8)"},                              // cut short: left as is
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    std::string storage;
    CHECK(utf8::ScrubJson(c.in, &storage) == c.out);
  }
}

TEST_CASE("utf8::ScrubJson: a clean body comes back without a copy", "[base]") {
  const std::string body = R"([{"id":"1","content":"caf\u00e9 \ud83d\ude00 \\ud83d"}])";
  std::string storage;
  // The fast path cannot tell "\\ud83d" from an escape, so this one takes the slow path and
  // comes back equal; a body with no "\uD8".."\uDF" comes back as the very same bytes.
  CHECK(utf8::ScrubJson(body, &storage) == body);
  const std::string plain = R"([{"id":"1","content":"caf\u00e9 plain"}])";
  std::string untouched;
  const std::string_view out = utf8::ScrubJson(plain, &untouched);
  CHECK(out.data() == plain.data());
  CHECK(untouched.empty());
}

}  // namespace
}  // namespace earshot
