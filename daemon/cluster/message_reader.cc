#include "daemon/cluster/message_reader.h"

#include <fmt/format.h>

#include <limits>

#include "daemon/base/json_escape.h"

namespace earshot::cluster {

ObjectReader::ObjectReader(simdjson::dom::element element, std::string path, ReadState* state)
    : path_(std::move(path)), state_(state) {
  if (!ok()) return;
  if (element.get(object_) != simdjson::SUCCESS) {
    state_->error = Status::DataLoss(fmt::format("{} message: {}: not an object", state_->what,
                                                 path_.empty() ? "the message" : path_));
  }
}

std::string ObjectReader::Quoted(std::string_view s) {
  // Enough to recognise it by, never a whole hostile megabyte in a log line.
  return JsonQuoted(s.substr(0, 80));
}

std::string ObjectReader::Path(std::string_view key) const {
  return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
}

void ObjectReader::Fail(std::string_view key, std::string_view problem) {
  if (!ok()) return;
  state_->error =
      Status::DataLoss(fmt::format("{} message: {}: {}", state_->what, Path(key), problem));
}

void ObjectReader::WrongType(std::string_view key, std::string_view expected) {
  Fail(key, fmt::format("not {}", expected));
}

bool ObjectReader::Find(std::string_view key, simdjson::dom::element* out) {
  if (!ok()) return false;
  if (object_[key].get(*out) != simdjson::SUCCESS) {
    Fail(key, "missing");
    return false;
  }
  return true;
}

bool ObjectReader::IsNull(std::string_view key) {
  simdjson::dom::element e;
  return Find(key, &e) && e.is_null();
}

bool ObjectReader::Array(std::string_view key, simdjson::dom::array* out) {
  simdjson::dom::element e;
  if (!Find(key, &e)) return false;
  if (e.get(*out) != simdjson::SUCCESS) {
    WrongType(key, "an array");
    return false;
  }
  return true;
}

void ObjectReader::String(std::string_view key, std::string* out) {
  simdjson::dom::element e;
  if (!Find(key, &e)) return;
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS) return WrongType(key, "a string");
  out->assign(s);
}

void ObjectReader::Int(std::string_view key, int64_t* out) {
  simdjson::dom::element e;
  if (!Find(key, &e)) return;
  if (e.get(*out) != simdjson::SUCCESS) WrongType(key, "an integer in int64's range");
}

void ObjectReader::Int(std::string_view key, int* out) {
  int64_t value = 0;
  Int(key, &value);
  if (!ok()) return;
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    return WrongType(key, "an integer in int's range");
  }
  *out = static_cast<int>(value);
}

void ObjectReader::Uint(std::string_view key, uint64_t* out) {
  simdjson::dom::element e;
  if (!Find(key, &e)) return;
  if (e.get(*out) != simdjson::SUCCESS) WrongType(key, "an integer in uint64's range");
}

void ObjectReader::Double(std::string_view key, double* out) {
  simdjson::dom::element e;
  if (!Find(key, &e)) return;
  if (e.is_null()) {
    *out = 0;  // the writer's non-finite value, which the stores keep as 0 too
    return;
  }
  // get_double takes integers as well: fmt writes 1.0 as "1".
  if (e.get(*out) != simdjson::SUCCESS) WrongType(key, "a number");
}

void ObjectReader::Bool(std::string_view key, bool* out) {
  simdjson::dom::element e;
  if (!Find(key, &e)) return;
  if (e.get(*out) != simdjson::SUCCESS) WrongType(key, "true or false");
}

void ObjectReader::Time(std::string_view key, SystemTime* out) {
  int64_t ns = 0;
  Int(key, &ns);
  if (ok()) *out = SystemTime(SystemTime::duration(ns));
}

void ObjectReader::Seconds(std::string_view key, std::chrono::seconds* out) {
  int64_t s = 0;
  Int(key, &s);
  if (!ok()) return;
  // Readers add it to SystemTimes (FirstOpenedAt): more seconds than nanoseconds' range holds
  // would overflow there, so a hostile count stops here.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 1'000'000'000;
  if (s < -kMax || s > kMax) return WrongType(key, "a number of seconds in SystemTime's range");
  *out = std::chrono::seconds(s);
}

void ObjectReader::OptString(std::string_view key, std::optional<std::string>* out) {
  if (IsNull(key)) return out->reset();
  std::string value;
  String(key, &value);
  if (ok()) *out = std::move(value);
}

void ObjectReader::OptUint(std::string_view key, std::optional<uint64_t>* out) {
  if (IsNull(key)) return out->reset();
  uint64_t value = 0;
  Uint(key, &value);
  if (ok()) *out = value;
}

void ObjectReader::OptTime(std::string_view key, std::optional<SystemTime>* out) {
  if (IsNull(key)) return out->reset();
  SystemTime value{};
  Time(key, &value);
  if (ok()) *out = value;
}

void ObjectReader::Labels(std::string_view key, earshot::Labels* out) {
  simdjson::dom::element e;
  if (!Find(key, &e)) return;
  simdjson::dom::object object;
  if (e.get(object) != simdjson::SUCCESS) return WrongType(key, "an object of strings");
  out->clear();
  for (simdjson::dom::key_value_pair field : object) {
    std::string_view value;
    if (field.value.get(value) != simdjson::SUCCESS) {
      return Fail(key, fmt::format("label {} is not a string", Quoted(field.key)));
    }
    // A name twice (no writer does that) keeps its first value, as simdjson's lookup does.
    out->emplace(std::string(field.key), std::string(value));
  }
}

void ObjectReader::Strings(std::string_view key, std::vector<std::string>* out) {
  simdjson::dom::array array;
  if (!Array(key, &array)) return;
  out->clear();
  for (simdjson::dom::element e : array) {
    std::string_view s;
    if (e.get(s) != simdjson::SUCCESS) return WrongType(key, "an array of strings");
    out->emplace_back(s);
  }
}

void ObjectReader::Ints(std::string_view key, std::vector<int64_t>* out) {
  simdjson::dom::array array;
  if (!Array(key, &array)) return;
  out->clear();
  for (simdjson::dom::element e : array) {
    int64_t value = 0;
    if (e.get(value) != simdjson::SUCCESS) return WrongType(key, "an array of int64");
    out->push_back(value);
  }
}

void ObjectReader::Uints(std::string_view key, std::vector<uint64_t>* out) {
  simdjson::dom::array array;
  if (!Array(key, &array)) return;
  out->clear();
  for (simdjson::dom::element e : array) {
    uint64_t value = 0;
    if (e.get(value) != simdjson::SUCCESS) return WrongType(key, "an array of uint64");
    out->push_back(value);
  }
}

}  // namespace earshot::cluster
