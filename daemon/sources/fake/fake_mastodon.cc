#include "daemon/sources/fake/fake_mastodon.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <functional>
#include <fstream>
#include <map>
#include <sstream>
#include <charconv>
#include <condition_variable>
#include <list>
#include <memory>
#include <stop_token>
#include <cstring>

#include "daemon/base/json_escape.h"
#include "daemon/base/mutex.h"
#include "daemon/net/http_server.h"
#include "daemon/net/url.h"
#include "daemon/sources/mastodon/html_text.h"
#include "daemon/sources/mastodon/status_parser.h"

namespace earshot {
namespace {

using mastodon::HtmlEscape;
using mastodon::LowerUtf8Latin;

constexpr uint64_t kFirstStatusId = 110000000000000000ULL;
constexpr uint64_t kFirstNotificationId = 30000000ULL;

std::string Q(std::string_view s) { return "\"" + JsonEscape(s) + "\""; }

std::string TrimPunct(std::string_view s) {
  while (!s.empty() && std::string_view(".,!?;:)'\"").find(s.back()) != std::string_view::npos) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

struct Entry {
  uint64_t id = 0;
  std::string json;
  std::vector<std::string> tags;      // lowercased
  std::vector<std::string> mentions;  // lowercased accts
  bool deleted = false;
  bool local = true;  // by an account of the fake's own (an acct without '@host')
  // Shown on the public timelines and streams: Mastodon leaves out replies to other accounts
  // (PublicFeed's without_replies; FanOutOnWriteService skips them), self-replies stay.
  bool on_public = true;
};

// What an open stream listens to: the path it was opened on.
enum class Channel {
  kHashtag,        // /api/v1/streaming/hashtag?tag=
  kNotifications,  // /api/v1/streaming/user/notification
  kPublic,         // /api/v1/streaming/public: every public status, local and remote
  kPublicLocal,    // /api/v1/streaming/public/local
  kPublicRemote,   // /api/v1/streaming/public/remote
};

// One open stream connection: what it listens to and the events waiting to be written.
struct Subscriber {
  Channel channel = Channel::kHashtag;
  std::string tag;          // kHashtag: lowercased
  bool only_media = false;  // `only_media=true`: the fake's statuses have no media, so nothing
  std::deque<std::string> out;
  bool dropped = false;
  bool mid_event = false;
};

struct Notification {
  uint64_t id = 0;
  size_t entry = 0;
  std::string account_json;  // who mentioned
  std::string created_at;
};

}  // namespace

std::optional<std::string_view> RecordedRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return std::string_view(value);
  }
  return std::nullopt;
}

class FakeMastodon::Impl {
 public:
  explicit Impl(FakeMastodonOptions options)
      : options_(std::move(options)), clock_(options_.clock ? *options_.clock : RealClock()) {
    options_.account = LowerUtf8Latin(options_.account);
  }

  Status Start() {
    HttpServerOptions so;
    so.port = options_.port;
    auto server = HttpServer::Start([this](const HttpServerRequest& r) { return Handle(r); }, so);
    if (!server.ok()) return server.status().Annotate("fake mastodon");
    // Under the lock: the server's threads may already be answering (Handle reads base_url_),
    // for instance a client still retrying an earlier fake's port.
    MutexLock lock(mu_);
    server_ = std::move(server).value();
    base_url_ = server_->base_url();
    return Status::Ok();
  }

  void Stop() {
    if (server_) server_->Stop();
  }
  std::string base_url() const {
    MutexLock lock(mu_);
    return base_url_;
  }
  uint16_t port() const { return server_->port(); }

