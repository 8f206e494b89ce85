// ScenarioFromJson / LoadScenario: scripted posts for FakeMastodon, read with simdjson's DOM
// API (scenarios are small files read once; On Demand's streaming buys nothing here).
#include <fmt/format.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "daemon/sources/fake/fake_mastodon.h"

namespace earshot {
namespace {

Status FieldError(size_t index, std::string_view field, std::string_view what) {
  return Status::InvalidArgument(fmt::format("scenario entry {}: '{}': {}", index, field, what));
}

Status ReadStrings(simdjson::dom::element v, size_t index, std::string_view field,
                   std::vector<std::string>* out) {
  simdjson::dom::array arr;
  if (v.get(arr)) return FieldError(index, field, "expected an array of strings");
  for (simdjson::dom::element e : arr) {
    std::string_view s;
    if (e.get(s)) return FieldError(index, field, "expected an array of strings");
    out->emplace_back(s);
  }
  return Status::Ok();
}

}  // namespace

Result<FakeScenario> ScenarioFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto e = parser.parse(json.data(), json.size()).get(root)) {
    return Status::InvalidArgument(fmt::format("scenario: not JSON: {}", simdjson::error_message(e)));
  }
  simdjson::dom::array entries;
  if (root.get(entries)) return Status::InvalidArgument("scenario: expected a JSON array");
  FakeScenario out;
  size_t index = 0;
  for (simdjson::dom::element entry : entries) {
    simdjson::dom::object obj;
    if (entry.get(obj)) return FieldError(index, "", "expected an object");
    FakeStatus st;
    int reply_to = -1, delay_ms = 0;
    for (const auto& field : obj) {
      // Named copies, not a structured binding: clang 14 cannot capture bindings in lambdas.
      const std::string_view key = field.key;
      const simdjson::dom::element value = field.value;
      std::string_view s;
      int64_t n = 0;
      bool b = false;
      auto str = [&](std::string* dst) -> Status {
        if (value.get(s)) return FieldError(index, key, "expected a string");
        *dst = std::string(s);
        return Status::Ok();
      };
      auto num = [&](int64_t* dst) -> Status {
        if (value.get(n)) return FieldError(index, key, "expected an integer");
        *dst = n;
        return Status::Ok();
      };
      if (key == "acct") {
        EARSHOT_RETURN_IF_ERROR(str(&st.acct));
      } else if (key == "display_name") {
        EARSHOT_RETURN_IF_ERROR(str(&st.display_name));
      } else if (key == "text") {
        EARSHOT_RETURN_IF_ERROR(str(&st.text));
      } else if (key == "html") {
        EARSHOT_RETURN_IF_ERROR(str(&st.html));
      } else if (key == "language") {
        EARSHOT_RETURN_IF_ERROR(str(&st.language));
      } else if (key == "spoiler_text") {
        EARSHOT_RETURN_IF_ERROR(str(&st.spoiler_text));
      } else if (key == "followers") {
        EARSHOT_RETURN_IF_ERROR(num(&st.followers));
      } else if (key == "replies") {
        EARSHOT_RETURN_IF_ERROR(num(&st.replies));
      } else if (key == "reblogs") {
        EARSHOT_RETURN_IF_ERROR(num(&st.reblogs));
      } else if (key == "favourites") {
        EARSHOT_RETURN_IF_ERROR(num(&st.favourites));
      } else if (key == "bot") {
        if (value.get(b)) return FieldError(index, key, "expected true or false");
        st.bot = b;
      } else if (key == "tags") {
        EARSHOT_RETURN_IF_ERROR(ReadStrings(value, index, key, &st.tags));
      } else if (key == "mentions") {
        EARSHOT_RETURN_IF_ERROR(ReadStrings(value, index, key, &st.mentions));
      } else if (key == "reply_to") {
        if (value.get(n) || n < 0 || n >= static_cast<int64_t>(index)) {
          return FieldError(index, key, "expected the index of an earlier entry");
        }
        reply_to = static_cast<int>(n);
      } else if (key == "delay_ms") {
        if (value.get(n) || n < 0) return FieldError(index, key, "expected milliseconds >= 0");
        delay_ms = static_cast<int>(n);
      } else {
        return FieldError(index, key, "unknown field");
      }
    }
    if (st.text.empty() && st.html.empty()) return FieldError(index, "text", "missing");
    out.statuses.push_back(std::move(st));
    out.reply_to.push_back(reply_to);
    out.delays_ms.push_back(delay_ms);
    ++index;
  }
  return out;
}

Result<FakeScenario> LoadScenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("scenario {}: cannot open", path));
  std::stringstream buf;
  buf << in.rdbuf();
  auto scenario = ScenarioFromJson(buf.str());
  if (!scenario.ok()) return scenario.status().Annotate(path);
  return scenario;
}

}  // namespace earshot
