// TweetParser on X's documented examples and on edge cases.
#include "daemon/sources/x/tweet_parser.h"
#include "tests/sources/fixture.h"

#include <catch2/catch.hpp>

namespace earshot {
namespace {

std::string Fixture(std::string_view name) { return testing::Fixture("x", name); }

TEST_CASE("TweetParser: the documented search with expansions", "[sources][x]") {
  x::TweetParser parser;
  x::ParsedTweetPage page;
  REQUIRE(parser.ParsePage(Fixture("x-v2-recent-search-expansions.json"), &page).ok());
  CHECK(page.items == 4);
  CHECK(page.errors.empty());
  REQUIRE(page.posts.size() == 4);
  CHECK(page.newest_id == "1276035977375477760");
  CHECK(page.oldest_id == "1275653067283759104");
  CHECK_FALSE(page.next_token.has_value());
  CHECK(page.result_count == 4);

  const Post& p = page.posts[0];
  CHECK(p.network == "x");
  CHECK(p.id == "1276035977375477760");
  CHECK(p.author.id == "63046977");
  CHECK(p.author.handle == "happycamper");
  CHECK(p.author.display_name == "Emily Waligoske 🏕");
  CHECK(p.mentions == std::vector<std::string>{"snowman"});
  CHECK(p.reply_to == "1275653067283759104");
  CHECK(p.thread_key == p.id);  // the example did not ask for conversation_id
  CHECK(p.language == "en");
  CHECK(p.url == "https://x.com/happycamper/status/1276035977375477760");
  CHECK(p.created_at == *ParseIso8601("2020-06-25T06:14:19.000Z"));
  CHECK(p.text.starts_with("@snowman Ooo, thanks error message"));
  CHECK(page.posts[1].text.find("🔥👍") != std::string::npos);
  CHECK(page.posts[1].author.handle == "snowman");
  CHECK(page.posts[2].language.empty());  // "und"
  CHECK(page.posts[2].mentions == std::vector<std::string>{"snowman", "happycamper"});
}

TEST_CASE("TweetParser: the default payload lacks required fields, each tweet is reported",
          "[sources][x]") {
  x::TweetParser parser;
  x::ParsedTweetPage page;
  REQUIRE(parser.ParsePage(Fixture("x-v2-recent-search.json"), &page).ok());
  CHECK(page.items == 10);
  CHECK(page.posts.empty());
  REQUIRE(page.errors.size() == 10);
  CHECK(page.errors[0] == "tweet 1275840243636322304: 'created_at': missing");
  CHECK(page.next_token == "b26v89c19zqg8o3fo7gesq314yb2ynhwgmfg7az3v76v1");
  CHECK(page.newest_id == "1275840243636322304");
}

constexpr const char* kEdgePage = R"({
  "data": [
    {"id":"5","text":"RT @acme: the original","created_at":"2024-01-01T00:00:05.000Z",
     "author_id":"10","referenced_tweets":[{"type":"retweeted","id":"1"}]},
    {"id":"4","text":"bad","created_at":"2024-01-01T00:00:04.000Z","author_id":"10",
     "public_metrics":{"like_count":"many"}},
    {"id":"3","text":"gone author","created_at":"2024-01-01T00:00:03.000Z","author_id":"99"},
    {"id":"2","text":"Q&amp;A: 1 &lt; 2 &gt; 0 😤 #Fail #ÉTÉ @AcmeAir","created_at":"2024-01-01T00:00:02.000Z",
     "author_id":"10","conversation_id":"1","edit_history_tweet_ids":["0","2"],
     "entities":{"hashtags":[{"start":18,"end":23,"tag":"Fail"},{"start":24,"end":28,"tag":"ÉTÉ"}],
                 "mentions":[{"start":29,"end":37,"username":"AcmeAir","id":"7"}]},
     "public_metrics":{"retweet_count":2,"reply_count":3,"like_count":4,"quote_count":1},
     "referenced_tweets":[{"type":"replied_to","id":"1"}]},
    {"id":"1","created_at":"not a time","author_id":"10"}
  ],
  "includes":{"users":[{"id":"10","username":"Jane","name":"Jane Doe",
                        "public_metrics":{"followers_count":1234}}]},
  "meta":{"newest_id":"5","oldest_id":"1","result_count":5}
})";