  std::string AddStatus(const FakeStatus& s) {
    MutexLock lock(mu_);
    const uint64_t id = NextStatusId();
    std::vector<std::string> tags, mentions;
    for (const auto& t : s.tags) tags.push_back(t);
    for (const auto& m : s.mentions) mentions.push_back(m);
    const std::string content = s.html.empty() ? RenderText(s.text, &tags, &mentions) : s.html;
    Dedupe(&tags);
    Dedupe(&mentions);
    const std::string created = FormatIso8601(s.created_at.value_or(clock_.Now()));
    const std::string account = AccountJson(s.acct, s.display_name, s.followers, s.bot, created);
    std::string tags_json, mentions_json;
    for (const auto& t : tags) {
      if (!tags_json.empty()) tags_json += ",";
      tags_json += fmt::format("{{\"name\":{},\"url\":{}}}", Q(LowerUtf8Latin(t)),
                               Q(base_url_ + "/tags/" + LowerUtf8Latin(t)));
    }
    for (const auto& m : mentions) {
      if (!mentions_json.empty()) mentions_json += ",";
      mentions_json += fmt::format("{{\"id\":\"{}\",\"username\":{},\"url\":{},\"acct\":{}}}",
                                   AccountId(m), Q(Username(m)), Q(AccountUrl(m)), Q(m));
    }
    std::string reply_account = "null";
    if (!s.in_reply_to_id.empty()) {
      for (const auto& [acct_id, entry_id] : reply_authors_) {
        if (std::to_string(entry_id) == s.in_reply_to_id) reply_account = Q(acct_id);
      }
    }
    const std::string path_user = Username(s.acct);
    std::string json = fmt::format(
        "{{\"id\":\"{id}\",\"created_at\":\"{created}\",\"in_reply_to_id\":{reply},"
        "\"in_reply_to_account_id\":{reply_account},\"sensitive\":{sensitive},"
        "\"spoiler_text\":{spoiler},\"visibility\":\"public\",\"language\":{lang},"
        "\"uri\":{uri},\"url\":{url},\"replies_count\":{replies},\"reblogs_count\":{reblogs},"
        "\"favourites_count\":{favs},\"edited_at\":null,\"favourited\":false,\"reblogged\":false,"
        "\"muted\":false,\"bookmarked\":false,\"content\":{content},\"reblog\":null,"
        "\"application\":{{\"name\":\"Web\",\"website\":null}},\"account\":{account},"
        "\"media_attachments\":[],\"mentions\":[{mentions}],\"tags\":[{tags}],\"emojis\":[],"
        "\"card\":null,\"poll\":null}}",
        fmt::arg("id", id), fmt::arg("created", created),
        fmt::arg("reply", s.in_reply_to_id.empty() ? "null" : Q(s.in_reply_to_id)),
        fmt::arg("reply_account", reply_account),
        fmt::arg("sensitive", s.spoiler_text.empty() ? "false" : "true"),
        fmt::arg("spoiler", Q(s.spoiler_text)),
        fmt::arg("lang", s.language.empty() ? "null" : Q(s.language)),
        fmt::arg("uri", Q(fmt::format("{}/users/{}/statuses/{}", base_url_, path_user, id))),
        fmt::arg("url", Q(fmt::format("{}/@{}/{}", base_url_, path_user, id))),
        fmt::arg("replies", s.replies), fmt::arg("reblogs", s.reblogs),
        fmt::arg("favs", s.favourites),
        fmt::arg("content", s.content_json.empty() ? Q(content) : s.content_json),
        fmt::arg("account", account), fmt::arg("mentions", mentions_json),
        fmt::arg("tags", tags_json));
    const std::string author = AccountId(s.acct);
    reply_authors_.emplace_back(author, id);
    // A reply is off the public timelines unless it answers the author's own status (a parent
    // the fake does not know counts as someone else's, as Mastodon's null account id does).
    const bool on_public = s.in_reply_to_id.empty() || reply_account == Q(author);
    return Publish(id, std::move(json), std::move(tags), std::move(mentions), account, created,
                   s.acct.find('@') == std::string::npos, on_public);
  }

  std::string AddRawStatus(std::string json, std::vector<std::string> tags,
                           std::vector<std::string> mentions) {
    MutexLock lock(mu_);
    const uint64_t id = NextStatusId();
    const std::string ids = std::to_string(id);
    for (size_t pos; (pos = json.find("$ID")) != std::string::npos;) json.replace(pos, 3, ids);
    const std::string created = FormatIso8601(clock_.Now());
    return Publish(id, std::move(json), std::move(tags), std::move(mentions),
                   AccountJson("someone", "", 0, false, created), created);
  }

  void DeleteStatus(const std::string& id) {
    MutexLock lock(mu_);
    Entry* e = Find(id);
    if (e == nullptr || e->deleted) return;
    e->deleted = true;
    Fanout(*e, "event: delete\ndata: " + id + "\n\n");
  }

  void EditStatus(const std::string& id, const std::string& text) {
    MutexLock lock(mu_);
    Entry* e = Find(id);
    if (e == nullptr || e->deleted) return;
    std::vector<std::string> ignored_tags, ignored_mentions;
    const std::string content = RenderText(text, &ignored_tags, &ignored_mentions);
    const size_t start = e->json.find("\"content\":");
    const size_t end = e->json.find(",\"reblog\":null,");
    if (start == std::string::npos || end == std::string::npos || end < start) return;
    e->json.replace(start, end - start, "\"content\":" + Q(content));
    const std::string edited = "\"edited_at\":\"" + FormatIso8601(clock_.Now()) + "\"";
    if (const size_t at = e->json.find("\"edited_at\":null"); at != std::string::npos) {
      e->json.replace(at, strlen("\"edited_at\":null"), edited);
    }
    Fanout(*e, "event: status.update\ndata: " + e->json + "\n\n");
  }

  size_t DropStreams(bool mid_event) {
    MutexLock lock(mu_);
    const size_t n = subscribers_.size();
    for (auto& sub : subscribers_) {
      sub->dropped = true;
      sub->mid_event = mid_event;
    }
    subscribers_.clear();
    stream_cv_.notify_all();
    return n;
  }

