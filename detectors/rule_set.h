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

#include "daemon/model/detection.h"
#include "detectors/matcher.h"
#include "daemon/model/post.h"
#include "detectors/rule.h"

namespace earshot {

// One condition of a rule and whether it held for a post (RuleSet::Explain).
struct ConditionTrace {
  const Condition* condition = nullptr;  // inside the RuleSet's rule; valid while the set lives
  bool holds = false;
  std::vector<ConditionTrace> children;  // one per condition->children, in the same order
};

// Why one rule did or did not match a post.
struct RuleTrace {
  int rule = -1;           // index into rules()
  bool candidate = false;  // a trigger atom fired, or the rule has none: Evaluate() judged it
  bool matched = false;    // a candidate whose conditions hold: Evaluate() returned it
  ConditionTrace match;    // the rule's condition tree, every condition evaluated
};

class RuleSet {
 public:
  static std::shared_ptr<const RuleSet> Create(std::vector<Rule> rules,
                                               std::unique_ptr<const Matcher> matcher);

  // Every rule that matches `post`, whose compound sentiment is `sentiment` and complaint
  // probability `complaint` (ComplaintScorer), in rule order.
  std::vector<Detection> Evaluate(const Post& post, double sentiment, double complaint = 0) const;

  // Why each rule did or did not match, for `earshot explain` and `earshot test`: the candidate
  // rules (those Evaluate() judges for this post), or every rule when `all_rules`, in rule order,
  // each with the truth of every condition in its tree. The same Evaluator decides both calls,
  // so a trace has `matched` exactly when Evaluate() returns its rule for the same arguments.
  // Unlike Evaluate() it judges every child of all/any/none (no short cut), so a trace is
  // complete; slower, and meant for tools, not the hot path.
  std::vector<RuleTrace> Explain(const Post& post, double sentiment, double complaint,
                                 bool all_rules = false) const;

  const std::vector<Rule>& rules() const { return rules_; }
  const Matcher& matcher() const { return *matcher_; }
  // Rules with no trigger atom, evaluated for every post.
  size_t always_evaluated() const { return always_.size(); }
  // Whether any rule could hold for `post`: one of them is a candidate (its trigger atoms fired:
  // a brand's name, handle or hashtag, a rule's words), decided in the one RE2::Set pass that
  // Evaluate starts with. False means Evaluate returns nothing, whatever the scores.
  bool AnyCandidate(const Post& post) const;

 private:
  RuleSet() = default;
  // The atoms `post` fires (sorted, into *hits) and the rules they make candidates, sorted.
  std::vector<int> Candidates(const Post& post, std::vector<int>* hits) const;

  std::vector<Rule> rules_;
  std::unique_ptr<const Matcher> matcher_;
  std::vector<std::vector<int>> atom_rules_;  // atom id -> rules it triggers
  std::vector<int> always_;
  // Per rule, the atom sets of its other `all` children: each must have fired for the rule to
  // hold, so a candidate whose trigger fired but one of these did not is not judged. (With a
  // thousand brands the trigger is a brand's own mentions, and every post naming the brand
  // would otherwise judge every one of that brand's rules.)
  std::vector<std::vector<std::vector<int>>> required_;
};

}  // namespace earshot
