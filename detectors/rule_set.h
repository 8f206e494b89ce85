// RuleSet: the compiled, immutable rules of one load: the rules, their Matcher (one RE2::Set
// over every regex) and an index from each atom to the rules it can trigger. A rule is evaluated
// for a post only when one of its trigger atoms fired, or always when its conditions offer no
// atom to wait for (a pure sentiment or follower rule), so matching cost grows with the rules
// that could match, not with all rules.
//
// Built by LoadRules (or Create, for tests and tools); then shared read-only by every detecting
// thread through shared_ptr<const RuleSet>. No locks, no I/O.
#pragma once

#include <memory>
#include <vector>

#include "detectors/detection.h"
#include "detectors/matcher.h"
#include "detectors/post.h"
#include "detectors/rule.h"

namespace earshot {

class RuleSet {
 public:
  static std::shared_ptr<const RuleSet> Create(std::vector<Rule> rules,
                                               std::unique_ptr<const Matcher> matcher);

  // Every rule that matches `post` whose compound sentiment is `sentiment`, in rule order.
  std::vector<Detection> Evaluate(const Post& post, double sentiment) const;

  const std::vector<Rule>& rules() const { return rules_; }
  const Matcher& matcher() const { return *matcher_; }
  // Rules with no trigger atom, evaluated for every post.
  size_t always_evaluated() const { return always_.size(); }

 private:
  RuleSet() = default;

  std::vector<Rule> rules_;
  std::unique_ptr<const Matcher> matcher_;
  std::vector<std::vector<int>> atom_rules_;  // atom id -> rules it triggers
  std::vector<int> always_;
};

}  // namespace earshot
