// ObjectWriter: writes one JSON object of a cluster message (commit_codec.h, batch_codec.h,
// op_codec.h), field by field in the order called. Every codec writes every field, optional or
// not (an unset optional is null), so that a reader can tell a field this format has from one a
// truncated or foreign message lacks.
//
// What each value becomes, so that every node reads back exactly what the writer had:
//   - strings: JSON strings (AppendJsonEscaped). Lossless for valid UTF-8; invalid bytes become
//     U+FFFD, as on the bus. Post texts are valid already: the sources scrub what they fetch.
//   - times: integer nanoseconds since the Unix epoch, SystemTime's own tick, so exact.
//   - doubles: fmt's shortest form, which parses back to the same double (with ".0" after a
//     whole number, so that -0.0 keeps its sign); a non-finite one is null and reads back as 0,
//     as the state store keeps it.
//   - enums: by the names the state store and the rules use.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/severity.h"

namespace earshot::cluster {

class ObjectWriter {
 public:
  // Opens the object at the end of *out; the destructor closes it, so a nested object written
  // in a block of its own is closed when the block ends.
  explicit ObjectWriter(std::string* out);
  ~ObjectWriter();
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  void Null(std::string_view key);  // an unset optional
  void String(std::string_view key, std::string_view value);
  void Int(std::string_view key, int64_t value);
  void Uint(std::string_view key, uint64_t value);
  void Double(std::string_view key, double value);
  void Bool(std::string_view key, bool value);
  void Time(std::string_view key, SystemTime value);
  void Seconds(std::string_view key, std::chrono::seconds value);
  void OptString(std::string_view key, const std::optional<std::string>& value);
  void OptUint(std::string_view key, const std::optional<uint64_t>& value);
  void OptTime(std::string_view key, const std::optional<SystemTime>& value);
  void Labels(std::string_view key, const earshot::Labels& labels);
  void Strings(std::string_view key, const std::vector<std::string>& values);
  void Ints(std::string_view key, const std::vector<int64_t>& values);
  void Uints(std::string_view key, const std::vector<uint64_t>& values);

  // A nested object: write(std::string*) writes it (with an ObjectWriter of its own).
  template <class Write>
  void Object(std::string_view key, Write write) {
    write(Key(key));
  }
  // An array of objects: write(const T&, std::string*) writes each.
  template <class T, class Write>
  void Objects(std::string_view key, const std::vector<T>& items, Write write) {
    std::string* out = Key(key);
    out->push_back('[');
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out->push_back(',');
      write(items[i], out);
    }
    out->push_back(']');
  }

  // Writes `key` and its colon (after a comma when needed) and returns where its value goes.
  std::string* Key(std::string_view key);

 private:
  std::string* out_;
  bool first_ = true;
};

}  // namespace earshot::cluster
