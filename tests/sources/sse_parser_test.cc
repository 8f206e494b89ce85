// SseParser: the text/event-stream framing Mastodon's streaming API uses, fed in every split.
#include <catch2/catch.hpp>

#include "daemon/net/sse_parser.h"

namespace earshot {
namespace {

std::vector<SseEvent> FeedInPieces(std::string_view stream, size_t piece, SseParser* parser) {
  std::vector<SseEvent> events;
  for (size_t i = 0; i < stream.size(); i += piece) parser->Feed(stream.substr(i, piece), &events);
  return events;
}

TEST_CASE("SseParser: events, multi-line data and heartbeats in any split", "[sources][sse]") {
  const std::string stream =
      ":)\n"
      "event: update\ndata: {\"id\":\"1\"}\n\n"
      ":thump\r\n"
      "event:delete\r\ndata:42\r\n\r\n"
      "data: line one\rdata: line two\r\rid: 7\n"
      "event: notification\ndata: {}\n\n";
  const size_t piece = GENERATE(size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{1000});
  SseParser parser;
  const auto events = FeedInPieces(stream, piece, &parser);
  REQUIRE(events.size() == 4);
  CHECK(events[0].type == "update");
  CHECK(events[0].data == "{\"id\":\"1\"}");
  CHECK(events[1].type == "delete");
  CHECK(events[1].data == "42");
  CHECK(events[2].type == "message");
  CHECK(events[2].data == "line one\nline two");
  CHECK(events[3].type == "notification");
  CHECK(events[3].id == "7");
  CHECK(parser.comments() == 2);
}

TEST_CASE("SseParser: an event cut off by a dropped connection is never delivered",
          "[sources][sse]") {
  SseParser parser;
  std::vector<SseEvent> events;
  parser.Feed("event: update\ndata: {\"id\":\"1", &events);
  CHECK(events.empty());
  CHECK(parser.pending_bytes() > 0);
  parser.Reset();
  parser.Feed("\n\nevent: update\ndata: {}\n\n", &events);
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "{}");
}

TEST_CASE("SseParser: an event without data is dropped", "[sources][sse]") {
  SseParser parser;
  std::vector<SseEvent> events;
  parser.Feed("event: update\n\nretry: 10\n\n", &events);
  CHECK(events.empty());
}

}  // namespace
}  // namespace earshot
