#include "daemon/sources/mastodon/status_parser.h"

#include <fmt/format.h>

#include <memory>

#include "daemon/base/utf8.h"
#include "daemon/sources/mastodon/html_text.h"

namespace earshot::mastodon {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// Errors that concern one value; anything else means the document itself is broken.
bool IsItemError(error_code e) {
  return e == simdjson::INCORRECT_TYPE || e == simdjson::NO_SUCH_FIELD ||
         e == simdjson::NUMBER_OUT_OF_RANGE ||
         e == simdjson::NUMBER_ERROR;
}

// Why one item failed: the field and what was wrong, or a document-level simdjson error.
struct ItemError {
  std::string field;
  std::string what;
  error_code code = simdjson::SUCCESS;
};

struct RawAccount {
  std::string id, acct, display_name;
  int64_t followers = 0;
  bool bot = false;
  bool present = false;
};

struct RawStatus {
  std::string id, created_at, edited_at, url, uri, content, spoiler, language, in_reply_to_id;
  RawAccount account;
  std::vector<std::string> tags, mentions;
  int64_t replies = 0, reblogs = 0, favourites = 0;
  std::unique_ptr<RawStatus> reblog;
};

bool IsNull(od::value& v) {
  od::json_type t;
  return !v.type().get(t) && t == od::json_type::null;
}

// Reads a string (or, leniently, a number's literal, for ids) into *out. Null leaves *out.
error_code ReadString(od::value& v, std::string* out, bool allow_number = false) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t == od::json_type::null) return simdjson::SUCCESS;
  if (allow_number && t == od::json_type::number) {
    std::string_view raw = v.raw_json_token();
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                            raw.back() == '\t' || raw.back() == ',')) {
      raw.remove_suffix(1);
    }
    *out = std::string(raw);
    return simdjson::SUCCESS;
  }
  std::string_view s;
  if (auto e = v.get_string().get(s)) return e;
  *out = std::string(s);
  return simdjson::SUCCESS;
}

error_code ReadInt(od::value& v, int64_t* out) {
  if (IsNull(v)) return simdjson::SUCCESS;
  return v.get_int64().get(*out);
}

// Records the first item error (a later document error overrides it). Returns false.
bool Fail(ItemError* err, std::string field, error_code code) {
  if (!err->field.empty() && IsItemError(code)) return false;
  err->field = std::move(field);
  err->code = code;
  err->what = code == simdjson::INCORRECT_TYPE ? "wrong type" : simdjson::error_message(code);
  return false;
}

bool ParseAccount(od::value& v, RawAccount* acc, std::string_view prefix, ItemError* err) {
  od::object obj;
  if (auto e = v.get_object().get(obj)) return Fail(err, std::string(prefix), e);
  acc->present = true;
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return Fail(err, std::string(prefix), e);
    od::value val = field.value();
    error_code e = simdjson::SUCCESS;
    if (key == "id") {
      e = ReadString(val, &acc->id, true);
    } else if (key == "acct") {
      e = ReadString(val, &acc->acct);
    } else if (key == "display_name") {
      e = ReadString(val, &acc->display_name);
    } else if (key == "followers_count") {
      e = ReadInt(val, &acc->followers);
    } else if (key == "bot") {
      if (!IsNull(val)) e = val.get_bool().get(acc->bot);
    }
    if (e) return Fail(err, fmt::format("{}.{}", prefix, key), e);
  }
  return true;
}

// Reads `name` (or `acct`) of each object in an array.
bool ParseNameArray(od::value& v, std::string_view key_name, std::vector<std::string>* out,
                    std::string_view field_name, ItemError* err) {
  if (IsNull(v)) return true;
  od::array arr;
  if (auto e = v.get_array().get(arr)) return Fail(err, std::string(field_name), e);
  for (auto elem : arr) {
    od::object obj;
    if (auto e = elem.get_object().get(obj)) return Fail(err, std::string(field_name), e);
    for (auto field : obj) {
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return Fail(err, std::string(field_name), e);
      if (key != key_name) continue;
      od::value val = field.value();
      std::string s;
      if (auto e = ReadString(val, &s)) {
        return Fail(err, fmt::format("{}[].{}", field_name, key_name), e);
      }
      out->push_back(std::move(s));
    }
  }
  return true;
}

