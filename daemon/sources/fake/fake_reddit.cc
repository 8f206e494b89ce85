#include "daemon/sources/fake/fake_reddit.h"

#include "daemon/sources/fake/fake_kit.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <set>

#include "daemon/base/json_escape.h"
#include "daemon/base/mutex.h"
#include "daemon/net/http_server.h"
#include "daemon/sources/mastodon/status_parser.h"

namespace earshot {
namespace {

using mastodon::LowerUtf8Latin;

std::string Q(std::string_view s) { return "\"" + JsonEscape(s) + "\""; }

std::string Base36(uint64_t n) {
  std::string out;
  do {
    out += "0123456789abcdefghijklmnopqrstuvwxyz"[n % 36];
    n /= 36;
  } while (n > 0);
  std::reverse(out.begin(), out.end());
  return out;
}

std::string Base64(std::string_view in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      out += kTable[(buf >> (bits - 6)) & 63];
      bits -= 6;
    }
  }
  if (bits > 0) out += kTable[(buf << (6 - bits)) & 63];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

HttpServerResponse Json(int status, std::string body) {
  HttpServerResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json; charset=UTF-8");
  r.body = std::move(body);
  return r;
}

struct Thing {
  uint64_t seq = 0;
  std::string kind, name, subreddit;  // subreddit lowercased
  std::string json;                   // {"kind":..., "data":{...}}
  std::string search_text;            // lowercased title + selftext (t3)
  bool deleted = false;
};

}  // namespace

class FakeReddit::Impl : public fake::FakeHttpApi {
 public:
  explicit Impl(FakeRedditOptions options)
      : options_(std::move(options)), clock_(options_.clock ? *options_.clock : RealClock()) {}

  std::string AddPost(const FakeRedditPost& p) {
    MutexLock lock(mu_);
    const uint64_t seq = ++seq_;
    const std::string id = Base36(kFirstId + seq);
    const std::string name = "t3_" + id;
    const std::string permalink = fmt::format("/r/{}/comments/{}/{}/", p.subreddit, id, "post");
    const double created = Created();
    std::string data = fmt::format(
        "{{\"subreddit\":{},\"selftext\":{},\"author_fullname\":\"t2_{}\",\"title\":{},"
        "\"name\":\"{}\",\"subreddit_name_prefixed\":{},\"score\":{},\"is_self\":true,"
        "\"domain\":{},\"created\":{:.1f},\"id\":\"{}\",\"author\":{},\"num_comments\":{},"
        "\"permalink\":{},\"url\":{},\"created_utc\":{:.1f},\"over_18\":false,\"edited\":false}}",
        Q(p.subreddit), Q(p.selftext), Base36(std::hash<std::string>{}(p.author) % 100000000),
        Q(p.title), name, Q("r/" + p.subreddit), p.score, Q("self." + p.subreddit), created, id,
        Q(p.author), p.num_comments, Q(permalink), Q("https://www.reddit.com" + permalink),
        created);
    Thing t;
    t.seq = seq;
    t.kind = "t3";
    t.name = name;
    t.subreddit = LowerUtf8Latin(p.subreddit);
    t.json = "{\"kind\":\"t3\",\"data\":" + data + "}";
    t.search_text = LowerUtf8Latin(p.title + "\n" + p.selftext);
    things_.push_back(std::move(t));
    return name;
  }

  std::string AddComment(const FakeRedditComment& c) {
    MutexLock lock(mu_);
    const uint64_t seq = ++seq_;
    const std::string id = Base36(kFirstId + seq);
    const std::string name = "t1_" + id;
    const std::string link_id = c.link.size() > 3 ? c.link.substr(3) : "0";
    const double created = Created();
    std::string data = fmt::format(
        "{{\"subreddit_id\":\"t5_2qh1i\",\"link_id\":{},\"author\":{},\"parent_id\":{},"
        "\"score\":{},\"id\":\"{}\",\"body\":{},\"name\":\"{}\",\"subreddit\":{},"
        "\"created\":{:.1f},\"created_utc\":{:.1f},\"edited\":false,\"permalink\":{}}}",
        Q(c.link), Q(c.author), Q(c.parent.empty() ? c.link : c.parent), c.score, id, Q(c.body),
        name, Q(c.subreddit), created, created,
        Q(fmt::format("/r/{}/comments/{}/post/{}/", c.subreddit, link_id, id)));
    Thing t;
    t.seq = seq;
    t.kind = "t1";
    t.name = name;
    t.subreddit = LowerUtf8Latin(c.subreddit);
    t.json = "{\"kind\":\"t1\",\"data\":" + data + "}";
    things_.push_back(std::move(t));
    return name;
  }

