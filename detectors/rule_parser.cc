#include "detectors/rule_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/base/file_read.h"
#include "daemon/base/suggest.h"
#include "detectors/regex_lint.h"

namespace earshot::rules_internal {
namespace {

namespace fs = std::filesystem;

Where At(const YamlValue& v) { return {v.file(), v.mark().line, v.mark().column}; }

const std::vector<std::string> kConditionKeys = {
    "hashtag",   "mention",   "regex",     "phrase", "near", "language", "author", "network",
    "followers", "sentiment", "complaint", "macro",  "any",  "all",      "none"};
const std::vector<std::string> kCategories = {"complaint", "praise", "resolution", "noise"};
const std::vector<std::string> kSeverities = {"info", "low", "medium", "high", "critical"};
const std::vector<std::string> kModes = {"live", "shadow"};
const std::vector<std::string> kOverrideActions = {"append", "replace"};

Category ToCategory(const std::string& s) {
  if (s == "praise") return Category::kPraise;
  if (s == "resolution") return Category::kResolution;
  if (s == "noise") return Category::kNoise;
  return Category::kComplaint;
}

bool ValidName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// ---- Parsing: YAML to raw items, every shape problem reported. ----

class Parser {
 public:
  Parser(Diagnostics* diags, std::vector<RawRule>* rules, std::vector<RawList>* lists,
         std::vector<RawMacro>* macros)
      : diags_(diags), rules_(rules), lists_(lists), macros_(macros) {}

  void ParseFile(const YamlFile& file, const fs::path& base_dir) {
    base_dir_ = base_dir;
    YamlValue root = file.root();
    if (root.IsNull()) {
      root.Warning("the rule file is empty");
      return;
    }
    for (const YamlValue& item : root.Items("a rule file (a list of rule:, list: and macro: "
                                            "items)")) {
      ParseItem(item);
    }
  }

 private:
  void ParseItem(const YamlValue& item) {
    if (!item.IsMapping()) {
      item.Error(fmt::format("expected a rule:, list: or macro: item, got {}", item.KindName()));
      return;
    }
    // Falco's shape: the first key says what the item is.
    std::optional<std::string> first;
    if (item.node().begin() != item.node().end() && item.node().begin()->first.IsScalar()) {
      first = item.node().begin()->first.Scalar();
    }
    if (first == "rule") return ParseRule(item);
    if (first == "list") return ParseList(item);
    if (first == "macro") return ParseMacro(item);
    item.Error(fmt::format(
        "unknown item '{}'{}; each item starts with rule:, list: or macro:", first.value_or(""),
        DidYouMean(first.value_or(""), {"rule", "list", "macro"})));
  }

  // The name of a `rule:`/`list:`/`macro:` item; nullopt after reporting.
  std::optional<std::string> ItemName(MapReader& m, std::string_view kind) {
    std::optional<YamlValue> v = m.Get(kind);
    std::optional<std::string> name = v->ReadString(fmt::format("{} name", kind));
    if (!name) return std::nullopt;
    if (!ValidName(*name)) {
      v->Error(fmt::format("{} name '{}' may hold only letters, digits and - _ . :", kind, *name));
      return std::nullopt;
    }
    return name;
  }

  // override: {field: append|replace}; returns field -> action.
  std::map<std::string, std::string> ReadOverride(MapReader& m, const std::string& subject,
                                                  const std::vector<std::string>& fields,
                                                  const std::vector<std::string>& appendable) {
    std::map<std::string, std::string> out;
    std::optional<YamlValue> v = m.Get("override");
    if (!v) return out;
    MapReader o(*v, fmt::format("override of {}", subject));
    for (const auto& [key, value] : o.Entries()) {
      const std::string& field = key.scalar();
      if (std::find(fields.begin(), fields.end(), field) == fields.end()) {
        key.Error(fmt::format("override of {}: '{}' cannot be overridden{}; known: {}", subject,
                              field, DidYouMean(field, fields), fmt::join(fields, ", ")));
        continue;
      }
      o.Allow(field);
      std::optional<std::string> action =
          value.ReadChoice(fmt::format("override of '{}' in {}", field, subject), kOverrideActions);
      if (!action) continue;
      if (*action == "append" &&
          std::find(appendable.begin(), appendable.end(), field) == appendable.end()) {
        value.Error(
            fmt::format("override of '{}' in {}: only replace is possible; append "
                        "works for {}",
                        field, subject, fmt::join(appendable, ", ")));
        continue;
      }
      if (!m.Has(field)) {
        value.Error(fmt::format("override of '{}' in {}: the item gives no '{}' to {}", field,
                                subject, field, *action));
        continue;
      }
      out[field] = *action;
    }
    o.Finish();
    if (out.empty() && o.ok() && o.Entries().empty()) {
      v->Error(
          fmt::format("override of {} names no field; write e.g. override: {{match: "
                      "append}}",
                      subject));
    }
    return out;
  }