bool Fatal(const ItemError& err) { return err.code != simdjson::SUCCESS && !IsItemError(err.code); }

// Reads every field it knows. A field of the wrong type is recorded in *err (the first one) and
// parsing goes on, so the paging id is known even for a bad status. Returns false on any error;
// Fatal(*err) tells whether the document itself is broken.
bool ParseStatusObject(od::value& v, RawStatus* st, std::string_view prefix, int depth,
                       ItemError* err) {
  od::object obj;
  if (auto e = v.get_object().get(obj)) return Fail(err, std::string(prefix), e);
  auto name = [&](std::string_view key) {
    return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
  };
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return Fail(err, std::string(prefix), e);
    od::value val = field.value();
    error_code e = simdjson::SUCCESS;
    if (key == "id") {
      e = ReadString(val, &st->id, true);
    } else if (key == "created_at") {
      e = ReadString(val, &st->created_at);
    } else if (key == "edited_at") {
      e = ReadString(val, &st->edited_at);
    } else if (key == "url") {
      e = ReadString(val, &st->url);
    } else if (key == "uri") {
      e = ReadString(val, &st->uri);
    } else if (key == "content") {
      e = ReadString(val, &st->content);
    } else if (key == "spoiler_text") {
      e = ReadString(val, &st->spoiler);
    } else if (key == "language") {
      e = ReadString(val, &st->language);
    } else if (key == "in_reply_to_id") {
      e = ReadString(val, &st->in_reply_to_id, true);
    } else if (key == "replies_count") {
      e = ReadInt(val, &st->replies);
    } else if (key == "reblogs_count") {
      e = ReadInt(val, &st->reblogs);
    } else if (key == "favourites_count") {
      e = ReadInt(val, &st->favourites);
    } else if (key == "account") {
      if (!IsNull(val)) ParseAccount(val, &st->account, name(key), err);
    } else if (key == "tags") {
      ParseNameArray(val, "name", &st->tags, name(key), err);
    } else if (key == "mentions") {
      ParseNameArray(val, "acct", &st->mentions, name(key), err);
    } else if (key == "reblog" && depth == 0) {
      if (!IsNull(val)) {
        st->reblog = std::make_unique<RawStatus>();
        ParseStatusObject(val, st->reblog.get(), name(key), depth + 1, err);
      }
    }
    if (e) Fail(err, name(key), e);
    if (Fatal(*err)) return false;
  }
  return err->field.empty();
}

// "Gargron" -> "Gargron@mastodon.social"; "Jane@Travel.Example" -> "Jane@travel.example".
std::string Handle(std::string_view acct, const std::string& local_domain) {
  const size_t at = acct.find('@');
  if (at == std::string_view::npos) {
    if (local_domain.empty()) return std::string(acct);
    return fmt::format("{}@{}", acct, local_domain);
  }
  return fmt::format("{}@{}", acct.substr(0, at), LowerUtf8Latin(acct.substr(at + 1)));
}

bool Require(const std::string& value, std::string field, ItemError* err) {
  if (!value.empty()) return true;
  err->field = std::move(field);
  err->what = "missing";
  return false;
}

