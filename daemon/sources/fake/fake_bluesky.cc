#include "daemon/sources/fake/fake_bluesky.h"

#include "daemon/sources/fake/fake_kit.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <deque>
#include <map>
#include <set>

#include "daemon/base/json_escape.h"
#include "daemon/base/mutex.h"
#include "daemon/net/http_server.h"
#include "daemon/sources/mastodon/status_parser.h"

namespace earshot {
namespace {

using mastodon::LowerUtf8Latin;

std::string Q(std::string_view s) { return "\"" + JsonEscape(s) + "\""; }

HttpServerResponse Json(int status, std::string body) {
  HttpServerResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  r.body = std::move(body);
  return r;
}

HttpServerResponse Error(int status, std::string_view name, std::string_view message) {
  return Json(status, fmt::format("{{\"error\":{},\"message\":{}}}", Q(name), Q(message)));
}

// A TID-like record key: 13 characters of base32-sortable.
std::string Tid(uint64_t n) {
  static constexpr char kAlphabet[] = "234567abcdefghijklmnopqrstuvwxyz";
  std::string out(13, '2');
  for (int i = 12; i >= 0 && n > 0; --i) {
    out[static_cast<size_t>(i)] = kAlphabet[n % 32];
    n /= 32;
  }
  out[0] = '3';
  return out;
}

bool TagByte(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }
bool HandleByte(unsigned char c) { return std::isalnum(c) || c == '.' || c == '-'; }

struct Account {
  std::string did, handle, display_name;
  int64_t followers = 0;
  bool gone = false;
};

struct Entry {
  uint64_t seq = 0;
  std::string uri;
  std::string json;
  std::string search_text;        // lowercased text
  std::vector<std::string> tags;  // lowercased
  SystemTime sort_at{};
};

// One entry of the session account's notifications.
struct Notification {
  uint64_t seq = 0;
  std::string json;
  SystemTime sort_at{};
};

struct PageToken {
  std::string q, since;  // notifications: q = "notifications:<did>"
  SystemTime sort_at{};
  uint64_t seq = 0;
};

}  // namespace

class FakeBluesky::Impl : public fake::FakeHttpApi {
 public:
  explicit Impl(FakeBlueskyOptions options)
      : options_(std::move(options)), clock_(options_.clock ? *options_.clock : RealClock()) {}

