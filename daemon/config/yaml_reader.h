// A strict reader over yaml-cpp documents for earshot.yaml and the rule files. YAML's traps are
// closed here once, for every schema built on it:
//   - duplicate keys are errors (yaml-cpp silently keeps both pairs),
//   - unknown keys are errors with "did you mean",
//   - tabs in indentation are errors,
//   - booleans are only `true`/`false` (never yes/no/on/off), and strings stay strings ("no"),
//   - durations need a unit ("30s", "5m", "1h", "250ms"),
//   - positions are 1-based, every problem is collected into Diagnostics, nothing is thrown.
//
// A schema reads like a declaration, one MapReader per mapping:
//
//   MapReader sink(item, fmt::format("sink #{}", i));
//   std::string name, type;
//   Duration timeout = std::chrono::seconds(10);
//   sink.Required("name", &name)
//       .Required("type", &type)
//       .Optional("timeout", &timeout)
//       .Each("routes", [&](const YamlValue& route) {
//         MapReader r(route, "route");
//         r.Required("receiver", &receiver).Finish();
//       })
//       .Finish();  // every key not asked for above is reported as unknown
//
// Values are cheap to copy and share the parsed document. Not thread-safe: one loader fills one
// Diagnostics.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/config/diagnostics.h"
#include "daemon/base/duration.h"

namespace earshot {

struct YamlMark {
  int line = 0, column = 0;  // 1-based; 0 = unknown
};

// One node of a parsed file, with its file name, position and the Diagnostics it reports to.
class YamlValue {
 public:
  enum class Kind { kNull, kScalar, kSequence, kMapping };

  YamlValue(YAML::Node node, YamlMark mark, std::shared_ptr<const std::string> file,
            Diagnostics* diags);

  Kind kind() const;
  bool IsNull() const { return kind() == Kind::kNull; }
  bool IsScalar() const { return kind() == Kind::kScalar; }
  bool IsSequence() const { return kind() == Kind::kSequence; }
  bool IsMapping() const { return kind() == Kind::kMapping; }
  // "a string", "a list", "a mapping", "nothing": for messages.
  std::string_view KindName() const;

  YamlMark mark() const { return mark_; }
  const std::string& file() const { return *file_; }
  Diagnostics* diagnostics() const { return diags_; }
  const YAML::Node& node() const { return node_; }
  // The scalar as written, "" for other kinds.
  const std::string& scalar() const;
  // True for an unquoted, non-block scalar: only those can be booleans or numbers.
  bool IsPlainScalar() const;

  // Reports at this value's position.
  void Error(std::string message) const;
  void Warning(std::string message) const;

  // Typed reads. `what` names the subject in messages ("severity of rule 'x'"). On a shape or
  // range problem they report an error here and return nullopt.
  std::optional<std::string> ReadString(std::string_view what) const;
  std::optional<bool> ReadBool(std::string_view what) const;
  std::optional<int64_t> ReadInt(std::string_view what,
                                 int64_t min = std::numeric_limits<int64_t>::min(),
                                 int64_t max = std::numeric_limits<int64_t>::max()) const;
  std::optional<double> ReadDouble(std::string_view what,
                                   double min = -std::numeric_limits<double>::infinity(),
                                   double max = std::numeric_limits<double>::infinity()) const;
  std::optional<Duration> ReadDuration(std::string_view what) const;
  // A list of strings; a single string is accepted as a list of one.
  std::optional<std::vector<std::string>> ReadStringList(std::string_view what) const;
  // One of `names`; an error lists them and suggests the closest.
  std::optional<std::string> ReadChoice(std::string_view what,
                                        const std::vector<std::string>& names) const;
  // The elements of a sequence; reports and returns {} when this is not a sequence.
  std::vector<YamlValue> Items(std::string_view what) const;

 private:
  YAML::Node node_;
  YamlMark mark_;
  std::shared_ptr<const std::string> file_;
  Diagnostics* diags_;
};

// Reads one mapping strictly. The constructor reports duplicate and non-string keys; every key
// asked for (Get, Has, Required, Optional, Each, Map, Allow) becomes known, and Finish() reports
// the rest as unknown, suggesting the closest known key.
class MapReader {
 public:
  // `subject` completes messages: "unknown key 'x' in <subject>". A non-mapping value is
  // reported here ("<subject>: expected a mapping, got a list") and leaves ok() false.
  MapReader(const YamlValue& value, std::string subject);
  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;