TEST_CASE("TweetParser: retweets, deleted authors, escapes, facets and bad tweets",
          "[sources][x]") {
  x::TweetParser parser;
  x::ParsedTweetPage page;
  REQUIRE(parser.ParsePage(kEdgePage, &page).ok());
  CHECK(page.items == 5);
  CHECK(page.ignored == 1);
  REQUIRE(page.errors.size() == 2);
  CHECK(page.errors[0] == "tweet 4: 'public_metrics.like_count': wrong type");
  CHECK(page.errors[1].starts_with("tweet 1: 'created_at': not an ISO-8601 time"));
  REQUIRE(page.posts.size() == 2);

  const Post& gone = page.posts[0];
  CHECK(gone.id == "3");
  CHECK(gone.author.handle == "id:99");
  CHECK(gone.author.id == "99");
  CHECK(gone.url == "https://x.com/i/web/status/3");
  CHECK(gone.language.empty());
  CHECK(gone.thread_key == "3");

  const Post& p = page.posts[1];
  CHECK(p.text == "Q&A: 1 < 2 > 0 😤 #Fail #ÉTÉ @AcmeAir");
  CHECK(p.hashtags == std::vector<std::string>{"fail", "été"});
  CHECK(p.mentions == std::vector<std::string>{"acmeair"});
  CHECK(p.author.handle == "Jane");
  CHECK(p.author.followers == 1234);
  CHECK(p.thread_key == "1");
  CHECK(p.reply_to == "1");
  CHECK(p.replies == 3);
  CHECK(p.boosts == 3);  // retweets + quotes
  CHECK(p.likes == 4);
}

TEST_CASE("TweetParser: empty results and broken bodies", "[sources][x]") {
  x::TweetParser parser;
  x::ParsedTweetPage page;
  REQUIRE(parser.ParsePage(R"({"meta":{"result_count":0}})", &page).ok());
  CHECK(page.items == 0);
  CHECK_FALSE(page.newest_id.has_value());

  const char* broken[] = {"",
                          "[]",
                          R"({"data":[]})",
                          R"({"data":{},"meta":{}})",
                          R"({"data":[{"id":"1"}],"meta":{"result_count":1)",
                          R"({"meta":{"newest_id":5}})"};
  for (const char* body : broken) {
    INFO(body);
    CHECK(parser.ParsePage(body, &page).code() == Status::Code::kDataLoss);
  }
}

// A user mention timeline page (`GET /2/users/2244994945/mentions?tweet.fields=created_at,
// conversation_id,lang,public_metrics,entities,in_reply_to_user_id,referenced_tweets
// &expansions=author_id&user.fields=public_metrics,username,name`) in the shape X's API reference
// documents: a reply in a conversation, a quote post, a retweet of a mention, then meta with
// next_token (the value mentions takes back as pagination_token).
constexpr const char* kMentionsPage = R"({
  "data": [
    {"id":"1460323737035677698","text":"@XDevelopers 🧳 lost again &amp; no answer, day 3",
     "edit_history_tweet_ids":["1460323737035677698"],"created_at":"2021-11-15T19:08:05.000Z",
     "author_id":"1034147965","conversation_id":"1460323431006437378","lang":"en",
     "in_reply_to_user_id":"2244994945",
     "referenced_tweets":[{"type":"replied_to","id":"1460323431006437378"}],
     "entities":{"mentions":[{"start":0,"end":12,"username":"XDevelopers","id":"2244994945"}]},
     "public_metrics":{"retweet_count":0,"reply_count":1,"like_count":2,"quote_count":0,
                       "bookmark_count":0,"impression_count":57}},
    {"id":"1460298405981937665","text":"This is why I use @XDevelopers #API https://t.co/x",
     "edit_history_tweet_ids":["1460298405981937665"],"created_at":"2021-11-15T17:27:26.000Z",
     "author_id":"15772978","conversation_id":"1460298405981937665","lang":"en",
     "referenced_tweets":[{"type":"quoted","id":"1460026349052252161"}],
     "entities":{"hashtags":[{"start":31,"end":35,"tag":"API"}],
                 "mentions":[{"start":18,"end":30,"username":"XDevelopers","id":"2244994945"}]},
     "public_metrics":{"retweet_count":1,"reply_count":0,"like_count":5,"quote_count":2}},
    {"id":"1460290000000000000","text":"RT @jessicagarson: thanks @XDevelopers",
     "created_at":"2021-11-15T17:00:00.000Z","author_id":"15772978",
     "conversation_id":"1460290000000000000",
     "referenced_tweets":[{"type":"retweeted","id":"1460280000000000000"}]}
  ],
  "includes":{"users":[
    {"id":"1034147965","name":"Suhem Parack","username":"suhemparack",
     "public_metrics":{"followers_count":6514,"following_count":2032,"tweet_count":9081,
                       "listed_count":119}},
    {"id":"15772978","name":"Jessica Garson","username":"jessicagarson",
     "public_metrics":{"followers_count":6180,"following_count":2515,"tweet_count":11640,
                       "listed_count":298}}]},
  "meta":{"result_count":3,"newest_id":"1460323737035677698","oldest_id":"1460290000000000000",
          "next_token":"7140dibdnow9c7btw3z3atvvdxvd33y0qvqq9dyaekh8j"}
})";