  size_t open_streams() const {
    MutexLock lock(mu_);
    return subscribers_.size();
  }

  void InjectFault(FakeFault f) {
    MutexLock lock(mu_);
    if (f.count > 0) faults_.push_back(f);
  }
  void ClearFaults() {
    MutexLock lock(mu_);
    faults_.clear();
  }
  void SetToken(std::string token) {
    MutexLock lock(mu_);
    options_.token = std::move(token);
  }
  void RedirectStreams(std::string location_prefix, int status) {
    MutexLock lock(mu_);
    redirect_to_ = std::move(location_prefix);
    redirect_status_ = status;
  }
  int rate_limited() const {
    MutexLock lock(mu_);
    return rate_limited_;
  }
  std::vector<RecordedRequest> requests() const {
    MutexLock lock(mu_);
    return requests_;
  }
  size_t status_count() const {
    MutexLock lock(mu_);
    return entries_.size();
  }

 private:
  static bool Tagged(const Entry& e, const std::string& tag) {
    return std::find(e.tags.begin(), e.tags.end(), tag) != e.tags.end();
  }
  // Whether a public timeline with these filters (Mastodon's `local`, `remote`, `only_media`)
  // shows `e`. Both local and remote: nothing, as Mastodon merges both scopes.
  static bool OnPublic(const Entry& e, bool local, bool remote, bool only_media) {
    return e.on_public && (!local || e.local) && (!remote || !e.local) && !only_media;
  }
  // Whether a status stream carries `e` (its update, edit and delete events).
  bool Carries(const Subscriber& sub, const Entry& e) const REQUIRES(mu_) {
    switch (sub.channel) {
      case Channel::kHashtag:
        return Tagged(e, sub.tag);
      case Channel::kNotifications:
        return MentionsUs(e);
      case Channel::kPublic:
        return OnPublic(e, false, false, sub.only_media);
      case Channel::kPublicLocal:
        return OnPublic(e, true, false, sub.only_media);
      case Channel::kPublicRemote:
        return OnPublic(e, false, true, sub.only_media);
    }
    return false;
  }
  // Rails' boolean params (ActiveModel::Type::Boolean): absent, "", "0", "f", "false", "off"
  // (lower or upper case) are false; anything else is true.
  static bool Truthy(const HttpServerRequest& req, std::string_view name) {
    const auto v = req.Param(name);
    if (!v || v->empty()) return false;
    static constexpr std::string_view kFalse[] = {"0", "f", "F", "false", "FALSE", "off", "OFF"};
    return std::find(std::begin(kFalse), std::end(kFalse), *v) == std::end(kFalse);
  }
  bool MentionsUs(const Entry& e) const {
    return std::find(e.mentions.begin(), e.mentions.end(), options_.account) != e.mentions.end();
  }
  Entry* Find(const std::string& id) REQUIRES(mu_) {
    for (Entry& e : entries_) {
      if (std::to_string(e.id) == id) return &e;
    }
    return nullptr;
  }
  // Queues `event` on every stream that would have carried entry `e`.
  void Fanout(const Entry& e, const std::string& event) REQUIRES(mu_) {
    for (auto& sub : subscribers_) {
      if (Carries(*sub, e)) sub->out.push_back(event);
    }
    stream_cv_.notify_all();
  }
  std::string NotificationJson(const Notification& n) const REQUIRES(mu_) {
    return fmt::format("{{\"id\":\"{}\",\"type\":\"mention\",\"created_at\":\"{}\",\"account\":{},"
                       "\"status\":{}}}",
                       n.id, n.created_at, n.account_json, entries_[n.entry].json);
  }

  // A Server-Sent Events response that writes `sub`'s events until the stream is dropped, the
  // client goes away or the server stops.
  HttpServerResponse Stream(std::shared_ptr<Subscriber> sub) REQUIRES(mu_) {
    subscribers_.push_back(sub);
    HttpServerResponse r;
    r.headers.emplace_back("Content-Type", "text/event-stream");
    r.headers.emplace_back("Cache-Control", "no-store");
    r.stream = [this, sub](std::stop_token stop,
                           const std::function<bool(std::string_view)>& write) {
      bool alive = write(":)\n");
      while (alive) {
        MutexLock lock(mu_);
        stream_cv_.wait_for(lock, stop, options_.heartbeat_interval,
                            [&] { return sub->dropped || !sub->out.empty(); });
        if (stop.stop_requested()) break;
        if (sub->dropped) {
          const bool mid = sub->mid_event;
          lock.unlock();
          if (mid) write("event: update\ndata: {\"id\":\"1");
          return;
        }
        std::deque<std::string> out;
        out.swap(sub->out);
        lock.unlock();
        if (out.empty()) alive = write(":thump\n");
        for (const std::string& event : out) {
          if (alive) alive = write(event);
        }
      }
      MutexLock lock(mu_);
      subscribers_.remove(sub);
    };
    return r;
  }

