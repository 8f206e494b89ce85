// Customers complain where they already are: the daemon hears X, Bluesky and Reddit through
// their real APIs (each a loopback fake speaking the real paths, auth and paging) alongside
// Mastodon, and pages for each the same way.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "daemon/sources/fake/fake_bluesky.h"
#include "daemon/sources/fake/fake_reddit.h"
#include "daemon/sources/fake/fake_x.h"
#include "tests/integration/daemon_rig.h"

namespace earshot::testing {
namespace {

void WriteSecret(const std::string& path, const std::string& value) {
  std::ofstream(path) << value << "\n";
}

TEST_CASE("Daemon: complaints on X, Bluesky and Reddit page like Mastodon's", "[integration]") {
  auto x = FakeX::Start({});
  auto bluesky = FakeBluesky::Start({});
  auto reddit = FakeReddit::Start({});
  REQUIRE(x.ok());
  REQUIRE(bluesky.ok());
  REQUIRE(reddit.ok());
  DaemonRig rig("", fmt::format(R"(  - name: acme-x
    type: x
    base_url: {}
    query: acmeair
    bearer_token_file: x.token
    poll_interval: 100ms
  - name: acme-bsky
    type: bluesky
    base_url: {}
    query: acmeair
    identifier: acme.bsky.social
    app_password_file: bsky.password
    poll_interval: 100ms
  - name: acme-reddit
    type: reddit
    base_url: {}
    listing: new
    subreddit: acmeair
    client_id: fake-client-id
    client_secret_file: reddit.secret
    reddit_user: acme_social_team
    poll_interval: 100ms
)",
                                (*x)->base_url(), (*bluesky)->base_url(),
                                (*reddit)->base_url()));
  WriteSecret(rig.dir() + "/x.token", "fake-x-bearer");
  WriteSecret(rig.dir() + "/bsky.password", "abcd-efgh-ijkl-mnop");
  WriteSecret(rig.dir() + "/reddit.secret", "fake-client-secret");
  REQUIRE(rig.StartDaemon());

  FakeTweet tweet;
  tweet.username = "tina";
  tweet.followers = 5400;
  tweet.text = "#AcmeAirSucks lost my bag in Denver and nobody answers";
  const std::string tweet_id = (*x)->AddTweet(tweet);
  FakeBskyPost post;
  post.handle = "bo.bsky.social";
  post.followers = 800;
  post.text = "#AcmeAirSucks cancelled my flight without notice, no refund";
  (*bluesky)->AddPost(post);
  FakeRedditPost thread;
  thread.author = "rita";
  thread.title = "AcmeAir lost my bag";
  thread.selftext = "Three days and my luggage is still lost. Terrible service from AcmeAir.";
  (*reddit)->AddPost(thread);

  REQUIRE(rig.WaitForEscalations(3));
  CHECK(rig.StopDaemon() == 0);
  const std::vector<Escalation> all = rig.Escalations();
  INFO(rig.DaemonLog());
  REQUIRE(all.size() == 3);
  std::set<std::string> networks;
  for (const Escalation& e : all) {
    CHECK(e.kind == Escalation::Kind::kOpen);
    REQUIRE(!e.posts.empty());
    networks.insert(e.posts[0].network);
    if (e.posts[0].network == "x") {
      CHECK(e.posts[0].id == tweet_id);
      CHECK(e.posts[0].followers == 5400);
    }
  }
  CHECK(networks == std::set<std::string>{"bluesky", "reddit", "x"});
  // Every credential stayed out of the log.
  const std::string log = rig.DaemonLog();
  for (const char* secret : {"fake-x-bearer", "abcd-efgh-ijkl-mnop", "fake-client-secret"}) {
    CHECK(log.find(secret) == std::string::npos);
  }
}

TEST_CASE("Daemon: what customers say to the brand on X and Bluesky pages too",
          "[integration]") {
  auto x = FakeX::Start({});
  auto bluesky = FakeBluesky::Start({});
  REQUIRE(x.ok());
  REQUIRE(bluesky.ok());
  (*x)->AddUser("AcmeAir");  // the account whose mentions are read, looked up by username
  DaemonRig rig("", fmt::format(R"(  - name: acme-x-mentions
    type: x
    base_url: {}
    mentions_of: AcmeAir
    bearer_token_file: x.token
    limit: 5
    poll_interval: 100ms
  - name: acme-bsky-mentions
    type: bluesky
    base_url: {}
    mentions: true
    identifier: acme.bsky.social
    app_password_file: bsky.password
    poll_interval: 100ms
)",
                                (*x)->base_url(), (*bluesky)->base_url()));
  WriteSecret(rig.dir() + "/x.token", "fake-x-bearer");
  WriteSecret(rig.dir() + "/bsky.password", "abcd-efgh-ijkl-mnop");
  REQUIRE(rig.StartDaemon());