  std::string AddPost(const FakeBskyPost& p) {
    MutexLock lock(mu_);
    Account& a = AccountFor(p.handle);
    a.display_name = p.display_name;
    a.followers = p.followers;
    a.gone = p.account_gone;
    const uint64_t seq = ++seq_;
    const std::string uri = fmt::format("at://{}/app.bsky.feed.post/{}", a.did, Tid(seq * 1024));
    const SystemTime now = clock_.Now();
    const SystemTime created = p.created_at.value_or(now);
    const SystemTime indexed = p.indexed_at.value_or(now);
    // Facets with UTF-8 byte offsets.
    std::string facets;
    std::vector<std::string> tags, mentioned;
    const std::string& t = p.text;
    for (size_t i = 0; i < t.size(); ++i) {
      const char c = t[i];
      if ((c != '#' && c != '@') ||
          (i > 0 && !std::isspace(static_cast<unsigned char>(t[i - 1])))) {
        continue;
      }
      size_t j = i + 1;
      while (j < t.size() && (c == '#' ? TagByte(static_cast<unsigned char>(t[j]))
                                       : HandleByte(static_cast<unsigned char>(t[j])))) {
        ++j;
      }
      while (c == '@' && j > i + 1 && t[j - 1] == '.') --j;
      if (j == i + 1) continue;
      const std::string word = t.substr(i + 1, j - i - 1);
      std::string feature;
      if (c == '#') {
        feature = fmt::format("{{\"$type\":\"app.bsky.richtext.facet#tag\",\"tag\":{}}}", Q(word));
        tags.push_back(LowerUtf8Latin(word));
      } else {
        feature = fmt::format("{{\"$type\":\"app.bsky.richtext.facet#mention\",\"did\":{}}}",
                              Q(AccountFor(word).did));
        mentioned.push_back(LowerUtf8Latin(word));
      }
      if (!facets.empty()) facets += ",";
      facets += fmt::format("{{\"index\":{{\"byteStart\":{},\"byteEnd\":{}}},\"features\":[{}]}}",
                            i, j, feature);
      i = j - 1;
    }
    std::string langs;
    for (const auto& l : p.langs) langs += (langs.empty() ? "" : ",") + Q(l);
    std::string reply;
    if (!p.reply_to.empty()) {
      std::string root = p.reply_to;
      if (auto it = roots_.find(p.reply_to); it != roots_.end()) root = it->second;
      reply = fmt::format(
          ",\"reply\":{{\"root\":{{\"uri\":{},\"cid\":\"bafyreiroot\"}},"
          "\"parent\":{{\"uri\":{},\"cid\":\"bafyreiparent\"}}}}",
          Q(root), Q(p.reply_to));
      roots_[uri] = root;
    } else {
      roots_[uri] = uri;
    }
    std::string embed;
    if (!p.quote_of.empty()) {
      embed = fmt::format(
          ",\"embed\":{{\"$type\":\"app.bsky.embed.record\",\"record\":{{\"uri\":{},"
          "\"cid\":\"bafyreiquoted\"}}}}",
          Q(p.quote_of));
    }
    const std::string record = fmt::format(
        "{{\"$type\":\"app.bsky.feed.post\",\"text\":{text},\"createdAt\":\"{created}\","
        "\"langs\":[{langs}]{facets}{reply}{embed}}}",
        fmt::arg("text", p.text_json.empty() ? Q(t) : p.text_json),
        fmt::arg("created", FormatIso8601(created)),
        fmt::arg("langs", langs),
        fmt::arg("facets", facets.empty() ? "" : ",\"facets\":[" + facets + "]"),
        fmt::arg("reply", reply), fmt::arg("embed", embed));
    const std::string author = AuthorView(a);
    Entry e;
    e.seq = seq;
    e.uri = uri;
    e.json = fmt::format(
        "{{\"uri\":{uri},\"cid\":\"bafyreicid{seq}\",\"author\":{author},\"record\":{record},"
        "\"replyCount\":{rp},\"repostCount\":{rt},\"likeCount\":{lk},\"quoteCount\":{qt},"
        "\"indexedAt\":\"{indexed}\",\"labels\":[]}}",
        fmt::arg("uri", Q(uri)), fmt::arg("seq", seq), fmt::arg("author", author),
        fmt::arg("record", record), fmt::arg("rp", p.replies), fmt::arg("rt", p.reposts),
        fmt::arg("lk", p.likes), fmt::arg("qt", p.quotes),
        fmt::arg("indexed", FormatIso8601(indexed)));
    e.search_text = LowerUtf8Latin(t);
    e.tags = std::move(tags);
    e.sort_at = std::min(created, indexed);
    // The session account hears of replies to its posts, quotes of them, and mentions; a reply
    // that also mentions it is one `reply`, as Bluesky sends.
    const Account& me = AccountFor(options_.identifier);
    const std::string mine = "at://" + me.did + "/";
    std::string reason, subject;
    if (a.did != me.did) {
      if (!p.reply_to.empty() && p.reply_to.starts_with(mine)) {
        reason = "reply";
        subject = p.reply_to;
      } else if (!p.quote_of.empty() && p.quote_of.starts_with(mine)) {
        reason = "quote";
        subject = p.quote_of;
      } else if (std::find(mentioned.begin(), mentioned.end(), me.handle) != mentioned.end()) {
        reason = "mention";
      }
    }
    if (!reason.empty()) {
      Notify(uri, fmt::format("bafyreicid{}", seq), author, reason, subject, record, e.sort_at);
    }
    entries_.push_back(std::move(e));
    // The relay (Jetstream) carries the same record, by the author's DID.
    if (options_.relay) options_.relay(a.did, uri.substr(uri.rfind('/') + 1), record);
    return uri;
  }