// Checks a RawStatus and builds the Post. Returns false with *err on a missing required field.
bool ToPost(const RawStatus& st, const std::string& local_domain, std::string_view prefix,
            Post* post, ItemError* err) {
  auto name = [&](std::string_view key) {
    return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
  };
  if (!Require(st.id, name("id"), err)) return false;
  if (!Require(st.created_at, name("created_at"), err)) return false;
  const auto created = ParseIso8601(st.created_at);
  if (!created) {
    err->field = name("created_at");
    err->what = fmt::format("not an ISO-8601 time: '{}'", st.created_at.substr(0, 40));
    return false;
  }
  if (!st.account.present) {
    err->field = name("account");
    err->what = "missing";
    return false;
  }
  if (!Require(st.account.id, name("account.id"), err)) return false;
  if (!Require(st.account.acct, name("account.acct"), err)) return false;

  post->network = "mastodon";
  post->id = st.id;
  post->url = !st.url.empty() ? st.url : st.uri;
  post->created_at = *created;
  post->edited_at = st.edited_at;
  post->author.handle = Handle(st.account.acct, local_domain);
  post->author.id = st.account.id;
  post->author.display_name = st.account.display_name;
  post->author.followers = st.account.followers;
  post->author.bot = st.account.bot;
  post->text = HtmlToText(st.content);
  if (!st.spoiler.empty()) {
    const std::string cw = HtmlToText(st.spoiler);  // plain text, but entities may appear
    post->text = post->text.empty() ? cw : cw + "\n\n" + post->text;
  }
  for (const std::string& tag : st.tags) post->hashtags.push_back(LowerUtf8Latin(tag));
  for (const std::string& m : st.mentions) {
    post->mentions.push_back(LowerUtf8Latin(Handle(m, local_domain)));
  }
  post->language = st.language;
  post->reply_to = st.in_reply_to_id;
  post->thread_key = st.in_reply_to_id.empty() ? st.id : st.in_reply_to_id;
  post->replies = st.replies;
  post->boosts = st.reblogs;
  post->likes = st.favourites;
  return true;
}

// Parses one timeline item; false with *err when the item must be skipped.
bool StatusItem(od::value& v, const std::string& local_domain, std::string* paging_id,
                Post* post, ItemError* err) {
  RawStatus st;
  const bool ok = ParseStatusObject(v, &st, "", 0, err);
  *paging_id = st.id;
  if (!ok) return false;
  if (st.reblog) {
    if (!ToPost(*st.reblog, local_domain, "reblog", post, err)) return false;
    if (!Require(st.account.acct, "account.acct", err)) return false;
    post->boosted_by = Handle(st.account.acct, local_domain);
    return true;
  }
  return ToPost(st, local_domain, "", post, err);
}

// Parses one notification. *is_mention false: not a mention (ignored, not an error).
bool NotificationItem(od::value& v, const std::string& local_domain, std::string* paging_id,
                      bool* is_mention, Post* post, ItemError* err) {
  od::object obj;
  if (auto e = v.get_object().get(obj)) return Fail(err, "notification", e);
  std::string type;
  RawStatus st;
  bool has_status = false;
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return Fail(err, "notification", e);
    od::value val = field.value();
    error_code e = simdjson::SUCCESS;
    if (key == "id") {
      e = ReadString(val, paging_id, true);
    } else if (key == "type") {
      e = ReadString(val, &type);
    } else if (key == "status") {
      // Parsed whatever the type (the order of keys is not fixed); used only for mentions.
      if (!IsNull(val)) {
        has_status = true;
        if (!ParseStatusObject(val, &st, "status", 0, err)) {
          if (Fatal(*err)) return false;
          st.id = "!";  // marks the status as bad; reported below only for mentions
        }
      }
    }
    if (e) return Fail(err, std::string(key), e);
  }
  *is_mention = type == "mention";
  if (!*is_mention) return true;
  if (!has_status) {
    err->field = "status";
    err->what = "missing";
    return false;
  }
  if (st.id == "!") return false;  // *err names the field
  if (st.reblog) st.reblog.reset();  // a mention is never a boost
  return ToPost(st, local_domain, "status", post, err);
}

}  // namespace

