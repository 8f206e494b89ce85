// PostParser on Bluesky's documented records (wrapped in postViews) and on edge cases.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "daemon/sources/bluesky/post_parser.h"
#include "tests/sources/fixture.h"

namespace earshot {
namespace {

std::string Fixture(std::string_view name) { return testing::Fixture("bluesky", name); }

std::string View(std::string_view uri, std::string_view record, std::string_view handle) {
  return fmt::format(
      R"({{"uri":"{}","cid":"bafyrei","author":{{"did":"did:plc:u5cwb2mwiv2bfq53cjufe6yn",)"
      R"("handle":"{}","displayName":"Jay 🦋"}},"record":{},"replyCount":1,"repostCount":2,)"
      R"("quoteCount":3,"likeCount":4,"indexedAt":"2023-08-08T01:03:42.000Z"}})",
      uri, handle, record);
}

TEST_CASE("Bluesky PostParser: the documented records", "[sources][bluesky]") {
  const std::string page =
      fmt::format(R"({{"posts":[{},{}],"cursor":"abc"}})",
                  View("at://did:plc:u5cwb2mwiv2bfq53cjufe6yn/app.bsky.feed.post/3k4duaz5vfs2b",
                       Fixture("bluesky-post-record-facets.json"), "jay.bsky.team"),
                  View("at://did:plc:u5cwb2mwiv2bfq53cjufe6yn/app.bsky.feed.post/3k43tv4rxyz2g",
                       Fixture("bluesky-post-record-reply.json"), "jay.bsky.team"));
  bluesky::PostParser parser;
  bluesky::ParsedSearchPage parsed;
  REQUIRE(parser.ParseSearchPage(page, &parsed).ok());
  CHECK(parsed.errors.empty());
  CHECK(parsed.cursor == "abc");
  REQUIRE(parsed.items.size() == 2);

  const Post& p = parsed.items[0].post;
  CHECK(p.network == "bluesky");
  CHECK(p.id == "at://did:plc:u5cwb2mwiv2bfq53cjufe6yn/app.bsky.feed.post/3k4duaz5vfs2b");
  CHECK(p.url == "https://bsky.app/profile/jay.bsky.team/post/3k4duaz5vfs2b");
  CHECK(p.author.id == "did:plc:u5cwb2mwiv2bfq53cjufe6yn");
  CHECK(p.author.handle == "jay.bsky.team");
  CHECK(p.author.display_name == "Jay 🦋");
  CHECK(p.mentions == std::vector<std::string>{"atproto.com"});  // bytes 23..35
  CHECK(p.hashtags.empty());                                     // a link facet is neither
  CHECK(p.language.empty());
  CHECK(p.thread_key == p.id);
  CHECK(p.reply_to.empty());
  CHECK(p.created_at == *ParseIso8601("2023-08-08T01:03:41.157302Z"));
  CHECK(parsed.items[0].sort_at == p.created_at);  // earlier than indexedAt
  CHECK(p.replies == 1);
  CHECK(p.boosts == 5);
  CHECK(p.likes == 4);

  const Post& r = parsed.items[1].post;
  CHECK(r.text == "example of a reply");
  CHECK(r.thread_key == "at://did:plc:u5cwb2mwiv2bfq53cjufe6yn/app.bsky.feed.post/3k43tv4rft22g");
  CHECK(r.reply_to == r.thread_key);
}

TEST_CASE("Bluesky PostParser: multi-byte facets, tags, broken offsets and bad posts",
          "[sources][bluesky]") {
  // "😤 #Délai @acme.bsky.social ✈️ #fail": 😤 is 4 bytes, é 2, ✈️ 6.
  const std::string text = "😤 #Délai @acme.bsky.social ✈️ #fail";
  const size_t tag1 = text.find("#Délai"), men = text.find("@acme"), tag2 = text.find("#fail");
  const std::string record = fmt::format(
      R"({{"text":"{}","createdAt":"2024-05-01T10:00:00Z","langs":["fr","en"],"tags":["Retard"],)"
      R"("facets":[)"
      R"({{"index":{{"byteStart":{},"byteEnd":{}}},"features":[{{"$type":"app.bsky.richtext.facet#tag","tag":"Délai"}}]}},)"
      R"({{"index":{{"byteStart":{},"byteEnd":{}}},"features":[{{"$type":"app.bsky.richtext.facet#mention","did":"did:plc:acme"}}]}},)"
      R"({{"index":{{"byteStart":1,"byteEnd":3}},"features":[{{"$type":"app.bsky.richtext.facet#mention","did":"did:plc:x"}}]}},)"
      R"({{"index":{{"byteStart":5,"byteEnd":500}},"features":[{{"$type":"app.bsky.richtext.facet#mention","did":"did:plc:y"}}]}},)"
      R"({{"index":{{"byteStart":{},"byteEnd":{}}},"features":[{{"$type":"app.bsky.richtext.facet#tag","tag":"fail"}}]}}]}})",
      text, tag1, tag1 + 7, men, men + 17, tag2, tag2 + 5);
  const std::string page = fmt::format(
      R"({{"posts":[{},)"
      R"({{"uri":"at://did:plc:b/app.bsky.feed.post/2","author":{{"did":"did:plc:b"}},"record":{{"text":"x","createdAt":"2024-05-01T09:00:00Z"}},"indexedAt":"2024-05-01T09:00:00Z"}},)"
      R"({{"uri":"at://did:plc:c/app.bsky.feed.post/3","author":{{"did":"did:plc:c","handle":"c.test"}},"record":{{"text":5,"createdAt":"2024-05-01T11:00:00Z"}},"indexedAt":"2024-05-01T08:00:00Z"}},)"
      R"({{"uri":"at://did:plc:d/app.bsky.feed.post/4","author":{{"did":"did:plc:d","handle":"d.test"}},"record":{{"text":"late","createdAt":"garbage"}},"indexedAt":"2024-05-01T07:00:00Z"}}]}})",
      View("at://did:plc:a/app.bsky.feed.post/1", record, "a.test"));
  bluesky::PostParser parser;
  bluesky::ParsedSearchPage parsed;
  REQUIRE(parser.ParseSearchPage(page, &parsed).ok());
  CHECK(parsed.count == 4);
  REQUIRE(parsed.errors.size() == 2);
  CHECK(parsed.errors[0] == "post at://did:plc:b/app.bsky.feed.post/2: 'author.handle': missing");
  CHECK(parsed.errors[1] == "post at://did:plc:c/app.bsky.feed.post/3: 'record.text': wrong type");
  // sortAt is the earlier of createdAt and indexedAt; a skipped post still counts.
  CHECK(parsed.newest_sort_at == *ParseIso8601("2024-05-01T09:00:00Z"));
  REQUIRE(parsed.items.size() == 2);
  const Post& p = parsed.items[0].post;
  CHECK(p.text == text);
  CHECK(p.hashtags == std::vector<std::string>{"délai", "fail", "retard"});
  CHECK(p.mentions == std::vector<std::string>{"acme.bsky.social"});  // broken ranges ignored
  CHECK(p.language == "fr");
  // A record without a parseable createdAt falls back to indexedAt.
  CHECK(parsed.items[1].post.created_at == *ParseIso8601("2024-05-01T07:00:00Z"));
}

TEST_CASE("Bluesky PostParser: sessions, profiles, errors and broken bodies",
          "[sources][bluesky]") {
  bluesky::PostParser parser;
  bluesky::Session s;
  REQUIRE(
      parser.ParseSession(R"({"accessJwt":"a","refreshJwt":"r","handle":"h","did":"d"})", &s).ok());
  CHECK(s.access_jwt == "a");
  CHECK(s.refresh_jwt == "r");
  CHECK(parser.ParseSession(R"({"accessJwt":"a"})", &s).code() == Status::Code::kDataLoss);

  std::vector<bluesky::Profile> profiles;
  REQUIRE(
      parser
          .ParseProfiles(
              R"({"profiles":[{"did":"did:plc:a","handle":"a.test","followersCount":1200},{"handle":"x"}]})",
              &profiles)
          .ok());
  REQUIRE(profiles.size() == 1);
  CHECK(profiles[0].followers == 1200);

  CHECK(parser.ErrorName(R"({"error":"ExpiredToken","message":"Token has expired"})") ==
        "ExpiredToken");
  CHECK(parser.ErrorName("<html>").empty());

  bluesky::ParsedSearchPage page;
  for (const char* body :
       {"", "[]", R"({"posts":{}})", R"({"posts":[{"uri":"x"})", R"({"posts":[],"cursor":5})"}) {
    INFO(body);
    CHECK(parser.ParseSearchPage(body, &page).code() == Status::Code::kDataLoss);
  }
  REQUIRE(parser.ParseSearchPage(R"({"posts":[]})", &page).ok());
  CHECK_FALSE(page.cursor.has_value());
}


// A notification (lexicon app.bsky.notification.listNotifications#notification: uri, cid, author
// as a profileView, reason, reasonSubject, record, isRead, indexedAt, labels).
std::string Notification(std::string_view uri, std::string_view reason, std::string_view record,
                         std::string_view indexed_at, std::string_view subject = "") {
  return fmt::format(
      R"({{"uri":"{}","cid":"bafyreinotif","author":{{"did":"did:plc:u5cwb2mwiv2bfq53cjufe6yn",)"
      R"("handle":"jay.bsky.team","displayName":"Jay 🦋","labels":[]}},"reason":"{}"{},)"
      R"("record":{},"isRead":false,"indexedAt":"{}","labels":[]}})",
      uri, reason, subject.empty() ? "" : fmt::format(R"(,"reasonSubject":"{}")", subject),
      record, indexed_at);
}

TEST_CASE("Bluesky PostParser: a notifications page keeps mentions, replies and quotes only",
          "[sources][bluesky]") {
  constexpr const char* kDid = "at://did:plc:u5cwb2mwiv2bfq53cjufe6yn";
  // "🧳 où est mon sac @acme.bsky.social ? #Bagage": 🧳 is 4 bytes, ù 2.
  const std::string quote_text = "🧳 où est mon sac @acme.bsky.social ? #Bagage";
  const size_t at = quote_text.find('@');
  const std::string quote_record = fmt::format(
      R"({{"$type":"app.bsky.feed.post","text":"{}","createdAt":"2023-08-08T01:05:00.000Z",)"
      R"("langs":["fr"],"facets":[{{"index":{{"byteStart":{},"byteEnd":{}}},"features":[{{"$type":)"
      R"("app.bsky.richtext.facet#mention","did":"did:plc:acme"}}]}},{{"index":{{"byteStart":{},)"
      R"("byteEnd":{}}},"features":[{{"$type":"app.bsky.richtext.facet#tag","tag":"Bagage"}}]}}],)"
      R"("embed":{{"$type":"app.bsky.embed.record","record":{{"uri":"at://did:plc:acme/app.bsky.)"
      R"(feed.post/3k4root","cid":"bafyreiq"}}}}}})",
      quote_text, at, at + 17, quote_text.find('#'), quote_text.size());
  const std::string like_record =
      R"({"$type":"app.bsky.feed.like","subject":{"uri":"at://did:plc:acme/app.bsky.feed.post/)"
      R"(3k4root","cid":"bafyreis"},"createdAt":"2023-08-08T01:06:00.000Z"})";
  const std::string follow_record =
      R"({"$type":"app.bsky.graph.follow","subject":"did:plc:acme",)"
      R"("createdAt":"2023-08-08T01:07:00.000Z"})";
  const std::string page = fmt::format(
      R"({{"notifications":[{},{},{},{},{},{},{}],"cursor":"2023-08-08T01:03:42.000Z::1",)"
      R"("priority":false,"seenAt":"2023-08-01T00:00:00.000Z"}})",
      Notification(fmt::format("{}/app.bsky.graph.follow/3k4f", kDid), "follow", follow_record,
                   "2023-08-08T01:07:00.000Z"),
      Notification(fmt::format("{}/app.bsky.feed.like/3k4l", kDid), "like", like_record,
                   "2023-08-08T01:06:00.000Z", "at://did:plc:acme/app.bsky.feed.post/3k4root"),
      Notification(fmt::format("{}/app.bsky.feed.post/3k4q", kDid), "quote", quote_record,
                   "2023-08-08T01:05:01.000Z", "at://did:plc:acme/app.bsky.feed.post/3k4root"),
      Notification(fmt::format("{}/app.bsky.feed.post/3k43tv4rxyz2g", kDid), "reply",
                   Fixture("bluesky-post-record-reply.json"), "2023-08-08T01:04:00.000Z"),
      Notification(fmt::format("{}/app.bsky.feed.post/3k4duaz5vfs2b", kDid), "mention",
                   Fixture("bluesky-post-record-facets.json"), "2023-08-08T01:03:42.000Z"),
      Notification(fmt::format("{}/app.bsky.feed.post/3k4bad", kDid), "mention",
                   R"({"$type":"app.bsky.feed.post","createdAt":"2023-08-08T01:03:00.000Z"})",
                   "2023-08-08T01:03:00.000Z"),
      Notification(fmt::format("{}/app.bsky.feed.repost/3k4r", kDid), "starterpack-joined", "{}",
                   "2023-08-08T01:02:00.000Z"));
  bluesky::PostParser parser;
  bluesky::ParsedNotificationPage parsed;
  REQUIRE(parser.ParseNotificationPage(page, &parsed).ok());
  CHECK(parsed.count == 7);
  CHECK(parsed.skipped == 3);  // follow, like, and a reason earshot does not know
  CHECK(parsed.cursor == "2023-08-08T01:03:42.000Z::1");
  CHECK(parsed.newest_indexed_at == ParseIso8601("2023-08-08T01:07:00.000Z"));
  CHECK(parsed.oldest_indexed_at == ParseIso8601("2023-08-08T01:02:00.000Z"));
  REQUIRE(parsed.errors.size() == 1);
  CHECK(parsed.errors[0] == fmt::format("notification {}/app.bsky.feed.post/3k4bad: "
                                        "'record.text': missing",
                                        kDid));
  REQUIRE(parsed.items.size() == 3);

  const bluesky::NotificationItem& quote = parsed.items[0];
  CHECK(quote.reason == "quote");
  CHECK(quote.indexed_at == *ParseIso8601("2023-08-08T01:05:01.000Z"));
  CHECK(quote.post.text == quote_text);
  CHECK(quote.post.mentions == std::vector<std::string>{"acme.bsky.social"});
  CHECK(quote.post.hashtags == std::vector<std::string>{"bagage"});
  CHECK(quote.post.language == "fr");
  CHECK(quote.post.thread_key == quote.post.id);  // a quote starts its own thread
  CHECK(quote.post.author.display_name == "Jay 🦋");
  CHECK(quote.post.likes == 0);  // notifications carry no counts

  const bluesky::NotificationItem& reply = parsed.items[1];
  CHECK(reply.reason == "reply");
  CHECK(reply.post.text == "example of a reply");
  CHECK(reply.post.thread_key ==
        "at://did:plc:u5cwb2mwiv2bfq53cjufe6yn/app.bsky.feed.post/3k43tv4rft22g");  // reply.root

  const bluesky::NotificationItem& mention = parsed.items[2];
  CHECK(mention.reason == "mention");
  CHECK(mention.post.mentions == std::vector<std::string>{"atproto.com"});  // after ✨ (3 bytes)
  CHECK(mention.post.url == "https://bsky.app/profile/jay.bsky.team/post/3k4duaz5vfs2b");
  CHECK(mention.post.created_at == *ParseIso8601("2023-08-08T01:03:41.157302Z"));

  for (const char* body : {"", "[]", R"({"posts":[]})", R"({"notifications":{}})",
                           R"({"notifications":[],"cursor":5})"}) {
    INFO(body);
    CHECK(parser.ParseNotificationPage(body, &parsed).code() == Status::Code::kDataLoss);
  }
  REQUIRE(parser.ParseNotificationPage(R"({"notifications":[]})", &parsed).ok());
  CHECK(parsed.count == 0);
  CHECK_FALSE(parsed.cursor.has_value());
}

}  // namespace
}  // namespace earshot
