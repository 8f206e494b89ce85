#include "daemon/sources/source_options.h"

#include <fmt/format.h>

#include "daemon/base/check.h"
#include "daemon/base/duration.h"

namespace earshot {
namespace {

template <class T>
const T* Get(const std::map<std::string, SourceOptions::Value, std::less<>>& values,
             std::string_view option) {
  auto it = values.find(option);
  if (it == values.end()) return nullptr;
  EARSHOT_CHECK(std::holds_alternative<T>(it->second))
      << "source option " << option << " read as the wrong kind";
  return &std::get<T>(it->second);
}

// The spec's default, as written in YAML, in the row's kind. A default that does not parse is
// a bug in the spec, not in the operator's file.
SourceOptions::Value DefaultOf(const ConfigOption& row) {
  switch (row.kind) {
    case OptionKind::kBool:
      return row.default_value == "true";
    case OptionKind::kDuration: {
      Result<Duration> d = ParseDuration(row.default_value);
      EARSHOT_CHECK(d.ok()) << "source option " << row.name << ": bad default";
      return *d;
    }
    case OptionKind::kList: {
      // Written as YAML would read one string: comma-separated.
      std::vector<std::string> items;
      std::string_view rest = row.default_value;
      while (!rest.empty()) {
        const size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        while (item.starts_with(' ')) item.remove_prefix(1);
        while (item.ends_with(' ')) item.remove_suffix(1);
        if (!item.empty()) items.emplace_back(item);
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
      return items;
    }
    default:
      return row.default_value;
  }
}

}  // namespace

const std::string& SourceOptions::String(std::string_view option) const {
  static const std::string kEmpty;
  const std::string* v = Get<std::string>(values_, option);
  return v ? *v : kEmpty;
}

bool SourceOptions::Bool(std::string_view option) const {
  const bool* v = Get<bool>(values_, option);
  return v && *v;
}

std::chrono::milliseconds SourceOptions::Duration(std::string_view option) const {
  const std::chrono::milliseconds* v = Get<std::chrono::milliseconds>(values_, option);
  return v ? *v : std::chrono::milliseconds(0);
}

const std::vector<std::string>& SourceOptions::List(std::string_view option) const {
  static const std::vector<std::string> kEmpty;
  const std::vector<std::string>* v = Get<std::vector<std::string>>(values_, option);
  return v ? *v : kEmpty;
}

// Typed reads go through MapReader::Optional / Required, so a value of the wrong shape is named
// exactly as every other key of earshot.yaml ("'mentions' of source: expected true or false").
template <class T>
void ReadInto(MapReader& map, const ConfigOption& row, SourceOptions* out) {
  std::optional<T> value;
  if (row.required) {
    map.Required(row.name, &value);
  } else {
    map.Optional(row.name, &value);
  }
  if (value) out->Set(row.name, *std::move(value));
}

void ReadSourceOptions(MapReader& map, const OptionSpec& spec, SourceOptions* out) {
  for (const ConfigOption& row : spec) {
    if (row.secret) continue;  // the loader reads it from its *_file / *_credential key
    if (!row.default_value.empty()) out->Set(row.name, DefaultOf(row));
    switch (row.kind) {
      case OptionKind::kString:
        ReadInto<std::string>(map, row, out);
        break;
      case OptionKind::kBool:
        ReadInto<bool>(map, row, out);
        break;
      case OptionKind::kDuration:
        ReadInto<Duration>(map, row, out);
        break;
      case OptionKind::kChoice: {
        auto v = row.required ? map.GetRequired(row.name) : map.Get(row.name);
        if (!v) break;
        if (auto s = v->ReadChoice(fmt::format("{} of source", row.name), row.choices)) {
          out->Set(row.name, *s);
        }
        break;
      }
      case OptionKind::kList:
        ReadInto<std::vector<std::string>>(map, row, out);
        break;
      case OptionKind::kInt:
      case OptionKind::kMap:
        EARSHOT_CHECK(false) << "source option " << row.name << ": kind "
                             << OptionKindName(row.kind) << " is not supported";
    }
  }
}

}  // namespace earshot
