#include "daemon/cluster/message_writer.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <type_traits>

#include "daemon/base/json_escape.h"

namespace earshot::cluster {

// Times travel as SystemTime's own count: exact only while that count is nanoseconds.
static_assert(std::is_same_v<SystemTime::duration, std::chrono::nanoseconds>,
              "cluster messages carry times as nanoseconds");

ObjectWriter::ObjectWriter(std::string* out) : out_(out) { out_->push_back('{'); }

ObjectWriter::~ObjectWriter() { out_->push_back('}'); }

std::string* ObjectWriter::Key(std::string_view key) {
  if (!first_) out_->push_back(',');
  first_ = false;
  out_->push_back('"');
  AppendJsonEscaped(key, out_);
  out_->append("\":");
  return out_;
}

void ObjectWriter::Null(std::string_view key) { Key(key)->append("null"); }

void ObjectWriter::String(std::string_view key, std::string_view value) {
  std::string* out = Key(key);
  out->push_back('"');
  AppendJsonEscaped(value, out);
  out->push_back('"');
}

void ObjectWriter::Int(std::string_view key, int64_t value) {
  fmt::format_to(std::back_inserter(*Key(key)), "{}", value);
}

void ObjectWriter::Uint(std::string_view key, uint64_t value) {
  fmt::format_to(std::back_inserter(*Key(key)), "{}", value);
}

void ObjectWriter::Double(std::string_view key, double value) {
  // fmt's "{}" is the shortest text that parses back to the same double (and never "inf").
  if (!std::isfinite(value)) {
    Null(key);
    return;
  }
  std::string* out = Key(key);
  const size_t start = out->size();
  fmt::format_to(std::back_inserter(*out), "{}", value);
  // A whole number comes out as "3" or "-0": JSON readers take that for an integer, which
  // loses -0.0's sign. ".0" keeps it a double.
  if (out->find_first_of(".e", start) == std::string::npos) out->append(".0");
}

void ObjectWriter::Bool(std::string_view key, bool value) {
  Key(key)->append(value ? "true" : "false");
}

void ObjectWriter::Time(std::string_view key, SystemTime value) {
  Int(key, value.time_since_epoch().count());
}

void ObjectWriter::Seconds(std::string_view key, std::chrono::seconds value) {
  Int(key, value.count());
}

void ObjectWriter::OptString(std::string_view key, const std::optional<std::string>& value) {
  if (value) {
    String(key, *value);
  } else {
    Null(key);
  }
}

void ObjectWriter::OptUint(std::string_view key, const std::optional<uint64_t>& value) {
  if (value) {
    Uint(key, *value);
  } else {
    Null(key);
  }
}

void ObjectWriter::OptTime(std::string_view key, const std::optional<SystemTime>& value) {
  if (value) {
    Time(key, *value);
  } else {
    Null(key);
  }
}

void ObjectWriter::Labels(std::string_view key, const earshot::Labels& labels) {
  std::string* out = Key(key);
  ObjectWriter object(out);
  for (const auto& [name, value] : labels) object.String(name, value);
}

void ObjectWriter::Strings(std::string_view key, const std::vector<std::string>& values) {
  std::string* out = Key(key);
  out->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->push_back('"');
    AppendJsonEscaped(values[i], out);
    out->push_back('"');
  }
  out->push_back(']');
}

void ObjectWriter::Ints(std::string_view key, const std::vector<int64_t>& values) {
  fmt::format_to(std::back_inserter(*Key(key)), "[{}]", fmt::join(values, ","));
}

void ObjectWriter::Uints(std::string_view key, const std::vector<uint64_t>& values) {
  fmt::format_to(std::back_inserter(*Key(key)), "[{}]", fmt::join(values, ","));
}

}  // namespace earshot::cluster