  std::string AddLike(const std::string& handle, const std::string& subject_uri) {
    MutexLock lock(mu_);
    const Account& a = AccountFor(handle);
    const uint64_t seq = ++seq_;
    const std::string uri = fmt::format("at://{}/app.bsky.feed.like/{}", a.did, Tid(seq * 1024));
    const SystemTime now = clock_.Now();
    Notify(uri, fmt::format("bafyreilike{}", seq), AuthorView(a), "like", subject_uri,
           fmt::format("{{\"$type\":\"app.bsky.feed.like\",\"subject\":{{\"uri\":{},\"cid\":"
                       "\"bafyreisubject\"}},\"createdAt\":\"{}\"}}",
                       Q(subject_uri), FormatIso8601(now)),
           now);
    return uri;
  }

  std::string AddFollow(const std::string& handle) {
    MutexLock lock(mu_);
    const Account& a = AccountFor(handle);
    const Account& me = AccountFor(options_.identifier);
    const uint64_t seq = ++seq_;
    const std::string uri =
        fmt::format("at://{}/app.bsky.graph.follow/{}", a.did, Tid(seq * 1024));
    const SystemTime now = clock_.Now();
    Notify(uri, fmt::format("bafyreifollow{}", seq), AuthorView(a), "follow", "",
           fmt::format("{{\"$type\":\"app.bsky.graph.follow\",\"subject\":{},\"createdAt\":"
                       "\"{}\"}}",
                       Q(me.did), FormatIso8601(now)),
           now);
    return uri;
  }

  std::string AddRawPost(std::string json, std::string search_text) {
    MutexLock lock(mu_);
    const uint64_t seq = ++seq_;
    const std::string uri =
        fmt::format("at://did:plc:rawposter/app.bsky.feed.post/{}", Tid(seq * 1024));
    for (size_t pos; (pos = json.find("$URI")) != std::string::npos;) json.replace(pos, 4, uri);
    Entry e;
    e.seq = seq;
    e.uri = uri;
    e.json = std::move(json);
    e.search_text = LowerUtf8Latin(search_text);
    e.sort_at = clock_.Now();
    entries_.push_back(std::move(e));
    return uri;
  }

  void ExpireAccessTokens() {
    MutexLock lock(mu_);
    for (const auto& t : access_) expired_.insert(t);
    access_.clear();
  }
  void RevokeSessions() {
    MutexLock lock(mu_);
    access_.clear();
    refresh_.clear();
    expired_.clear();
  }
  int logins() const {
    MutexLock lock(mu_);
    return logins_;
  }
  int refreshes() const {
    MutexLock lock(mu_);
    return refreshes_;
  }
  int profile_calls() const {
    MutexLock lock(mu_);
    return profile_calls_;
  }
  int notification_calls() const {
    MutexLock lock(mu_);
    return notification_calls_;
  }
  int rate_limited() const {
    MutexLock lock(mu_);
    return rate_limited_;
  }

 private:
  Account& AccountFor(const std::string& handle) REQUIRES(mu_) {
    const std::string key = LowerUtf8Latin(handle);
    auto it = accounts_.find(key);
    if (it == accounts_.end()) {
      Account a;
      a.did = fmt::format("did:plc:fake{:020}", accounts_.size() + 1);
      a.handle = key;
      it = accounts_.emplace(key, std::move(a)).first;
    }
    return it->second;
  }

  // A profileView (as postView and notifications carry it: no counts). Requires mu_.
  static std::string AuthorView(const Account& a) {
    return fmt::format(
        "{{\"did\":{did},\"handle\":{handle}{display},\"avatar\":\"https://cdn.bsky.app/img/"
        "avatar/plain/{did_raw}/x@jpeg\",\"labels\":[],\"createdAt\":\"2023-04-01T00:00:00.000Z\"}}",
        fmt::arg("did", Q(a.did)), fmt::arg("handle", Q(a.handle)),
        fmt::arg("display", a.display_name.empty() ? "" : ",\"displayName\":" + Q(a.display_name)),
        fmt::arg("did_raw", a.did));
  }

