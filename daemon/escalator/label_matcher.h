// LabelMatchers: Alertmanager's matcher list, `brand="acmeair", severity=~"low|medium"`, used by
// silences (and by routes). Operators: = != =~ !~; regexes are RE2, fully anchored as in
// Alertmanager; values may be quoted (with \" and \\ escapes) or bare. A label that is absent
// matches as the empty string. Immutable after Parse; safe to share between threads.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/result.h"
#include "daemon/base/severity.h"

namespace earshot {

class LabelMatchers {
 public:
  // kInvalidArgument names the matcher and what is wrong ("matcher 'brand=~\"(\"': missing )").
  static Result<LabelMatchers> Parse(std::string_view text);

  bool Matches(const Labels& labels) const;
  bool empty() const { return matchers_.empty(); }
  // The canonical text, as stored: `brand="acmeair",severity=~"low|medium"`.
  std::string ToString() const;

 private:
  enum class Op { kEq, kNe, kRe, kNre };
  struct Matcher {
    std::string name, value;
    Op op;
    std::shared_ptr<const RE2> re;  // for =~ and !~
  };
  std::vector<Matcher> matchers_;
};

}  // namespace earshot