  std::string AddRaw(std::string kind, std::string data, std::string subreddit) {
    MutexLock lock(mu_);
    const uint64_t seq = ++seq_;
    const std::string id = Base36(kFirstId + seq);
    const std::string name = kind + "_" + id;
    for (size_t pos; (pos = data.find("$NAME")) != std::string::npos;) data.replace(pos, 5, name);
    for (size_t pos; (pos = data.find("$ID")) != std::string::npos;) data.replace(pos, 3, id);
    Thing t;
    t.seq = seq;
    t.kind = kind;
    t.name = name;
    t.subreddit = LowerUtf8Latin(subreddit);
    t.json = fmt::format("{{\"kind\":{},\"data\":{}}}", Q(kind), data);
    t.search_text = LowerUtf8Latin(t.json);
    things_.push_back(std::move(t));
    return name;
  }

  void Delete(const std::string& fullname) {
    MutexLock lock(mu_);
    for (Thing& t : things_) {
      if (t.name == fullname) t.deleted = true;
    }
  }
  void ExpireTokens() {
    MutexLock lock(mu_);
    tokens_.clear();
  }
  int token_grants() const {
    MutexLock lock(mu_);
    return grants_;
  }
  int rate_limited() const {
    MutexLock lock(mu_);
    return rate_limited_;
  }

 private:
  static constexpr uint64_t kFirstId = 36ULL * 36 * 36 * 36 * 36 * 10;

  double Created() const {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count());
  }

  bool Spend(HttpServerResponse* r) REQUIRES(mu_) {
    const SystemTime now = clock_.Now();
    const bool within = window_.Spend(now, options_.rate_window, options_.rate_limit);
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(*window_.end - now);
    r->headers.emplace_back("x-ratelimit-used", std::to_string(window_.used));
    r->headers.emplace_back(
        "x-ratelimit-remaining",
        fmt::format("{:.1f}", static_cast<double>(window_.remaining(options_.rate_limit))));
    r->headers.emplace_back("x-ratelimit-reset", std::to_string(left.count()));
    return within || !options_.enforce_rate_limit;
  }


  HttpServerResponse Route(const HttpServerRequest& req) override REQUIRES(mu_) {
    HttpServerResponse head;
    auto finish = [&](HttpServerResponse r) {
      r.headers.insert(r.headers.begin(), head.headers.begin(), head.headers.end());
      return r;
    };
    const HttpServerResponse unauthorized =
        Json(401, R"({"message": "Unauthorized", "error": 401})");
    if (req.path == "/api/v1/access_token") {
      ++grants_;
      if (req.method != "POST" || req.body != "grant_type=client_credentials") {
        return finish(Json(400, R"({"error": "unsupported_grant_type"})"));
      }
      if (req.Header("authorization") !=
          "Basic " + Base64(options_.client_id + ":" + options_.client_secret)) {
        return finish(unauthorized);
      }
      const std::string token = fmt::format("fake-reddit-token-{}", grants_);
      tokens_.insert(token);
      return finish(Json(200, fmt::format("{{\"access_token\": {}, \"token_type\": \"bearer\", "
                                          "\"expires_in\": {}, \"scope\": \"*\"}}",
                                          Q(token), options_.token_lifetime_seconds)));
    }
    const std::optional<FakeFault> fault = faults_.Take();
    const bool within = Spend(&head);
    if (fault && fault->kind == FakeFault::Kind::kUnauthorized) return finish(unauthorized);
    if (fault && fault->kind == FakeFault::Kind::kTooManyRequests) {
      for (auto& [name, value] : head.headers) {
        if (name == "x-ratelimit-remaining") value = "0.0";
      }
      return finish(Json(429, R"({"message": "Too Many Requests", "error": 429})"));
    }
    if (fault && fault->kind == FakeFault::Kind::kServerError) {
      HttpServerResponse r;
      r.status = 503;
      r.headers.emplace_back("Content-Type", "text/html");
      r.body = "<html><body><h1>all of our servers are busy right now</h1></body></html>";
      return finish(std::move(r));
    }
    const auto auth = req.Header("authorization");
    if (!auth || !auth->starts_with("Bearer ") ||
        tokens_.count(std::string(auth->substr(7))) == 0) {
      return finish(unauthorized);
    }
    if (!within) {
      ++rate_limited_;
      return finish(Json(429, R"({"message": "Too Many Requests", "error": 429})"));
    }
    HttpServerResponse r = Listing(req);
    fake::ApplyBodyFault(fault, &r);
    return finish(std::move(r));
  }

  HttpServerResponse Listing(const HttpServerRequest& req) REQUIRES(mu_) {
    std::string sub, kind;
    bool search = false;
    std::string_view path = req.path;
    if (path.starts_with("/r/")) {
      path.remove_prefix(3);
      const size_t slash = path.find('/');
      if (slash == std::string_view::npos)
        return Json(404, R"({"message": "Not Found", "error": 404})");
      sub = LowerUtf8Latin(path.substr(0, slash));
      path.remove_prefix(slash);
    }
    if (path == "/new" || path == "/new/") {
      kind = "t3";
    } else if (path == "/comments" || path == "/comments/") {
      kind = "t1";
    } else if (path == "/search" || path == "/search/") {
      kind = "t3";
      search = true;
      if (req.Param("restrict_sr") != "1" && req.Param("restrict_sr") != "true") sub.clear();
    } else {
      return Json(404, R"({"message": "Not Found", "error": 404})");
    }
    if (!search && sub.empty()) return Json(404, R"({"message": "Not Found", "error": 404})");
    int limit = 25;
    if (auto l = req.Param("limit")) {
      int v = 0;
      auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), v);
      if (ec == std::errc() && p == l->data() + l->size() && v > 0) limit = std::min(v, 100);
    }
    std::vector<std::string> terms;
    if (search) {
      const std::string q = LowerUtf8Latin(req.Param("q").value_or(""));
      size_t start = 0;
      while (start < q.size()) {
        size_t end = q.find(' ', start);
        if (end == std::string::npos) end = q.size();
        if (end > start) terms.push_back(q.substr(start, end - start));
        start = end + 1;
      }
    }
    std::vector<const Thing*> all;  // oldest first
    for (const Thing& t : things_) {
      if (t.deleted || t.kind != kind || (!sub.empty() && t.subreddit != sub)) continue;
      if (!std::all_of(terms.begin(), terms.end(), [&](const std::string& term) {
            return t.search_text.find(term) != std::string::npos;
          })) {
        continue;
      }
      all.push_back(&t);
    }
    auto index_of = [&](std::string_view name) -> std::optional<size_t> {
      for (size_t i = 0; i < all.size(); ++i) {
        if (all[i]->name == name) return i;
      }
      return std::nullopt;
    };
    std::vector<const Thing*> picked;
    const auto before = req.Param("before");
    const auto after = req.Param("after");
    if (before && !before->empty()) {
      const auto at = index_of(*before);
      if (at) {
        for (size_t i = *at + 1; i < all.size() && static_cast<int>(picked.size()) < limit; ++i) {
          picked.push_back(all[i]);
        }
        std::reverse(picked.begin(), picked.end());
      }
    } else {
      size_t end = all.size();
      if (after && !after->empty()) {
        const auto at = index_of(*after);
        end = at ? *at : 0;
      }
      for (size_t i = end; i > 0 && static_cast<int>(picked.size()) < limit; --i) {
        picked.push_back(all[i - 1]);
      }
    }
    std::string children;
    for (const Thing* t : picked) children += (children.empty() ? "" : ", ") + t->json;
    const std::string after_out =
        static_cast<int>(picked.size()) == limit ? Q(picked.back()->name) : "null";
    const std::string before_out =
        (before || after) && !picked.empty() ? Q(picked.front()->name) : "null";
    return Json(200, fmt::format("{{\"kind\": \"Listing\", \"data\": {{\"after\": {}, "
                                 "\"dist\": {}, \"modhash\": \"\", \"geo_filter\": null, "
                                 "\"children\": [{}], \"before\": {}}}}}",
                                 after_out, picked.size(), children, before_out));
  }

  FakeRedditOptions options_;
  Clock& clock_;

  std::vector<Thing> things_ GUARDED_BY(mu_);  // oldest first
  std::set<std::string> tokens_ GUARDED_BY(mu_);
  fake::RateWindow window_ GUARDED_BY(mu_);
  uint64_t seq_ GUARDED_BY(mu_) = 0;
  int grants_ GUARDED_BY(mu_) = 0;
  int rate_limited_ GUARDED_BY(mu_) = 0;
};