  // Every field given in an overriding item must be named in its override: block, as in Falco,
  // so an analyst never replaces what they meant to extend.
  void CheckOverrideCovers(MapReader& m, const std::string& kind,
                           const std::map<std::string, std::string>& actions,
                           const std::string& subject) {
    for (const auto& [key, value] : m.Entries()) {
      const std::string& k = key.scalar();
      if (k == kind || k == "override" || actions.count(k)) continue;
      key.Error(
          fmt::format("'{}' in the override of {} is not listed in override:; add "
                      "'{}: replace' (or append) to say what to do with it",
                      k, subject, k));
    }
  }

  void ParseRule(const YamlValue& item) {
    // The name comes first so that every message, duplicate keys included, can say whose.
    const YAML::Node name_node = item.node()["rule"];
    std::string subject = fmt::format("rule '{}'", name_node.IsScalar() ? name_node.Scalar() : "?");
    MapReader r(item, subject);
    std::optional<std::string> id = ItemName(r, "rule");
    const std::vector<std::string> fields = {"description", "summary", "category", "severity",
                                             "labels",      "enabled", "mode",     "match"};
    RawRule raw;
    raw.id = id.value_or("");
    raw.where = At(item);
    std::optional<std::string> category, severity, mode;
    bool has_match = false;
    r.Optional("description", &raw.description).Optional("summary", &raw.summary);
    if (auto v = r.Get("category")) category = v->ReadChoice("category of " + subject, kCategories);
    if (auto v = r.Get("severity")) severity = v->ReadChoice("severity of " + subject, kSeverities);
    if (auto v = r.Get("mode")) mode = v->ReadChoice("mode of " + subject, kModes);
    r.Optional("enabled", &raw.enabled);
    if (auto v = r.Get("labels")) ReadLabels(*v, subject, &raw.labels);
    if (auto v = r.Get("match")) {
      has_match = true;
      // An override may add only exclusions: `none:` alone is fine there.
      if (auto block = ParseBlock(*v, subject, item.node()["override"].IsDefined())) {
        raw.match = std::move(*block);
      }
    }
    std::map<std::string, std::string> actions =
        ReadOverride(r, subject, fields, {"match", "labels"});
    r.Finish();
    if (!id) return;
    if (category) raw.category = ToCategory(*category);
    if (severity) raw.severity = ParseSeverity(*severity);
    if (mode) raw.shadow = *mode == "shadow";

    auto existing = std::find_if(rules_->begin(), rules_->end(),
                                 [&](const RawRule& x) { return x.id == raw.id; });
    bool overriding = r.Has("override");
    if (overriding || existing != rules_->end()) {
      if (existing == rules_->end()) {
        std::vector<std::string> ids;
        for (const RawRule& x : *rules_) ids.push_back(x.id);
        item.Error(
            fmt::format("override of unknown rule '{}'{}; a rule must be defined (in an "
                        "earlier file) before it is overridden",
                        raw.id, DidYouMean(raw.id, ids)));
        return;
      }
      bool only_enabled = true;
      for (const auto& [key, value] : r.Entries()) {
        if (key.scalar() != "rule" && key.scalar() != "enabled") only_enabled = false;
      }
      if (!overriding && !only_enabled) {
        item.Error(
            fmt::format("rule '{}' is already defined at {}:{}; to change it, add "
                        "override: {{match: append}} (or replace) naming each field",
                        raw.id, existing->where.file, existing->where.line));
        return;
      }
      if (!overriding) {  // "- rule: x / enabled: false", Falco's way to switch a rule off
        existing->enabled = raw.enabled;
        return;
      }
      CheckOverrideCovers(r, "rule", actions, subject);
      for (const auto& [field, action] : actions) {
        if (field == "description") existing->description = raw.description;
        if (field == "summary") existing->summary = raw.summary;
        if (field == "category" && category) existing->category = raw.category;
        if (field == "severity" && severity) existing->severity = raw.severity;
        if (field == "enabled") existing->enabled = raw.enabled;
        if (field == "mode" && mode) existing->shadow = raw.shadow;
        if (field == "labels") {
          if (action == "replace") existing->labels.clear();
          for (const auto& [k, v] : raw.labels) existing->labels[k] = v;
        }
        if (field == "match") {
          if (action == "replace") {
            existing->match = std::move(raw.match);
          } else {
            AppendBlock(std::move(raw.match), &existing->match);
          }
        }
      }
      return;
    }
    if (!r.ok()) return;
    if (raw.description.empty() && !r.Has("description")) {
      item.Error(fmt::format("{}: missing required key 'description'", subject));
    }
    if (!category) {
      if (!r.Has("category")) {
        item.Error(fmt::format("{}: missing required key 'category' (one of {})", subject,
                               fmt::join(kCategories, ", ")));
      }
      // The error is reported and the load will fail; keep the rule (as a complaint) so its
      // match block is still checked and every problem shows in one run.
      raw.category = Category::kComplaint;
      if (!raw.severity) raw.severity = Severity::kInfo;
    }
    if (!has_match) {
      item.Error(fmt::format("{}: missing required key 'match'", subject));
      return;
    }
    if (!raw.severity) {
      if (raw.category == Category::kComplaint && !r.Has("severity")) {
        item.Error(
            fmt::format("{}: missing required key 'severity' (complaints page people: "
                        "say how loudly, one of {})",
                        subject, fmt::join(kSeverities, ", ")));
      }
      raw.severity = Severity::kInfo;
    }
    rules_->push_back(std::move(raw));
  }

