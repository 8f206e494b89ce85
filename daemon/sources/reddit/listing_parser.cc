#include "daemon/sources/reddit/listing_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "daemon/base/utf8.h"

namespace earshot::reddit {
namespace {

namespace dom = simdjson::dom;

struct FieldError {
  std::string field, what;
};

bool Str(dom::object o, std::string_view key, std::string* out, FieldError* err) {
  dom::element v;
  if (o[key].get(v) || v.is_null()) return true;
  std::string_view s;
  if (v.get(s)) {
    if (err->field.empty()) *err = FieldError{std::string(key), "wrong type"};
    return false;
  }
  *out = std::string(s);
  return true;
}

// A JSON number (int or float) as int64; absent or null leaves *out.
bool Num(dom::object o, std::string_view key, std::optional<double>* out, FieldError* err) {
  dom::element v;
  if (o[key].get(v) || v.is_null()) return true;
  double d = 0;
  if (v.get(d)) {
    int64_t i = 0;
    uint64_t u = 0;
    if (!v.get(i)) {
      d = static_cast<double>(i);
    } else if (!v.get(u)) {
      d = static_cast<double>(u);
    } else {
      if (err->field.empty()) *err = FieldError{std::string(key), "wrong type"};
      return false;
    }
  }
  *out = d;
  return true;
}

constexpr double kMaxEpochSeconds = 9.2e9;  // 2261-07: the last year a SystemTime holds

// Reddit's counts arrive as JSON numbers; one past int64 must not overflow the cast.
int64_t Count(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return 0;
  return static_cast<int64_t>(std::clamp(*v, -9.0e18, 9.0e18));
}

bool Item(dom::element child, std::string* name_out, bool* ignored, Post* post, FieldError* err) {
  dom::object c;
  if (child.get(c)) {
    *err = FieldError{"child", "wrong type"};
    return false;
  }
  std::string kind;
  dom::object d;
  Str(c, "kind", &kind, err);
  if (c["data"].get(d)) {
    *err = FieldError{"data", "missing"};
    return false;
  }
  std::string id, name, author, author_fullname, title, selftext, body, link_id, parent_id,
      permalink;
  std::optional<double> created, comments, score;
  bool ok = Str(d, "id", &id, err);
  ok = Str(d, "name", &name, err) && ok;
  if (name.empty() && !id.empty() && !kind.empty()) name = kind + "_" + id;
  *name_out = name;
  if (kind != "t1" && kind != "t3") {
    *ignored = true;
    return true;
  }
  ok = Str(d, "author", &author, err) && ok;
  ok = Str(d, "author_fullname", &author_fullname, err) && ok;
  ok = Str(d, "title", &title, err) && ok;
  ok = Str(d, "selftext", &selftext, err) && ok;
  ok = Str(d, "body", &body, err) && ok;
  ok = Str(d, "link_id", &link_id, err) && ok;
  ok = Str(d, "parent_id", &parent_id, err) && ok;
  ok = Str(d, "permalink", &permalink, err) && ok;
  ok = Num(d, "created_utc", &created, err) && ok;
  ok = Num(d, "num_comments", &comments, err) && ok;
  ok = Num(d, "score", &score, err) && ok;
  if (!ok) return false;
  if (name.empty()) {
    *err = FieldError{"name", "missing"};
    return false;
  }
  if (author.empty()) {
    *err = FieldError{"author", "missing"};
    return false;
  }
  // Past 2262 a SystemTime (nanoseconds in 64 bits) overflows: such a time is as bad as none.
  if (!created || !std::isfinite(*created) || *created < 0 || *created > kMaxEpochSeconds) {
    *err = FieldError{"created_utc", "missing"};
    return false;
  }
  post->network = "reddit";
  post->id = name;
  post->created_at = SystemTime(std::chrono::milliseconds(std::llround(*created * 1000)));
  post->author.handle = author;
  post->author.id = author_fullname.empty() ? author : author_fullname;
  if (kind == "t3") {
    post->text = selftext.empty() ? title : title + "\n\n" + selftext;
    post->thread_key = name;
    post->replies = Count(comments);
  } else {
    post->text = body;
    post->thread_key = link_id.empty() ? name : link_id;
    post->reply_to = parent_id;
    if (permalink.empty() && link_id.size() > 3) {
      permalink = fmt::format("/comments/{}/_/{}", link_id.substr(3), id);
    }
  }
  post->likes = Count(score);
  if (!permalink.empty()) post->url = "https://www.reddit.com" + permalink;
  return true;
}

}  // namespace

Status ListingParser::ParseListing(std::string_view json, ParsedListing* out) {
  *out = ParsedListing{};
  // Invalid UTF-8 and lone surrogates become U+FFFD: simdjson refuses a whole document for
  // either, and one post's bad character must not cost the page.
  std::string scrubbed;
  json = utf8::ScrubJson(json, &scrubbed);
  dom::element root;
  if (auto e = parser_.parse(json.data(), json.size()).get(root)) {
    return Status::DataLoss(fmt::format("body is not JSON: {}", simdjson::error_message(e)));
  }
  std::string_view kind;
  dom::object data;
  dom::array children;
  if (root["kind"].get(kind) || kind != "Listing" || root["data"].get(data) ||
      data["children"].get(children)) {
    return Status::DataLoss("body is not a Listing with data.children");
  }
  FieldError ignored_err;
  std::string after, before;
  Str(data, "after", &after, &ignored_err);
  Str(data, "before", &before, &ignored_err);
  if (!after.empty()) out->after = after;
  if (!before.empty()) out->before = before;
  for (dom::element child : children) {
    const int index = out->items++;
    std::string name;
    bool ignored = false;
    Post post;
    FieldError err;
    const bool ok = Item(child, &name, &ignored, &post, &err);
    if (!name.empty()) {
      if (!out->first_name) out->first_name = name;
      out->last_name = name;
    }
    if (!ok) {
      out->errors.push_back(fmt::format("item {}: '{}': {}",
                                        name.empty() ? fmt::format("#{}", index) : name, err.field,
                                        err.what));
      continue;
    }
    if (ignored) {
      ++out->ignored;
      continue;
    }
    out->posts.push_back(std::move(post));
  }
  return Status::Ok();
}

Status ListingParser::ParseToken(std::string_view json, std::string* token, int64_t* expires_in) {
  dom::element root;
  if (auto e = parser_.parse(json.data(), json.size()).get(root)) {
    return Status::DataLoss(fmt::format("body is not JSON: {}", simdjson::error_message(e)));
  }
  std::string_view t;
  if (root["access_token"].get(t) || t.empty()) return Status::DataLoss("no access_token");
  *token = std::string(t);
  int64_t e = 3600;
  if (root["expires_in"].get(e)) e = 3600;
  *expires_in = e;
  return Status::Ok();
}

}  // namespace earshot::reddit
