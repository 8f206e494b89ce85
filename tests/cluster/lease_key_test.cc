// LeaseKey and LeaseNameOf: every lease name survives the trip through a NATS key, and a key
// earshot cannot have written is told apart (a hand-made key in the bucket is not a lease).
#include "daemon/cluster/lease_key.h"

#include <catch2/catch.hpp>
#include <string>

namespace earshot::cluster {
namespace {

bool NatsKeySafe(const std::string& key) {
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '=' || c == '/' || c == '.';
    if (!ok) return false;
  }
  return true;
}

TEST_CASE("LeaseKey round-trips names with separators, spaces and UTF-8", "[cluster]") {
  const std::string names[] = {
      "escalator",
      "source:mastodon:acme",
      "sink:pager/duty",
      "source:bluesky:acme.air",
      "source:hashtag:lost bag",
      "sink:=equals=",
      "source:mastodon:caf\xC3\xA9 \xF0\x9F\x98\xA1",
      std::string("nul\0byte", 8),
  };
  for (const std::string& name : names) {
    const std::string key = LeaseKey(name);
    INFO(name << " -> " << key);
    CHECK(NatsKeySafe(key));
    // '.' and '/' are NATS token separators; a key must not split the name into tokens.
    CHECK(key.find('.') == std::string::npos);
    CHECK(key.find('/') == std::string::npos);
    auto back = LeaseNameOf(key);
    REQUIRE(back.has_value());
    CHECK(*back == name);
  }
  CHECK(LeaseKey("source:a") == "source=3Aa");
}

TEST_CASE("LeaseNameOf rejects keys LeaseKey cannot have written", "[cluster]") {
  CHECK_FALSE(LeaseNameOf("=4").has_value());
  CHECK_FALSE(LeaseNameOf("=").has_value());
  CHECK_FALSE(LeaseNameOf("abc=").has_value());
  CHECK_FALSE(LeaseNameOf("=ZZ").has_value());
  CHECK_FALSE(LeaseNameOf("=4G").has_value());
  CHECK_FALSE(LeaseNameOf("a b").has_value());
  CHECK_FALSE(LeaseNameOf("a.b").has_value());
  CHECK(LeaseNameOf("a=20b") == std::optional<std::string>("a b"));
  CHECK(LeaseNameOf("") == std::optional<std::string>(""));
}

}  // namespace
}  // namespace earshot::cluster
