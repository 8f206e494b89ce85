// Each network's page parser on one core: pages recorded over real HTTP from the fake of that
// network's API (the documented shapes: Mastodon Status entities, X v2 search with
// expansions=author_id, Bluesky postView[], Reddit Listing of t3 things), filled with 4,000
// DISTINCT posts taken from VADER's reference sentences, then parsed into normalized Posts.
// Distinct posts matter: one page parsed again and again would flatter simdjson and the
// branch predictors.
//
//   build/bench/earshot_bench_parsers [rounds]
//
// Prints, per network, posts/s and MB/s of parsing alone (no HTTP), best of `rounds`.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "daemon/net/curl_http_client.h"
#include "daemon/sources/bluesky/post_parser.h"
#include "daemon/sources/fake/fake_bluesky.h"
#include "daemon/sources/fake/fake_mastodon.h"
#include "daemon/sources/fake/fake_reddit.h"
#include "daemon/sources/fake/fake_x.h"
#include "daemon/sources/mastodon/status_parser.h"
#include "daemon/sources/reddit/listing_parser.h"
#include "daemon/sources/x/tweet_parser.h"

namespace earshot {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr size_t kPosts = 4000;

[[noreturn]] void Die(const std::string& what) {
  fmt::print(stderr, "earshot_bench_parsers: {}\n", what);
  std::exit(1);
}

template <class T>
T Must(Result<T> r, std::string_view what) {
  if (!r.ok()) Die(fmt::format("{}: {}", what, r.status().message()));
  return *std::move(r);
}

// Distinct sentences a customer could write, each mentioning the brand.
std::vector<std::string> Texts() {
  std::ifstream in(std::string(EARSHOT_SOURCE_DIR) + "/tests/data/vader/reference_scores.tsv");
  if (!in) Die("cannot read tests/data/vader/reference_scores.tsv");
  std::vector<std::string> texts;
  for (std::string line; texts.size() < kPosts && std::getline(in, line);) {
    const std::string text = line.substr(0, line.find('\t'));
    if (text.size() < 20 || text.find_first_of("\"\\") != std::string::npos) continue;
    texts.push_back(fmt::format("@AcmeAir {} #acmeair", text.substr(0, 240)));
  }
  return texts;
}

struct Recorded {
  std::vector<std::string> pages;
  size_t bytes = 0;
};

HttpResponse Get(HttpClient& http, const std::string& url,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpRequest req;
  req.url = url;
  req.headers = std::move(headers);
  HttpResponse resp = Must(http.Send(req, std::stop_token()), url);
  if (resp.status != 200) Die(fmt::format("HTTP {} from {}", resp.status, url));
  return resp;
}

void Keep(Recorded* r, std::string body) {
  r->bytes += body.size();
  r->pages.push_back(std::move(body));
}

Recorded RecordMastodon(HttpClient& http, const std::vector<std::string>& texts) {
  FakeMastodonOptions o;
  o.rate_limit = 1 << 30;
  auto fake = Must(FakeMastodon::Start(o), "fake Mastodon");
  for (size_t i = 0; i < texts.size(); ++i) {
    FakeStatus s;
    s.acct = i % 3 ? fmt::format("user{}@travel.example", i) : fmt::format("user{}", i);
    s.followers = static_cast<int64_t>(i * 37 % 200000);
    s.text = texts[i];
    fake->AddStatus(s);
  }
  Recorded r;
  mastodon::StatusParser parser("mastodon.example");
  std::string url = fake->base_url() + "/api/v1/timelines/tag/acmeair?limit=40";
  for (;;) {
    HttpResponse resp = Get(http, url);
    mastodon::ParsedPage page;
    if (!parser.ParseStatusPage(resp.body, &page).ok() || page.items == 0) break;
    Keep(&r, std::move(resp.body));
    url = fmt::format("{}/api/v1/timelines/tag/acmeair?limit=40&max_id={}", fake->base_url(),
                      *page.oldest_id);
  }
  fake->Stop();
  return r;
}

Recorded RecordX(HttpClient& http, const std::vector<std::string>& texts) {
  FakeXOptions o;
  o.rate_limit = 1 << 30;
  auto fake = Must(FakeX::Start(o), "fake X");
  for (size_t i = 0; i < texts.size(); ++i) {
    FakeTweet t;
    t.username = fmt::format("user{}", i);
    t.followers = static_cast<int64_t>(i * 37 % 200000);
    t.text = texts[i];
    fake->AddTweet(t);
  }
  Recorded r;
  x::TweetParser parser;
  const std::string base = fake->base_url() +
                           "/2/tweets/search/recent?query=acmeair&max_results=100"
                           "&tweet.fields=created_at,conversation_id,lang,public_metrics,entities,"
                           "in_reply_to_user_id,referenced_tweets&expansions=author_id"
                           "&user.fields=public_metrics,username,name";
  std::string url = base;
  for (;;) {
    HttpResponse resp = Get(http, url, {{"Authorization", "Bearer " + o.bearer_token}});
    x::ParsedTweetPage page;
    if (!parser.ParsePage(resp.body, &page).ok() || page.items == 0) break;
    Keep(&r, std::move(resp.body));
    if (!page.next_token) break;
    url = base + "&next_token=" + *page.next_token;
  }
  fake->Stop();
  return r;
}

Recorded RecordBluesky(HttpClient& http, const std::vector<std::string>& texts) {
  FakeBlueskyOptions o;
  o.rate_limit = 1 << 30;
  auto fake = Must(FakeBluesky::Start(o), "fake Bluesky");
  for (size_t i = 0; i < texts.size(); ++i) {
    FakeBskyPost p;
    p.handle = fmt::format("user{}.bsky.social", i);
    p.text = texts[i];
    fake->AddPost(p);
  }
  HttpRequest login;
  login.method = "POST";
  login.url = fake->base_url() + "/xrpc/com.atproto.server.createSession";
  login.headers = {{"Content-Type", "application/json"}};
  login.body = fmt::format(R"({{"identifier":"{}","password":"{}"}})", o.identifier,
                           o.app_password);
  HttpResponse session = Must(http.Send(login, std::stop_token()), "createSession");
  bluesky::PostParser parser;
  bluesky::Session jwt;
  if (session.status != 200 || !parser.ParseSession(session.body, &jwt).ok()) {
    Die("createSession failed");
  }
  Recorded r;
  const std::string base = fake->base_url() +
                           "/xrpc/app.bsky.feed.searchPosts?q=acmeair&sort=latest&limit=100";
  std::string url = base;
  for (;;) {
    HttpResponse resp = Get(http, url, {{"Authorization", "Bearer " + jwt.access_jwt}});
    bluesky::ParsedSearchPage page;
    if (!parser.ParseSearchPage(resp.body, &page).ok() || page.count == 0) break;
    Keep(&r, std::move(resp.body));
    if (!page.cursor) break;
    url = base + "&cursor=" + *page.cursor;
  }
  fake->Stop();
  return r;
}

Recorded RecordReddit(HttpClient& http, const std::vector<std::string>& texts) {
  FakeRedditOptions o;
  o.rate_limit = 1 << 30;
  auto fake = Must(FakeReddit::Start(o), "fake Reddit");
  for (size_t i = 0; i < texts.size(); ++i) {
    FakeRedditPost p;
    p.author = fmt::format("user{}", i);
    p.title = texts[i].substr(0, 120);
    p.selftext = texts[i];
    fake->AddPost(p);
  }
  HttpRequest grant;
  grant.method = "POST";
  grant.url = fake->base_url() + "/api/v1/access_token";
  grant.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  grant.body = "grant_type=client_credentials";
  // HTTP Basic client_id:client_secret, as the fake's defaults.
  const std::string basic = "ZmFrZS1jbGllbnQtaWQ6ZmFrZS1jbGllbnQtc2VjcmV0";
  grant.headers.emplace_back("Authorization", "Basic " + basic);
  HttpResponse token_resp = Must(http.Send(grant, std::stop_token()), "access_token");
  reddit::ListingParser parser;
  std::string token;
  int64_t expires = 0;
  if (token_resp.status != 200 || !parser.ParseToken(token_resp.body, &token, &expires).ok()) {
    Die("access_token failed");
  }
  Recorded r;
  const std::string base = fake->base_url() + "/r/acmeair/new?limit=100&raw_json=1";
  std::string url = base;
  for (;;) {
    HttpResponse resp = Get(http, url, {{"Authorization", "Bearer " + token}});
    reddit::ParsedListing page;
    if (!parser.ParseListing(resp.body, &page).ok() || page.items == 0) break;
    Keep(&r, std::move(resp.body));
    if (!page.after) break;
    url = base + "&after=" + *page.after;
  }
  fake->Stop();
  return r;
}

// Parses every page once per round; returns the best round's seconds and the posts parsed.
std::pair<double, size_t> Time(const Recorded& r, int rounds,
                               const std::function<size_t(const std::string&)>& parse) {
  double best = 1e9;
  size_t posts = 0;
  for (int round = 0; round < rounds; ++round) {
    size_t n = 0;
    const auto start = SteadyClock::now();
    for (const std::string& page : r.pages) n += parse(page);
    best = std::min(best, std::chrono::duration<double>(SteadyClock::now() - start).count());
    posts = n;
  }
  return {best, posts};
}

void Report(std::string_view network, const Recorded& r, std::pair<double, size_t> t) {
  fmt::print("{:<9} {:>5} posts in {:>3} pages ({:>5.1f} MB)  {:>9.0f} posts/s  {:>6.0f} MB/s\n",
             network, t.second, r.pages.size(), r.bytes / 1e6, t.second / t.first,
             r.bytes / 1e6 / t.first);
}

int Main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const std::vector<std::string> texts = Texts();
  auto http = Must(CurlHttpClient::Create({.user_agent = "earshot-bench"}), "curl");
  fmt::print("earshot_bench_parsers: {} distinct posts per network, best of {} rounds\n",
             texts.size(), rounds);