Result<std::unique_ptr<FakeReddit>> FakeReddit::Start(FakeRedditOptions options) {
  const uint16_t port = options.port;
  auto impl = std::make_unique<Impl>(std::move(options));
  EARSHOT_RETURN_IF_ERROR(impl->Start(port, "fake reddit"));
  return std::unique_ptr<FakeReddit>(new FakeReddit(std::move(impl)));
}

FakeReddit::FakeReddit(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FakeReddit::~FakeReddit() { Stop(); }
std::string FakeReddit::base_url() const { return impl_->base_url(); }
std::string FakeReddit::AddPost(const FakeRedditPost& post) { return impl_->AddPost(post); }
std::string FakeReddit::AddComment(const FakeRedditComment& c) { return impl_->AddComment(c); }
std::string FakeReddit::AddRaw(std::string kind, std::string data_json, std::string subreddit) {
  return impl_->AddRaw(std::move(kind), std::move(data_json), std::move(subreddit));
}
void FakeReddit::Delete(const std::string& fullname) { impl_->Delete(fullname); }
void FakeReddit::ExpireTokens() { impl_->ExpireTokens(); }
int FakeReddit::token_grants() const { return impl_->token_grants(); }
int FakeReddit::rate_limited() const { return impl_->rate_limited(); }
void FakeReddit::InjectFault(FakeFault fault) { impl_->InjectFault(fault); }
std::vector<RecordedRequest> FakeReddit::requests() const { return impl_->requests(); }
void FakeReddit::Stop() { impl_->Stop(); }

}  // namespace earshot
