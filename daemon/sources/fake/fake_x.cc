#include "daemon/sources/fake/fake_x.h"

#include "daemon/sources/fake/fake_kit.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <thread>

#include "daemon/base/json_escape.h"
#include "daemon/base/mutex.h"
#include "daemon/net/http_server.h"
#include "daemon/sources/mastodon/status_parser.h"

namespace earshot {
namespace {

using mastodon::LowerUtf8Latin;

constexpr uint64_t kFirstTweetId = 1700000000000000000ULL;

std::string Q(std::string_view s) { return "\"" + JsonEscape(s) + "\""; }

bool WordByte(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

// X escapes these three in tweet text.
std::string EscapeText(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

// Code points in s[0, bytes).
size_t CodePoints(std::string_view s, size_t bytes) {
  size_t n = 0;
  for (size_t i = 0; i < bytes && i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}

struct Tweet {
  uint64_t id = 0;
  std::string json;         // the tweet object
  std::string author_id;    // "" = no includes entry
  std::string user_json;    // includes.users entry
  std::string search_text;  // lowercased
  std::vector<std::string> mentioned;  // lowercased usernames @-mentioned in the text
  bool retweet = false;
};

// Lowercased usernames after '@' in text (word-bounded, as X's entities).
std::vector<std::string> MentionedIn(std::string_view text) {
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '@' || (i > 0 && WordByte(static_cast<unsigned char>(text[i - 1])))) continue;
    size_t j = i + 1;
    while (j < text.size() && WordByte(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i + 1) out.push_back(LowerUtf8Latin(text.substr(i + 1, j - i - 1)));
    i = j - 1;
  }
  return out;
}

// A query or stream rule as the fake understands it: whitespace-separated terms that must all
// occur in the text (case-insensitive); "-is:retweet" drops retweets; other operators and "OR"
// are ignored.
struct QueryMatch {
  std::vector<std::string> terms;
  bool no_retweets = false;

  static QueryMatch Parse(std::string_view query) {
    QueryMatch m;
    const std::string q = LowerUtf8Latin(query);
    size_t start = 0;
    while (start < q.size()) {
      size_t end = q.find(' ', start);
      if (end == std::string::npos) end = q.size();
      std::string term = q.substr(start, end - start);
      start = end + 1;
      if (term == "-is:retweet") m.no_retweets = true;
      if (term.empty() || term == "or" || term.find(':') != std::string::npos) continue;
      m.terms.push_back(std::move(term));
    }
    return m;
  }
  bool Matches(const Tweet& t) const {
    return !(no_retweets && t.retweet) &&
           std::all_of(terms.begin(), terms.end(), [&](const std::string& term) {
             return t.search_text.find(term) != std::string::npos;
           });
  }
};

// One open filtered stream connection and the bytes waiting to be written on it.
struct StreamSub {
  std::deque<std::string> out;
  bool dropped = false;
  bool cut_next = false;  // the next line goes out half, then the connection closes
  std::string cut;        // that half, once chosen
  bool stalled = false;
};

struct PageToken {
  std::string query;  // search: the query; mentions: "mentions:<user id>"
  std::optional<uint64_t> since_id;
  uint64_t below = 0;
};

HttpServerResponse Json(int status, std::string body) {
  HttpServerResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  r.body = std::move(body);
  return r;
}

HttpServerResponse Invalid(std::string_view message) {
  return Json(400, fmt::format("{{\"errors\":[{{\"message\":{}}}],\"title\":\"Invalid Request\","
                               "\"detail\":\"One or more parameters to your request was "
                               "invalid.\",\"type\":\"https://api.twitter.com/2/problems/"
                               "invalid-request\"}}",
                               Q(message)));
}

std::optional<uint64_t> ParseId(std::optional<std::string_view> v) {
  if (!v || v->empty()) return std::nullopt;
  uint64_t id = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
  if (ec != std::errc() || p != v->data() + v->size()) return std::nullopt;
  return id;
}

}  // namespace

class FakeX::Impl : public fake::FakeHttpApi {
 public:
  explicit Impl(FakeXOptions options)
      : options_(std::move(options)), clock_(options_.clock ? *options_.clock : RealClock()) {}

  std::string AddTweet(const FakeTweet& t) {
    MutexLock lock(mu_);
    const uint64_t id = NextId();
    const std::string author_id = UserId(t.username);
    std::string text = t.text;
    std::string conversation = std::to_string(id);
    std::string refs, reply_user;
    if (!t.in_reply_to_id.empty()) {
      if (auto it = conversations_.find(t.in_reply_to_id); it != conversations_.end()) {
        conversation = it->second;
      }
      refs = fmt::format("{{\"type\":\"replied_to\",\"id\":{}}}", Q(t.in_reply_to_id));
      if (auto it = authors_.find(t.in_reply_to_id); it != authors_.end()) reply_user = it->second;
    }
    if (!t.retweet_of.empty()) {
      std::string original_user = "someone";
      if (auto it = usernames_.find(t.retweet_of); it != usernames_.end())
        original_user = it->second;
      text = fmt::format("RT @{}: {}", original_user, text);
      refs = fmt::format("{{\"type\":\"retweeted\",\"id\":{}}}", Q(t.retweet_of));
    }
    // Entities, with code-point offsets into the unescaped text.
    std::string hashtags, mentions;
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if ((c != '#' && c != '@') || (i > 0 && WordByte(static_cast<unsigned char>(text[i - 1])))) {
        continue;
      }
      size_t j = i + 1;
      while (j < text.size() && WordByte(static_cast<unsigned char>(text[j]))) ++j;
      if (j == i + 1) continue;
      const std::string word = text.substr(i + 1, j - i - 1);
      const size_t start = CodePoints(text, i), end = CodePoints(text, j);
      std::string& list = c == '#' ? hashtags : mentions;
      if (!list.empty()) list += ",";
      list += c == '#' ? fmt::format("{{\"start\":{},\"end\":{},\"tag\":{}}}", start, end, Q(word))
                       : fmt::format("{{\"start\":{},\"end\":{},\"username\":{},\"id\":\"{}\"}}",
                                     start, end, Q(word), UserId(word));
      i = j - 1;
    }
    std::string entities;
    if (!hashtags.empty()) entities += ",\"hashtags\":[" + hashtags + "]";
    if (!mentions.empty()) entities += ",\"mentions\":[" + mentions + "]";
    if (!entities.empty()) entities = ",\"entities\":{" + entities.substr(1) + "}";
    const std::string ids = std::to_string(id);
    std::string json = fmt::format(
        "{{\"id\":\"{id}\",\"text\":{text},\"edit_history_tweet_ids\":[\"{id}\"],"
        "\"created_at\":\"{created}\",\"author_id\":\"{author}\",\"conversation_id\":\"{conv}\""
        "{lang}{reply_user}{refs},\"public_metrics\":{{\"retweet_count\":{rt},\"reply_count\":"
        "{rp},\"like_count\":{lk},\"quote_count\":{qt},\"bookmark_count\":0,"
        "\"impression_count\":{imp}}}{entities}}}",
        fmt::arg("id", ids), fmt::arg("text", Q(EscapeText(text))),
        fmt::arg("created", FormatIso8601(t.created_at.value_or(clock_.Now()))),
        fmt::arg("author", author_id), fmt::arg("conv", conversation),
        fmt::arg("lang", t.lang.empty() ? "" : ",\"lang\":" + Q(t.lang)),
        fmt::arg("reply_user",
                 reply_user.empty() ? "" : ",\"in_reply_to_user_id\":" + Q(reply_user)),
        fmt::arg("refs", refs.empty() ? "" : ",\"referenced_tweets\":[" + refs + "]"),
        fmt::arg("rt", t.retweets), fmt::arg("rp", t.replies), fmt::arg("lk", t.likes),
        fmt::arg("qt", t.quotes), fmt::arg("imp", 100 * (t.likes + 1)),
        fmt::arg("entities", entities));
    Tweet tweet;
    tweet.id = id;
    tweet.json = std::move(json);
    tweet.search_text = LowerUtf8Latin(text);
    tweet.mentioned = MentionedIn(text);
    tweet.retweet = !t.retweet_of.empty();
    if (!t.author_gone) {
      tweet.author_id = author_id;
      tweet.user_json = fmt::format(
          "{{\"id\":\"{}\",\"name\":{},\"username\":{},\"public_metrics\":{{\"followers_count\":"
          "{},\"following_count\":42,\"tweet_count\":1000,\"listed_count\":1}}}}",
          author_id, Q(t.name.empty() ? t.username : t.name), Q(t.username), t.followers);
    }
    conversations_[ids] = conversation;
    authors_[ids] = author_id;
    usernames_[ids] = t.username;
    tweets_.push_back(std::move(tweet));
    Fanout(tweets_.back());
    return ids;
  }

  std::string AddRawTweet(std::string json, std::string search_text) {
    MutexLock lock(mu_);
    const uint64_t id = NextId();
    const std::string ids = std::to_string(id);
    for (size_t pos; (pos = json.find("$ID")) != std::string::npos;) json.replace(pos, 3, ids);
    Tweet tweet;
    tweet.id = id;
    tweet.json = std::move(json);
    tweet.search_text = LowerUtf8Latin(search_text);
    tweet.mentioned = MentionedIn(search_text);
    tweets_.push_back(std::move(tweet));
    Fanout(tweets_.back());
    return ids;
  }

  std::string AddUser(const std::string& username) {
    MutexLock lock(mu_);
    return UserId(username);
  }
  void RemoveUser(const std::string& username) {
    MutexLock lock(mu_);
    user_ids_.erase(LowerUtf8Latin(username));
  }
  int lookups() const {
    MutexLock lock(mu_);
    return lookups_;
  }

  void ClearFaults() {
    MutexLock lock(mu_);
    faults_.Clear();
  }
  int rate_limited() const {
    MutexLock lock(mu_);
    return rate_limited_;
  }

  std::vector<FakeStreamRule> rules() const {
    MutexLock lock(mu_);
    std::vector<FakeStreamRule> out;
    for (const Rule& r : rules_) out.push_back(r.rule);
    return out;
  }
  std::string AddRule(const std::string& value, const std::string& tag) {
    MutexLock lock(mu_);
    if (FindRule(value)) return "";
    return CreateRule(value, tag);
  }
  size_t open_streams() const {
    MutexLock lock(mu_);
    return std::count_if(subs_.begin(), subs_.end(), [](const std::shared_ptr<StreamSub>& sub) {
      return !sub->dropped && !sub->stalled;
    });
  }
  size_t DropStreams() {
    MutexLock lock(mu_);
    size_t n = 0;
    for (auto& sub : subs_) {
      if (!sub->dropped) ++n;
      sub->dropped = true;
    }
    stream_cv_.notify_all();
    return n;
  }
  void CutStreams() {
    MutexLock lock(mu_);
    for (auto& sub : subs_) sub->cut_next = true;
  }
  void SendRaw(const std::string& bytes) {
    MutexLock lock(mu_);
    for (auto& sub : subs_) sub->out.push_back(bytes);
    stream_cv_.notify_all();
  }
  void StallStreams() {
    MutexLock lock(mu_);
    for (auto& sub : subs_) sub->stalled = true;
  }
  void InjectStreamFault(const FakeFault& f) {
    MutexLock lock(mu_);
    stream_faults_.Inject(f);
  }
  int64_t stream_lines() const {
    MutexLock lock(mu_);
    return stream_lines_;
  }
  void PlayStream(FakeTweet base, int count, std::chrono::milliseconds interval) {
    std::lock_guard lock(players_mu_);
    players_.emplace_back([this, base = std::move(base), count, interval](std::stop_token stop) {
      std::mutex m;
      std::condition_variable_any cv;
      for (int i = 0; i < count && !stop.stop_requested(); ++i) {
        FakeTweet t = base;
        t.text = fmt::format("{} {}", base.text, i + 1);
        AddTweet(t);
        std::unique_lock wait(m);
        cv.wait_for(wait, stop, interval, [] { return false; });
      }
    });
  }
  void StopPlayers() {
    std::vector<std::jthread> players;
    {
      std::lock_guard lock(players_mu_);
      players.swap(players_);
    }
    players.clear();  // each jthread asks its thread to stop and joins it
  }

 private:
  struct Rule {
    FakeStreamRule rule;
    QueryMatch match;
  };

  const Rule* FindRule(std::string_view value) const REQUIRES(mu_) {
    for (const Rule& r : rules_) {
      if (r.rule.value == value) return &r;
    }
    return nullptr;
  }
  std::string CreateRule(const std::string& value, const std::string& tag) REQUIRES(mu_) {
    const std::string id = std::to_string(1800000000000000001ULL + 17 * rule_counter_++);
    rules_.push_back(Rule{FakeStreamRule{id, value, tag}, QueryMatch::Parse(value)});
    return id;
  }
  static std::string RuleJson(const FakeStreamRule& r, bool with_value) {
    std::string out = "{\"id\":" + Q(r.id);
    if (with_value) out += ",\"value\":" + Q(r.value);
    if (!r.tag.empty()) out += ",\"tag\":" + Q(r.tag);
    return out + "}";
  }

  // Queues `t` on every open stream when it matches an active rule, as X's stream carries it.
  void Fanout(const Tweet& t) REQUIRES(mu_) {
    if (subs_.empty()) return;
    std::string matched;
    for (const Rule& r : rules_) {
      if (!r.match.Matches(t)) continue;
      if (!matched.empty()) matched += ",";
      matched += RuleJson(r.rule, false);
    }
    if (matched.empty()) return;
    std::string line = "{\"data\":" + t.json;
    if (!t.author_id.empty()) line += ",\"includes\":{\"users\":[" + t.user_json + "]}";
    line += ",\"matching_rules\":[" + matched + "]}\r\n";
    for (auto& sub : subs_) {
      if (sub->dropped) continue;
      ++stream_lines_;
      if (sub->cut_next) {
        sub->cut = line.substr(0, line.size() / 2);
        sub->dropped = true;
      } else {
        sub->out.push_back(line);
      }
    }
    stream_cv_.notify_all();
  }

  HttpServerResponse ListRules() REQUIRES(mu_) {
    const std::string sent = FormatIso8601(clock_.Now());
    if (rules_.empty()) {
      return Json(200, fmt::format("{{\"meta\":{{\"sent\":\"{}\",\"result_count\":0}}}}", sent));
    }
    std::string data;
    for (const Rule& r : rules_) data += (data.empty() ? "" : ",") + RuleJson(r.rule, true);
    return Json(200, fmt::format("{{\"data\":[{}],\"meta\":{{\"sent\":\"{}\","
                                 "\"result_count\":{}}}}}",
                                 data, sent, rules_.size()));
  }

  // POST rules: {"add":[...]} or {"delete":{"ids":[...]}}, checked as X checks them.
  HttpServerResponse ChangeRules(const HttpServerRequest& req) REQUIRES(mu_) {
    namespace dom = simdjson::dom;
    dom::parser parser;
    dom::element root;
    dom::object obj;
    if (parser.parse(req.body.data(), req.body.size()).get(root) || root.get(obj)) {
      return Invalid("The request body is not a JSON object");
    }
    dom::element add, del;
    const bool has_add = obj["add"].get(add) == simdjson::SUCCESS;
    const bool has_del = obj["delete"].get(del) == simdjson::SUCCESS;
    for (auto field : obj) {
      if (field.key != "add" && field.key != "delete") {
        return Invalid(fmt::format("The `{}` field is not one of [add, delete]", field.key));
      }
    }
    if (has_add == has_del) return Invalid("Exactly one of `add` or `delete` must be given");
    const bool dry_run = req.Param("dry_run") == "true";
    const std::string sent = FormatIso8601(clock_.Now());
    std::string errors;
    auto error = [&](std::string json) { errors += (errors.empty() ? "" : ",") + json; };
    if (has_add) {
      dom::array arr;
      if (add.get(arr) || arr.size() == 0) return Invalid("`add` must be a non-empty array");
      std::vector<std::pair<std::string, std::string>> wanted;  // value, tag
      for (dom::element e : arr) {
        dom::object r;
        std::string_view value, tag;
        if (e.get(r) || r["value"].get(value) || value.empty() ||
            CodePoints(value, value.size()) > 512) {
          return Invalid("Each rule needs a `value` of 1 to 512 characters");
        }
        dom::element t;
        if (r["tag"].get(t) == simdjson::SUCCESS && !t.is_null() && t.get(tag)) {
          return Invalid("A rule's `tag` must be a string");
        }
        wanted.emplace_back(std::string(value), std::string(tag));
      }
      std::string data;
      int created = 0, not_created = 0;
      std::vector<std::string> added;
      for (const auto& [value, tag] : wanted) {
        const Rule* existing = FindRule(value);
        const bool repeated = std::find(added.begin(), added.end(), value) != added.end();
        if (existing || repeated) {
          ++not_created;
          error(
              fmt::format("{{\"value\":{},\"id\":{},\"title\":\"DuplicateRule\",\"type\":"
                          "\"https://api.twitter.com/2/problems/duplicate-rules\"}}",
                          Q(value), Q(existing ? existing->rule.id : "")));
          continue;
        }
        ++created;
        added.push_back(value);
        const std::string id = dry_run ? "0" : CreateRule(value, tag);
        data += (data.empty() ? "" : ",") + RuleJson(FakeStreamRule{id, value, tag}, true);
      }
      std::string body = fmt::format(
          "{{{}\"meta\":{{\"sent\":\"{}\",\"summary\":{{\"created\":{},\"not_created\":{},"
          "\"valid\":{},\"invalid\":{}}}}}{}}}",
          data.empty() || dry_run ? "" : "\"data\":[" + data + "],", sent, dry_run ? 0 : created,
          not_created, created, not_created, errors.empty() ? "" : ",\"errors\":[" + errors + "]");
      return Json(created > 0 ? (dry_run ? 200 : 201) : 400, std::move(body));
    }
    dom::object d;
    dom::array ids;
    if (del.get(d) || d["ids"].get(ids) || ids.size() == 0) {
      return Invalid("`delete` must be {\"ids\": [rule ids as strings]}");
    }
    std::vector<std::string> wanted;
    for (dom::element e : ids) {
      std::string_view id;
      if (e.get(id)) return Invalid("Rule ids in `delete.ids` must be strings");
      wanted.emplace_back(id);
    }
    int deleted = 0, not_deleted = 0;
    for (const std::string& id : wanted) {
      auto it = std::find_if(rules_.begin(), rules_.end(),
                             [&](const Rule& r) { return r.rule.id == id; });
      if (it == rules_.end()) {
        ++not_deleted;
        error(
            fmt::format("{{\"value\":{},\"details\":[\"Rule does not exist\"],\"title\":"
                        "\"Invalid Request\",\"type\":\"https://api.twitter.com/2/problems/"
                        "invalid-request\"}}",
                        Q(id)));
        continue;
      }
      ++deleted;
      if (!dry_run) rules_.erase(it);
    }
    return Json(200, fmt::format("{{\"meta\":{{\"sent\":\"{}\",\"summary\":{{\"deleted\":{},"
                                 "\"not_deleted\":{}}}}}{}}}",
                                 sent, deleted, not_deleted,
                                 errors.empty() ? "" : ",\"errors\":[" + errors + "]"));
  }

  // The filtered stream: one JSON object per line, keep-alives between, until the stream is
  // dropped, the client goes away or the server stops.
  HttpServerResponse Stream() REQUIRES(mu_) {
    auto sub = std::make_shared<StreamSub>();
    subs_.push_back(sub);
    HttpServerResponse r;
    r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    r.stream = [this, sub](std::stop_token stop,
                           const std::function<bool(std::string_view)>& write) {
      bool alive = true;
      while (alive) {
        MutexLock lock(mu_);
        stream_cv_.wait_for(lock, stop, options_.keepalive_interval, [&] {
          mu_.AssertHeld();
          return sub->dropped || (!sub->stalled && !sub->out.empty());
        });
        if (stop.stop_requested()) break;
        if (sub->stalled && !sub->dropped) continue;
        std::deque<std::string> out;
        out.swap(sub->out);
        const bool dropped = sub->dropped;
        const std::string cut = sub->cut;
        lock.unlock();
        if (out.empty() && !dropped) alive = write("\r\n");
        for (const std::string& line : out) {
          if (alive) alive = write(line);
        }
        if (dropped) {
          if (alive && !cut.empty()) write(cut);
          break;
        }
      }
      MutexLock lock(mu_);
      subs_.remove(sub);
    };
    return r;
  }

  uint64_t NextId() REQUIRES(mu_) { return kFirstTweetId + 1000 * (tweets_.size() + 1); }

  // Stable user ids by lowercased username.
  std::string UserId(std::string_view username) REQUIRES(mu_) {
    auto [it, inserted] =
        user_ids_.emplace(LowerUtf8Latin(username), 2244994945ULL + 7 * user_ids_.size());
    return std::to_string(it->second);
  }

  // Counts the request against its endpoint's window and adds the x-rate-limit headers.
  bool RateLimit(const std::string& endpoint, HttpServerResponse* r) REQUIRES(mu_) {
    const int limit = endpoint == "lookup"   ? options_.lookup_rate_limit
                      : endpoint == "stream" ? options_.stream_connect_limit
                                             : options_.rate_limit;
    fake::RateWindow& window = windows_[endpoint];
    const bool within = window.Spend(clock_.Now(), options_.rate_window, limit);
    r->headers.emplace_back("x-rate-limit-limit", std::to_string(limit));
    r->headers.emplace_back("x-rate-limit-remaining", std::to_string(window.remaining(limit)));
    r->headers.emplace_back("x-rate-limit-reset", std::to_string(window.end_epoch_seconds()));
    return within || !options_.enforce_rate_limit;
  }

  // "/2/users/123/mentions" -> "123"; "" for other paths.
  static std::string MentionsUser(std::string_view path) {
    constexpr std::string_view kPrefix = "/2/users/", kSuffix = "/mentions";
    if (!path.starts_with(kPrefix) || !path.ends_with(kSuffix)) return "";
    path.remove_prefix(kPrefix.size());
    path.remove_suffix(kSuffix.size());
    if (path.empty() || path.find('/') != std::string_view::npos) return "";
    return std::string(path);
  }

  HttpServerResponse Route(const HttpServerRequest& req) override REQUIRES(mu_) {
    constexpr std::string_view kLookup = "/2/users/by/username/";
    const std::string mentions_user = MentionsUser(req.path);
    const std::string endpoint = req.path.starts_with(kLookup)                 ? "lookup"
                                 : !mentions_user.empty()                      ? "mentions"
                                 : req.path == "/2/tweets/search/stream"       ? "stream"
                                 : req.path == "/2/tweets/search/stream/rules" ? "rules"
                                                                               : "search";
    // Stream connects take only the faults injected for them.
    const std::optional<FakeFault> fault =
        endpoint == "stream" ? stream_faults_.Take() : faults_.Take();
    HttpServerResponse head;
    const bool within_budget = RateLimit(endpoint, &head);
    auto finish = [&](HttpServerResponse r) {
      r.headers.insert(r.headers.begin(), head.headers.begin(), head.headers.end());
      return r;
    };
    const HttpServerResponse unauthorized = Json(
        401,
        R"({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})");
    if (fault && fault->kind == FakeFault::Kind::kUnauthorized) return finish(unauthorized);
    if (fault && fault->kind == FakeFault::Kind::kTooManyRequests) {
      for (auto& [name, value] : head.headers) {
        if (name == "x-rate-limit-remaining") value = "0";
      }
      return finish(Json(429, R"({"title":"Too Many Requests","detail":"Too Many Requests",)"
                              R"("type":"about:blank","status":429})"));
    }
    if (fault && fault->kind == FakeFault::Kind::kServerError) {
      return finish(Json(503, R"({"title":"Service Unavailable","detail":"Service Unavailable",)"
                              R"("type":"about:blank","status":503})"));
    }
    if (req.Header("authorization") != "Bearer " + options_.bearer_token) {
      return finish(unauthorized);
    }
    if (!within_budget) {
      ++rate_limited_;
      return finish(Json(429, R"({"title":"Too Many Requests","detail":"Too Many Requests",)"
                              R"("type":"about:blank","status":429})"));
    }
    HttpServerResponse r;
    if (endpoint == "lookup") {
      ++lookups_;
      r = Lookup(req.path.substr(kLookup.size()));
    } else if (endpoint == "mentions") {
      r = Mentions(req, mentions_user);
    } else if (endpoint == "rules" && (req.method == "GET" || req.method == "POST")) {
      r = req.method == "POST" ? ChangeRules(req) : ListRules();
    } else if (endpoint == "stream" && req.method == "GET") {
      return finish(Stream());
    } else if (req.path == "/2/tweets/search/recent") {
      r = Search(req);
    } else {
      return finish(Json(404, R"({"errors":[{"message":"Sorry, that page does not exist"}]})"));
    }
    fake::ApplyBodyFault(fault, &r);
    return finish(std::move(r));
  }

  static HttpServerResponse NotFound(std::string_view parameter, std::string_view value) {
    return Json(200, fmt::format(
                         "{{\"errors\":[{{\"value\":{v},\"detail\":\"Could not find user with "
                         "{p}: [{raw}].\",\"title\":\"Not Found Error\",\"resource_type\":\"user\","
                         "\"parameter\":{pq},\"resource_id\":{v},\"type\":\"https://api.twitter."
                         "com/2/problems/resource-not-found\"}}]}}",
                         fmt::arg("v", Q(value)), fmt::arg("p", parameter),
                         fmt::arg("raw", JsonEscape(value)), fmt::arg("pq", Q(parameter))));
  }

  HttpServerResponse Lookup(std::string_view username) REQUIRES(mu_) {
    const auto it = user_ids_.find(LowerUtf8Latin(username));
    if (username.empty() || username.find('/') != std::string_view::npos ||
        it == user_ids_.end()) {
      return NotFound("username", username);
    }
    // The username as first written (a tweet's author, or the mention's spelling).
    std::string written(username);
    for (const auto& [id, name] : usernames_) {
      if (LowerUtf8Latin(name) == it->first) written = name;
    }
    return Json(200, fmt::format("{{\"data\":{{\"id\":\"{}\",\"name\":{},\"username\":{}}}}}",
                                 it->second, Q(written), Q(written)));
  }

  // max_results within [lo, 100] (default 10), or the 400 X answers. Requires mu_.
  static std::optional<HttpServerResponse> PageSize(const HttpServerRequest& req, int lo,
                                                    int* max_results) {
    *max_results = 10;
    if (auto m = req.Param("max_results")) {
      auto [p, ec] = std::from_chars(m->data(), m->data() + m->size(), *max_results);
      if (ec != std::errc() || p != m->data() + m->size() || *max_results < lo ||
          *max_results > 100) {
        return Invalid(fmt::format(
            "The `max_results` query parameter value [{}] is not between {} and 100", *m, lo));
      }
    }
    return std::nullopt;
  }

  // Newest first: the tweets after since_id and before until_id / the token's position that
  // `match` accepts, at most max_results, with a token for the rest.
  template <class Match>
  HttpServerResponse Page(const HttpServerRequest& req, const std::string& key,
                          std::string_view token_param, int max_results, Match match)
      REQUIRES(mu_) {
    std::optional<uint64_t> since_id = ParseId(req.Param("since_id"));
    std::optional<uint64_t> until_id = ParseId(req.Param("until_id"));
    if (req.Param("since_id") && !since_id) return Invalid("since_id is not a tweet id");
    std::optional<uint64_t> below;
    if (auto token = req.Param(token_param)) {
      auto it = tokens_.find(std::string(*token));
      if (it == tokens_.end() || it->second.query != key || it->second.since_id != since_id) {
        return Invalid(fmt::format(
            "The `{}` query parameter value is not valid for this request", token_param));
      }
      below = it->second.below;
    }
    std::vector<const Tweet*> picked;
    bool more = false;
    for (auto it = tweets_.rbegin(); it != tweets_.rend(); ++it) {
      const Tweet& t = *it;
      if ((since_id && t.id <= *since_id) || (until_id && t.id >= *until_id) ||
          (below && t.id >= *below) || !match(t)) {
        continue;
      }
      if (static_cast<int>(picked.size()) == max_results) {
        more = true;
        break;
      }
      picked.push_back(&t);
    }
    if (picked.empty()) return Json(200, R"({"meta":{"result_count":0}})");
    std::string data, users;
    std::vector<std::string> seen_users;
    for (const Tweet* t : picked) {
      if (!data.empty()) data += ",";
      data += t->json;
      if (!t->author_id.empty() &&
          std::find(seen_users.begin(), seen_users.end(), t->author_id) == seen_users.end()) {
        seen_users.push_back(t->author_id);
        if (!users.empty()) users += ",";
        users += t->user_json;
      }
    }
    std::string next;
    if (more) {
      const std::string token = fmt::format("b26v89c19zqg8o3f{:x}", ++token_counter_ * 7919);
      tokens_[token] = PageToken{key, since_id, picked.back()->id};
      next = ",\"next_token\":" + Q(token);
    }
    return Json(
        200, fmt::format("{{\"data\":[{}],\"includes\":{{\"users\":[{}]}},\"meta\":{{"
                         "\"newest_id\":\"{}\",\"oldest_id\":\"{}\",\"result_count\":{}{}"
                         "}}}}",
                         data, users, picked.front()->id, picked.back()->id, picked.size(), next));
  }

  HttpServerResponse Mentions(const HttpServerRequest& req, const std::string& user_id)
      REQUIRES(mu_) {
    std::string username;
    for (const auto& [name, id] : user_ids_) {
      if (std::to_string(id) == user_id) username = name;
    }
    if (username.empty()) return NotFound("id", user_id);
    int max_results = 10;
    if (auto bad = PageSize(req, 5, &max_results)) return *bad;
    return Page(req, "mentions:" + user_id, "pagination_token", max_results,
                [&](const Tweet& t) {
                  return std::find(t.mentioned.begin(), t.mentioned.end(), username) !=
                         t.mentioned.end();
                });
  }

  HttpServerResponse Search(const HttpServerRequest& req) REQUIRES(mu_) {
    const auto query = req.Param("query");
    if (!query || query->empty()) return Invalid("The `query` query parameter can not be empty");
    int max_results = 10;
    if (auto bad = PageSize(req, 10, &max_results)) return *bad;
    const QueryMatch match = QueryMatch::Parse(*query);
    return Page(req, std::string(*query), "next_token", max_results,
                [&](const Tweet& t) { return match.Matches(t); });
  }

  FakeXOptions options_;
  Clock& clock_;

  std::vector<Tweet> tweets_ GUARDED_BY(mu_);  // oldest first
  std::map<std::string, uint64_t> user_ids_ GUARDED_BY(mu_);
  std::map<std::string, std::string> conversations_ GUARDED_BY(mu_);  // tweet id -> conv id
  std::map<std::string, std::string> authors_ GUARDED_BY(mu_);  // tweet id -> user id
  std::map<std::string, std::string> usernames_ GUARDED_BY(mu_);  // tweet id -> username
  std::map<std::string, PageToken> tokens_ GUARDED_BY(mu_);
  uint64_t token_counter_ GUARDED_BY(mu_) = 0;
  std::map<std::string, fake::RateWindow> windows_ GUARDED_BY(mu_);  // by endpoint
  int rate_limited_ GUARDED_BY(mu_) = 0;
  int lookups_ GUARDED_BY(mu_) = 0;
  std::vector<Rule> rules_ GUARDED_BY(mu_);
  uint64_t rule_counter_ GUARDED_BY(mu_) = 0;
  std::list<std::shared_ptr<StreamSub>> subs_ GUARDED_BY(mu_);  // open streams
  std::condition_variable_any stream_cv_;                       // signalled on new lines and drops
  fake::FaultQueue stream_faults_ GUARDED_BY(mu_);
  int64_t stream_lines_ GUARDED_BY(mu_) = 0;
  std::mutex players_mu_;
  std::vector<std::jthread> players_;  // guarded by players_mu_ (a std::mutex, not annotated)
};

Result<std::unique_ptr<FakeX>> FakeX::Start(FakeXOptions options) {
  const uint16_t port = options.port;
  auto impl = std::make_unique<Impl>(std::move(options));
  EARSHOT_RETURN_IF_ERROR(impl->Start(port, "fake x"));
  return std::unique_ptr<FakeX>(new FakeX(std::move(impl)));
}

FakeX::FakeX(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FakeX::~FakeX() { Stop(); }
std::string FakeX::base_url() const { return impl_->base_url(); }
std::string FakeX::AddTweet(const FakeTweet& tweet) { return impl_->AddTweet(tweet); }
std::string FakeX::AddRawTweet(std::string json, std::string search_text) {
  return impl_->AddRawTweet(std::move(json), std::move(search_text));
}
std::string FakeX::AddUser(const std::string& username) { return impl_->AddUser(username); }
void FakeX::RemoveUser(const std::string& username) { impl_->RemoveUser(username); }
int FakeX::lookups() const { return impl_->lookups(); }
std::vector<FakeStreamRule> FakeX::rules() const { return impl_->rules(); }
std::string FakeX::AddRule(const std::string& value, const std::string& tag) {
  return impl_->AddRule(value, tag);
}
size_t FakeX::open_streams() const { return impl_->open_streams(); }
size_t FakeX::DropStreams() { return impl_->DropStreams(); }
void FakeX::CutStreams() { impl_->CutStreams(); }
void FakeX::SendRaw(const std::string& bytes) { impl_->SendRaw(bytes); }
void FakeX::StallStreams() { impl_->StallStreams(); }
void FakeX::InjectStreamFault(FakeFault fault) { impl_->InjectStreamFault(fault); }
void FakeX::PlayStream(FakeTweet base, int count, std::chrono::milliseconds interval) {
  impl_->PlayStream(std::move(base), count, interval);
}
int64_t FakeX::stream_lines() const { return impl_->stream_lines(); }
void FakeX::InjectFault(FakeFault fault) { impl_->InjectFault(fault); }
void FakeX::ClearFaults() { impl_->ClearFaults(); }
std::vector<RecordedRequest> FakeX::requests() const { return impl_->requests(); }
int FakeX::rate_limited() const { return impl_->rate_limited(); }
void FakeX::Stop() {
  impl_->StopPlayers();
  impl_->Stop();
}

}  // namespace earshot