  static void AppendBlock(RawBlock add, RawBlock* to) {
    for (RawCond& c : add.any) to->any.push_back(std::move(c));
    for (RawCond& c : add.all) to->all.push_back(std::move(c));
    for (RawCond& c : add.none) to->none.push_back(std::move(c));
  }

  void ReadLabels(const YamlValue& v, const std::string& subject, Labels* out) {
    MapReader l(v, "labels of " + subject);
    for (const auto& [key, value] : l.Entries()) {
      l.Allow(key.scalar());
      if (!ValidName(key.scalar())) {
        key.Error(fmt::format("label name '{}' in {} may hold only letters, digits and - _ . :",
                              key.scalar(), subject));
        continue;
      }
      if (auto s = value.ReadString(fmt::format("label '{}' of {}", key.scalar(), subject))) {
        (*out)[key.scalar()] = *s;
      }
    }
    l.Finish();
  }

  void ParseList(const YamlValue& item) {
    // The name comes first so that every message, duplicate keys included, can say whose.
    const YAML::Node name_node = item.node()["list"];
    std::string subject = fmt::format("list '{}'", name_node.IsScalar() ? name_node.Scalar() : "?");
    MapReader r(item, subject);
    std::optional<std::string> name = ItemName(r, "list");
    RawList raw;
    raw.name = name.value_or("");
    raw.where = At(item);
    bool has_items = r.Has("items"), has_file = r.Has("file");
    r.Optional("items", &raw.items);
    if (auto v = r.Get("file")) {
      if (auto path = v->ReadString("file of " + subject)) ReadListFile(*v, *path, &raw.items);
    }
    std::map<std::string, std::string> actions = ReadOverride(r, subject, {"items"}, {"items"});
    r.Finish();
    if (!name || !r.ok()) return;
    if (has_items && has_file) {
      item.Error(fmt::format("{}: give either items: or file:, not both", subject));
      return;
    }
    auto existing = std::find_if(lists_->begin(), lists_->end(),
                                 [&](const RawList& x) { return x.name == raw.name; });
    if (r.Has("override")) {
      if (existing == lists_->end()) {
        std::vector<std::string> names;
        for (const RawList& x : *lists_) names.push_back(x.name);
        item.Error(
            fmt::format("override of unknown list '{}'{}", raw.name, DidYouMean(raw.name, names)));
        return;
      }
      if (actions.count("items")) {
        if (actions["items"] == "replace") existing->items.clear();
        existing->items.insert(existing->items.end(), raw.items.begin(), raw.items.end());
      }
      return;
    }
    if (existing != lists_->end()) {
      item.Error(
          fmt::format("list '{}' is already defined at {}:{}; to extend it add "
                      "override: {{items: append}}",
                      raw.name, existing->where.file, existing->where.line));
      return;
    }
    if (!has_items && !has_file) {
      item.Error(fmt::format("{}: missing items: (or file: with one item per line)", subject));
      return;
    }
    lists_->push_back(std::move(raw));
  }