  // Adds one notification for the session account.
  void Notify(const std::string& uri, const std::string& cid, const std::string& author,
              const std::string& reason, const std::string& subject, const std::string& record,
              SystemTime sort_at) REQUIRES(mu_) {
    Notification n;
    n.seq = seq_;
    n.sort_at = sort_at;
    n.json = fmt::format(
        "{{\"uri\":{},\"cid\":{},\"author\":{},\"reason\":{}{},\"record\":{},\"isRead\":"
        "false,\"indexedAt\":\"{}\",\"labels\":[]}}",
        Q(uri), Q(cid), author, Q(reason),
        subject.empty() ? "" : ",\"reasonSubject\":" + Q(subject), record, FormatIso8601(sort_at));
    notifications_.push_back(std::move(n));
  }

  // Counts one request in `w` and adds the ratelimit headers.
  bool Spend(fake::RateWindow* w, int limit, std::chrono::seconds length, HttpServerResponse* r)
      REQUIRES(mu_) {
    const bool within = w->Spend(clock_.Now(), length, limit);
    r->headers.emplace_back("ratelimit-limit", std::to_string(limit));
    r->headers.emplace_back("ratelimit-remaining", std::to_string(w->remaining(limit)));
    r->headers.emplace_back("ratelimit-reset", std::to_string(w->end_epoch_seconds()));
    r->headers.emplace_back("ratelimit-policy", fmt::format("{};w={}", limit, length.count()));
    return within;
  }

  std::string NewSession() REQUIRES(mu_) {
    ++sessions_;
    const std::string access = fmt::format("eyJhbGciOiJFUzI1NksifQ.access{}.sig", sessions_);
    const std::string refresh = fmt::format("eyJhbGciOiJFUzI1NksifQ.refresh{}.sig", sessions_);
    access_.insert(access);
    refresh_.insert(refresh);
    const Account& me = AccountFor(options_.identifier);
    return fmt::format(
        "{{\"accessJwt\":{},\"refreshJwt\":{},\"handle\":{},\"did\":{},"
        "\"active\":true}}",
        Q(access), Q(refresh), Q(me.handle), Q(me.did));
  }

  std::string Bearer(const HttpServerRequest& req) const {
    auto h = req.Header("authorization");
    if (!h || !h->starts_with("Bearer ")) return "";
    return std::string(h->substr(7));
  }

