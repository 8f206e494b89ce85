// Typed field reads over a simdjson DOM object for the network parsers (X, Bluesky): absent or
// null keeps the default, a wrong type records the first bad field's dotted path in FieldError
// ("includes.users[3].public_metrics") so the skipped item's log line names it.
#pragma once

#include <fmt/format.h>
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/base/status.h"
#include "daemon/base/utf8.h"

namespace earshot::json_fields {

namespace dom = simdjson::dom;

// Parses a whole response body that must be one JSON object (every page and answer the X and
// Bluesky APIs send). kDataLoss naming what was wrong; *obj points into `parser`'s document.
// Invalid UTF-8 and lone surrogate escapes become U+FFFD first: simdjson refuses a whole
// document for either, and one post's bad character must not cost the page.
inline Status ParseObject(dom::parser& parser, std::string_view json, dom::object* obj) {
  std::string scrubbed;
  json = utf8::ScrubJson(json, &scrubbed);  // the DOM copies what it keeps; no lifetime ties
  dom::element root;
  if (auto e = parser.parse(json.data(), json.size()).get(root)) {
    return Status::DataLoss(fmt::format("body is not JSON: {}", simdjson::error_message(e)));
  }
  if (root.get(*obj)) return Status::DataLoss("body is not a JSON object");
  return Status::Ok();
}

struct FieldError {
  std::string field, what;
};

inline std::string Join(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
}

// Records `field` as the first wrong one; always false, so callers can `return Wrong(...)`.
inline bool Wrong(FieldError* err, std::string field) {
  if (err->field.empty()) {
    err->field = std::move(field);
    err->what = "wrong type";
  }
  return false;
}

// object[key] as a string into *out; absent or null leaves *out. False on a wrong type.
inline bool Str(dom::object o, std::string_view key, std::string* out, std::string_view prefix,
                FieldError* err) {
  dom::element v;
  if (o[key].get(v) || v.is_null()) return true;
  std::string_view s;
  if (v.get(s)) return Wrong(err, Join(prefix, key));
  *out = std::string(s);
  return true;
}

// object[key] as an integer into *out; absent or null leaves *out. False on a wrong type.
inline bool Int(dom::object o, std::string_view key, int64_t* out, std::string_view prefix,
                FieldError* err) {
  dom::element v;
  if (o[key].get(v) || v.is_null()) return true;
  if (v.get(*out)) return Wrong(err, Join(prefix, key));
  return true;
}

// object[key] as an object; absent or null: false with no error.
inline bool Obj(dom::object o, std::string_view key, dom::object* out, std::string_view prefix,
                FieldError* err) {
  dom::element v;
  if (o[key].get(v) || v.is_null()) return false;
  if (v.get(*out)) return Wrong(err, Join(prefix, key));
  return true;
}

}  // namespace earshot::json_fields
