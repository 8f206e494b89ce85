// What every handler of the console's API answers with: JSON bodies, errors as {"error": ...}
// with the status docs/console.md lists, and the string fields of a JSON request body.
// Pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/net/http_server.h"

namespace earshot::console_reply {

HttpServerResponse Json(int status, std::string body);
// {"error": message} with `status`.
HttpServerResponse Error(int status, std::string_view message);
// The HTTP status for a store's refusal: 404 not found, 400 invalid argument, else 500.
int StatusFor(const Status& s);
// A request body's string fields ({"by":"ana","text":"..."}); other types are ignored. Errors
// name what is wrong with the body.
Result<std::map<std::string, std::string>> StringFields(std::string_view body);
// fields[key], or `fallback` when absent or empty.
std::string FieldOr(const std::map<std::string, std::string>& fields, const std::string& key,
                    std::string_view fallback);

}  // namespace earshot::console_reply
