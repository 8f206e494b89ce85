#include "daemon/sources/mastodon/status_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
  // A number's literal, taken as it stands, held a backslash: text that scrubbing the body
  // could have changed (see StatusParser::ParsePage).
  bool raw_escape = false;
};

// The fields of one status as they stand in the document. The views point into the parser's
// padded copy of the body or into simdjson's string buffer, both alive until the next document,
// so nothing is copied until the Post is built, and fields earshot ignores never are.
struct RawAccount {
  std::string_view id, acct, display_name;
  int64_t followers = 0;
  bool bot = false;
  bool present = false;
};

struct RawStatus {
  std::string_view id, created_at, edited_at, url, uri, content, spoiler, language, in_reply_to_id;
  RawAccount account;
  std::vector<std::string_view> tags, mentions;
  int64_t replies = 0, reblogs = 0, favourites = 0;
  RawStatus* reblog = nullptr;  // the boosted status, when this is a boost

  // Back to a fresh status, keeping the vectors' capacity.
  void Clear() {
    id = created_at = edited_at = url = uri = content = spoiler = language = in_reply_to_id = {};
    account = RawAccount{};
    tags.clear();
    mentions.clear();
    replies = reblogs = favourites = 0;
    reblog = nullptr;
  }
};

// "prefix.key", or "key" at the top level; built only for error messages.
std::string Join(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

bool IsNull(od::value& v) {
  od::json_type t;
  return !v.type().get(t) && t == od::json_type::null;
}

// The offset of the first '"' or '\\' at or after `p`, in a string of the document being
// parsed, sixteen bytes at a time (eight without SSE2). Reading up to fifteen bytes past the one
// found stays inside the buffer: every string ends in a quote, and the document is followed by
// SIMDJSON_PADDING (64) bytes. Keys are scanned this way too, and a Status has some eighty of
// them, so this is one of the parse's hot loops.
size_t QuoteOrBackslash(const char* p) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (size_t i = 0;; i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const int mask = _mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)));
    if (mask != 0) return i + static_cast<size_t>(std::countr_zero(static_cast<unsigned>(mask)));
  }
#else
  static_assert(std::endian::native == std::endian::little, "the first hit is the lowest byte");
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  for (size_t i = 0;; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, sizeof word);
    const uint64_t quotes = word ^ (kOnes * '"');
    const uint64_t slashes = word ^ (kOnes * '\\');
    // A zero byte in either marks a hit; the lowest one is exact (a borrow only runs upward).
    const uint64_t hits = (((quotes - kOnes) & ~quotes) | ((slashes - kOnes) & ~slashes)) & kHighs;
    if (hits != 0) return i + static_cast<size_t>(std::countr_zero(hits) / 8);
  }
#endif
}

// A string value as a view. One without escapes (ids, dates, urls: nearly all of them) is
// viewed where it stands in the input; simdjson unescapes the others into its string buffer,
// and fails on what it cannot unescape (a lone surrogate) exactly as get_string does.
error_code GetString(od::value& v, std::string_view* out) {
  const std::string_view token = v.raw_json_token();  // peeks; consumes nothing
  if (!token.empty() && token[0] == '"') {
    const char* body = token.data() + 1;
    const size_t n = QuoteOrBackslash(body);
    if (body[n] == '"') {
      // The value is still consumed (without unescaping), so iteration goes on exactly as
      // after get_string.
      od::raw_json_string raw;
      if (auto e = v.get_raw_json_string().get(raw)) return e;
      *out = std::string_view(body, n);
      return simdjson::SUCCESS;
    }
  }
  return v.get_string().get(*out);
}

// A field's key, unescaped. Keys are almost never escaped, so they are read in place.
error_code GetKey(od::field& field, std::string_view* key) {
  const char* start = field.key().raw();
  const size_t n = QuoteOrBackslash(start);
  if (start[n] == '"') {
    *key = std::string_view(start, n);
    return simdjson::SUCCESS;
  }
  return field.unescaped_key().get(*key);
}

// Reads a string (or, leniently, a number's literal, for ids) into *out. Null leaves *out.
// `err` is given for ids, and notes a literal that scrubbing could change.
error_code ReadString(od::value& v, std::string_view* out, ItemError* err = nullptr) {
  od::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t == od::json_type::null) return simdjson::SUCCESS;
  if (err != nullptr && t == od::json_type::number) {
    std::string_view raw = v.raw_json_token();
    while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' ||
                            raw.back() == '\t' || raw.back() == ',')) {
      raw.remove_suffix(1);
    }
    if (raw.find('\\') != std::string_view::npos) err->raw_escape = true;
    *out = raw;
    return simdjson::SUCCESS;
  }
  return GetString(v, out);
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