  void ReadListFile(const YamlValue& where, const std::string& path,
                    std::vector<std::string>* items) {
    fs::path p = fs::path(path).is_absolute() ? fs::path(path) : base_dir_ / path;
    // Regular files within kMaxInputFileBytes only: a FIFO or device is refused, not waited on.
    Result<std::string> text = ReadRegularFile(p);
    if (!text.ok()) {
      if (text.status().code() == Status::Code::kNotFound) {
        where.Error(
            fmt::format("cannot read list file '{}'; the path is relative to the rule "
                        "file's directory",
                        p.string()));
      } else {
        where.Error(fmt::format("list file '{}': {}", p.string(), text.status().message()));
      }
      return;
    }
    std::istringstream in(std::move(*text));
    std::string line;
    while (std::getline(in, line)) {
      size_t hash = line.find('#');
      // A leading '#' is a comment; "#AcmeAirSucks" as an item must be written without '#'.
      if (hash == 0) continue;
      size_t b = line.find_first_not_of(" \t\r");
      size_t e = line.find_last_not_of(" \t\r");
      if (b == std::string::npos) continue;
      std::string item = line.substr(b, e - b + 1);
      if (item.front() == '#') continue;
      items->push_back(std::move(item));
    }
  }

  void ParseMacro(const YamlValue& item) {
    // The name comes first so that every message, duplicate keys included, can say whose.
    const YAML::Node name_node = item.node()["macro"];
    std::string subject =
        fmt::format("macro '{}'", name_node.IsScalar() ? name_node.Scalar() : "?");
    MapReader r(item, subject);
    std::optional<std::string> name = ItemName(r, "macro");
    RawMacro raw;
    raw.name = name.value_or("");
    raw.where = At(item);
    std::optional<RawBlock> block;
    if (auto v = r.GetRequired("match")) {
      block = ParseBlock(*v, subject, item.node()["override"].IsDefined());
    }
    std::map<std::string, std::string> actions = ReadOverride(r, subject, {"match"}, {"match"});
    r.Finish();
    if (!name) return;
    // A macro whose block is broken (already reported) is still defined: otherwise every rule
    // using it would add a misleading "unknown macro" error.
    if (block) raw.match = std::move(*block);
    auto existing = std::find_if(macros_->begin(), macros_->end(),
                                 [&](const RawMacro& x) { return x.name == raw.name; });
    if (r.Has("override")) {
      if (existing == macros_->end()) {
        std::vector<std::string> names;
        for (const RawMacro& x : *macros_) names.push_back(x.name);
        item.Error(
            fmt::format("override of unknown macro '{}'{}", raw.name, DidYouMean(raw.name, names)));
        return;
      }
      if (actions.count("match")) {
        if (actions["match"] == "replace") {
          existing->match = std::move(raw.match);
        } else {
          AppendBlock(std::move(raw.match), &existing->match);
        }
      }
      return;
    }
    if (existing != macros_->end()) {
      item.Error(
          fmt::format("macro '{}' is already defined at {}:{}; to change it add "
                      "override: {{match: append}} (or replace)",
                      raw.name, existing->where.file, existing->where.line));
      return;
    }
    macros_->push_back(std::move(raw));
  }

  std::optional<RawBlock> ParseBlock(const YamlValue& v, const std::string& subject,
                                     bool overriding) {
    MapReader b(v, "match of " + subject);
    if (!b.ok()) return std::nullopt;
    RawBlock block;
    block.where = At(v);
    bool ok = true;
    auto read = [&](std::string_view key, std::vector<RawCond>* out) {
      b.Each(key, [&](const YamlValue& item) {
        if (auto c = ParseCondition(item, subject)) {
          out->push_back(std::move(*c));
        } else {
          ok = false;
        }
      });
    };
    read("any", &block.any);
    read("all", &block.all);
    read("none", &block.none);
    b.Finish();
    if (ok && block.any.empty() && block.all.empty() && !overriding) {
      v.Error(
          fmt::format("match of {} needs any: or all: conditions; none: alone would match "
                      "every post",
                      subject));
      return std::nullopt;
    }
    // A broken condition is reported and left out; the others are kept, so that compiling them
    // still reports their unknown macros and unsupported regexes in the same run. The errors
    // already reported fail the load: a partial block never runs.
    return block;
  }

  // A list condition: `{in: name}` as a mapping.
  std::optional<std::string> ReadIn(MapReader& m) {
    std::string list;
    m.Required("in", &list);
    if (list.empty()) return std::nullopt;
    return list;
  }