  const Recorded mastodon = RecordMastodon(*http, texts);
  mastodon::StatusParser mp("mastodon.example");
  Report("mastodon", mastodon, Time(mastodon, rounds, [&](const std::string& body) {
           mastodon::ParsedPage page;
           (void)mp.ParseStatusPage(body, &page);
           return page.posts.size();
         }));
  const Recorded xr = RecordX(*http, texts);
  x::TweetParser xp;
  Report("x", xr, Time(xr, rounds, [&](const std::string& body) {
           x::ParsedTweetPage page;
           (void)xp.ParsePage(body, &page);
           return page.posts.size();
         }));
  const Recorded bsky = RecordBluesky(*http, texts);
  bluesky::PostParser bp;
  Report("bluesky", bsky, Time(bsky, rounds, [&](const std::string& body) {
           bluesky::ParsedSearchPage page;
           (void)bp.ParseSearchPage(body, &page);
           return page.items.size();
         }));
  const Recorded reddit = RecordReddit(*http, texts);
  reddit::ListingParser rp;
  Report("reddit", reddit, Time(reddit, rounds, [&](const std::string& body) {
           reddit::ParsedListing page;
           (void)rp.ParseListing(body, &page);
           return page.posts.size();
         }));
  return 0;
}

}  // namespace
}  // namespace earshot

int main(int argc, char** argv) { return earshot::Main(argc, argv); }
