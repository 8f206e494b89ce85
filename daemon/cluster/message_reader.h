// ObjectReader: reads the fields of one cluster message (commit_codec.h, batch_codec.h,
// op_codec.h) back into their structs, the counterpart of ObjectWriter (message_writer.h).
//
// Messages come from other nodes, and a broken or hostile one must cost nothing but itself: each
// read checks the field is there and has its type and range, and the first problem is kept as a
// kDataLoss naming the message and the field's path ("commit message: incidents[2].severity:
// unknown severity \"urgent\""). After it, every read does nothing, so a decoder reads all of
// its fields in a row and asks ok() once at the end.
#pragma once

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/base/severity.h"
#include "daemon/base/status.h"

namespace earshot::cluster {

// The version of the messages' format, their "v", which the writers write too. A reader refuses
// any other: a message misread (one from a newer node, say) would let its copy of the state drift.
inline constexpr int64_t kMessageFormat = 1;

// What the readers of one message share: its kind for errors, and the first error.
struct ReadState {
  std::string_view what;  // "commit", "batch", "op"
  Status error;
};

class ObjectReader {
 public:
  // Reads `element`, which must be an object, found at `path` ("" for the message itself).
  ObjectReader(simdjson::dom::element element, std::string path, ReadState* state);

  bool ok() const { return state_->error.ok(); }
  // Keeps `problem` about `key` as the error, unless one is kept already.
  void Fail(std::string_view key, std::string_view problem);

  void String(std::string_view key, std::string* out);
  void Int(std::string_view key, int64_t* out);
  void Int(std::string_view key, int* out);
  void Uint(std::string_view key, uint64_t* out);
  void Double(std::string_view key, double* out);  // null reads as 0 (non-finite when written)
  void Bool(std::string_view key, bool* out);
  void Time(std::string_view key, SystemTime* out);
  void Seconds(std::string_view key, std::chrono::seconds* out);
  void OptString(std::string_view key, std::optional<std::string>* out);
  void OptUint(std::string_view key, std::optional<uint64_t>* out);
  void OptTime(std::string_view key, std::optional<SystemTime>* out);
  void Labels(std::string_view key, earshot::Labels* out);
  void Strings(std::string_view key, std::vector<std::string>* out);
  void Ints(std::string_view key, std::vector<int64_t>* out);
  void Uints(std::string_view key, std::vector<uint64_t>* out);

  // An enum by its name: `parse` is the enum's own parser, `noun` names it in the error
  // ("severity" -> unknown severity "urgent").
  template <class E>
  void Enum(std::string_view key, E* out, std::optional<E> (*parse)(std::string_view),
            std::string_view noun) {
    std::string name;
    String(key, &name);
    if (!ok()) return;
    if (std::optional<E> value = parse(name)) {
      *out = *value;
    } else {
      Fail(key, fmt::format("unknown {} {}", noun, Quoted(name)));
    }
  }
  // The same, null for nullopt.
  template <class E>
  void OptEnum(std::string_view key, std::optional<E>* out,
               std::optional<E> (*parse)(std::string_view), std::string_view noun) {
    if (IsNull(key)) {
      out->reset();
      return;
    }
    E value{};
    Enum(key, &value, parse, noun);
    if (ok()) *out = value;
  }

  // A nested object: read(ObjectReader&) reads its fields.
  template <class Read>
  void Object(std::string_view key, Read read) {
    simdjson::dom::element e;
    if (!Find(key, &e)) return;
    ObjectReader child(e, Path(key), state_);
    if (child.ok()) read(child);
  }
  // The same, null for nullopt: read(ObjectReader&, T*) fills the value.
  template <class T, class Read>
  void OptObject(std::string_view key, std::optional<T>* out, Read read) {
    if (IsNull(key)) {
      out->reset();
      return;
    }
    T value{};
    Object(key, [&](ObjectReader& r) { read(r, &value); });
    if (ok()) *out = std::move(value);
  }
  // An array of objects: read(ObjectReader&, T*) fills each.
  template <class T, class Read>
  void Objects(std::string_view key, std::vector<T>* out, Read read) {
    simdjson::dom::array array;
    if (!Array(key, &array)) return;
    out->clear();
    size_t i = 0;
    for (simdjson::dom::element e : array) {
      ObjectReader child(e, fmt::format("{}[{}]", Path(key), i++), state_);
      if (!child.ok()) return;
      T value{};
      read(child, &value);
      if (!ok()) return;
      out->push_back(std::move(value));
    }
  }

 private:
  static std::string Quoted(std::string_view s);
  std::string Path(std::string_view key) const;
  // The field's value; false (the error kept) when it is missing.
  bool Find(std::string_view key, simdjson::dom::element* out);
  bool Array(std::string_view key, simdjson::dom::array* out);
  // True when the field is there and null (false, the error kept, when missing).
  bool IsNull(std::string_view key);
  void WrongType(std::string_view key, std::string_view expected);

  simdjson::dom::object object_;
  std::string path_;
  ReadState* state_;
};

// Parses `json` as one message of kind `what`, checks its format version, and lets read(
// ObjectReader&, T*) fill its value. kDataLoss naming the field for anything it cannot read.
template <class T, class Read>
Result<T> ReadMessage(std::string_view json, std::string_view what, Read read) {
  ReadState state{what, Status::Ok()};
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto error = parser.parse(json.data(), json.size()).get(doc); error != simdjson::SUCCESS) {
    return Status::DataLoss(fmt::format("{} message: not JSON ({}), {} bytes", what,
                                        simdjson::error_message(error), json.size()));
  }
  ObjectReader reader(doc, "", &state);
  int64_t version = 0;
  reader.Int("v", &version);
  if (reader.ok() && version != kMessageFormat) {
    return Status::DataLoss(fmt::format(
        "{} message: format version {}, this node reads only {} (written by a newer earshot?)",
        what, version, kMessageFormat));
  }
  T value{};
  if (reader.ok()) read(reader, &value);
  if (!state.error.ok()) return state.error;
  return value;
}

}  // namespace earshot::cluster