// `prefix` names the object in errors ("account", "reblog.account").
bool ParseAccount(od::value& v, RawAccount* acc, std::string_view prefix, ItemError* err) {
  od::object obj;
  if (auto e = v.get_object().get(obj)) return Fail(err, std::string(prefix), e);
  acc->present = true;
  for (auto result : obj) {
    od::field field;
    if (auto e = std::move(result).get(field)) return Fail(err, std::string(prefix), e);
    std::string_view key;
    if (auto e = GetKey(field, &key)) return Fail(err, std::string(prefix), e);
    od::value& val = field.value();
    error_code e = simdjson::SUCCESS;
    if (key == "id") {
      e = ReadString(val, &acc->id, err);
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

// Reads `name` (or `acct`) of each object in an array; `field_name` names the array in errors.
bool ParseNameArray(od::value& v, std::string_view key_name, std::vector<std::string_view>* out,
                    std::string_view prefix, std::string_view array_key, ItemError* err) {
  if (IsNull(v)) return true;
  od::array arr;
  if (auto e = v.get_array().get(arr)) return Fail(err, Join(prefix, array_key), e);
  for (auto elem : arr) {
    od::object obj;
    if (auto e = elem.get_object().get(obj)) return Fail(err, Join(prefix, array_key), e);
    for (auto result : obj) {
      od::field field;
      if (auto e = std::move(result).get(field)) return Fail(err, Join(prefix, array_key), e);
      std::string_view key;
      if (auto e = GetKey(field, &key)) return Fail(err, Join(prefix, array_key), e);
      if (key != key_name) continue;
      std::string_view s;
      if (auto e = ReadString(field.value(), &s)) {
        return Fail(err, fmt::format("{}[].{}", Join(prefix, array_key), key_name), e);
      }
      out->push_back(s);
    }
  }
  return true;
}

bool Fatal(const ItemError& err) { return err.code != simdjson::SUCCESS && !IsItemError(err.code); }

// Reads every field it knows. A field of the wrong type is recorded in *err (the first one) and
// parsing goes on, so the paging id is known even for a bad status. Returns false on any error;
// Fatal(*err) tells whether the document itself is broken. `reblog_slot` receives the boosted
// status (at the top level only; nullptr below it, where `reblog` is ignored).
bool ParseStatusObject(od::value& v, RawStatus* st, std::string_view prefix,
                       RawStatus* reblog_slot, ItemError* err) {
  od::object obj;
  if (auto e = v.get_object().get(obj)) return Fail(err, std::string(prefix), e);
  for (auto result : obj) {
    od::field field;
    if (auto e = std::move(result).get(field)) return Fail(err, std::string(prefix), e);
    std::string_view key;
    if (auto e = GetKey(field, &key)) return Fail(err, std::string(prefix), e);
    od::value& val = field.value();
    error_code e = simdjson::SUCCESS;
    // By length first: most keys of a Status are ones earshot ignores, and this rejects them
    // with one or two comparisons.
    switch (key.size()) {
      case 2:
        if (key == "id") e = ReadString(val, &st->id, err);
        break;
      case 3:
        if (key == "url") {
          e = ReadString(val, &st->url);
        } else if (key == "uri") {
          e = ReadString(val, &st->uri);
        }
        break;
      case 4:
        if (key == "tags") ParseNameArray(val, "name", &st->tags, prefix, key, err);
        break;
      case 6:
        if (key == "reblog" && reblog_slot != nullptr && !IsNull(val)) {
          reblog_slot->Clear();
          st->reblog = reblog_slot;
          ParseStatusObject(val, reblog_slot, prefix.empty() ? "reblog" : "status.reblog",
                            nullptr, err);
        }
        break;
      case 7:
        if (key == "content") {
          e = ReadString(val, &st->content);
        } else if (key == "account") {
          if (!IsNull(val)) {
            const std::string_view name = prefix.empty()            ? "account"
                                          : prefix == "reblog"      ? "reblog.account"
                                          : prefix == "status"      ? "status.account"
                                                                    : "status.reblog.account";
            ParseAccount(val, &st->account, name, err);
          }
        }
        break;
      case 8:
        if (key == "language") {
          e = ReadString(val, &st->language);
        } else if (key == "mentions") {
          ParseNameArray(val, "acct", &st->mentions, prefix, key, err);
        }
        break;
      case 9:
        if (key == "edited_at") e = ReadString(val, &st->edited_at);
        break;
      case 10:
        if (key == "created_at") e = ReadString(val, &st->created_at);
        break;
      case 12:
        if (key == "spoiler_text") e = ReadString(val, &st->spoiler);
        break;
      case 13:
        if (key == "replies_count") {
          e = ReadInt(val, &st->replies);
        } else if (key == "reblogs_count") {
          e = ReadInt(val, &st->reblogs);
        }
        break;
      case 14:
        if (key == "in_reply_to_id") e = ReadString(val, &st->in_reply_to_id, err);
        break;
      case 16:
        if (key == "favourites_count") e = ReadInt(val, &st->favourites);
        break;
      default:
        break;
    }
    if (e) Fail(err, Join(prefix, key), e);
    if (Fatal(*err)) return false;
  }
  return err->field.empty();
}

// Lowercases ASCII and the Latin-1 capitals of s[from..] in place (see LowerUtf8Latin).
void LowerInPlace(std::string* s, size_t from = 0) {
  char* out = s->data();
  const size_t size = s->size();
  for (size_t i = from; i < size; ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c + 32);
    } else if (c == 0xC3 && i + 1 < size) {
      // U+00C0..U+00DE are C3 80..C3 9E; their lowercase is +0x20, except U+00D7 (×).
      const auto d = static_cast<unsigned char>(out[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) out[i + 1] = static_cast<char>(d + 0x20);
      ++i;
    }
  }
}

// Writes the handle over *out: "Gargron" -> "Gargron@mastodon.social";
// "Jane@Travel.Example" -> "Jane@travel.example".
void SetHandle(std::string_view acct, const std::string& local_domain, std::string* out) {
  const size_t at = acct.find('@');
  if (at == std::string_view::npos) {
    out->reserve(acct.size() + 1 + local_domain.size());
    out->assign(acct);
    if (!local_domain.empty()) {
      out->push_back('@');
      out->append(local_domain);
    }
    return;
  }
  out->assign(acct);
  LowerInPlace(out, at + 1);
}

// Sets *err to "`prefix.key`: missing" when `value` is empty.
bool Require(std::string_view value, std::string_view prefix, std::string_view key,
             ItemError* err) {
  if (!value.empty()) return true;
  err->field = Join(prefix, key);
  err->what = "missing";
  return false;
}

// Checks a RawStatus and builds the Post. Returns false with *err on a missing required field.
// `text` is scratch space for the HTML pass, kept from post to post.
bool ToPost(const RawStatus& st, const std::string& local_domain, std::string_view prefix,
            std::string* text, Post* post, ItemError* err) {
  if (!Require(st.id, prefix, "id", err)) return false;
  if (!Require(st.created_at, prefix, "created_at", err)) return false;
  const auto created = ParseIso8601(st.created_at);
  if (!created) {
    err->field = Join(prefix, "created_at");
    err->what = fmt::format("not an ISO-8601 time: '{}'", st.created_at.substr(0, 40));
    return false;
  }
  if (!st.account.present) {
    err->field = Join(prefix, "account");
    err->what = "missing";
    return false;
  }
  if (!Require(st.account.id, prefix, "account.id", err)) return false;
  if (!Require(st.account.acct, prefix, "account.acct", err)) return false;

  post->network = "mastodon";
  post->id = st.id;
  post->url = !st.url.empty() ? st.url : st.uri;
  post->created_at = *created;
  post->edited_at = st.edited_at;
  SetHandle(st.account.acct, local_domain, &post->author.handle);
  post->author.id = st.account.id;
  post->author.display_name = st.account.display_name;
  post->author.followers = st.account.followers;
  post->author.bot = st.account.bot;
  // Converted into the scratch buffer, then copied: the Post's text is allocated at its exact
  // size rather than at the HTML's.
  HtmlToText(st.content, text);
  if (st.spoiler.empty()) {
    post->text = *text;
  } else {
    const std::string cw = HtmlToText(st.spoiler);  // plain text, but entities may appear
    post->text = text->empty() ? cw : fmt::format("{}\n\n{}", cw, *text);
  }
  post->hashtags.reserve(st.tags.size());
  for (std::string_view tag : st.tags) {
    LowerInPlace(&post->hashtags.emplace_back(tag));
  }
  post->mentions.reserve(st.mentions.size());
  for (std::string_view m : st.mentions) {
    std::string& mention = post->mentions.emplace_back();
    SetHandle(m, local_domain, &mention);
    LowerInPlace(&mention);
  }
  post->language = st.language;
  post->reply_to = st.in_reply_to_id;
  post->thread_key = st.in_reply_to_id.empty() ? st.id : st.in_reply_to_id;
  post->replies = st.replies;
  post->boosts = st.reblogs;
  post->likes = st.favourites;
  return true;
}

}  // namespace

// Reused from item to item so that parsing a page allocates only the Posts' own strings.
struct StatusParser::Scratch {
  RawStatus status, reblog;
  std::string text;
};

namespace {

// Parses one timeline item; false with *err when the item must be skipped.
bool StatusItem(od::value& v, const std::string& local_domain, RawStatus* st, RawStatus* reblog,
                std::string* text, std::string_view* paging_id, Post* post, ItemError* err) {
  st->Clear();
  const bool ok = ParseStatusObject(v, st, "", reblog, err);
  *paging_id = st->id;
  if (!ok) return false;
  if (st->reblog != nullptr) {
    if (!ToPost(*st->reblog, local_domain, "reblog", text, post, err)) return false;
    if (!Require(st->account.acct, "", "account.acct", err)) return false;
    SetHandle(st->account.acct, local_domain, &post->boosted_by);
    return true;
  }
  return ToPost(*st, local_domain, "", text, post, err);
}

// Parses one notification. *is_mention false: not a mention (ignored, not an error).
bool NotificationItem(od::value& v, const std::string& local_domain, RawStatus* st,
                      RawStatus* reblog, std::string* text, std::string_view* paging_id,
                      bool* is_mention, Post* post, ItemError* err) {
  od::object obj;
  if (auto e = v.get_object().get(obj)) return Fail(err, "notification", e);
  std::string_view type;
  st->Clear();
  bool has_status = false;
  bool bad_status = false;
  for (auto result : obj) {
    od::field field;
    if (auto e = std::move(result).get(field)) return Fail(err, "notification", e);
    std::string_view key;
    if (auto e = GetKey(field, &key)) return Fail(err, "notification", e);
    od::value& val = field.value();
    error_code e = simdjson::SUCCESS;
    if (key == "id") {
      e = ReadString(val, paging_id, err);
    } else if (key == "type") {
      e = ReadString(val, &type);
    } else if (key == "status") {
      // Parsed whatever the type (the order of keys is not fixed); used only for mentions.
      if (!IsNull(val)) {
        has_status = true;
        if (!ParseStatusObject(val, st, "status", reblog, err)) {
          if (Fatal(*err)) return false;
          bad_status = true;  // reported below only for mentions
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
  // *err names the field. A status whose id is "!" is refused too, as it always has been: the
  // id once doubled as the mark of a bad status.
  if (bad_status || st->id == "!") return false;
  // A mention is never a boost: its own fields make the Post.
  return ToPost(*st, local_domain, "status", text, post, err);
}

}  // namespace

std::string LowerUtf8Latin(std::string_view s) {
  std::string out(s);
  LowerInPlace(&out);
  return out;
}

StatusParser::StatusParser(std::string local_domain)
    : local_domain_(LowerUtf8Latin(local_domain)), scratch_(std::make_unique<Scratch>()) {}

StatusParser::~StatusParser() = default;

Status StatusParser::ParseStatusPage(std::string_view json, ParsedPage* page) {
  return ParsePage(json, false, page);
}

Status StatusParser::ParseNotificationPage(std::string_view json, ParsedPage* page) {
  return ParsePage(json, true, page);
}

void StatusParser::Load(std::string_view json) {
  const size_t needed = json.size() + simdjson::SIMDJSON_PADDING;
  if (needed > buffer_capacity_) {
    buffer_capacity_ = std::max(needed, buffer_capacity_ + buffer_capacity_ / 2);
    buffer_ = std::make_unique<char[]>(buffer_capacity_);
  }
  std::memcpy(buffer_.get(), json.data(), json.size());
  std::memset(buffer_.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);
}

// Invalid UTF-8 and lone surrogates must become U+FFFD: simdjson rejects a whole document for
// invalid UTF-8 at iterate time, and get_string fails on a lone surrogate, which would cost the
// page (and the cursor would never move past it). Checking every body for them first costs about
// as much as the parse, so the body is parsed as it came, and scrubbed and parsed again only when
// that fails, or took a literal with a backslash in it as an id, and scrubbing changes the body.
// The result is the same: a parse that succeeds read no invalid UTF-8 (simdjson validated all of
// it), unescaped no lone surrogate, and took no literal scrubbing could change, so the strings
// it skipped are the only ones scrubbing could have changed.
Status StatusParser::ParsePage(std::string_view json, bool notifications, ParsedPage* page) {
  bool raw_escape = false;
  Status status = ParsePageAs(json, notifications, page, &raw_escape);
  if (status.ok() && !raw_escape) return status;
  std::string scrubbed;
  const std::string_view fixed = utf8::ScrubJson(json, &scrubbed);
  if (fixed.data() == json.data()) return status;
  return ParsePageAs(fixed, notifications, page, &raw_escape);
}

Status StatusParser::ParsePageAs(std::string_view json, bool notifications, ParsedPage* page,
                                 bool* raw_escape) {
  *page = ParsedPage{};
  page->posts.reserve(std::min<size_t>(last_page_items_, 100));
  Load(json);
  od::document doc;
  if (auto e = parser_.iterate(buffer_.get(), json.size(), buffer_capacity_).get(doc)) {
    return Status::DataLoss(fmt::format("body is not JSON: {}", simdjson::error_message(e)));
  }
  od::array arr;
  if (auto e = doc.get_array().get(arr)) {
    return Status::DataLoss(fmt::format("body is not a JSON array: {}",
                                        simdjson::error_message(e)));
  }
  Scratch& scratch = *scratch_;
  for (auto elem : arr) {
    od::value v;
    if (auto e = elem.get(v)) {
      return Status::DataLoss(fmt::format("item {}: {}", page->items, simdjson::error_message(e)));
    }
    const int index = page->items++;
    last_page_items_ = static_cast<size_t>(page->items);
    std::string_view paging_id;
    // Built in place; taken back off the page when the item is skipped.
    Post& post = page->posts.emplace_back();
    ItemError err;
    bool is_mention = true;
    const bool ok = notifications
                        ? NotificationItem(v, local_domain_, &scratch.status, &scratch.reblog,
                                           &scratch.text, &paging_id, &is_mention, &post, &err)
                        : StatusItem(v, local_domain_, &scratch.status, &scratch.reblog,
                                     &scratch.text, &paging_id, &post, &err);
    if (err.raw_escape) *raw_escape = true;
    if (!ok || !is_mention) page->posts.pop_back();
    if (err.code != simdjson::SUCCESS && !IsItemError(err.code)) {
      return Status::DataLoss(fmt::format("item {}: '{}': {}", index, err.field, err.what));
    }
    if (!paging_id.empty()) {
      if (!page->newest_id) page->newest_id = std::string(paging_id);
      page->oldest_id = std::string(paging_id);
    }
    if (!ok) {
      page->errors.push_back(fmt::format("{} {}: '{}': {}",
                                         notifications ? "notification" : "status",
                                         paging_id.empty() ? fmt::format("#{}", index)
                                                           : std::string(paging_id),
                                         err.field, err.what));
      continue;
    }
    if (!is_mention) ++page->ignored;
  }
  // simdjson 3.0 has no document::at_end(); trailing bytes after the array go unnoticed.
  return Status::Ok();
}

// As ParsePage: the body as it came, then scrubbed when that fails (or took a literal with a
// backslash as an id) and scrubbing changes it.
Result<Post> StatusParser::ParseStatus(std::string_view json) {
  bool raw_escape = false;
  Result<Post> post = ParseStatusAs(json, &raw_escape);
  if (post.ok() && !raw_escape) return post;
  std::string scrubbed;
  const std::string_view fixed = utf8::ScrubJson(json, &scrubbed);
  if (fixed.data() == json.data()) return post;
  return ParseStatusAs(fixed, &raw_escape);
}

Result<Post> StatusParser::ParseStatusAs(std::string_view json, bool* raw_escape) {
  Load(json);
  od::document doc;
  if (auto e = parser_.iterate(buffer_.get(), json.size(), buffer_capacity_).get(doc)) {
    return Status::InvalidArgument(fmt::format("status: {}", simdjson::error_message(e)));
  }
  od::value v;
  if (auto e = doc.get_value().get(v)) {
    return Status::InvalidArgument(fmt::format("status: {}", simdjson::error_message(e)));
  }
  std::string_view id;
  Post post;
  ItemError err;
  Scratch& scratch = *scratch_;
  const bool ok = StatusItem(v, local_domain_, &scratch.status, &scratch.reblog, &scratch.text, &id,
                             &post, &err);
  if (err.raw_escape) *raw_escape = true;
  if (!ok) {
    return Status::InvalidArgument(
        fmt::format("status {}: '{}': {}", id.empty() ? "?" : id, err.field, err.what));
  }
  return post;
}

}  // namespace earshot::mastodon
