#include "daemon/escalator/silence_file.h"

#include <fmt/format.h>

#include "daemon/config/yaml_reader.h"

namespace earshot {
namespace {

constexpr const char* kTimeExample = "2026-11-22T18:00:00Z";

// An ISO-8601 UTC time, or an error at `value` that shows the form expected.
std::optional<SystemTime> ReadTime(const YamlValue& value, std::string_view what) {
  auto text = value.ReadString(what);
  if (!text) return std::nullopt;
  auto t = ParseIso8601(*text);
  if (!t) {
    value.Error(fmt::format("{}: '{}' is not an ISO-8601 UTC time; write it as {}", what, *text,
                            kTimeExample));
  }
  return t;
}

// One matcher string or a list of them, each parsed on its own so an error points at it; the
// silence matches when all of them do.
std::optional<LabelMatchers> ReadMatchers(const YamlValue& value, std::string_view what) {
  std::vector<YamlValue> items;
  if (value.IsScalar()) {
    items.push_back(value);
  } else if (value.IsSequence()) {
    items = value.Items(what);
    if (items.empty()) {
      value.Error(fmt::format("{}: the list is empty; a silence needs at least one matcher such "
                              "as 'brand=\"acmeair\"'",
                              what));
      return std::nullopt;
    }
  } else {
    value.Error(fmt::format("{}: expected a list of matcher strings such as 'brand=\"acmeair\"', "
                            "got {}",
                            what, value.KindName()));
    return std::nullopt;
  }
  std::string joined;
  bool ok = true;
  for (const YamlValue& item : items) {
    auto text = item.ReadString(fmt::format("item of {}", what));
    if (!text) {
      ok = false;
      continue;
    }
    auto m = LabelMatchers::Parse(*text);
    if (!m.ok()) {
      item.Error(fmt::format("{}: {}", what, m.status().message()));  // it says the fix
      ok = false;
      continue;
    }
    joined += (joined.empty() ? "" : ",") + m->ToString();
  }
  if (!ok) return std::nullopt;
  auto all = LabelMatchers::Parse(joined);  // canonical texts of valid matchers: parses
  if (!all.ok()) {
    value.Error(fmt::format("{}: {}", what, all.status().message()));
    return std::nullopt;
  }
  return std::move(all).value();
}

}  // namespace

std::optional<std::vector<FileSilence>> LoadSilenceFile(const std::filesystem::path& path,
                                                        std::string_view name, SystemTime now,
                                                        Diagnostics* diags) {
  const int errors_before = diags->error_count();
  std::optional<YamlFile> file = YamlFile::Load(path, diags, path.string());
  if (!file) return std::nullopt;
  std::vector<FileSilence> out;
  const YamlValue root = file->root();
  if (root.IsNull()) return out;  // an empty file: no silences
  if (!root.IsSequence()) {
    root.Error(fmt::format("the silences file is a list of silences (- matchers: ..., ends_at: "
                           "..., comment: ...), got {}",
                           root.KindName()));
    return std::nullopt;
  }
  int index = 0;
  for (const YamlValue& item : root.Items("silences")) {
    ++index;
    MapReader m(item, fmt::format("silence #{}", index));
    if (!m.ok()) continue;
    FileSilence s;
    s.id = fmt::format("{}{}:{}", kFileSilencePrefix, name, item.mark().line);
    std::optional<LabelMatchers> matchers;
    std::optional<SystemTime> starts, ends;
    if (auto v = m.GetRequired("matchers")) {
      matchers = ReadMatchers(*v, fmt::format("matchers of silence #{}", index));
    }
    if (auto v = m.Get("starts_at")) {
      starts = ReadTime(*v, fmt::format("starts_at of silence #{}", index));
    }
    auto ends_value = m.GetRequired("ends_at");
    if (ends_value) ends = ReadTime(*ends_value, fmt::format("ends_at of silence #{}", index));
    m.Required("comment", &s.comment).Optional("created_by", &s.created_by);
    if (auto v = m.Get("comment"); v && v->IsScalar() && s.comment.empty()) {
      v->Error(fmt::format("comment of silence #{} is empty; say why these pages are muted, for "
                           "whoever finds them muted",
                           index));
    }
    m.Finish();
    if (!matchers || !ends) continue;
    if (starts) s.starts_at = *starts;
    s.ends_at = *ends;
    if (starts && *ends <= *starts) {
      ends_value->Error(fmt::format("ends_at of silence #{} ({}) is not after its starts_at ({}); "
                                    "swap them or fix the date",
                                    index, FormatIso8601(*ends), FormatIso8601(*starts)));
      continue;
    }
    if (s.ends_at <= now) {
      item.Warning(fmt::format("silence #{} ended at {} and is ignored; delete it from the file",
                               index, FormatIso8601(s.ends_at)));
      continue;
    }
    s.matchers = *std::move(matchers);
    out.push_back(std::move(s));
  }
  if (diags->error_count() > errors_before) return std::nullopt;
  return out;
}

}  // namespace earshot
