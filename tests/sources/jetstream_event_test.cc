// JetstreamParser on Jetstream's event envelopes (commit, identity, account) around Bluesky's
// documented post records (tests/data/bluesky/), and on the frames a firehose can send that
// earshot must skip, each naming what was wrong.
#include "daemon/sources/bluesky/jetstream_event.h"
#include "tests/sources/fixture.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>

namespace earshot {
namespace {

using bluesky::JetstreamEvent;
using bluesky::JetstreamParser;
using Kind = JetstreamEvent::Kind;

std::string Fixture(std::string_view name) { return testing::Fixture("bluesky", name); }

constexpr std::string_view kDid = "did:plc:eygmaihciaxprqvxpfvl6flk";

std::string Commit(std::string_view operation, std::string_view record,
                   std::string_view collection = "app.bsky.feed.post") {
  std::string commit = fmt::format(
      R"({{"rev":"3l3qo2vutsw2b","operation":"{}","collection":"{}","rkey":"3l3qo2vuowo2b")",
      operation, collection);
  if (!record.empty())
    commit += fmt::format(R"(,"record":{},"cid":"bafyreidwaivazkwu67xztlm")", record);
  commit += '}';
  return fmt::format(R"({{"did":"{}","time_us":1725911162329308,"kind":"commit","commit":{}}})",
                     kDid, commit);
}

Status Parse(std::string_view frame, JetstreamEvent* event) {
  JetstreamParser parser;
  return parser.Parse(frame, event);
}

TEST_CASE("JetstreamParser: a created post, with its facets, reply and cursor",
          "[sources][bluesky]") {
  JetstreamEvent e;
  const Status s = Parse(Commit("create", Fixture("bluesky-post-record-facets.json")), &e);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(e.kind == Kind::kPost);
  CHECK(e.time_us == 1725911162329308);
  CHECK(e.did == kDid);
  const Post& p = e.post;
  CHECK(p.network == "bluesky");
  CHECK(p.id == fmt::format("at://{}/app.bsky.feed.post/3l3qo2vuowo2b", kDid));
  CHECK(p.url == fmt::format("https://bsky.app/profile/{}/post/3l3qo2vuowo2b", kDid));
  CHECK(p.author.id == kDid);
  CHECK(p.author.handle.empty());  // not in the event: the source resolves it
  CHECK(p.thread_key == p.id);
  CHECK(p.edited_at.empty());
  CHECK_FALSE(p.text.empty());
  CHECK(p.created_at != SystemTime{});
  CHECK_FALSE(p.mentions.empty());

  JetstreamEvent reply;
  REQUIRE(Parse(Commit("create", Fixture("bluesky-post-record-reply.json")), &reply).ok());
  CHECK(reply.kind == Kind::kPost);
  CHECK_THAT(reply.post.reply_to, Catch::StartsWith("at://"));
  CHECK_THAT(reply.post.thread_key, Catch::StartsWith("at://"));
  CHECK(reply.post.thread_key != reply.post.id);
}

TEST_CASE("JetstreamParser: an update is an edited version, a delete names the post",
          "[sources][bluesky]") {
  const std::string record =
      R"({"$type":"app.bsky.feed.post","text":"@acmeair lost my bag #AcmeAirSucks",)"
      R"("createdAt":"not a time","langs":["en"],"tags":["Refund"]})";
  JetstreamEvent updated;
  REQUIRE(Parse(Commit("update", record), &updated).ok());
  CHECK(updated.kind == Kind::kPost);
  CHECK(updated.post.edited_at == "2024-09-09T19:46:02.329Z");
  // An unreadable createdAt falls back to Jetstream's own stamp.
  CHECK(updated.post.created_at == SystemTime(std::chrono::microseconds(1725911162329308LL)));
  CHECK(updated.post.language == "en");
  CHECK(updated.post.hashtags == std::vector<std::string>{"refund"});

  JetstreamEvent deleted;
  REQUIRE(Parse(Commit("delete", ""), &deleted).ok());
  CHECK(deleted.kind == Kind::kDelete);
  CHECK(deleted.post_id == fmt::format("at://{}/app.bsky.feed.post/3l3qo2vuowo2b", kDid));
  CHECK(deleted.time_us == 1725911162329308);
}

TEST_CASE("JetstreamParser: identity and account events", "[sources][bluesky]") {
  JetstreamEvent id;
  REQUIRE(Parse(R"({"did":"did:plc:ufbl4k27gp6kzas5glhz7fim","time_us":1725516665234703,)"
                R"("kind":"identity","identity":{"did":"did:plc:ufbl4k27gp6kzas5glhz7fim",)"
                R"("handle":"yohenrique.bsky.social","seq":1409752997,)"
                R"("time":"2024-09-05T06:11:04.870Z"}})",
                &id)
              .ok());
  CHECK(id.kind == Kind::kIdentity);
  CHECK(id.handle == "yohenrique.bsky.social");
  CHECK(id.time_us == 1725516665234703);

  JetstreamEvent account;
  REQUIRE(Parse(R"({"did":"did:plc:ufbl4k27gp6kzas5glhz7fim","time_us":1725516665333808,)"
                R"("kind":"account","account":{"active":false,"status":"takendown",)"
                R"("did":"did:plc:ufbl4k27gp6kzas5glhz7fim","seq":1409753013,)"
                R"("time":"2024-09-05T06:11:04.870Z"}})",
                &account)
              .ok());
  CHECK(account.kind == Kind::kAccount);
  CHECK_FALSE(account.active);
  CHECK(account.status == "takendown");
}

TEST_CASE("JetstreamParser: other collections and kinds are skipped, not errors",
          "[sources][bluesky]") {
  JetstreamEvent like;
  REQUIRE(
      Parse(Commit("create", R"({"subject":{"uri":"at://x"}})", "app.bsky.feed.like"), &like).ok());
  CHECK(like.kind == Kind::kOther);
  CHECK(like.other == "collection app.bsky.feed.like");
  CHECK(like.time_us == 1725911162329308);  // the cursor still moves past it

  JetstreamEvent future;
  REQUIRE(Parse(R"({"did":"did:plc:x","time_us":5,"kind":"sync","sync":{}})", &future).ok());
  CHECK(future.kind == Kind::kOther);
  CHECK(future.other == "kind 'sync'");
}

TEST_CASE("JetstreamParser: broken frames name what is wrong", "[sources][bluesky]") {
  struct Case {
    std::string frame;
    Status::Code code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"{\"did\":", Status::Code::kDataLoss, "not JSON"},
      {"[1,2]", Status::Code::kDataLoss, "not a JSON object"},
      {R"({"time_us":1,"kind":"commit"})", Status::Code::kInvalidArgument, "'did': missing"},
      {R"({"did":"d","kind":"commit"})", Status::Code::kInvalidArgument, "'time_us': missing"},
      {R"({"did":"d","time_us":"soon","kind":"commit"})", Status::Code::kInvalidArgument,
       "'time_us': wrong type"},
      // Found by the fuzzer: microseconds this large overflow a SystemTime.
      {R"({"did":"d","time_us":17025911162329308,"kind":"identity","identity":{}})",
       Status::Code::kInvalidArgument, "'time_us': 17025911162329308 is past the year 2262"},
      {R"({"did":"d","time_us":1})", Status::Code::kInvalidArgument, "'kind': missing"},
      {R"({"did":"d","time_us":1,"kind":"commit"})", Status::Code::kInvalidArgument,
       "'commit': missing"},
      {Commit("create", ""), Status::Code::kInvalidArgument, "'commit.record': missing"},
      {Commit("create", R"({"text":42})"), Status::Code::kInvalidArgument,
       "'commit.record.text': wrong type"},
      {Commit("create", R"({"createdAt":"2024-09-09T19:46:02Z"})"), Status::Code::kInvalidArgument,
       "'commit.record.text': missing"},
      {R"({"did":"d","time_us":1,"kind":"account","account":{"status":"deleted"}})",
       Status::Code::kInvalidArgument, "'account.active'"},
  };
  for (const Case& c : cases) {
    INFO(c.frame);
    JetstreamEvent e;
    const Status s = Parse(c.frame, &e);
    CHECK(s.code() == c.code);
    CHECK_THAT(s.message(), Catch::Contains(c.says));
  }
}

TEST_CASE("JetstreamParser: a post with bytes that are not UTF-8 keeps the rest",
          "[sources][bluesky]") {
  JetstreamEvent e;
  const Status s = Parse(Commit("create",
                                "{\"text\":\"lost my bag \xff\xfe in Denver\",\"createdAt\":"
                                "\"2024-09-09T19:46:02.102Z\"}"),
                         &e);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(e.post.text == "lost my bag \xEF\xBF\xBD\xEF\xBF\xBD in Denver");
}

}  // namespace
}  // namespace earshot
