// Rule and Condition: one compiled rule of a RuleSet, with its conditions resolved (macros
// expanded, lists inlined, {{brand}} filled) and its regexes turned into Matcher atoms. Plain
// data, built by the rule loader, immutable inside a RuleSet.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "daemon/base/severity.h"
#include "daemon/model/detection.h"

namespace earshot {

struct Condition {
  enum class Kind {
    kAll,        // every child holds (an empty `all` holds)
    kAny,        // at least one child holds
    kNone,       // no child holds
    kAtom,       // a Matcher atom fired: regex, phrase, hashtag, mention
    kNear,       // every near_atoms group fired, and each within `within` words of the first
    kLanguage,   // post language is one of `values`
    kAuthor,     // author handle is one of `values`
    kNetwork,    // post network is one of `values`
    kFollowers,  // author followers strictly above/below the bounds
    kSentiment,  // compound sentiment strictly above/below the bounds
    kComplaint,  // complaint probability (ComplaintScorer) strictly above/below the bounds
  };
  Kind kind = Kind::kAll;
  std::vector<Condition> children;
  int atom = -1;
  std::vector<int> near_atoms;
  int within = 0;
  std::vector<std::string> values;  // lowercase, sorted
  std::optional<double> above, below;
  // The macro (kAll) or list (an `in:` atom or its kAny) this condition was expanded from, ""
  // when written in place: only so that explanations can name what the analyst wrote.
  std::string name;
};

struct Rule {
  std::string id;
  std::string description;
  std::string summary;  // headline template: {{brand}} filled, {{capture}} filled per match
  Category category = Category::kComplaint;
  Severity severity = Severity::kLow;
  Labels labels;        // includes "brand" for brand instances
  bool shadow = false;
  std::string brand;    // lowercase; "" when the rule does not use {{brand}}
  Condition match;
  std::vector<int> capture_atoms;  // text regex atoms with named groups, for captures
  std::string file;     // where it was defined, for messages
  int line = 0;
};

}  // namespace earshot
