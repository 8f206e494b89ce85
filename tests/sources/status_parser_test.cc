#include <catch2/catch.hpp>


#include "daemon/sources/mastodon/status_parser.h"
#include "tests/sources/fixture.h"

namespace earshot::mastodon {
namespace {

std::string Fixture(std::string_view name) { return testing::Fixture("mastodon", name); }

TEST_CASE("StatusParser: the documented example Status", "[sources][mastodon]") {
  StatusParser parser("mastodon.social");
  auto post = parser.ParseStatus(Fixture("mastodon-status.json"));
  REQUIRE(post.ok());
  CHECK(post->network == "mastodon");
  CHECK(post->id == "103270115826048975");
  CHECK(post->url == "https://mastodon.social/@Gargron/103270115826048975");
  CHECK(FormatIso8601(post->created_at) == "2019-12-08T03:48:33.901Z");
  CHECK(post->author.handle == "Gargron@mastodon.social");  // local acct gets the domain
  CHECK(post->author.id == "1");
  CHECK(post->author.display_name == "Eugen");
  CHECK(post->author.followers == 322930);
  CHECK_FALSE(post->author.bot);
  CHECK(post->text ==
        "\"I lost my inheritance with one wrong digit on my sort code\"\n\n"
        "theguardian.com/money/2019/dec");
  CHECK(post->hashtags.empty());
  CHECK(post->mentions.empty());
  CHECK(post->language == "en");
  CHECK(post->reply_to.empty());
  CHECK(post->thread_key == "103270115826048975");
  CHECK(post->boosted_by.empty());
  CHECK(post->replies == 5);
  CHECK(post->boosts == 6);
  CHECK(post->likes == 11);
}

// A compact status for the table below; fields are replaced by text substitution.
std::string Status(const std::string& extra, const std::string& acct = "jane@Travel.Example",
                   const std::string& id = "\"200\"") {
  return "{\"id\":" + id +
         ",\"created_at\":\"2026-01-01T10:00:00.000Z\",\"content\":\"<p>hi</p>\","
         "\"account\":{\"id\":\"7\",\"acct\":\"" + acct +
         "\",\"display_name\":\"Jane\",\"followers_count\":12,\"bot\":true}" + extra + "}";
}

TEST_CASE("StatusParser: field mapping", "[sources][mastodon]") {
  StatusParser parser("m.example");
  SECTION("null language, remote acct keeps its host (lowercased)") {
    auto post = parser.ParseStatus(Status(",\"language\":null"));
    REQUIRE(post.ok());
    CHECK(post->language.empty());
    CHECK(post->author.handle == "jane@travel.example");
    CHECK(post->author.bot);
  }
  SECTION("tags lowercased, mentions in handle form") {
    auto post = parser.ParseStatus(Status(
        ",\"tags\":[{\"name\":\"AcmeAirSucks\",\"url\":\"x\"},{\"name\":\"QUALITÄTSKATZEN\"}],"
        "\"mentions\":[{\"id\":\"1\",\"acct\":\"AcmeAir\"},{\"id\":\"2\",\"acct\":\"Bob@Else.Example\"}]"));
    REQUIRE(post.ok());
    CHECK(post->hashtags == std::vector<std::string>{"acmeairsucks", "qualitätskatzen"});
    CHECK(post->mentions == std::vector<std::string>{"acmeair@m.example", "bob@else.example"});
  }
  SECTION("a reply is keyed on its parent") {
    auto post = parser.ParseStatus(Status(",\"in_reply_to_id\":\"150\""));
    REQUIRE(post.ok());
    CHECK(post->reply_to == "150");
    CHECK(post->thread_key == "150");
  }
  SECTION("a content warning is part of the text") {
    auto post = parser.ParseStatus(Status(",\"spoiler_text\":\"rant &amp; more\""));
    REQUIRE(post.ok());
    CHECK(post->text == "rant & more\n\nhi");
  }
  SECTION("numeric ids are read as strings") {
    auto post = parser.ParseStatus(Status("", "gus", "123456789012345678"));
    REQUIRE(post.ok());
    CHECK(post->id == "123456789012345678");
  }
  SECTION("a boost is keyed on the original, with boosted_by") {
    const std::string original =
        "{\"id\":\"100\",\"created_at\":\"2026-01-01T09:00:00.000Z\",\"content\":\"<p>terrible "
        "service</p>\",\"in_reply_to_id\":null,\"language\":\"en\",\"favourites_count\":3,"
        "\"account\":{\"id\":\"9\",\"acct\":\"angry@far.example\",\"followers_count\":50000},"
        "\"tags\":[{\"name\":\"AcmeAir\"}]}";
    auto post = parser.ParseStatus(
        "{\"id\":\"300\",\"created_at\":\"2026-01-01T11:00:00.000Z\",\"content\":\"\","
        "\"account\":{\"id\":\"5\",\"acct\":\"booster\"},\"tags\":[],\"reblog\":" + original + "}");
    REQUIRE(post.ok());
    CHECK(post->id == "100");
    CHECK(post->author.handle == "angry@far.example");
    CHECK(post->author.followers == 50000);
    CHECK(post->text == "terrible service");
    CHECK(post->hashtags == std::vector<std::string>{"acmeair"});
    CHECK(post->boosted_by == "booster@m.example");
    CHECK(post->likes == 3);
    CHECK(FormatIso8601(post->created_at) == "2026-01-01T09:00:00.000Z");
  }
}

TEST_CASE("StatusParser: a bad status names its field", "[sources][mastodon]") {
  StatusParser parser("m.example");
  struct Case {
    std::string json;
    std::string field;
  } cases[] = {
      {"{\"created_at\":\"2026-01-01T10:00:00Z\",\"account\":{\"id\":\"1\",\"acct\":\"a\"}}", "'id'"},
      {Status(",\"created_at\":\"yesterday\""), "'created_at'"},
      {Status(",\"created_at\":42"), "'created_at'"},
      {"{\"id\":\"1\",\"created_at\":\"2026-01-01T10:00:00Z\"}", "'account'"},
      {Status("", ""), "'account.acct'"},
      {Status(",\"tags\":\"cats\""), "'tags'"},
      {Status(",\"replies_count\":\"many\""), "'replies_count'"},
      {Status(",\"reblog\":{\"id\":\"5\"}"), "'reblog.created_at'"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto post = parser.ParseStatus(c.json);
    REQUIRE_FALSE(post.ok());
    CHECK(post.status().code() == earshot::Status::Code::kInvalidArgument);
    CHECK_THAT(post.status().message(), Catch::Contains(c.field));
  }
}

TEST_CASE("StatusParser: pages skip bad statuses and keep the rest", "[sources][mastodon]") {
  StatusParser parser("m.example");
  ParsedPage page;
  // The middle status's account has followers_count as a string (first of two keys).
  const std::string json = "[" + Status("", "a", "\"303\"") + "," +
                           Status("", "b\",\"followers_count\":\"x", "\"302\"") + "," +
                           Status("", "c", "\"301\"") + "]";
  REQUIRE(parser.ParseStatusPage(json, &page).ok());
  CHECK(page.items == 3);
  REQUIRE(page.posts.size() == 2);
  CHECK(page.posts[0].id == "303");
  CHECK(page.posts[1].id == "301");
  REQUIRE(page.errors.size() == 1);
  CHECK_THAT(page.errors[0], Catch::Contains("302") && Catch::Contains("account.followers_count"));
  CHECK(page.newest_id == "303");
  CHECK(page.oldest_id == "301");
}

TEST_CASE("StatusParser: the documented tag timeline is elided, so both items are skipped",
          "[sources][mastodon]") {
  StatusParser parser("mastodon.social");
  ParsedPage page;
  REQUIRE(parser.ParseStatusPage(Fixture("mastodon-tag-timeline.json"), &page).ok());
  CHECK(page.items == 2);
  CHECK(page.posts.empty());
  REQUIRE(page.errors.size() == 2);
  CHECK_THAT(page.errors[0], Catch::Contains("103206185588894565") && Catch::Contains("'account'"));
  // The cursor still moves past them.
  CHECK(page.newest_id == "103206185588894565");
  CHECK(page.oldest_id == "103203659567597966");
}

TEST_CASE("StatusParser: notifications keep mentions only", "[sources][mastodon]") {
  StatusParser parser("mastodon.social");
  ParsedPage page;
  REQUIRE(parser.ParseNotificationPage(Fixture("mastodon-notifications.json"), &page).ok());
  CHECK(page.items == 2);
  CHECK(page.ignored == 1);  // the favourite
  CHECK(page.errors.empty());
  REQUIRE(page.posts.size() == 1);
  const Post& post = page.posts[0];
  CHECK(post.id == "103186126728896492");
  CHECK(post.author.handle == "zsc@mastodon.social");
  CHECK(post.text == "@trwnh sup!");
  CHECK(post.mentions == std::vector<std::string>{"trwnh@mastodon.social"});
  CHECK(post.reply_to == "103186038209478945");
  CHECK(post.thread_key == "103186038209478945");
  CHECK(post.language.empty());
  // Paging ids are notification ids, not status ids.
  CHECK(page.newest_id == "34975861");
  CHECK(page.oldest_id == "34975535");
}

TEST_CASE("StatusParser: malformed pages are DataLoss", "[sources][mastodon]") {
  StatusParser parser("m.example");
  const std::string good = "[" + Status("") + "]";
  const std::string cases[] = {
      "",
      "{\"error\":\"The access token is invalid\"}",
      good.substr(0, good.size() / 2),
      "[" + Status("") + ",",
      "[1,2",
      "<html>502 Bad Gateway</html>",
  };
  for (const auto& json : cases) {
    INFO(json);
    ParsedPage page;
    CHECK(parser.ParseStatusPage(json, &page).code() == earshot::Status::Code::kDataLoss);
  }
  ParsedPage page;
  CHECK(parser.ParseStatusPage("[]", &page).ok());
  CHECK(page.items == 0);
  CHECK_FALSE(page.newest_id.has_value());
}

// Reading statuses in place (keys and strings viewed where they stand, the body scrubbed only
// when the parse of it as it came fails) gives what scrubbing every body first gave.
TEST_CASE("StatusParser: escaped keys, scrubbed ids and reused buffers", "[sources][mastodon]") {
  StatusParser parser("example.social");
  ParsedPage page;
  SECTION("an escaped key is the key it spells") {
    REQUIRE(parser.ParseStatusPage(
                R"([{"i\u0064":"1","created_at":"2024-01-01T00:00:00Z",)"
                R"("account":{"id":"7","\u0061cct":"Jane"},"content":"<p>hi</p>"}])",
                &page)
                .ok());
    REQUIRE(page.posts.size() == 1);
    CHECK(page.posts[0].id == "1");
    CHECK(page.posts[0].author.handle == "Jane@example.social");
  }
  SECTION("an id literal with a lone surrogate escape reads as scrubbed") {
    REQUIRE(parser.ParseStatusPage(
                R"([{"id":12\ud800,"created_at":"2024-01-01T00:00:00Z",)"
                R"("account":{"id":"7","acct":"Jane"},"content":"<p>hi</p>"}])",
                &page)
                .ok());
    REQUIRE(page.posts.size() == 1);
    CHECK(page.posts[0].id == "12\\uFFFD");
    CHECK(page.oldest_id == "12\\uFFFD");
  }
  SECTION("a lone surrogate in a field earshot skips costs nothing") {
    REQUIRE(parser.ParseStatusPage(
                R"([{"id":"1","created_at":"2024-01-01T00:00:00Z","account":{"id":"7",)"
                R"("acct":"Jane"},"content":"\ud800 lone","card":{"title":"\ud800"}}])",
                &page)
                .ok());
    REQUIRE(page.posts.size() == 1);
    CHECK(page.posts[0].text == "\xEF\xBF\xBD lone");
  }
  SECTION("a mention whose status id is \"!\" is skipped, as before") {
    REQUIRE(parser.ParseNotificationPage(
                R"([{"id":"5","type":"mention","status":{"id":"!",)"
                R"("created_at":"2024-01-01T00:00:00Z","account":{"id":"7","acct":"Jane"},)"
                R"("content":"x"}}])",
                &page)
                .ok());
    CHECK(page.posts.empty());
    REQUIRE(page.errors.size() == 1);
    CHECK(page.errors[0] == "notification 5: '': ");
  }
  SECTION("a long page, then a short one: nothing of the first leaks into the second") {
    std::string long_page = "[";
    for (int i = 0; i < 30; ++i) {
      long_page += (i ? "," : "") + std::string(R"({"id":")") + std::to_string(100 + i) +
                   R"(","created_at":"2024-01-01T00:00:00Z","account":{"id":"7","acct":"Jane"},)"
                   R"("content":"<p>a long enough text to need the heap</p>","tags":[{"name":"X"}],)"
                   R"("reblog":{"id":"9","created_at":"2024-01-01T00:00:00Z",)"
                   R"("account":{"id":"8","acct":"Bob"},"content":"boosted"}})";
    }
    REQUIRE(parser.ParseStatusPage(long_page + "]", &page).ok());
    REQUIRE(page.posts.size() == 30);
    CHECK(page.posts[29].boosted_by == "Jane@example.social");
    CHECK(page.posts[29].text == "boosted");
    REQUIRE(parser.ParseStatusPage(
                R"([{"id":"2","created_at":"2024-01-01T00:00:00Z","account":{"id":"7","acct":"Al"}}])",
                &page)
                .ok());
    REQUIRE(page.posts.size() == 1);
    CHECK(page.posts[0].text.empty());
    CHECK(page.posts[0].hashtags.empty());
    CHECK(page.posts[0].boosted_by.empty());
    CHECK(page.posts[0].author.handle == "Al@example.social");
  }
}

}  // namespace
}  // namespace earshot::mastodon