  HttpServerResponse Route(const HttpServerRequest& req) override REQUIRES(mu_) {
    HttpServerResponse head;
    auto finish = [&](HttpServerResponse r) {
      r.headers.insert(r.headers.begin(), head.headers.begin(), head.headers.end());
      return r;
    };
    if (req.path == "/xrpc/com.atproto.server.createSession") {
      ++logins_;
      if (!Spend(&login_window_, options_.login_limit, std::chrono::seconds(300), &head)) {
        ++rate_limited_;
        return finish(Error(429, "RateLimitExceeded", "Rate Limit Exceeded"));
      }
      simdjson::dom::parser parser;
      simdjson::dom::element body;
      std::string_view id, pw;
      if (req.method != "POST" || parser.parse(req.body).get(body) || body["identifier"].get(id) ||
          body["password"].get(pw)) {
        return finish(Error(400, "InvalidRequest", "Input must have the property \"identifier\""));
      }
      if (id != options_.identifier || pw != options_.app_password) {
        return finish(Error(401, "AuthenticationRequired", "Invalid identifier or password"));
      }
      return finish(Json(200, NewSession()));
    }
    if (req.path == "/xrpc/com.atproto.server.refreshSession") {
      ++refreshes_;
      const std::string token = Bearer(req);
      if (refresh_.erase(token) == 0) {
        return finish(Error(400, "ExpiredToken", "Token has been revoked"));
      }
      return finish(Json(200, NewSession()));
    }

    const std::optional<FakeFault> fault = faults_.Take();
    const bool within = Spend(&app_window_, options_.rate_limit, options_.rate_window, &head);
    if (fault && fault->kind == FakeFault::Kind::kUnauthorized) {
      return finish(Error(401, "InvalidToken", "Token could not be verified"));
    }
    if (fault && fault->kind == FakeFault::Kind::kTooManyRequests) {
      for (auto& [name, value] : head.headers) {
        if (name == "ratelimit-remaining") value = "0";
      }
      return finish(Error(429, "RateLimitExceeded", "Rate Limit Exceeded"));
    }
    if (fault && fault->kind == FakeFault::Kind::kServerError) {
      return finish(Error(502, "UpstreamFailure", "Upstream Failure"));
    }
    const std::string token = Bearer(req);
    // getProfiles without a token is the public AppView's (public.api.bsky.app) answer.
    const bool public_read = token.empty() && req.path == "/xrpc/app.bsky.actor.getProfiles";
    if (token.empty() && !public_read) {
      return finish(Error(401, "AuthenticationRequired", "Authentication Required"));
    }
    if (!public_read) {
      if (expired_.count(token) > 0) {
        return finish(Error(400, "ExpiredToken", "Token has expired"));
      }
      if (access_.count(token) == 0) {
        return finish(Error(401, "InvalidToken", "Token could not be verified"));
      }
    }
    if (options_.enforce_rate_limit && !within) {
      ++rate_limited_;
      return finish(Error(429, "RateLimitExceeded", "Rate Limit Exceeded"));
    }
    HttpServerResponse r;
    if (req.path == "/xrpc/app.bsky.feed.searchPosts") {
      r = Search(req);
    } else if (req.path == "/xrpc/app.bsky.actor.getProfiles") {
      ++profile_calls_;
      r = Profiles(req);
    } else if (req.path == "/xrpc/app.bsky.notification.listNotifications") {
      ++notification_calls_;
      r = ListNotifications(req);
    } else {
      return finish(Error(501, "MethodNotImplemented", "Method Not Implemented"));
    }
    fake::ApplyBodyFault(fault, &r);
    return finish(std::move(r));
  }

