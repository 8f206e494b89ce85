#include <catch2/catch.hpp>

#include "daemon/sources/mastodon/link_header.h"

namespace earshot::mastodon {
namespace {

TEST_CASE("ParseLinkHeader: Mastodon's pagination links", "[sources][mastodon]") {
  struct Case {
    const char* name;
    const char* header;
    const char* next;  // "" = none
    const char* prev;
  } cases[] = {
      {"next and prev",
       "<https://m.example/api/v1/timelines/tag/cats?max_id=1>; rel=\"next\", "
       "<https://m.example/api/v1/timelines/tag/cats?min_id=9>; rel=\"prev\"",
       "https://m.example/api/v1/timelines/tag/cats?max_id=1",
       "https://m.example/api/v1/timelines/tag/cats?min_id=9"},
      {"the docs' example without rel on the second link",
       "<https://mastodon.example/api/v1/notifications?max_id=34975535>; rel=\"next\", "
       "<https://mastodon.example/api/v1/notifications?min_id=34975861>;",
       "https://mastodon.example/api/v1/notifications?max_id=34975535", ""},
      {"bare rel, odd spacing, uppercase", "  <a?x=1,2>;REL=Prev ,<b>;rel=next", "b", "a?x=1,2"},
      {"rel list", "<u>; rel=\"prev first\"", "", "u"},
      {"quoted comma in a parameter", "<u1>; title=\"a, b\"; rel=\"next\", <u2>; rel=\"prev\"",
       "u1", "u2"},
      {"garbage", "not a link, <", "", ""},
      {"empty", "", "", ""},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto links = ParseLinkHeader(c.header);
    CHECK(FindLink(links, "next").value_or("") == c.next);
    CHECK(FindLink(links, "prev").value_or("") == c.prev);
  }
}

TEST_CASE("ParseLinkHeader keeps a link without rel", "[sources][mastodon]") {
  const auto links = ParseLinkHeader("<a>; rel=\"next\", <b>;");
  REQUIRE(links.size() == 2);
  CHECK(links[1].url == "b");
  CHECK(links[1].rel.empty());
}

}  // namespace
}  // namespace earshot::mastodon
