// Every network's page parser on poison text: a raw invalid UTF-8 byte or a lone surrogate
// escape in one post's text costs nothing but that character, which arrives as U+FFFD. Before,
// simdjson refused the whole page, and the cursor never moved past it.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "daemon/base/utf8.h"
#include "daemon/sources/bluesky/post_parser.h"
#include "daemon/sources/mastodon/status_parser.h"
#include "daemon/sources/reddit/listing_parser.h"
#include "daemon/sources/x/tweet_parser.h"

namespace earshot {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

// What goes inside a JSON string, and what the post's text must then hold.
struct Poison {
  const char* name;
  std::string json_text;  // written verbatim between the quotes
  std::string expected;   // a substring of the parsed text
};

std::vector<Poison> Poisons() {
  return {
      {"a raw 0xFF byte", "late again \xFF refund", "late again " + kFffd + " refund"},
      {"a cut 4-byte sequence", "late again \xF0\x9F\x98 refund", "late again " + kFffd + " refund"},
      {"a lone high surrogate", R"(late again \ud83d refund)", "late again " + kFffd + " refund"},
      {"a lone low surrogate", R"(late again \ude00 refund)", "late again " + kFffd + " refund"},
      {"a high surrogate at the end", R"(late again \ud83d)", "late again " + kFffd},
  };
}

TEST_CASE("Poison text: a Mastodon page keeps the post, with U+FFFD", "[sources][poison]") {
  for (const Poison& p : Poisons()) {
    INFO(p.name);
    const std::string page = fmt::format(
        R"([{{"id":"3","created_at":"2026-11-22T10:00:02Z","account":{{"id":"1","acct":"ann"}},)"
        R"("content":"<p>fine</p>"}},)"
        R"({{"id":"2","created_at":"2026-11-22T10:00:01Z","account":{{"id":"1","acct":"ann"}},)"
        R"("content":"<p>{}</p>","spoiler_text":"{}"}}])",
        p.json_text, p.json_text);
    mastodon::StatusParser parser("mastodon.social");
    mastodon::ParsedPage parsed;
    REQUIRE(parser.ParseStatusPage(page, &parsed).ok());
    CHECK(parsed.errors.empty());
    CHECK(parsed.newest_id == "3");
    CHECK(parsed.oldest_id == "2");
    REQUIRE(parsed.posts.size() == 2);
    CHECK(parsed.posts[1].text.find(p.expected) != std::string::npos);
    CHECK(utf8::IsValid(parsed.posts[1].text));

    // The same status alone (the corpus reader's path).
    const std::string status = page.substr(page.find("},{") + 2, page.size() - 3 - page.find("},{"));
    auto one = parser.ParseStatus(status);
    REQUIRE(one.ok());
    CHECK(one->text.find(p.expected) != std::string::npos);
  }
}

TEST_CASE("Poison text: a Mastodon notification page keeps the mention", "[sources][poison]") {
  for (const Poison& p : Poisons()) {
    INFO(p.name);
    const std::string page = fmt::format(
        R"([{{"id":"90","type":"mention","status":{{"id":"2","created_at":"2026-11-22T10:00:01Z",)"
        R"("account":{{"id":"1","acct":"ann"}},"content":"<p>{}</p>"}}}}])",
        p.json_text);
    mastodon::StatusParser parser("mastodon.social");
    mastodon::ParsedPage parsed;
    REQUIRE(parser.ParseNotificationPage(page, &parsed).ok());
    CHECK(parsed.newest_id == "90");
    REQUIRE(parsed.posts.size() == 1);
    CHECK(parsed.posts[0].text.find(p.expected) != std::string::npos);
  }
}

TEST_CASE("Poison text: a Bluesky search page keeps the post, with U+FFFD", "[sources][poison]") {
  for (const Poison& p : Poisons()) {
    INFO(p.name);
    const std::string page = fmt::format(
        R"({{"posts":[{{"uri":"at://did:plc:a/app.bsky.feed.post/1","cid":"c",)"
        R"("author":{{"did":"did:plc:a","handle":"ann.bsky.social","displayName":"{}"}},)"
        R"("record":{{"$type":"app.bsky.feed.post","text":"{}",)"
        R"("createdAt":"2026-11-22T10:00:01Z"}},"indexedAt":"2026-11-22T10:00:01Z"}}],)"
        R"("cursor":"1"}})",
        p.json_text, p.json_text);
    bluesky::PostParser parser;
    bluesky::ParsedSearchPage parsed;
    REQUIRE(parser.ParseSearchPage(page, &parsed).ok());
    CHECK(parsed.errors.empty());
    REQUIRE(parsed.items.size() == 1);
    CHECK(parsed.items[0].post.text.find(p.expected) != std::string::npos);
    CHECK(utf8::IsValid(parsed.items[0].post.text));
    CHECK(utf8::IsValid(parsed.items[0].post.author.display_name));
  }
}

TEST_CASE("Poison text: a Bluesky notification page keeps the mention", "[sources][poison]") {
  for (const Poison& p : Poisons()) {
    INFO(p.name);
    const std::string page = fmt::format(
        R"({{"notifications":[{{"uri":"at://did:plc:a/app.bsky.feed.post/1","cid":"c",)"
        R"("author":{{"did":"did:plc:a","handle":"ann.bsky.social"}},"reason":"mention",)"
        R"("record":{{"$type":"app.bsky.feed.post","text":"{}",)"
        R"("createdAt":"2026-11-22T10:00:01Z"}},"isRead":false,)"
        R"("indexedAt":"2026-11-22T10:00:01Z"}}],"cursor":"1"}})",
        p.json_text);
    bluesky::PostParser parser;
    bluesky::ParsedNotificationPage parsed;
    REQUIRE(parser.ParseNotificationPage(page, &parsed).ok());
    CHECK(parsed.errors.empty());
    REQUIRE(parsed.items.size() == 1);
    CHECK(parsed.items[0].post.text.find(p.expected) != std::string::npos);
  }
}

TEST_CASE("Poison text: an X page keeps the tweet, with U+FFFD", "[sources][poison]") {
  for (const Poison& p : Poisons()) {
    INFO(p.name);
    const std::string page = fmt::format(
        R"({{"data":[{{"id":"2","text":"{}","author_id":"9","created_at":"2026-11-22T10:00:01.000Z"}}],)"
        R"("includes":{{"users":[{{"id":"9","username":"ann","name":"{}"}}]}},)"
        R"("meta":{{"newest_id":"2","oldest_id":"2","result_count":1}}}})",
        p.json_text, p.json_text);
    x::TweetParser parser;
    x::ParsedTweetPage parsed;
    REQUIRE(parser.ParsePage(page, &parsed).ok());
    CHECK(parsed.errors.empty());
    REQUIRE(parsed.posts.size() == 1);
    CHECK(parsed.posts[0].text.find(p.expected) != std::string::npos);
    CHECK(utf8::IsValid(parsed.posts[0].author.display_name));
  }
}

TEST_CASE("Poison text: a Reddit listing keeps the post, with U+FFFD", "[sources][poison]") {
  for (const Poison& p : Poisons()) {
    INFO(p.name);
    const std::string page = fmt::format(
        R"({{"kind":"Listing","data":{{"after":null,"before":null,"children":[)"
        R"({{"kind":"t3","data":{{"name":"t3_a","id":"a","author":"ann","title":"{}",)"
        R"("selftext":"{}","created_utc":1700000000}}}}]}}}})",
        p.json_text, p.json_text);
    reddit::ListingParser parser;
    reddit::ParsedListing parsed;
    REQUIRE(parser.ParseListing(page, &parsed).ok());
    CHECK(parsed.errors.empty());
    REQUIRE(parsed.posts.size() == 1);
    CHECK(parsed.posts[0].text.find(p.expected) != std::string::npos);
  }
}

}  // namespace
}  // namespace earshot
