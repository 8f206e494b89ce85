#include "daemon/console/console_reply.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "daemon/console/console_json.h"

namespace earshot::console_reply {

HttpServerResponse Json(int status, std::string body) {
  HttpServerResponse resp;
  resp.status = status;
  resp.headers.emplace_back("Content-Type", "application/json");
  resp.body = std::move(body);
  return resp;
}

HttpServerResponse Error(int status, std::string_view message) {
  return Json(status, ErrorJson(message));
}

// The HTTP status for a store's refusal.
int StatusFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound: return 404;
    case Status::Code::kInvalidArgument: return 400;
    default: return 500;
  }
}

// A request body's string fields ({"by":"ana","text":"..."}); other types are ignored. Errors
// name what is wrong with the body.
Result<std::map<std::string, std::string>> StringFields(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto e = parser.parse(body.data(), body.size()).get(doc); e) {
    return Status::InvalidArgument(
        fmt::format("the body is not JSON ({})", simdjson::error_message(e)));
  }
  simdjson::dom::object object;
  if (doc.get(object)) return Status::InvalidArgument("the body must be a JSON object");
  std::map<std::string, std::string> fields;
  for (auto [key, value] : object) {
    std::string_view text;
    if (!value.get(text)) fields.emplace(std::string(key), std::string(text));
  }
  return fields;
}

std::string FieldOr(const std::map<std::string, std::string>& fields, const std::string& key,
                    std::string_view fallback) {
  auto it = fields.find(key);
  return it == fields.end() || it->second.empty() ? std::string(fallback) : it->second;
}

}  // namespace earshot::console_reply