  HttpServerResponse Search(const HttpServerRequest& req) REQUIRES(mu_) {
    const auto q = req.Param("q");
    if (!q || q->empty())
      return Error(400, "InvalidRequest", "Params must have the property \"q\"");
    int limit = 25;
    if (auto l = req.Param("limit")) {
      auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
      if (ec != std::errc() || p != l->data() + l->size() || limit < 1 || limit > 100) {
        return Error(400, "InvalidRequest", "limit must be between 1 and 100");
      }
    }
    const std::string since(req.Param("since").value_or(""));
    std::optional<SystemTime> since_t;
    if (!since.empty()) {
      since_t = ParseIso8601(since.size() == 10 ? since + "T00:00:00Z" : since);
      if (!since_t) return Error(400, "InvalidRequest", "since must be a datetime");
    }
    std::optional<PageToken> after;
    if (auto c = req.Param("cursor")) {
      auto it = tokens_.find(std::string(*c));
      if (it == tokens_.end() || it->second.q != *q || it->second.since != since) {
        return Error(400, "InvalidRequest", "invalid cursor");
      }
      after = it->second;
    }
    std::vector<std::string> terms, tag_terms;
    {
      const std::string lower = LowerUtf8Latin(*q);
      size_t start = 0;
      while (start < lower.size()) {
        size_t end = lower.find(' ', start);
        if (end == std::string::npos) end = lower.size();
        std::string term = lower.substr(start, end - start);
        start = end + 1;
        if (term.empty()) continue;
        if (term.front() == '#') {
          tag_terms.push_back(term.substr(1));
        } else {
          terms.push_back(std::move(term));
        }
      }
    }
    std::vector<const Entry*> order;
    for (const Entry& e : entries_) order.push_back(&e);
    std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
      return a->sort_at != b->sort_at ? a->sort_at > b->sort_at : a->seq > b->seq;
    });
    std::vector<const Entry*> picked;
    bool more = false;
    for (const Entry* e : order) {
      if (since_t && e->sort_at < *since_t) continue;
      if (after &&
          (e->sort_at > after->sort_at || (e->sort_at == after->sort_at && e->seq >= after->seq))) {
        continue;
      }
      const bool match = std::all_of(terms.begin(), terms.end(),
                                     [&](const std::string& t) {
                                       return e->search_text.find(t) != e->search_text.npos;
                                     }) &&
                         std::all_of(tag_terms.begin(), tag_terms.end(), [&](const std::string& t) {
                           return std::find(e->tags.begin(), e->tags.end(), t) != e->tags.end();
                         });
      if (!match) continue;
      if (static_cast<int>(picked.size()) == limit) {
        more = true;
        break;
      }
      picked.push_back(e);
    }
    std::string posts;
    for (const Entry* e : picked) posts += (posts.empty() ? "" : ",") + e->json;
    std::string cursor;
    if (more) {
      const std::string token = fmt::format("{}::{}", ++token_counter_ * 7919, picked.size());
      tokens_[token] =
          PageToken{std::string(*q), since, picked.back()->sort_at, picked.back()->seq};
      cursor = ",\"cursor\":" + Q(token);
    }
    return Json(200,
                fmt::format("{{\"posts\":[{}]{},\"hitsTotal\":{}}}", posts, cursor, picked.size()));
  }

  HttpServerResponse ListNotifications(const HttpServerRequest& req) REQUIRES(mu_) {
    int limit = 50;
    if (auto l = req.Param("limit")) {
      auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
      if (ec != std::errc() || p != l->data() + l->size() || limit < 1 || limit > 100) {
        return Error(400, "InvalidRequest", "limit must be between 1 and 100");
      }
    }
    const std::string key = "notifications:" + AccountFor(options_.identifier).did;
    std::optional<PageToken> after;
    if (auto c = req.Param("cursor")) {
      auto it = tokens_.find(std::string(*c));
      if (it == tokens_.end() || it->second.q != key) {
        return Error(400, "InvalidRequest", "invalid cursor");
      }
      after = it->second;
    }
    std::vector<const Notification*> order;
    for (const Notification& n : notifications_) order.push_back(&n);
    std::sort(order.begin(), order.end(), [](const Notification* a, const Notification* b) {
      return a->sort_at != b->sort_at ? a->sort_at > b->sort_at : a->seq > b->seq;
    });
    std::vector<const Notification*> picked;
    bool more = false;
    for (const Notification* n : order) {
      if (after &&
          (n->sort_at > after->sort_at || (n->sort_at == after->sort_at && n->seq >= after->seq))) {
        continue;
      }
      if (static_cast<int>(picked.size()) == limit) {
        more = true;
        break;
      }
      picked.push_back(n);
    }
    std::string out;
    for (const Notification* n : picked) out += (out.empty() ? "" : ",") + n->json;
    std::string cursor;
    if (more) {
      const std::string token = FormatIso8601(picked.back()->sort_at) +
                                fmt::format("::{}", ++token_counter_ * 7919);
      tokens_[token] = PageToken{key, "", picked.back()->sort_at, picked.back()->seq};
      cursor = ",\"cursor\":" + Q(token);
    }
    return Json(200, fmt::format("{{\"notifications\":[{}]{},\"priority\":false,\"seenAt\":"
                                 "\"2023-04-01T00:00:00.000Z\"}}",
                                 out, cursor));
  }

  HttpServerResponse Profiles(const HttpServerRequest& req) REQUIRES(mu_) {
    const auto actors = req.Params("actors");
    if (actors.empty() || actors.size() > 25) {
      return Error(400, "InvalidRequest", "actors must hold 1 to 25 items");
    }
    std::string out;
    for (std::string_view actor : actors) {
      for (const auto& [key, a] : accounts_) {
        if ((a.did == actor || a.handle == actor) && !a.gone) {
          out += (out.empty() ? "" : ",") +
                 fmt::format(
                     "{{\"did\":{},\"handle\":{}{},\"followersCount\":{},"
                     "\"followsCount\":42,\"postsCount\":100,\"labels\":[]}}",
                     Q(a.did), Q(a.handle),
                     a.display_name.empty() ? "" : ",\"displayName\":" + Q(a.display_name),
                     a.followers);
        }
      }
    }
    return Json(200, "{\"profiles\":[" + out + "]}");
  }

  FakeBlueskyOptions options_;
  Clock& clock_;

  std::map<std::string, Account> accounts_ GUARDED_BY(mu_);  // by lowercased handle
  std::vector<Entry> entries_ GUARDED_BY(mu_);
  std::vector<Notification> notifications_ GUARDED_BY(mu_);  // the session account's
  std::map<std::string, std::string> roots_ GUARDED_BY(mu_);  // uri -> thread root uri
  std::map<std::string, PageToken> tokens_ GUARDED_BY(mu_);
  std::set<std::string> access_ GUARDED_BY(mu_);
  std::set<std::string> refresh_ GUARDED_BY(mu_);
  std::set<std::string> expired_ GUARDED_BY(mu_);
  fake::RateWindow app_window_ GUARDED_BY(mu_);
  fake::RateWindow login_window_ GUARDED_BY(mu_);
  uint64_t seq_ GUARDED_BY(mu_) = 0;
  uint64_t token_counter_ GUARDED_BY(mu_) = 0;
  int sessions_ = 0, logins_ = 0, refreshes_ = 0, profile_calls_ = 0, rate_limited_ = 0;
  int notification_calls_ = 0;
};