  std::optional<RawCond> ParseCondition(const YamlValue& item, const std::string& subject) {
    std::string where_text = "condition in " + subject;
    if (!item.IsMapping()) {
      item.Error(
          fmt::format("{}: expected a mapping such as 'hashtag: x' or 'regex: ...', got "
                      "{}",
                      where_text, item.KindName()));
      return std::nullopt;
    }
    MapReader m(item, where_text);
    std::vector<std::string> present;
    for (const auto& [key, value] : m.Entries()) {
      if (std::find(kConditionKeys.begin(), kConditionKeys.end(), key.scalar()) !=
          kConditionKeys.end()) {
        present.push_back(key.scalar());
      }
    }
    if (present.empty()) {
      std::string first = m.FirstKey().value_or("");
      item.Error(fmt::format("unknown condition '{}' in {}{}; known: {}", first, subject,
                             DidYouMean(first, kConditionKeys), fmt::join(kConditionKeys, ", ")));
      return std::nullopt;
    }
    if (present.size() > 1) {
      item.Error(
          fmt::format("one condition per item in {}: split '{}' and '{}' into two items "
                      "(under all: when both must hold)",
                      subject, present[0], present[1]));
      return std::nullopt;
    }
    const std::string& key = present[0];
    YamlValue v = *m.Get(key);
    RawCond c;
    c.where = At(v);
    int errors_before = diags_->error_count();
    std::string what = fmt::format("'{}' condition in {}", key, subject);
    if (key == "any" || key == "all" || key == "none") {
      c.kind = key == "any"   ? RawCond::Kind::kAny
               : key == "all" ? RawCond::Kind::kAll
                              : RawCond::Kind::kNone;
      for (const YamlValue& child : v.Items(what)) {
        if (auto cc = ParseCondition(child, subject)) c.children.push_back(std::move(*cc));
      }
    } else if (key == "hashtag") {
      if (v.IsMapping()) {
        MapReader h(v, what);
        std::vector<std::string> forms;
        for (const char* form : {"prefix", "regex", "in"}) {
          if (h.Has(form)) forms.push_back(form);
        }
        if (forms.size() != 1) {
          v.Error(fmt::format("{}: give exactly one of prefix:, regex: or in:", what));
        } else if (forms[0] == "prefix") {
          c.kind = RawCond::Kind::kHashtagPrefix;
          h.Required("prefix", &c.value);
          c.value = StripPrefix(c.value, '#');
        } else if (forms[0] == "regex") {
          c.kind = RawCond::Kind::kHashtagRegex;
          h.Required("regex", &c.value);
          if (auto rv = h.Get("regex")) c.where = At(*rv);
        } else {
          c.kind = RawCond::Kind::kHashtagIn;
          h.Required("in", &c.value);
        }
        h.Finish();
      } else if (auto s = v.ReadString(what)) {
        c.kind = RawCond::Kind::kHashtag;
        c.value = StripPrefix(*s, '#');
        if (c.value.find_first_of(" \t") != std::string::npos) {
          v.Error(fmt::format("{}: a hashtag has no spaces: '{}'", what, *s));
        }
      }
    } else if (key == "mention" || key == "author") {
      bool mention = key == "mention";
      if (v.IsMapping()) {
        MapReader h(v, what);
        if (mention && h.Has("prefix")) {
          c.kind = RawCond::Kind::kMentionPrefix;
          h.Required("prefix", &c.value);
          c.value = StripPrefix(c.value, '@');
        } else if (auto list = ReadIn(h)) {
          c.kind = mention ? RawCond::Kind::kMentionIn : RawCond::Kind::kAuthorIn;
          c.value = *list;
        }
        h.Finish();
      } else if (mention) {
        if (auto s = v.ReadString(what)) {
          c.kind = RawCond::Kind::kMention;
          c.value = StripPrefix(*s, '@');
        }
      } else if (auto l = v.ReadStringList(what)) {
        c.kind = RawCond::Kind::kAuthor;
        c.values = *l;
      }
    } else if (key == "regex") {
      c.kind = RawCond::Kind::kRegex;
      if (auto s = v.ReadString(what)) c.value = *s;
      m.Optional("case_sensitive", &c.case_sensitive);
      if (std::string gap = FindWildcardGap(c.value); !gap.empty()) {
        v.Warning(
            fmt::format("regex in {} joins words with the gap '{}': in an RE2::Set such "
                        "gaps make matching about 10x slower and need far more memory; "
                        "write `near: N` with `terms:` instead",
                        subject, gap));
      }
    } else if (key == "phrase") {
      if (v.IsMapping()) {
        MapReader h(v, what);
        if (auto list = ReadIn(h)) {
          c.kind = RawCond::Kind::kPhraseIn;
          c.value = *list;
        }
        h.Finish();
      } else if (auto l = v.ReadStringList(what)) {
        c.kind = RawCond::Kind::kPhrase;
        c.values = *l;
      }
    } else if (key == "near") {
      c.kind = RawCond::Kind::kNear;
      if (auto n = v.ReadInt(what + " (words apart)", 0, 50)) c.within = static_cast<int>(*n);
      std::optional<YamlValue> terms = m.GetRequired("terms");
      if (terms) {
        for (const YamlValue& g : terms->Items("terms of " + what)) {
          RawCond::Group group;
          group.where = At(g);
          bool read = false;
          if (g.IsMapping()) {
            MapReader h(g, "terms of " + what);
            if (auto list = ReadIn(h)) {
              group.list = *list;
              read = true;
            }
            h.Finish();
          } else if (auto l = g.ReadStringList("terms of " + what)) {
            group.terms = *l;
            read = true;
          }
          if (read) c.groups.push_back(std::move(group));
        }
        if (terms->IsSequence() && c.groups.size() < 2) {
          terms->Error(
              fmt::format("terms of {}: give at least two term groups to be near each "
                          "other",
                          what));
        }
      }
    } else if (key == "language" || key == "network") {
      c.kind = key == "language" ? RawCond::Kind::kLanguage : RawCond::Kind::kNetwork;
      if (auto l = v.ReadStringList(what)) c.values = *l;
    } else if (key == "followers" || key == "sentiment" || key == "complaint") {
      bool followers = key == "followers";
      c.kind = followers            ? RawCond::Kind::kFollowers
               : key == "sentiment" ? RawCond::Kind::kSentiment
                                    : RawCond::Kind::kComplaint;
      // Sentiment is VADER's compound (-1 .. 1); complaint a probability (0 .. 1).
      const double low = key == "complaint" ? 0.0 : -1.0;
      MapReader b(v, what);
      for (const char* bound : {"above", "below"}) {
        std::optional<YamlValue> bv = b.Get(bound);
        if (!bv) continue;
        std::optional<double> x = followers ? [&]() -> std::optional<double> {
          auto i = bv->ReadInt(fmt::format("{} of {}", bound, what), 0);
          return i ? std::optional<double>(static_cast<double>(*i)) : std::nullopt;
        }()
            : bv->ReadDouble(fmt::format("{} of {}", bound, what), low, 1.0);
        (std::string_view(bound) == "above" ? c.above : c.below) = x;
      }
      b.Finish();
      if (b.ok() && !b.Has("above") && !b.Has("below")) {
        v.Error(fmt::format("{}: give above:, below: or both", what));
      } else if (c.above && c.below && *c.above >= *c.below) {
        v.Error(
            fmt::format("{}: above: {} and below: {} leave nothing between them; nothing "
                        "can match",
                        what, *c.above, *c.below));
      }
    } else if (key == "macro") {
      c.kind = RawCond::Kind::kMacro;
      if (auto s = v.ReadString(what)) c.value = *s;
    }
    m.Finish();
    if (diags_->error_count() != errors_before && !Checkable(c)) return std::nullopt;
    return c;
  }

  // Whether a condition with a reported error can still be compiled, for the problems that only
  // compiling finds (unknown macros and lists, regexes RE2 refuses), without adding errors of
  // its own: a block keeps its good children, a macro or list reference needs its name.
  static bool Checkable(const RawCond& c) {
    using K = RawCond::Kind;
    switch (c.kind) {
      case K::kMacro:
      case K::kHashtagIn:
      case K::kMentionIn:
      case K::kAuthorIn:
      case K::kPhraseIn:
        return !c.value.empty();
      default:
        return true;
    }
  }

  Diagnostics* diags_;
  std::vector<RawRule>* rules_;
  std::vector<RawList>* lists_;
  std::vector<RawMacro>* macros_;
  fs::path base_dir_;
};

}  // namespace

void ParseRuleFile(const YamlFile& file, const fs::path& base_dir, Diagnostics* diags,
                   RuleDefinitions* defs) {
  Parser parser(diags, &defs->rules, &defs->lists, &defs->macros);
  parser.ParseFile(file, base_dir);
}

}  // namespace earshot::rules_internal
