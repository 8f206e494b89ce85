#include "daemon/sources/x/tweet_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "daemon/sources/json_fields.h"
#include "daemon/sources/mastodon/status_parser.h"

namespace earshot::x {
namespace {

namespace dom = simdjson::dom;

using json_fields::FieldError;
using json_fields::Int;
using json_fields::Join;
using json_fields::Obj;
using json_fields::Str;
using json_fields::Wrong;

// `name` of each object in array object[key].
bool Names(dom::object o, std::string_view key, std::string_view name,
           std::vector<std::string>* out, std::string_view prefix, FieldError* err) {
  dom::element v;
  if (o[key].get(v) || v.is_null()) return true;
  dom::array arr;
  if (v.get(arr)) return Wrong(err, Join(prefix, key));
  for (dom::element e : arr) {
    dom::object item;
    if (e.get(item)) return Wrong(err, Join(prefix, key));
    std::string s;
    if (!Str(item, name, &s, fmt::format("{}.{}[]", prefix, key), err)) return false;
    if (!s.empty()) out->push_back(mastodon::LowerUtf8Latin(s));
  }
  return true;
}

struct User {
  std::string username, name;
  int64_t followers = 0;
};

bool Missing(FieldError* err, std::string field) {
  err->field = std::move(field);
  err->what = "missing";
  return false;
}

// One tweet. *retweet: a retweet, ignored (not an error).
bool TweetItem(dom::element v, const std::unordered_map<std::string, User>& users,
               std::string* id_out, bool* retweet, Post* post, FieldError* err) {
  dom::object o;
  if (v.get(o)) return Wrong(err, "tweet");
  std::string id, text, created_at, author_id, conversation_id, lang;
  bool ok = Str(o, "id", &id, "", err);
  *id_out = id;
  ok = Str(o, "text", &text, "", err) && ok;
  ok = Str(o, "created_at", &created_at, "", err) && ok;
  ok = Str(o, "author_id", &author_id, "", err) && ok;
  ok = Str(o, "conversation_id", &conversation_id, "", err) && ok;
  ok = Str(o, "lang", &lang, "", err) && ok;
  dom::object entities;
  if (Obj(o, "entities", &entities, "", err)) {
    ok = Names(entities, "hashtags", "tag", &post->hashtags, "entities", err) && ok;
    ok = Names(entities, "mentions", "username", &post->mentions, "entities", err) && ok;
  }
  dom::object metrics;
  if (Obj(o, "public_metrics", &metrics, "", err)) {
    int64_t quotes = 0;
    ok = Int(metrics, "reply_count", &post->replies, "public_metrics", err) && ok;
    ok = Int(metrics, "retweet_count", &post->boosts, "public_metrics", err) && ok;
    ok = Int(metrics, "quote_count", &quotes, "public_metrics", err) && ok;
    ok = Int(metrics, "like_count", &post->likes, "public_metrics", err) && ok;
    post->boosts += quotes;
  }
  dom::element refs_el;
  if (!o["referenced_tweets"].get(refs_el) && !refs_el.is_null()) {
    dom::array refs;
    if (refs_el.get(refs)) return Wrong(err, "referenced_tweets");
    for (dom::element r : refs) {
      dom::object ref;
      if (r.get(ref)) return Wrong(err, "referenced_tweets");
      std::string type, ref_id;
      ok = Str(ref, "type", &type, "referenced_tweets[]", err) && ok;
      ok = Str(ref, "id", &ref_id, "referenced_tweets[]", err) && ok;
      if (type == "retweeted") *retweet = true;
      if (type == "replied_to") post->reply_to = ref_id;
    }
  }
  if (!err->field.empty() || !ok) return false;
  if (*retweet) return true;
  if (id.empty()) return Missing(err, "id");
  if (created_at.empty()) return Missing(err, "created_at");
  if (author_id.empty()) return Missing(err, "author_id");
  const auto created = ParseIso8601(created_at);
  if (!created) {
    err->field = "created_at";
    err->what = fmt::format("not an ISO-8601 time: '{}'", created_at.substr(0, 40));
    return false;
  }
  post->network = "x";
  post->id = id;
  post->created_at = *created;
  post->text = UnescapeTweetText(text);
  post->author.id = author_id;
  if (auto it = users.find(author_id); it != users.end() && !it->second.username.empty()) {
    post->author.handle = it->second.username;
    post->author.display_name = it->second.name;
    post->author.followers = it->second.followers;
    post->url = fmt::format("https://x.com/{}/status/{}", it->second.username, id);
  } else {
    post->author.handle = "id:" + author_id;
    post->url = fmt::format("https://x.com/i/web/status/{}", id);
  }
  post->language = lang == "und" ? "" : lang;
  post->thread_key = conversation_id.empty() ? id : conversation_id;
  return true;
}

// includes.users by id.
std::unordered_map<std::string, User> IncludedUsers(dom::object obj) {
  std::unordered_map<std::string, User> users;
  dom::array user_arr;
  if (!obj.at_pointer("/includes/users").get(user_arr)) {
    for (dom::element e : user_arr) {
      dom::object u;
      if (e.get(u)) continue;
      FieldError ignored;
      std::string id;
      User user;
      Str(u, "id", &id, "", &ignored);
      Str(u, "username", &user.username, "", &ignored);
      Str(u, "name", &user.name, "", &ignored);
      dom::object pm;
      if (Obj(u, "public_metrics", &pm, "", &ignored)) {
        Int(pm, "followers_count", &user.followers, "", &ignored);
      }
      // A user with a malformed field keeps what could be read: the tweet is still worth having.
      if (!id.empty()) users.emplace(std::move(id), std::move(user));
    }
  }
  return users;
}

}  // namespace

std::string UnescapeTweetText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&') {
      const std::string_view rest = text.substr(i);
      if (rest.starts_with("&amp;")) {
        out += '&';
        i += 4;
        continue;
      }
      if (rest.starts_with("&lt;")) {
        out += '<';
        i += 3;
        continue;
      }
      if (rest.starts_with("&gt;")) {
        out += '>';
        i += 3;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

Status TweetParser::ParsePage(std::string_view json, ParsedTweetPage* page) {
  *page = ParsedTweetPage{};
  dom::object obj;
  if (Status s = json_fields::ParseObject(parser_, json, &obj); !s.ok()) return s;
  dom::object meta;
  if (obj["meta"].get(meta)) return Status::DataLoss("'meta' is missing or not an object");
  FieldError meta_err;
  std::string newest, oldest, next;
  int64_t count = 0;
  if (!Str(meta, "newest_id", &newest, "meta", &meta_err) ||
      !Str(meta, "oldest_id", &oldest, "meta", &meta_err) ||
      !Str(meta, "next_token", &next, "meta", &meta_err) ||
      !Int(meta, "result_count", &count, "meta", &meta_err)) {
    return Status::DataLoss(fmt::format("'{}': {}", meta_err.field, meta_err.what));
  }
  if (!newest.empty()) page->newest_id = newest;
  if (!oldest.empty()) page->oldest_id = oldest;
  if (!next.empty()) page->next_token = next;
  page->result_count = static_cast<int>(count);

  const std::unordered_map<std::string, User> users = IncludedUsers(obj);

  dom::element data;
  if (obj["data"].get(data) || data.is_null()) return Status::Ok();  // no results
  dom::array tweets;
  if (data.get(tweets)) return Status::DataLoss("'data' is not an array");
  for (dom::element t : tweets) {
    const int index = page->items++;
    std::string id;
    bool retweet = false;
    Post post;
    FieldError err;
    if (!TweetItem(t, users, &id, &retweet, &post, &err)) {
      page->errors.push_back(fmt::format(
          "tweet {}: '{}': {}", id.empty() ? fmt::format("#{}", index) : id, err.field, err.what));
      continue;
    }
    if (retweet) {
      ++page->ignored;
      continue;
    }
    page->posts.push_back(std::move(post));
  }
  return Status::Ok();
}

namespace {

// "<title>: <detail>" of errors[0], or of whichever of the two is present.
std::string FirstProblem(dom::object obj) {
  dom::array errors;
  if (obj["errors"].get(errors)) return "";
  for (dom::element e : errors) {
    dom::object o;
    if (e.get(o)) continue;
    FieldError ignored;
    std::string title, detail, message;
    Str(o, "title", &title, "", &ignored);
    Str(o, "detail", &detail, "", &ignored);
    Str(o, "message", &message, "", &ignored);
    if (detail.empty()) detail = message;
    if (title.empty()) return detail.empty() ? "unspecified error" : detail;
    return detail.empty() ? title : fmt::format("{}: {}", title, detail);
  }
  return "";
}

}  // namespace

Status TweetParser::ParseStreamLine(std::string_view json, ParsedStreamLine* line) {
  *line = ParsedStreamLine{};
  dom::object obj;
  if (Status s = json_fields::ParseObject(parser_, json, &obj); !s.ok()) return s;
  dom::element data;
  if (obj["data"].get(data) || data.is_null()) {
    line->problem = FirstProblem(obj);
    if (line->problem.empty()) return Status::DataLoss("neither 'data' nor 'errors' in the line");
    return Status::Ok();
  }
  dom::array rules;
  if (obj["matching_rules"].get(rules) == simdjson::SUCCESS) {
    line->has_rules = true;
    for (dom::element e : rules) {
      dom::object r;
      if (e.get(r)) continue;
      FieldError ignored;
      MatchingRule rule;
      Str(r, "id", &rule.id, "", &ignored);
      Str(r, "tag", &rule.tag, "", &ignored);
      line->rules.push_back(std::move(rule));
    }
  }
  const std::unordered_map<std::string, User> users = IncludedUsers(obj);
  Post post;
  FieldError err;
  if (!TweetItem(data, users, &line->id, &line->retweet, &post, &err)) {
    line->error =
        fmt::format("tweet {}: '{}': {}", line->id.empty() ? "#0" : line->id, err.field, err.what);
    return Status::Ok();
  }
  if (!line->retweet) line->post = std::move(post);
  return Status::Ok();
}

Status ParseUserLookup(dom::parser& parser, std::string_view json, UserLookup* out) {
  *out = UserLookup{};
  dom::object obj;
  if (Status s = json_fields::ParseObject(parser, json, &obj); !s.ok()) return s;
  dom::object data;
  if (obj["data"].get(data)) {
    out->problem = FirstProblem(obj);
    if (out->problem.empty()) return Status::DataLoss("neither 'data' nor 'errors' in the body");
    return Status::Ok();
  }
  FieldError err;
  if (!Str(data, "id", &out->id, "data", &err) || !Str(data, "username", &out->username, "data",
                                                       &err)) {
    return Status::DataLoss(fmt::format("'{}': {}", err.field, err.what));
  }
  const bool digits = !out->id.empty() && out->id.size() <= 20 &&
                      std::all_of(out->id.begin(), out->id.end(),
                                  [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return Status::DataLoss("'data.id' is missing or not a numeric user id");
  return Status::Ok();
}

std::string ProblemDetail(dom::parser& parser, std::string_view json) {
  dom::element root;
  if (parser.parse(json.data(), json.size()).get(root)) return "";
  dom::object obj;
  if (root.get(obj)) return "";
  dom::element ignored;
  if (!obj["data"].get(ignored) || !obj["meta"].get(ignored)) return "";
  return FirstProblem(obj);
}

}  // namespace earshot::x