  uint64_t NextStatusId() REQUIRES(mu_) { return kFirstStatusId + 1000 * (entries_.size() + 1); }

  static void Dedupe(std::vector<std::string>* v) {
    std::vector<std::string> out;
    for (auto& s : *v) {
      const std::string lower = LowerUtf8Latin(s);
      if (std::none_of(out.begin(), out.end(),
                       [&](const std::string& o) { return LowerUtf8Latin(o) == lower; })) {
        out.push_back(s);
      }
    }
    *v = std::move(out);
  }

  static std::string Username(std::string_view acct) {
    return std::string(acct.substr(0, acct.find('@')));
  }
  std::string AccountUrl(std::string_view acct) const {
    const size_t at = acct.find('@');
    if (at == std::string_view::npos) return fmt::format("{}/@{}", base_url_, acct);
    return fmt::format("https://{}/@{}", acct.substr(at + 1), acct.substr(0, at));
  }
  // Stable account ids, by lowercased acct.
  std::string AccountId(std::string_view acct) REQUIRES(mu_) {
    const std::string key = LowerUtf8Latin(acct);
    auto [it, inserted] = account_ids_.emplace(key, 100 + account_ids_.size());
    return std::to_string(it->second);
  }

  std::string AccountJson(const std::string& acct, const std::string& display, int64_t followers,
                          bool bot, const std::string& now) REQUIRES(mu_) {
    const std::string user = Username(acct);
    const std::string url = AccountUrl(acct);
    const std::string avatar = base_url_ + "/avatars/original/missing.png";
    const int64_t statuses = ++statuses_by_acct_[LowerUtf8Latin(acct)];
    return fmt::format(
        "{{\"id\":\"{}\",\"username\":{},\"acct\":{},\"display_name\":{},\"locked\":false,"
        "\"bot\":{},\"discoverable\":true,\"group\":false,"
        "\"created_at\":\"2020-01-01T00:00:00.000Z\",\"note\":\"<p></p>\",\"url\":{},"
        "\"avatar\":{},\"avatar_static\":{},\"header\":{},\"header_static\":{},"
        "\"followers_count\":{},\"following_count\":42,\"statuses_count\":{},"
        "\"last_status_at\":\"{}\",\"emojis\":[],\"fields\":[]}}",
        AccountId(acct), Q(user), Q(acct), Q(display.empty() ? user : display),
        bot ? "true" : "false", Q(url), Q(avatar), Q(avatar), Q(avatar), Q(avatar), followers,
        statuses, now.substr(0, 10));
  }

  // Mastodon's rendering of a plain-text toot. Collects tags and mentions found in the text.
  std::string RenderText(const std::string& text, std::vector<std::string>* tags,
                         std::vector<std::string>* mentions) {
    std::string html = "<p>";
    size_t i = 0;
    while (i < text.size()) {
      if (text.compare(i, 2, "\n\n") == 0) {
        html += "</p><p>";
        i += 2;
        while (i < text.size() && text[i] == '\n') ++i;
        continue;
      }
      if (text[i] == '\n') {
        html += "<br>";
        ++i;
        continue;
      }
      if (text[i] == ' ') {
        html += ' ';
        ++i;
        continue;
      }
      size_t end = text.find_first_of(" \n", i);
      if (end == std::string::npos) end = text.size();
      const std::string word = text.substr(i, end - i);
      i = end;
      const std::string core = TrimPunct(word);
      const std::string tail = word.substr(core.size());
      if (core.size() > 1 && core[0] == '#') {
        const std::string tag = core.substr(1);
        tags->push_back(tag);
        html += fmt::format(
            "<a href=\"{}/tags/{}\" class=\"mention hashtag\" rel=\"tag\">#<span>{}</span></a>",
            base_url_, HtmlEscape(LowerUtf8Latin(tag)), HtmlEscape(tag));
      } else if (core.size() > 1 && core[0] == '@') {
        const std::string acct = core.substr(1);
        mentions->push_back(acct);
        html += fmt::format(
            "<span class=\"h-card\" translate=\"no\"><a href=\"{}\" class=\"u-url mention\">"
            "@<span>{}</span></a></span>",
            HtmlEscape(AccountUrl(acct)), HtmlEscape(Username(acct)));
      } else if (core.starts_with("http://") || core.starts_with("https://")) {
        const size_t scheme = core.find("://") + 3;
        const size_t www = core.compare(scheme, 4, "www.") == 0 ? scheme + 4 : scheme;
        const std::string shown = core.substr(www, 30);
        const std::string hidden = core.size() > www + 30 ? core.substr(www + 30) : "";
        html += fmt::format(
            "<a href=\"{}\" target=\"_blank\" rel=\"nofollow noopener noreferrer\" "
            "translate=\"no\"><span class=\"invisible\">{}</span><span class=\"{}\">{}</span>"
            "<span class=\"invisible\">{}</span></a>",
            HtmlEscape(core), HtmlEscape(core.substr(0, www)), hidden.empty() ? "" : "ellipsis",
            HtmlEscape(shown), HtmlEscape(hidden));
      } else {
        html += HtmlEscape(core);
      }
      html += HtmlEscape(tail);
    }
    return html + "</p>";
  }