Result<std::unique_ptr<FakeBluesky>> FakeBluesky::Start(FakeBlueskyOptions options) {
  const uint16_t port = options.port;
  auto impl = std::make_unique<Impl>(std::move(options));
  EARSHOT_RETURN_IF_ERROR(impl->Start(port, "fake bluesky"));
  return std::unique_ptr<FakeBluesky>(new FakeBluesky(std::move(impl)));
}

FakeBluesky::FakeBluesky(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FakeBluesky::~FakeBluesky() { Stop(); }
std::string FakeBluesky::base_url() const { return impl_->base_url(); }
std::string FakeBluesky::AddPost(const FakeBskyPost& post) { return impl_->AddPost(post); }
std::string FakeBluesky::AddRawPost(std::string json, std::string search_text) {
  return impl_->AddRawPost(std::move(json), std::move(search_text));
}
void FakeBluesky::ExpireAccessTokens() { impl_->ExpireAccessTokens(); }
void FakeBluesky::RevokeSessions() { impl_->RevokeSessions(); }
int FakeBluesky::logins() const { return impl_->logins(); }
int FakeBluesky::refreshes() const { return impl_->refreshes(); }
int FakeBluesky::profile_calls() const { return impl_->profile_calls(); }
int FakeBluesky::notification_calls() const { return impl_->notification_calls(); }
std::string FakeBluesky::AddLike(const std::string& handle, const std::string& subject_uri) {
  return impl_->AddLike(handle, subject_uri);
}
std::string FakeBluesky::AddFollow(const std::string& handle) { return impl_->AddFollow(handle); }
int FakeBluesky::rate_limited() const { return impl_->rate_limited(); }
void FakeBluesky::InjectFault(FakeFault fault) { impl_->InjectFault(fault); }
std::vector<RecordedRequest> FakeBluesky::requests() const { return impl_->requests(); }
void FakeBluesky::Stop() { impl_->Stop(); }

}  // namespace earshot