  bool ok() const { return ok_; }
  const YamlValue& value() const { return value_; }
  const std::string& subject() const { return subject_; }
  // Renames the subject once it is known (a rule's id is inside the mapping it names).
  void set_subject(std::string subject) { subject_ = std::move(subject); }

  bool Has(std::string_view key);
  std::optional<YamlValue> Get(std::string_view key);
  // Reports "missing required key" at the mapping when absent.
  std::optional<YamlValue> GetRequired(std::string_view key);
  void Allow(std::string_view key);
  // Key/value pairs in file order (first occurrence of each key), for free-form maps such as
  // labels. Marks nothing known.
  std::vector<std::pair<YamlValue, YamlValue>> Entries() const;
  // The first key present in the mapping, for items whose kind is their first key (Falco's
  // `- rule: name`).
  std::optional<std::string> FirstKey() const;

  // Declarative fields. T is std::string, bool, int, int64_t, double, Duration,
  // std::vector<std::string>, or std::optional of one of them. *out keeps its default when the
  // key is absent or invalid.
  template <class T>
  MapReader& Required(std::string_view key, T* out) {
    if (auto v = GetRequired(key)) Read(*v, key, out);
    return *this;
  }
  template <class T>
  MapReader& Optional(std::string_view key, T* out) {
    if (auto v = Get(key)) Read(*v, key, out);
    return *this;
  }
  // A list under `key`; `read` runs for each element.
  MapReader& Each(std::string_view key, const std::function<void(const YamlValue&)>& read,
                  bool required = false);
  // A nested mapping under `key`, read strictly with its own MapReader (finished for you).
  MapReader& Map(std::string_view key, const std::function<void(MapReader&)>& read,
                 bool required = false);

  // Reports unknown keys once; later calls do nothing.
  void Finish();

 private:
  std::string What(std::string_view key) const;
  void Read(const YamlValue& v, std::string_view key, std::string* out);
  void Read(const YamlValue& v, std::string_view key, bool* out);
  void Read(const YamlValue& v, std::string_view key, int* out);
  void Read(const YamlValue& v, std::string_view key, int64_t* out);
  void Read(const YamlValue& v, std::string_view key, double* out);
  void Read(const YamlValue& v, std::string_view key, Duration* out);
  void Read(const YamlValue& v, std::string_view key, std::vector<std::string>* out);
  template <class T>
  void Read(const YamlValue& v, std::string_view key, std::optional<T>* out) {
    T value{};
    Diagnostics* d = v.diagnostics();
    int before = d->error_count();
    Read(v, key, &value);
    if (d->error_count() == before) *out = std::move(value);
  }

  struct Entry {
    std::string key;
    YamlValue key_value;
    YamlValue value;
    bool known = false;
  };
  Entry* Find(std::string_view key);

  YamlValue value_;
  std::string subject_;
  bool ok_ = false;
  bool finished_ = false;
  std::vector<Entry> entries_;
  std::vector<std::string> known_;
};

// A parsed YAML file.
class YamlFile {
 public:
  // Reads and parses `path`, reporting under `display_name` (default: the path as given).
  // Returns nullopt after reporting when the file cannot be read, contains tabs in its
  // indentation, or is not valid YAML.
  static std::optional<YamlFile> Load(const std::filesystem::path& path, Diagnostics* diags,
                                      std::string display_name = "");
  static std::optional<YamlFile> Parse(std::string display_name, std::string_view text,
                                       Diagnostics* diags);

  YamlValue root() const { return root_; }
  const std::string& name() const { return *name_; }

 private:
  YamlFile(std::shared_ptr<const std::string> name, YamlValue root)
      : name_(std::move(name)), root_(std::move(root)) {}
  std::shared_ptr<const std::string> name_;
  YamlValue root_;
};

}  // namespace earshot