  // Adds the entry and queues its events on the open streams that carry it. `local`: by an
  // account of the fake's own; `on_public`: shown on the public timelines (see Entry).
  std::string Publish(uint64_t id, std::string json, std::vector<std::string> tags,
                      std::vector<std::string> mentions, const std::string& account_json,
                      const std::string& created, bool local = true, bool on_public = true)
      REQUIRES(mu_) {
    Entry e;
    e.id = id;
    e.json = std::move(json);
    e.local = local;
    e.on_public = on_public;
    for (auto& t : tags) e.tags.push_back(LowerUtf8Latin(t));
    for (auto& m : mentions) e.mentions.push_back(LowerUtf8Latin(m));
    // A local mention's acct has no '@host'; a remote "acmeair@elsewhere" is someone else.
    const bool mentions_us = std::find(e.mentions.begin(), e.mentions.end(), options_.account) !=
                             e.mentions.end();
    entries_.push_back(std::move(e));
    if (mentions_us) {
      notifications_.push_back(Notification{kFirstNotificationId + notifications_.size() + 1,
                                            entries_.size() - 1, account_json, created});
    }
    const Entry& added = entries_.back();
    for (auto& sub : subscribers_) {
      if (sub->channel == Channel::kNotifications) {
        if (mentions_us) {
          sub->out.push_back(
              "event: notification\ndata: " + NotificationJson(notifications_.back()) + "\n\n");
        }
      } else if (Carries(*sub, added)) {
        sub->out.push_back("event: update\ndata: " + added.json + "\n\n");
      }
    }
    stream_cv_.notify_all();
    return std::to_string(id);
  }

  // ---- serving ----

  HttpServerResponse Json(int status, std::string body) const {
    HttpServerResponse r;
    r.status = status;
    r.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    r.body = std::move(body);
    return r;
  }

  // Counts this request in the rate window and returns the three headers.
  bool RateLimit(HttpServerResponse* r) REQUIRES(mu_) {
    const SystemTime now = clock_.Now();
    if (!window_end_ || now >= *window_end_) {
      window_end_ = now + options_.rate_window;
      used_ = 0;
    }
    ++used_;
    const int64_t remaining = std::max<int64_t>(0, options_.rate_limit - used_);
    r->headers.emplace_back("X-RateLimit-Limit", std::to_string(options_.rate_limit));
    r->headers.emplace_back("X-RateLimit-Remaining", std::to_string(remaining));
    r->headers.emplace_back("X-RateLimit-Reset", FormatIso8601(*window_end_));
    return !options_.enforce_rate_limit || used_ <= options_.rate_limit;
  }

  HttpServerResponse Handle(const HttpServerRequest& req) {
    if (req.method == "POST" && req.path == "/api/v1/statuses") return PostStatus(req);
    MutexLock lock(mu_);
    RecordedRequest rec{req.received_at, req.method, req.path, req.query, req.params,
                        req.headers, 0};
    HttpServerResponse resp = Route(req);
    rec.status = resp.status;
    requests_.push_back(std::move(rec));
    return resp;
  }

