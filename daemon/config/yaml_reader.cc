#include "daemon/config/yaml_reader.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "daemon/base/file_read.h"
#include "daemon/base/suggest.h"

namespace earshot {
namespace {

YamlMark ToMark(const YAML::Mark& m) {
  if (m.is_null() || m.line < 0) return {};
  return {m.line + 1, m.column + 1};
}

// yaml-cpp gives an empty value ("key:") the position of whatever follows it, often the next
// line: such values are reported at their key instead.
YamlMark ValueMark(const YAML::Node& value, YamlMark key_mark) {
  if (!value.IsDefined() || value.IsNull()) return key_mark;
  YamlMark m = ToMark(value.Mark());
  return m.line == 0 ? key_mark : m;
}

}  // namespace

YamlValue::YamlValue(YAML::Node node, YamlMark mark, std::shared_ptr<const std::string> file,
                     Diagnostics* diags)
    : node_(std::move(node)), mark_(mark), file_(std::move(file)), diags_(diags) {}

YamlValue::Kind YamlValue::kind() const {
  if (!node_.IsDefined()) return Kind::kNull;
  switch (node_.Type()) {
    case YAML::NodeType::Scalar: return Kind::kScalar;
    case YAML::NodeType::Sequence: return Kind::kSequence;
    case YAML::NodeType::Map: return Kind::kMapping;
    default: return Kind::kNull;
  }
}

std::string_view YamlValue::KindName() const {
  switch (kind()) {
    case Kind::kScalar: return "a scalar";
    case Kind::kSequence: return "a list";
    case Kind::kMapping: return "a mapping";
    case Kind::kNull: return "nothing";
  }
  return "nothing";
}

const std::string& YamlValue::scalar() const {
  static const std::string kEmpty;
  return IsScalar() ? node_.Scalar() : kEmpty;
}

bool YamlValue::IsPlainScalar() const { return IsScalar() && node_.Tag() == "?"; }

void YamlValue::Error(std::string message) const {
  diags_->Error(*file_, mark_.line, mark_.column, std::move(message));
}

void YamlValue::Warning(std::string message) const {
  diags_->Warning(*file_, mark_.line, mark_.column, std::move(message));
}

std::optional<std::string> YamlValue::ReadString(std::string_view what) const {
  if (!IsScalar()) {
    Error(fmt::format("{}: expected a string, got {}", what, KindName()));
    return std::nullopt;
  }
  return node_.Scalar();
}

std::optional<bool> YamlValue::ReadBool(std::string_view what) const {
  if (IsPlainScalar() && (scalar() == "true" || scalar() == "false")) return scalar() == "true";
  if (IsScalar()) {
    Error(fmt::format("{}: expected true or false, got '{}'{}", what, scalar(),
                      IsPlainScalar() ? "" : " (quoted, so a string)"));
  } else {
    Error(fmt::format("{}: expected true or false, got {}", what, KindName()));
  }
  return std::nullopt;
}

std::optional<int64_t> YamlValue::ReadInt(std::string_view what, int64_t min, int64_t max) const {
  if (!IsScalar()) {
    Error(fmt::format("{}: expected an integer, got {}", what, KindName()));
    return std::nullopt;
  }
  const std::string& s = scalar();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
    Error(fmt::format("{}: expected an integer, got '{}'", what, s));
    return std::nullopt;
  }
  if (v < min || v > max) {
    Error(fmt::format("{}: {} is out of range [{}, {}]", what, v, min, max));
    return std::nullopt;
  }
  return v;
}

std::optional<double> YamlValue::ReadDouble(std::string_view what, double min, double max) const {
  if (!IsScalar()) {
    Error(fmt::format("{}: expected a number, got {}", what, KindName()));
    return std::nullopt;
  }
  const std::string& s = scalar();
  char* end = nullptr;
  errno = 0;
  double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno != 0 || !std::isfinite(v)) {
    Error(fmt::format("{}: expected a number, got '{}'", what, s));
    return std::nullopt;
  }
  if (v < min || v > max) {
    Error(fmt::format("{}: {} is out of range [{}, {}]", what, s, min, max));
    return std::nullopt;
  }
  return v;
}

