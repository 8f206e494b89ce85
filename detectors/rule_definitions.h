// What rule files say, before macros, lists and {{brand}} are resolved: the parser's output
// (rule_parser.h) and the compiler's input (rule_compiler.h). Every item keeps where it was
// written, because the compiler finds problems of its own (unknown macros and lists, regexes RE2
// refuses) and reports them at the line the analyst wrote.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/base/severity.h"
#include "daemon/model/detection.h"

namespace earshot::rules_internal {

// Where a piece of a rule file came from, kept past parsing for errors found while compiling.
struct Where {
  std::string file;
  int line = 0, column = 0;
};

// "#tag" and "@handle" as the matcher takes them: without the leading '#' or '@'.
inline std::string StripPrefix(std::string s, char c) {
  if (!s.empty() && s.front() == c) s.erase(0, 1);
  return s;
}

// ---- What the files say, before macros, lists and {{brand}} are resolved. ----

struct RawCond {
  enum class Kind {
    kAll,
    kAny,
    kNone,
    kHashtag,
    kHashtagPrefix,
    kHashtagRegex,
    kHashtagIn,
    kMention,
    kMentionIn,
    kMentionPrefix,
    kRegex,
    kPhrase,
    kPhraseIn,
    kNear,
    kLanguage,
    kAuthor,
    kAuthorIn,
    kNetwork,
    kFollowers,
    kSentiment,
    kComplaint,
    kMacro,
  };
  struct Group {  // one term group of `near`: literal terms or a list
    std::vector<std::string> terms;
    std::string list;
    Where where;
  };
  Kind kind = Kind::kAll;
  Where where;
  std::string value;  // literal, pattern, list or macro name
  bool case_sensitive = false;
  std::vector<std::string> values;
  std::vector<Group> groups;
  int within = 0;
  std::optional<double> above, below;
  std::vector<RawCond> children;
};

struct RawBlock {
  std::vector<RawCond> any, all, none;
  Where where;
};

struct RawRule {
  std::string id;
  Where where;
  std::string description, summary;
  Category category = Category::kComplaint;
  std::optional<Severity> severity;
  Labels labels;
  bool enabled = true;
  bool shadow = false;
  RawBlock match;
};

struct RawList {
  std::string name;
  Where where;
  std::vector<std::string> items;
  bool used = false;
};

struct RawMacro {
  std::string name;
  Where where;
  RawBlock match;
  bool used = false;
};

// Everything the files of one load define, in definition order; overrides are already applied
// to the item they change. The compiler marks the lists and macros it uses.
struct RuleDefinitions {
  std::vector<RawRule> rules;
  std::vector<RawList> lists;
  std::vector<RawMacro> macros;
};

}  // namespace earshot::rules_internal