  // POST /api/v1/statuses (Mastodon's "post a new status"): the form's or JSON body's
  // `status` and `in_reply_to_id`. The fake has no accounts: the bearer token names the poster
  // ("Bearer kim" posts as kim, with 100 followers).
  HttpServerResponse PostStatus(const HttpServerRequest& req) EXCLUDES(mu_) {
    const std::string_view auth = req.Header("authorization").value_or("");
    if (!auth.starts_with("Bearer ") || auth.size() == 7) {
      return Json(401, R"({"error":"The access token is invalid"})");
    }
    std::map<std::string, std::string> fields;
    if (req.Header("content-type").value_or("").starts_with("application/json")) {
      simdjson::dom::parser parser;
      simdjson::dom::object object;
      if (parser.parse(req.body).get(object)) {
        return Json(400, R"({"error":"A JSON object is expected"})");
      }
      for (auto [key, value] : object) {
        std::string_view text;
        if (!value.get(text)) fields.emplace(std::string(key), std::string(text));
      }
    } else {
      for (std::string_view rest = req.body; !rest.empty();) {
        const size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        const size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        fields.emplace(PercentDecode(pair.substr(0, eq), true), PercentDecode(pair.substr(eq + 1), true));
      }
    }
    if (fields["status"].empty()) {
      return Json(422, R"({"error":"Validation failed: Text can't be blank"})");
    }
    FakeStatus status;
    status.acct = std::string(auth.substr(7));
    status.followers = 100;
    status.text = fields["status"];
    status.in_reply_to_id = fields["in_reply_to_id"];
    const std::string id = AddStatus(status);
    MutexLock lock(mu_);
    const Entry* e = Find(id);
    return Json(200, e != nullptr ? e->json : "{}");
  }

  HttpServerResponse Route(const HttpServerRequest& req) REQUIRES(mu_) {
    if (!req.path.starts_with("/api/")) return Json(404, R"({"error":"Record not found"})");
    std::optional<FakeFault> fault;
    if (!faults_.empty()) {
      fault = faults_.front();
      if (--faults_.front().count <= 0) faults_.pop_front();
    }
    HttpServerResponse head;  // collects the rate-limit headers
    const bool within_budget = RateLimit(&head);
    auto finish = [&](HttpServerResponse r) {
      r.headers.insert(r.headers.begin(), head.headers.begin(), head.headers.end());
      return r;
    };
    if (fault && fault->kind == FakeFault::Kind::kUnauthorized) {
      return finish(Json(401, R"({"error":"The access token is invalid"})"));
    }
    if (fault && fault->kind == FakeFault::Kind::kTooManyRequests) {
      auto r = Json(429, R"({"error":"Too many requests"})");
      r.headers.emplace_back("Retry-After", std::to_string(fault->retry_after_seconds));
      for (auto& [name, value] : head.headers) {
        if (name == "X-RateLimit-Remaining") value = "0";
      }
      return finish(std::move(r));
    }
    if (fault && fault->kind == FakeFault::Kind::kServerError) {
      HttpServerResponse r;
      r.status = 500;
      r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
      r.body = "<!DOCTYPE html><html><body><h1>We're sorry, but something went wrong on our "
               "end.</h1></body></html>";
      return finish(std::move(r));
    }
    if (!within_budget) {
      ++rate_limited_;
      return finish(Json(429, R"({"error":"Too many requests"})"));
    }

    // Token: a wrong bearer token is always rejected; notifications need one.
    const auto auth = req.Header("authorization");
    const bool token_ok = options_.token.empty() || auth == "Bearer " + options_.token;
    if (auth && !token_ok) return finish(Json(401, R"({"error":"The access token is invalid"})"));

    // A web host whose streaming server runs elsewhere: Mastodon's StreamingController answers
    // every /api/v1/streaming path with a redirect to the same path and query on the streaming
    // host, before looking at the token.
    if (!redirect_to_.empty() && req.path.starts_with("/api/v1/streaming")) {
      HttpServerResponse r;
      r.status = redirect_status_;
      r.headers.emplace_back("Location",
                             redirect_to_ + req.path + (req.query.empty() ? "" : "?" + req.query));
      r.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
      r.body = "<html><body>You are being redirected.</body></html>";
      return finish(std::move(r));
    }

    HttpServerResponse r;
    if (req.path == "/api/v1/instance") {
      const std::string urls =
          options_.advertise_streaming
              ? fmt::format(",\"urls\":{{\"streaming_api\":{}}}",
                            Q(options_.streaming_url.empty() ? "ws://" + UrlHostAndPort()
                                                             : options_.streaming_url))
              : "";
      r = Json(200, fmt::format("{{\"uri\":{},\"title\":\"earshot fake Mastodon\","
                                "\"short_description\":\"\",\"version\":\"4.2.0\","
                                "\"registrations\":false,\"stats\":{{\"status_count\":{}}}{}}}",
                                Q(UrlHostAndPort()), entries_.size(), urls));
    } else if (req.path.starts_with("/api/v1/timelines/tag/")) {
      const std::string tag = LowerUtf8Latin(req.path.substr(strlen("/api/v1/timelines/tag/")));
      const auto tagged = [&](const Entry& e) { return Tagged(e, tag); };
      r = Page(req, false, tagged, 20, 40);
    } else if (req.path == "/api/v1/timelines/public") {
      // Without "timeline preview", Mastodon's PublicController wants a signed-in user and
      // answers 422 (not 401) to a request without a token.
      if (!options_.timeline_preview && !auth) {
        return finish(Json(422, R"({"error":"This method requires an authenticated user"})"));
      }
      const bool local = Truthy(req, "local");
      const bool remote = Truthy(req, "remote");
      const bool only_media = Truthy(req, "only_media");
      const auto shown = [&](const Entry& e) { return OnPublic(e, local, remote, only_media); };
      r = Page(req, false, shown, 20, 40);
    } else if (req.path == "/api/v1/streaming/public" ||
               req.path == "/api/v1/streaming/public/local" ||
               req.path == "/api/v1/streaming/public/remote") {
      auto sub = std::make_shared<Subscriber>();
      sub->channel = req.path.ends_with("/local")    ? Channel::kPublicLocal
                     : req.path.ends_with("/remote") ? Channel::kPublicRemote
                                                     : Channel::kPublic;
      sub->only_media = Truthy(req, "only_media");
      return finish(Stream(std::move(sub)));
    } else if (req.path == "/api/v1/streaming/hashtag") {
      auto sub = std::make_shared<Subscriber>();
      sub->tag = LowerUtf8Latin(req.Param("tag").value_or(""));
      if (sub->tag.empty()) return finish(Json(400, R"({"error":"tag is missing"})"));
      return finish(Stream(std::move(sub)));
    } else if (req.path == "/api/v1/streaming/user/notification") {
      if (!auth && !options_.token.empty()) {
        return finish(Json(401, R"({"error":"Missing access token"})"));
      }
      auto sub = std::make_shared<Subscriber>();
      sub->channel = Channel::kNotifications;
      return finish(Stream(std::move(sub)));
    } else if (req.path == "/api/v1/notifications") {
      if (!auth && !options_.token.empty()) {
        return finish(Json(401, R"({"error":"The access token is invalid"})"));
      }
      r = Page(req, true, nullptr, 40, 80);
    } else if (req.path.starts_with("/api/v1/statuses/")) {
      // One status, as Mastodon answers it: 404 once deleted (or never there).
      const Entry* e = Find(req.path.substr(strlen("/api/v1/statuses/")));
      if (e == nullptr || e->deleted) return finish(Json(404, R"({"error":"Record not found"})"));
      r = Json(200, e->json);
    } else {
      return finish(Json(404, R"({"error":"Record not found"})"));
    }
    if (fault && fault->kind == FakeFault::Kind::kSlow) r.delay = fault->delay;
    if (fault && fault->kind == FakeFault::Kind::kTruncated) r.truncate_body_at = r.body.size() / 2;
    if (fault && fault->kind == FakeFault::Kind::kMalformedJson) r.body.resize(r.body.size() / 2);
    return finish(std::move(r));
  }

  std::string UrlHostAndPort() const { return base_url_.substr(base_url_.find("://") + 3); }

  static std::optional<uint64_t> IdParam(const HttpServerRequest& req, std::string_view name) {
    auto v = req.Param(name);
    if (!v || v->empty()) return std::nullopt;
    uint64_t id = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
    if (ec != std::errc() || p != v->data() + v->size()) return std::nullopt;
    return id;
  }

  // One page of statuses (those `wanted` of the ones not deleted: a tag or public timeline) or
  // of mention notifications, with Mastodon's paging and Link header.
  HttpServerResponse Page(const HttpServerRequest& req, bool notifications,
                          const std::function<bool(const Entry&)>& wanted, int default_limit,
                          int max_limit) REQUIRES(mu_) {
    int limit = default_limit;
    if (auto l = req.Param("limit")) {
      int v = 0;
      auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), v);
      if (ec == std::errc() && p == l->data() + l->size() && v > 0) limit = std::min(v, max_limit);
    }
    if (notifications) {
      const auto types = req.Params("types[]");
      const auto excluded = req.Params("exclude_types[]");
      const bool want = (types.empty() || std::find(types.begin(), types.end(), "mention") !=
                                              types.end()) &&
                        std::find(excluded.begin(), excluded.end(), "mention") == excluded.end();
      if (!want) return Json(200, "[]");
    }
    // Candidates as (paging id, json), oldest first.
    std::vector<std::pair<uint64_t, std::string>> all;
    if (notifications) {
      for (const Notification& n : notifications_) {
        if (entries_[n.entry].deleted) continue;
        all.emplace_back(n.id, fmt::format("{{\"id\":\"{}\",\"type\":\"mention\",\"created_at\":"
                                           "\"{}\",\"account\":{},\"status\":{}}}",
                                           n.id, n.created_at, n.account_json,
                                           entries_[n.entry].json));
      }
    } else {
      for (const Entry& e : entries_) {
        if (!e.deleted && wanted(e)) {
          all.emplace_back(e.id, e.json);
        }
      }
    }
    const auto max_id = IdParam(req, "max_id");
    const auto since_id = IdParam(req, "since_id");
    const auto min_id = IdParam(req, "min_id");
    std::vector<const std::pair<uint64_t, std::string>*> picked;
    auto in_range = [&](uint64_t id) {
      return (!max_id || id < *max_id) && (!since_id || id > *since_id) && (!min_id || id > *min_id);
    };
    if (min_id) {
      // The page right after min_id: the oldest matches, then sent newest first.
      for (const auto& item : all) {
        if (in_range(item.first) && static_cast<int>(picked.size()) < limit) picked.push_back(&item);
      }
      std::reverse(picked.begin(), picked.end());
    } else {
      for (auto it = all.rbegin(); it != all.rend(); ++it) {
        if (in_range(it->first) && static_cast<int>(picked.size()) < limit) picked.push_back(&*it);
      }
    }
    std::string body = "[";
    for (size_t i = 0; i < picked.size(); ++i) {
      if (i > 0) body += ",";
      body += picked[i]->second;
    }
    body += "]";
    HttpServerResponse r = Json(200, std::move(body));
    if (!picked.empty()) {
      std::string keep = fmt::format("limit={}", limit);
      for (const auto& [key, value] : req.params) {
        // Mastodon's controllers keep their filters in the Link URLs (pagination_params).
        if (key == "types[]" || key == "exclude_types[]" || key == "local" || key == "remote" ||
            key == "only_media") {
          keep += fmt::format("&{}={}", PercentEncode(key), PercentEncode(value));
        }
      }
      const std::string self = base_url_ + PercentEncodePath(req.path);
      r.headers.emplace_back(
          "Link", fmt::format("<{0}?{1}&max_id={2}>; rel=\"next\", <{0}?{1}&min_id={3}>; "
                              "rel=\"prev\"",
                              self, keep, picked.back()->first, picked.front()->first));
    }
    return r;
  }

  static std::string PercentEncodePath(std::string_view path) {
    std::string out;
    size_t start = 0;
    while (start <= path.size()) {
      const size_t slash = path.find('/', start);
      const std::string_view seg = path.substr(start, slash == path.npos ? path.npos : slash - start);
      out += PercentEncode(seg);
      if (slash == path.npos) break;
      out += '/';
      start = slash + 1;
    }
    return out;
  }

  FakeMastodonOptions options_;
  Clock& clock_;
  std::unique_ptr<HttpServer> server_;
  std::string base_url_;

  mutable Mutex mu_;
  std::vector<Entry> entries_ GUARDED_BY(mu_);  // oldest first
  std::vector<Notification> notifications_ GUARDED_BY(mu_);
  std::vector<std::pair<std::string, uint64_t>> reply_authors_ GUARDED_BY(mu_);
  std::map<std::string, uint64_t> account_ids_ GUARDED_BY(mu_);
  std::map<std::string, int64_t> statuses_by_acct_ GUARDED_BY(mu_);
  std::deque<FakeFault> faults_ GUARDED_BY(mu_);
  std::vector<RecordedRequest> requests_ GUARDED_BY(mu_);
  std::list<std::shared_ptr<Subscriber>> subscribers_ GUARDED_BY(mu_);  // open streams
  std::condition_variable_any stream_cv_;            // signalled on new events and drops
  std::optional<SystemTime> window_end_ GUARDED_BY(mu_);
  int64_t used_ GUARDED_BY(mu_) = 0;
  int rate_limited_ GUARDED_BY(mu_) = 0;
  std::string redirect_to_ GUARDED_BY(mu_);  // "" = serve streams
  int redirect_status_ GUARDED_BY(mu_) = 301;
};

