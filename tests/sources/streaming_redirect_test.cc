// Which Location a Mastodon stream follows, and what it adopts as the streaming URL.
#include <catch2/catch.hpp>

#include "daemon/sources/mastodon/streaming_redirect.h"

namespace earshot::mastodon {
namespace {

TEST_CASE("StreamingBaseFromRedirect: the origin of a streaming host is adopted",
          "[sources][mastodon]") {
  struct Case {
    const char* location;
    const char* from;
    const char* base;
  } cases[] = {
      // Mastodon's StreamingController: the same path and query on the streaming host.
      {"https://streaming.example/api/v1/streaming/hashtag?tag=AcmeAir", "https://example.social",
       "https://streaming.example"},
      {"https://streaming.example:4000/api/v1/streaming/user/notification",
       "https://example.social", "https://streaming.example:4000"},
      {"HTTPS://Streaming.example/api/v1/streaming", "https://example.social",
       "https://Streaming.example"},
      // A streaming server behind a path prefix keeps its prefix.
      {"https://example.social/stream/api/v1/streaming/hashtag?tag=x", "https://example.social",
       "https://example.social/stream"},
      {"http://127.0.0.1:4000/api/v1/streaming/hashtag#frag", "http://127.0.0.1:3000",
       "http://127.0.0.1:4000"},
      {"https://[::1]:4000/api/v1/streaming/", "https://example.social", "https://[::1]:4000"},
      {"https://streaming.example/api/v1/streaming?stream=hashtag&tag=x", "https://example.social",
       "https://streaming.example"},
  };
  for (const Case& c : cases) {
    INFO(c.location);
    auto base = StreamingBaseFromRedirect(c.location, c.from);
    REQUIRE(base.ok());
    CHECK(*base == c.base);
  }
}

TEST_CASE("StreamingBaseFromRedirect: refuses what is not a streaming host, without quoting it",
          "[sources][mastodon]") {
  struct Case {
    const char* location;
    const char* from;
    const char* why;
  } cases[] = {
      {"ftp://streaming.example/api/v1/streaming/hashtag?tag=x", "https://example.social",
       "scheme 'ftp' is not http(s)"},
      {"wss://streaming.example/api/v1/streaming/hashtag?tag=x", "https://example.social",
       "scheme 'wss' is not http(s)"},
      {"/api/v1/streaming/hashtag?tag=x", "https://example.social", "has no host"},
      {"https:///api/v1/streaming/hashtag", "https://example.social", "has no host"},
      {"https://:443/api/v1/streaming/hashtag", "https://example.social", "has no host"},
      {"streaming.example/api/v1/streaming", "https://example.social", "not an absolute http(s)"},
      {"https://user:pw@streaming.example/api/v1/streaming", "https://example.social",
       "carries credentials"},
      {"https://bad host/api/v1/streaming", "https://example.social", "not a host name"},
      // The token would travel in cleartext.
      {"http://streaming.example/api/v1/streaming/hashtag?tag=x", "https://example.social",
       "from https to cleartext http"},
      {"https://streaming.example/login?next=/api/v1/streaming", "https://example.social",
       "not under /api/v1/streaming"},
      {"https://streaming.example/api/v1/streamingX", "https://example.social",
       "not under /api/v1/streaming"},
      {"https://streaming.example/", "https://example.social", "not under /api/v1/streaming"},
      {"", "https://example.social", "not an absolute http(s)"},
  };
  for (const Case& c : cases) {
    INFO(c.location);
    auto base = StreamingBaseFromRedirect(c.location, c.from);
    REQUIRE_FALSE(base.ok());
    CHECK(base.status().code() == Status::Code::kInvalidArgument);
    CHECK_THAT(base.status().message(), Catch::Contains(c.why));
    CHECK_THAT(base.status().message(), !Catch::Contains("tag=x"));
    CHECK_THAT(base.status().message(), !Catch::Contains("pw"));
  }
}

TEST_CASE("IsStreamingRedirect: the redirects a web host answers with", "[sources][mastodon]") {
  for (long s : {301L, 302L, 307L, 308L}) CHECK(IsStreamingRedirect(s));
  for (long s : {0L, 200L, 300L, 303L, 304L, 404L}) CHECK_FALSE(IsStreamingRedirect(s));
}

}  // namespace
}  // namespace earshot::mastodon
