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