std::optional<Duration> YamlValue::ReadDuration(std::string_view what) const {
  if (!IsScalar()) {
    Error(fmt::format("{}: expected a duration such as 30s, got {}", what, KindName()));
    return std::nullopt;
  }
  Result<Duration> d = ParseDuration(scalar());
  if (!d.ok()) {
    Error(fmt::format("{}: {}", what, d.status().message()));
    return std::nullopt;
  }
  return *d;
}

std::optional<std::vector<std::string>> YamlValue::ReadStringList(std::string_view what) const {
  if (IsScalar()) return std::vector<std::string>{scalar()};
  if (!IsSequence()) {
    Error(fmt::format("{}: expected a list of strings, got {}", what, KindName()));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const YamlValue& item : Items(what)) {
    if (auto s = item.ReadString(fmt::format("item of {}", what))) {
      out.push_back(std::move(*s));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> YamlValue::ReadChoice(std::string_view what,
                                                 const std::vector<std::string>& names) const {
  std::optional<std::string> s = ReadString(what);
  if (!s) return std::nullopt;
  if (std::find(names.begin(), names.end(), *s) != names.end()) return s;
  Error(fmt::format("{}: unknown value '{}'{}; known: {}", what, *s, DidYouMean(*s, names),
                    fmt::join(names, ", ")));
  return std::nullopt;
}

std::vector<YamlValue> YamlValue::Items(std::string_view what) const {
  std::vector<YamlValue> out;
  if (!IsSequence()) {
    Error(fmt::format("{}: expected a list, got {}", what, KindName()));
    return out;
  }
  for (const YAML::Node& item : node_) {
    out.emplace_back(item, ValueMark(item, mark_), file_, diags_);
  }
  return out;
}

MapReader::MapReader(const YamlValue& value, std::string subject)
    : value_(value), subject_(std::move(subject)) {
  if (!value_.IsMapping()) {
    value_.Error(fmt::format("{}: expected a mapping, got {}", subject_, value_.KindName()));
    return;
  }
  ok_ = true;
  auto file = std::make_shared<const std::string>(value_.file());
  for (auto it = value_.node().begin(); it != value_.node().end(); ++it) {
    YamlMark key_mark = ToMark(it->first.Mark());
    if (key_mark.line == 0) key_mark = value_.mark();
    YamlValue key(it->first, key_mark, file, value_.diagnostics());
    YamlValue val(it->second, ValueMark(it->second, key_mark), file, value_.diagnostics());
    if (!key.IsScalar()) {
      key.Error(fmt::format("{}: keys must be plain strings, got {}", subject_, key.KindName()));
      continue;
    }
    if (Entry* first = Find(key.scalar())) {
      // yaml-cpp keeps both pairs and node[key] returns the first: refuse rather than guess.
      key.Error(fmt::format("duplicate key '{}' in {} (first defined at line {}); remove one",
                            key.scalar(), subject_, first->key_value.mark().line));
      continue;
    }
    entries_.push_back({key.scalar(), std::move(key), std::move(val), false});
  }
}

MapReader::Entry* MapReader::Find(std::string_view key) {
  for (Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

void MapReader::Allow(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  if (Entry* e = Find(key)) e->known = true;
}

bool MapReader::Has(std::string_view key) {
  Allow(key);
  return Find(key) != nullptr;
}

std::optional<YamlValue> MapReader::Get(std::string_view key) {
  Allow(key);
  if (Entry* e = Find(key)) return e->value;
  return std::nullopt;
}

std::optional<YamlValue> MapReader::GetRequired(std::string_view key) {
  std::optional<YamlValue> v = Get(key);
  if (!v && ok_) value_.Error(fmt::format("{}: missing required key '{}'", subject_, key));
  return v;
}

std::vector<std::pair<YamlValue, YamlValue>> MapReader::Entries() const {
  std::vector<std::pair<YamlValue, YamlValue>> out;
  for (const Entry& e : entries_) out.emplace_back(e.key_value, e.value);
  return out;
}

std::optional<std::string> MapReader::FirstKey() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.front().key;
}

MapReader& MapReader::Each(std::string_view key,
                           const std::function<void(const YamlValue&)>& read, bool required) {
  std::optional<YamlValue> v = required ? GetRequired(key) : Get(key);
  if (!v) return *this;
  if (v->IsNull() && !required) return *this;  // "routes:" with nothing under it: no items
  for (const YamlValue& item : v->Items(What(key))) read(item);
  return *this;
}

MapReader& MapReader::Map(std::string_view key, const std::function<void(MapReader&)>& read,
                          bool required) {
  std::optional<YamlValue> v = required ? GetRequired(key) : Get(key);
  if (!v) return *this;
  MapReader nested(*v, What(key));
  if (nested.ok()) read(nested);
  nested.Finish();
  return *this;
}

void MapReader::Finish() {
  if (finished_) return;
  finished_ = true;
  for (const Entry& e : entries_) {
    if (e.known) continue;
    e.key_value.Error(fmt::format("unknown key '{}' in {}{}", e.key, subject_,
                                  DidYouMean(e.key, known_)));
  }
}

std::string MapReader::What(std::string_view key) const {
  return fmt::format("'{}' of {}", key, subject_);
}

void MapReader::Read(const YamlValue& v, std::string_view key, std::string* out) {
  if (auto s = v.ReadString(What(key))) *out = std::move(*s);
}
void MapReader::Read(const YamlValue& v, std::string_view key, bool* out) {
  if (auto b = v.ReadBool(What(key))) *out = *b;
}
void MapReader::Read(const YamlValue& v, std::string_view key, int* out) {
  if (auto i = v.ReadInt(What(key), std::numeric_limits<int>::min(),
                         std::numeric_limits<int>::max())) {
    *out = static_cast<int>(*i);
  }
}
void MapReader::Read(const YamlValue& v, std::string_view key, int64_t* out) {
  if (auto i = v.ReadInt(What(key))) *out = *i;
}
void MapReader::Read(const YamlValue& v, std::string_view key, double* out) {
  if (auto d = v.ReadDouble(What(key))) *out = *d;
}
void MapReader::Read(const YamlValue& v, std::string_view key, Duration* out) {
  if (auto d = v.ReadDuration(What(key))) *out = *d;
}
void MapReader::Read(const YamlValue& v, std::string_view key, std::vector<std::string>* out) {
  if (auto l = v.ReadStringList(What(key))) *out = std::move(*l);
}

namespace {

// Counts the documents yaml-cpp's parser sees, remembering where the last one started.
class DocumentCounter : public YAML::EventHandler {
 public:
  int documents = 0;
  YAML::Mark last_start;

  void OnDocumentStart(const YAML::Mark& mark) override {
    ++documents;
    last_start = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// yaml-cpp 0.7 never consumes a ',' that stands outside any [ ] or { } at the top level (",",
// "- a\n, b"): each pass over it yields one more empty document, so YAML::LoadAll loops and
// grows without bound (a 9.5 KB rule file took over 20 GB). A file holds at most one document
// per '---' or '...' line plus one; a parse that yields more is stuck, at the mark returned.
std::optional<YAML::Mark> StuckParseMark(std::string_view text) {
  int markers = 0;
  for (size_t i = 0; i < text.size();) {
    if (text.substr(i, 3) == "---" || text.substr(i, 3) == "...") ++markers;
    const size_t end = text.find('\n', i);
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  DocumentCounter counter;
  while (parser.HandleNextDocument(counter)) {
    if (counter.documents > markers + 1) return counter.last_start;
  }
  return std::nullopt;
}

// The 1-based line of the '---' that starts a file's second document (or of its first line
// after a '...'), 0 when none is found. A '---' before any content opens the first document. A
// marker at column 0 always starts a document (YAML forbids it inside scalars), so a scan of
// the lines is exact.
int SecondDocumentLine(std::string_view text) {
  bool content = false, ended = false;
  int line = 1;
  for (size_t i = 0; i < text.size(); ++line) {
    size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(i, end - i);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    i = end + 1;
    auto is_marker = [&](std::string_view m) {
      return l.starts_with(m) && (l.size() == 3 || l[3] == ' ' || l[3] == '\t');
    };
    if (is_marker("---")) {
      if (content) return line;
      content = true;  // the first document's own '---': what follows is its content
      continue;
    }
    if (is_marker("...")) {  // the first document's end: whatever follows is a second one
      ended = true;
      continue;
    }
    const size_t first = l.find_first_not_of(' ');
    if (first == std::string_view::npos || l[first] == '#' || l.starts_with("%")) continue;
    if (ended) return line;
    content = true;
  }
  return 0;
}

}  // namespace

std::optional<YamlFile> YamlFile::Load(const std::filesystem::path& path, Diagnostics* diags,
                                       std::string display_name) {
  if (display_name.empty()) display_name = path.string();
  // Regular files within kMaxInputFileBytes only: a FIFO or /dev/zero named here is one error
  // at once, not a hang or a read without end.
  Result<std::string> text = ReadRegularFile(path);
  if (!text.ok()) {
    diags->Error(display_name, 0, 0, text.status().message());
    return std::nullopt;
  }
  return Parse(std::move(display_name), *text, diags);
}

std::optional<YamlFile> YamlFile::Parse(std::string display_name, std::string_view text,
                                        Diagnostics* diags) {
  auto name = std::make_shared<const std::string>(std::move(display_name));
  // YAML forbids tabs in indentation, and yaml-cpp's own message for them ("illegal map
  // value") points past the problem: name it, on every line where it happens.
  bool tabs = false;
  int line = 1;
  for (size_t i = 0; i < text.size();) {
    size_t end = text.find('\n', i);
    if (end == std::string_view::npos) end = text.size();
    for (size_t j = i; j < end && (text[j] == ' ' || text[j] == '\t'); ++j) {
      if (text[j] == '\t') {
        diags->Error(*name, line, static_cast<int>(j - i) + 1,
                     "tab in indentation; YAML indents with spaces only");
        tabs = true;
        break;
      }
    }
    i = end + 1;
    ++line;
  }
  if (tabs) return std::nullopt;
  std::vector<YAML::Node> docs;
  try {
    if (const auto stuck = StuckParseMark(text)) {
      YamlMark m = ToMark(*stuck);
      const size_t at = static_cast<size_t>(std::max(0, stuck->pos));
      diags->Error(*name, m.line, m.column,
                   at < text.size() && text[at] == ','
                       ? "invalid YAML: a ',' outside any [ ] or { } list; in a block list "
                         "each item is its own '- item' line"
                       : "invalid YAML: the parser cannot get past this point");
      return std::nullopt;
    }
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    YamlMark m = ToMark(e.mark);
    diags->Error(*name, m.line, m.column, fmt::format("invalid YAML: {}", e.msg));
    return std::nullopt;
  }
  if (docs.size() > 1) {
    const int at = SecondDocumentLine(text);
    diags->Error(*name, at, at > 0 ? 1 : 0,
                 fmt::format("a second YAML document starts here ('---'; the file holds {}); "
                             "earshot reads one document per file: delete the '---' to continue "
                             "the first, or move what follows into a file of its own",
                             docs.size()));
    return std::nullopt;
  }
  YAML::Node root = docs.empty() ? YAML::Node() : docs.front();
  YamlMark mark = docs.empty() ? YamlMark{1, 1} : ToMark(root.Mark());
  if (mark.line == 0) mark = {1, 1};
  return YamlFile(name, YamlValue(root, mark, name, diags));
}

}  // namespace earshot