std::string LowerUtf8Latin(std::string_view s) {
  std::string out(s);
  for (size_t i = 0; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c + 32);
    } else if (c == 0xC3 && i + 1 < out.size()) {
      // U+00C0..U+00DE are C3 80..C3 9E; their lowercase is +0x20, except U+00D7 (×).
      const auto d = static_cast<unsigned char>(out[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) out[i + 1] = static_cast<char>(d + 0x20);
      ++i;
    }
  }
  return out;
}

StatusParser::StatusParser(std::string local_domain)
    : local_domain_(LowerUtf8Latin(local_domain)) {}

Status StatusParser::ParseStatusPage(std::string_view json, ParsedPage* page) {
  return ParsePage(json, false, page);
}

Status StatusParser::ParseNotificationPage(std::string_view json, ParsedPage* page) {
  return ParsePage(json, true, page);
}

Status StatusParser::ParsePage(std::string_view json, bool notifications, ParsedPage* page) {
  *page = ParsedPage{};
  // Invalid UTF-8 and lone surrogates become U+FFFD: simdjson rejects a whole document for
  // invalid UTF-8 at iterate time, and get_string fails on a lone surrogate, which would cost
  // the page (and the cursor would never move past it).
  std::string scrubbed;
  buffer_ = simdjson::padded_string(utf8::ScrubJson(json, &scrubbed));
  od::document doc;
  if (auto e = parser_.iterate(buffer_).get(doc)) {
    return Status::DataLoss(fmt::format("body is not JSON: {}", simdjson::error_message(e)));
  }
  od::array arr;
  if (auto e = doc.get_array().get(arr)) {
    return Status::DataLoss(fmt::format("body is not a JSON array: {}",
                                        simdjson::error_message(e)));
  }
  for (auto elem : arr) {
    od::value v;
    if (auto e = elem.get(v)) {
      return Status::DataLoss(fmt::format("item {}: {}", page->items, simdjson::error_message(e)));
    }
    const int index = page->items++;
    std::string paging_id;
    Post post;
    ItemError err;
    bool is_mention = true;
    const bool ok = notifications
                        ? NotificationItem(v, local_domain_, &paging_id, &is_mention, &post, &err)
                        : StatusItem(v, local_domain_, &paging_id, &post, &err);
    if (err.code != simdjson::SUCCESS && !IsItemError(err.code)) {
      return Status::DataLoss(fmt::format("item {}: '{}': {}", index, err.field, err.what));
    }
    if (!paging_id.empty()) {
      if (!page->newest_id) page->newest_id = paging_id;
      page->oldest_id = paging_id;
    }
    if (!ok) {
      page->errors.push_back(fmt::format("{} {}: '{}': {}",
                                         notifications ? "notification" : "status",
                                         paging_id.empty() ? fmt::format("#{}", index) : paging_id,
                                         err.field, err.what));
      continue;
    }
    if (!is_mention) {
      ++page->ignored;
      continue;
    }
    page->posts.push_back(std::move(post));
  }
  // simdjson 3.0 has no document::at_end(); trailing bytes after the array go unnoticed.
  return Status::Ok();
}

Result<Post> StatusParser::ParseStatus(std::string_view json) {
  std::string scrubbed;
  buffer_ = simdjson::padded_string(utf8::ScrubJson(json, &scrubbed));
  od::document doc;
  if (auto e = parser_.iterate(buffer_).get(doc)) {
    return Status::InvalidArgument(fmt::format("status: {}", simdjson::error_message(e)));
  }
  od::value v;
  if (auto e = doc.get_value().get(v)) {
    return Status::InvalidArgument(fmt::format("status: {}", simdjson::error_message(e)));
  }
  std::string id;
  Post post;
  ItemError err;
  if (!StatusItem(v, local_domain_, &id, &post, &err)) {
    return Status::InvalidArgument(
        fmt::format("status {}: '{}': {}", id.empty() ? "?" : id, err.field, err.what));
  }
  return post;
}

}  // namespace earshot::mastodon
