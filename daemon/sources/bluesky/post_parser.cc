#include "daemon/sources/bluesky/post_parser.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/sources/json_fields.h"
#include "daemon/sources/mastodon/status_parser.h"

namespace earshot::bluesky {
namespace {

namespace dom = simdjson::dom;
using mastodon::LowerUtf8Latin;

using json_fields::FieldError;
using json_fields::Int;
using json_fields::Join;
using json_fields::Obj;
using json_fields::Str;
using json_fields::Wrong;

bool IsContinuation(std::string_view text, size_t i) {
  return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
}

void AddUnique(std::vector<std::string>* v, std::string s) {
  if (!s.empty() && std::find(v->begin(), v->end(), s) == v->end()) v->push_back(std::move(s));
}

// "at://did:plc:x/app.bsky.feed.post/3k43" -> "3k43".
std::string_view Rkey(std::string_view uri) {
  const size_t slash = uri.rfind('/');
  return slash == std::string_view::npos ? uri : uri.substr(slash + 1);
}

bool Missing(FieldError* err, std::string field) {
  err->field = std::move(field);
  err->what = "missing";
  return false;
}

}  // namespace

bool ReadPostRecord(dom::object record, Post* post, std::string* created_at, bool* has_text,
                    FieldError* err) {
  bool ok = true;
  dom::element text_el;
  if (!record["text"].get(text_el)) {
    std::string_view text;
    if (text_el.get(text)) {
      ok = Wrong(err, "record.text");
    } else {
      post->text = std::string(text);
      *has_text = true;
    }
  }
  ok = Str(record, "createdAt", created_at, "record", err) && ok;
  dom::element langs_el;
  if (!record["langs"].get(langs_el) && !langs_el.is_null()) {
    dom::array langs;
    if (langs_el.get(langs)) {
      ok = Wrong(err, "record.langs");
    } else {
      for (dom::element l : langs) {
        std::string_view s;
        if (!l.get(s)) {
          post->language = std::string(s);
          break;
        }
      }
    }
  }
  dom::object reply;
  if (Obj(record, "reply", &reply, "record", err)) {
    dom::object root, parent;
    if (Obj(reply, "root", &root, "record.reply", err)) {
      ok = Str(root, "uri", &post->thread_key, "record.reply.root", err) && ok;
    }
    if (Obj(reply, "parent", &parent, "record.reply", err)) {
      ok = Str(parent, "uri", &post->reply_to, "record.reply.parent", err) && ok;
    }
  }
  dom::element facets_el;
  if (!record["facets"].get(facets_el) && !facets_el.is_null()) {
    dom::array facets;
    if (facets_el.get(facets)) {
      ok = Wrong(err, "record.facets");
    } else {
      ApplyFacets(facets, post->text, post);
    }
  }
  dom::element tags_el;
  if (!record["tags"].get(tags_el) && !tags_el.is_null()) {
    dom::array tags;
    if (!tags_el.get(tags)) {
      for (dom::element t : tags) {
        std::string_view s;
        if (!t.get(s)) AddUnique(&post->hashtags, LowerUtf8Latin(s));
      }
    }
  }
  return ok;
}

namespace {

bool PostItem(dom::element v, std::string* uri_out, SearchItem* item, FieldError* err,
              std::optional<SystemTime>* sort_at_out) {
  dom::object o;
  if (v.get(o)) return Wrong(err, "post");
  std::string uri, indexed_at;
  Post& post = item->post;
  bool ok = Str(o, "uri", &uri, "", err);
  *uri_out = uri;
  ok = Str(o, "indexedAt", &indexed_at, "", err) && ok;
  int64_t quotes = 0;
  ok = Int(o, "replyCount", &post.replies, "", err) && ok;
  ok = Int(o, "repostCount", &post.boosts, "", err) && ok;
  ok = Int(o, "quoteCount", &quotes, "", err) && ok;
  ok = Int(o, "likeCount", &post.likes, "", err) && ok;
  post.boosts += quotes;
  dom::object author;
  const bool has_author = Obj(o, "author", &author, "", err);
  if (has_author) {
    ok = Str(author, "did", &post.author.id, "author", err) && ok;
    ok = Str(author, "handle", &post.author.handle, "author", err) && ok;
    ok = Str(author, "displayName", &post.author.display_name, "author", err) && ok;
  }
  dom::object record;
  const bool has_record = Obj(o, "record", &record, "", err);
  std::string created_at;
  bool has_text = false;
  if (has_record) ok = ReadPostRecord(record, &post, &created_at, &has_text, err) && ok;
  const auto created = ParseIso8601(created_at);
  const auto indexed = ParseIso8601(indexed_at);
  if (created || indexed) {
    item->sort_at = created && indexed ? std::min(*created, *indexed)
                    : created          ? *created
                                       : *indexed;
    *sort_at_out = item->sort_at;
  }
  if (!err->field.empty() || !ok) return false;
  if (uri.empty()) return Missing(err, "uri");
  if (!has_author) return Missing(err, "author");
  if (post.author.id.empty()) return Missing(err, "author.did");
  if (post.author.handle.empty()) return Missing(err, "author.handle");
  if (!has_record) return Missing(err, "record");
  if (!has_text) return Missing(err, "record.text");
  if (!created && !indexed) {
    err->field = "record.createdAt";
    err->what = fmt::format("not an ISO-8601 time: '{}'", created_at.substr(0, 40));
    return false;
  }
  post.network = "bluesky";
  post.id = uri;
  post.created_at = created ? *created : *indexed;
  post.url = fmt::format("https://bsky.app/profile/{}/post/{}", post.author.handle, Rkey(uri));
  if (post.thread_key.empty()) post.thread_key = uri;
  return true;
}

}  // namespace

void ApplyFacets(dom::array facets, std::string_view text, Post* post) {
  for (dom::element f : facets) {
    dom::object facet;
    if (f.get(facet)) continue;
    int64_t start = -1, end = -1;
    dom::object index;
    if (!facet["index"].get(index)) {
      if (index["byteStart"].get(start) || index["byteEnd"].get(end)) start = end = -1;
    }
    const bool range_ok = start >= 0 && end > start && static_cast<uint64_t>(end) <= text.size() &&
                          !IsContinuation(text, static_cast<size_t>(start)) &&
                          !IsContinuation(text, static_cast<size_t>(end));
    dom::array features;
    if (facet["features"].get(features)) continue;
    for (dom::element fe : features) {
      dom::object feature;
      std::string_view type;
      if (fe.get(feature) || feature["$type"].get(type)) continue;
      if (type == "app.bsky.richtext.facet#tag") {
        std::string_view tag;
        if (!feature["tag"].get(tag)) {
          while (!tag.empty() && tag.front() == '#') tag.remove_prefix(1);
          AddUnique(&post->hashtags, LowerUtf8Latin(tag));
        }
      } else if (type == "app.bsky.richtext.facet#mention" && range_ok) {
        std::string_view covered =
            text.substr(static_cast<size_t>(start), static_cast<size_t>(end - start));
        if (!covered.empty() && covered.front() == '@') covered.remove_prefix(1);
        AddUnique(&post->mentions, LowerUtf8Latin(covered));
      }
    }
  }
}

Status PostParser::ParseSearchPage(std::string_view json, ParsedSearchPage* page) {
  *page = ParsedSearchPage{};
  dom::object obj;
  if (Status s = json_fields::ParseObject(parser_, json, &obj); !s.ok()) return s;
  dom::array posts;
  if (obj["posts"].get(posts)) return Status::DataLoss("'posts' is missing or not an array");
  dom::element cursor_el;
  if (!obj["cursor"].get(cursor_el) && !cursor_el.is_null()) {
    std::string_view c;
    if (cursor_el.get(c)) return Status::DataLoss("'cursor' is not a string");
    if (!c.empty()) page->cursor = std::string(c);
  }
  for (dom::element p : posts) {
    const int index = page->count++;
    std::string uri;
    SearchItem item;
    FieldError err;
    std::optional<SystemTime> sort_at;
    const bool ok = PostItem(p, &uri, &item, &err, &sort_at);
    if (sort_at && (!page->newest_sort_at || *sort_at > *page->newest_sort_at)) {
      page->newest_sort_at = sort_at;
    }
    if (!ok) {
      page->errors.push_back(fmt::format(
          "post {}: '{}': {}", uri.empty() ? fmt::format("#{}", index) : uri, err.field, err.what));
      continue;
    }
    page->items.push_back(std::move(item));
  }
  return Status::Ok();
}

Status PostParser::ParseNotificationPage(std::string_view json, ParsedNotificationPage* page) {
  *page = ParsedNotificationPage{};
  dom::object obj;
  if (Status s = json_fields::ParseObject(parser_, json, &obj); !s.ok()) return s;
  dom::array notifications;
  if (obj["notifications"].get(notifications)) {
    return Status::DataLoss("'notifications' is missing or not an array");
  }
  dom::element cursor_el;
  if (!obj["cursor"].get(cursor_el) && !cursor_el.is_null()) {
    std::string_view c;
    if (cursor_el.get(c)) return Status::DataLoss("'cursor' is not a string");
    if (!c.empty()) page->cursor = std::string(c);
  }
  for (dom::element n : notifications) {
    const int index = page->count++;
    dom::object o;
    std::string uri, reason, indexed_at;
    FieldError err;
    if (n.get(o)) {
      page->errors.push_back(fmt::format("notification #{}: not an object", index));
      continue;
    }
    Str(o, "uri", &uri, "", &err);
    Str(o, "reason", &reason, "", &err);
    Str(o, "indexedAt", &indexed_at, "", &err);
    const auto indexed = ParseIso8601(indexed_at);
    if (indexed) {
      if (!page->newest_indexed_at || *indexed > *page->newest_indexed_at) {
        page->newest_indexed_at = indexed;
      }
      if (!page->oldest_indexed_at || *indexed < *page->oldest_indexed_at) {
        page->oldest_indexed_at = indexed;
      }
    }
    const std::string who = uri.empty() ? fmt::format("#{}", index) : uri;
    if (reason != "mention" && reason != "reply" && reason != "quote") {
      if (reason.empty()) {
        page->errors.push_back(fmt::format("notification {}: 'reason': missing or wrong type",
                                           who));
      } else {
        ++page->skipped;
      }
      continue;
    }
    if (!indexed) {
      page->errors.push_back(fmt::format("notification {}: 'indexedAt': not an ISO-8601 time: '{}'",
                                         who, indexed_at.substr(0, 40)));
      continue;
    }
    SearchItem item;
    std::string ignored_uri;
    std::optional<SystemTime> ignored_sort;
    if (!PostItem(n, &ignored_uri, &item, &err, &ignored_sort)) {
      page->errors.push_back(
          fmt::format("notification {}: '{}': {}", who, err.field, err.what));
      continue;
    }
    page->items.push_back(NotificationItem{std::move(item.post), std::move(reason), *indexed});
  }
  return Status::Ok();
}

Status PostParser::ParseProfiles(std::string_view json, std::vector<Profile>* out) {
  out->clear();
  std::string scrubbed;
  json = utf8::ScrubJson(json, &scrubbed);  // display names are outside text too
  dom::element root;
  if (auto e = parser_.parse(json.data(), json.size()).get(root)) {
    return Status::DataLoss(fmt::format("body is not JSON: {}", simdjson::error_message(e)));
  }
  dom::array profiles;
  if (root["profiles"].get(profiles)) {
    return Status::DataLoss("'profiles' is missing or not an array");
  }
  for (dom::element e : profiles) {
    dom::object o;
    if (e.get(o)) continue;
    Profile p;
    FieldError err;
    Str(o, "did", &p.did, "", &err);
    Str(o, "handle", &p.handle, "", &err);
    Str(o, "displayName", &p.display_name, "", &err);
    Int(o, "followersCount", &p.followers, "", &err);
    if (!p.did.empty()) out->push_back(std::move(p));
  }
  return Status::Ok();
}

Status PostParser::ParseSession(std::string_view json, Session* out) {
  dom::object o;
  if (Status s = json_fields::ParseObject(parser_, json, &o); !s.ok()) return s;
  FieldError err;
  Session s;
  Str(o, "accessJwt", &s.access_jwt, "", &err);
  Str(o, "refreshJwt", &s.refresh_jwt, "", &err);
  Str(o, "did", &s.did, "", &err);
  Str(o, "handle", &s.handle, "", &err);
  if (s.access_jwt.empty() || s.refresh_jwt.empty()) {
    return Status::DataLoss("session without accessJwt or refreshJwt");
  }
  *out = std::move(s);
  return Status::Ok();
}

std::string PostParser::ErrorName(std::string_view json) {
  dom::element root;
  if (parser_.parse(json.data(), json.size()).get(root)) return "";
  std::string_view name;
  if (root["error"].get(name)) return "";
  return std::string(name);
}

}  // namespace earshot::bluesky