TEST_CASE("TweetParser: a documented user mention timeline page", "[sources][x]") {
  x::TweetParser parser;
  x::ParsedTweetPage page;
  REQUIRE(parser.ParsePage(kMentionsPage, &page).ok());
  CHECK(page.items == 3);
  CHECK(page.ignored == 1);  // the retweet
  CHECK(page.errors.empty());
  CHECK(page.next_token == "7140dibdnow9c7btw3z3atvvdxvd33y0qvqq9dyaekh8j");
  CHECK(page.newest_id == "1460323737035677698");
  REQUIRE(page.posts.size() == 2);
  const Post& reply = page.posts[0];
  CHECK(reply.text == "@XDevelopers 🧳 lost again & no answer, day 3");
  CHECK(reply.thread_key == "1460323431006437378");  // conversation_id
  CHECK(reply.reply_to == "1460323431006437378");
  CHECK(reply.mentions == std::vector<std::string>{"xdevelopers"});
  CHECK(reply.author.handle == "suhemparack");
  CHECK(reply.author.followers == 6514);
  const Post& quote = page.posts[1];
  CHECK(quote.thread_key == quote.id);
  CHECK(quote.reply_to.empty());
  CHECK(quote.hashtags == std::vector<std::string>{"api"});
  CHECK(quote.boosts == 3);  // retweets + quotes
  CHECK(quote.author.display_name == "Jessica Garson");
}

TEST_CASE("TweetParser: username lookups, problem bodies and broken ones", "[sources][x]") {
  x::TweetParser parser;
  x::UserLookup user;
  REQUIRE(parser
              .ParseUserLookup(
                  R"({"data":{"id":"2244994945","name":"Developers","username":"XDevelopers"}})",
                  &user)
              .ok());
  CHECK(user.id == "2244994945");
  CHECK(user.username == "XDevelopers");
  CHECK(user.problem.empty());

  // X answers an unknown username with HTTP 200 and a problem body.
  const std::string missing =
      R"({"errors":[{"value":"nobody_here","detail":"Could not find user with username: )"
      R"([nobody_here].","title":"Not Found Error","resource_type":"user","parameter":)"
      R"("username","resource_id":"nobody_here","type":"https://api.twitter.com/2/problems/)"
      R"(resource-not-found"}]})";
  REQUIRE(parser.ParseUserLookup(missing, &user).ok());
  CHECK(user.id.empty());
  CHECK(user.problem ==
        "Not Found Error: Could not find user with username: [nobody_here].");
  CHECK(parser.ProblemDetail(missing) == user.problem);
  CHECK(parser.ProblemDetail(kMentionsPage).empty());
  CHECK(parser.ProblemDetail(R"({"meta":{"result_count":0}})").empty());

  for (const char* body : {"", "[]", "{}", R"({"data":{"id":"12ab"}})", R"({"data":{"id":7}})"}) {
    INFO(body);
    CHECK(parser.ParseUserLookup(body, &user).code() == Status::Code::kDataLoss);
  }
}

TEST_CASE("UnescapeTweetText: only X's three escapes", "[sources][x]") {
  CHECK(x::UnescapeTweetText("a &amp;amp; b &lt;3 &gt; &quot;") == "a &amp; b <3 > &quot;");
  CHECK(x::UnescapeTweetText("&") == "&");
}

}  // namespace
}  // namespace earshot