  FakeTweet tweet;
  tweet.username = "tina";
  tweet.followers = 5400;
  tweet.text = "@AcmeAir #AcmeAirSucks lost my bag in Denver and nobody answers";
  const std::string tweet_id = (*x)->AddTweet(tweet);
  FakeBskyPost own;  // the brand's post, and a customer's reply to it
  own.handle = "acme.bsky.social";
  own.text = "Our summer schedule is out";
  const std::string root = (*bluesky)->AddPost(own);
  (*bluesky)->AddLike("fan.bsky.social", root);  // a like pages nobody
  FakeBskyPost reply;
  reply.handle = "bo.bsky.social";
  reply.followers = 800;
  reply.text = "#AcmeAirSucks cancelled my flight without notice, no refund";
  reply.reply_to = root;
  const std::string reply_uri = (*bluesky)->AddPost(reply);

  REQUIRE(rig.WaitForEscalations(2));
  CHECK(rig.StopDaemon() == 0);
  const std::vector<Escalation> all = rig.Escalations();
  INFO(rig.DaemonLog());
  REQUIRE(all.size() == 2);
  std::set<std::string> ids;
  for (const Escalation& e : all) {
    REQUIRE(!e.posts.empty());
    ids.insert(e.posts[0].id);
  }
  CHECK(ids == std::set<std::string>{tweet_id, reply_uri});
  CHECK((*x)->lookups() == 1);
  CHECK((*bluesky)->logins() == 1);
  const std::string log = rig.DaemonLog();
  for (const char* secret : {"fake-x-bearer", "abcd-efgh-ijkl-mnop"}) {
    CHECK(log.find(secret) == std::string::npos);
  }
}

}  // namespace
}  // namespace earshot::testing

namespace earshot::testing {
namespace {

TEST_CASE("Daemon: a Mastodon stream pages live and fills a dropped connection's gap",
          "[integration]") {
  DaemonRig rig("", R"(  - name: acmeair-fail-live
    type: mastodon
    mode: stream
    base_url: {fake}
    hashtag: AcmeAirFail
)");
  REQUIRE(rig.StartDaemon());
  REQUIRE(WaitUntil([&] { return rig.fake().open_streams() > 0; }, std::chrono::seconds(30)));
  const std::string live =
      rig.fake().AddStatus(Toot("lea", 60, "#AcmeAirFail lost my bag, nobody answers"));
  REQUIRE(rig.WaitForEscalations(1));

  rig.fake().DropStreams(/*mid_event=*/false);
  const std::string during =
      rig.fake().AddStatus(Toot("max", 70, "#AcmeAirFail cancelled without notice, no refund"));
  REQUIRE(rig.WaitForEscalations(2));
  CHECK(rig.StopDaemon() == 0);
  const std::vector<Escalation> all = rig.Escalations();
  REQUIRE(all.size() == 2);
  CHECK(all[0].posts[0].id == live);
  CHECK(all[1].posts[0].id == during);
}

}  // namespace
}  // namespace earshot::testing