Result<std::unique_ptr<FakeMastodon>> FakeMastodon::Start(FakeMastodonOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  EARSHOT_RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<FakeMastodon>(new FakeMastodon(std::move(impl)));
}

FakeMastodon::FakeMastodon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FakeMastodon::~FakeMastodon() { Stop(); }
std::string FakeMastodon::base_url() const { return impl_->base_url(); }
uint16_t FakeMastodon::port() const { return impl_->port(); }
std::string FakeMastodon::AddStatus(const FakeStatus& status) { return impl_->AddStatus(status); }
std::string FakeMastodon::AddRawStatus(std::string json, std::vector<std::string> tags,
                                       std::vector<std::string> mentions) {
  return impl_->AddRawStatus(std::move(json), std::move(tags), std::move(mentions));
}
void FakeMastodon::DeleteStatus(const std::string& id) { impl_->DeleteStatus(id); }
void FakeMastodon::EditStatus(const std::string& id, const std::string& text) {
  impl_->EditStatus(id, text);
}
size_t FakeMastodon::DropStreams(bool mid_event) { return impl_->DropStreams(mid_event); }
size_t FakeMastodon::open_streams() const { return impl_->open_streams(); }
void FakeMastodon::InjectFault(FakeFault fault) { impl_->InjectFault(fault); }
void FakeMastodon::ClearFaults() { impl_->ClearFaults(); }
void FakeMastodon::SetToken(std::string token) { impl_->SetToken(std::move(token)); }
void FakeMastodon::RedirectStreams(std::string location_prefix, int status) {
  impl_->RedirectStreams(std::move(location_prefix), status);
}
int FakeMastodon::rate_limited() const { return impl_->rate_limited(); }
std::vector<RecordedRequest> FakeMastodon::requests() const { return impl_->requests(); }
size_t FakeMastodon::status_count() const { return impl_->status_count(); }
void FakeMastodon::Stop() { impl_->Stop(); }

}  // namespace earshot
