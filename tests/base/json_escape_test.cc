#include "daemon/base/json_escape.h"

#include <catch2/catch.hpp>

namespace earshot {
namespace {

TEST_CASE("JsonEscape: quotes, controls, UTF-8 kept, invalid bytes replaced", "[base]") {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"plain", "plain"},
      {"say \"hi\"\\", "say \\\"hi\\\"\\\\"},
      {"a\nb\tc\r", "a\\nb\\tc\\r"},
      {std::string("nul\0x", 5), "nul\\u0000x"},
      {"caf\xC3\xA9 \xF0\x9F\x98\xA0", "caf\xC3\xA9 \xF0\x9F\x98\xA0"},
      {"bad \xC3 end", "bad \xEF\xBF\xBD end"},
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // a UTF-16 surrogate in UTF-8
  };
  for (const Case& c : cases) {
    CHECK(JsonEscape(c.in) == c.out);
    CHECK(JsonQuoted(c.in) == "\"" + c.out + "\"");
  }
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

TEST_CASE("JsonQuotedForHtml: markup and JS line separators escaped, the rest as JsonQuoted",
          "[base]") {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"plain", "\"plain\""},
      {"</script>", "\"\\u003c/script\\u003e\""},
      {"<!-- a & b -->", "\"\\u003c!-- a \\u0026 b --\\u003e\""},
      {"line\xE2\x80\xA8para\xE2\x80\xA9", "\"line\\u2028para\\u2029\""},
      // Other characters of the same lead byte stay as they are: an en dash, a bullet.
      {"\xE2\x80\x93 \xE2\x80\xA2", "\"\xE2\x80\x93 \xE2\x80\xA2\""},
      {"say \"hi\"\\\n\x01", "\"say \\\"hi\\\"\\\\\\n\\u0001\""},
      {"bad \xC3 <", "\"bad \xEF\xBF\xBD \\u003c\""},
      {"cut \xE2\x80", "\"cut \xEF\xBF\xBD\xEF\xBF\xBD\""},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    CHECK(JsonQuotedForHtml(c.in) == c.out);
  }
  std::string appended = "x";
  AppendJsonEscapedForHtml("<", &appended);
  CHECK(appended == "x\\u003c");
}

}  // namespace
}  // namespace earshot
