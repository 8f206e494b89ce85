#include "detectors/rule_set.h"

#include <algorithm>
#include <optional>

namespace earshot {
namespace {

// How many rules mention each atom anywhere in their conditions: an atom many rules share (the
// phrase "lost bag" in every brand's instance of lost-baggage) makes a poor trigger, since
// every post carrying it would make all those rules candidates.
void CountAtomUses(const Condition& c, std::vector<int>* seen_in_rule, int rule,
                   std::vector<int>* uses) {
  auto use = [&](int atom) {
    if ((*seen_in_rule)[atom] == rule) return;
    (*seen_in_rule)[atom] = rule;
    ++(*uses)[atom];
  };
  if (c.kind == Condition::Kind::kAtom) use(c.atom);
  for (int a : c.near_atoms) use(a);
  for (const Condition& child : c.children) CountAtomUses(child, seen_in_rule, rule, uses);
}

// The atoms of which at least one must fire for `c` to hold; false when there is no such set
// (the condition can hold with no atom at all). Where `all` offers a choice, the set whose atoms
// the fewest rules share wins: a rule instance per brand then waits for its own brand's atoms
// rather than for a phrase that all brands' instances have in common, so the candidates a post
// makes grow with the brands it names, not with the brands configured.
bool Triggers(const Condition& c, const std::vector<int>& uses, std::vector<int>* out) {
  switch (c.kind) {
    case Condition::Kind::kAtom:
      out->push_back(c.atom);
      return true;
    case Condition::Kind::kNear:
      out->push_back(c.near_atoms.front());
      return true;
    case Condition::Kind::kAll: {
      // Any one child's triggers will do, since every child must hold: take the cheapest.
      std::optional<std::vector<int>> best;
      long best_cost = 0;
      for (const Condition& child : c.children) {
        std::vector<int> t;
        if (!Triggers(child, uses, &t)) continue;
        long cost = 0;
        for (int a : t) cost += uses[static_cast<size_t>(a)];
        if (!best || cost < best_cost || (cost == best_cost && t.size() < best->size())) {
          best = std::move(t);
          best_cost = cost;
        }
      }
      if (!best) return false;
      out->insert(out->end(), best->begin(), best->end());
      return true;
    }
    case Condition::Kind::kAny: {
      if (c.children.empty()) return false;
      std::vector<int> all;
      for (const Condition& child : c.children) {
        if (!Triggers(child, uses, &all)) return false;
      }
      out->insert(out->end(), all.begin(), all.end());
      return true;
    }
    default:
      return false;
  }
}

// The trigger sets of every child of every `all` in `c` (nested ones too), each sorted: a
// condition holds only if each of them has an atom that fired.
void RequiredSets(const Condition& c, const std::vector<int>& uses,
                  std::vector<std::vector<int>>* out) {
  if (c.kind != Condition::Kind::kAll) return;
  for (const Condition& child : c.children) {
    std::vector<int> t;
    if (Triggers(child, uses, &t)) {
      std::sort(t.begin(), t.end());
      t.erase(std::unique(t.begin(), t.end()), t.end());
      if (std::find(out->begin(), out->end(), t) == out->end()) out->push_back(std::move(t));
    }
    RequiredSets(child, uses, out);
  }
}

bool AnyFired(const std::vector<int>& atoms, const std::vector<int>& sorted_hits) {
  for (int a : atoms) {
    if (std::binary_search(sorted_hits.begin(), sorted_hits.end(), a)) return true;
  }
  return false;
}

bool Contains(const std::vector<std::string>& sorted, std::string_view value) {
  return std::binary_search(sorted.begin(), sorted.end(), value);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

struct Occurrence {
  int start, end;  // word indexes, inclusive
};

std::vector<Occurrence> FindTerms(const std::vector<std::string>& words, const Atom& atom) {
  std::vector<Occurrence> out;
  for (size_t i = 0; i < words.size(); ++i) {
    for (const std::vector<std::string>& term : atom.terms) {
      if (i + term.size() > words.size()) continue;
      if (std::equal(term.begin(), term.end(), words.begin() + static_cast<long>(i))) {
        out.push_back({static_cast<int>(i), static_cast<int>(i + term.size() - 1)});
        break;
      }
    }
  }
  return out;
}

int Gap(Occurrence a, Occurrence b) {
  if (b.start > a.end) return b.start - a.end - 1;
  if (a.start > b.end) return a.start - b.end - 1;
  return 0;
}

class Evaluator {
 public:
  Evaluator(const Post& post, double sentiment, double complaint, const std::vector<int>& hits,
            const Matcher& matcher)
      : post_(post), sentiment_(sentiment), complaint_(complaint), hits_(hits),
        matcher_(matcher) {}

  // Whether `c` holds. With a `trace`, also records the truth of every condition beneath it:
  // all/any/none then judge every child instead of stopping at the first that decides, which
  // cannot change the answer because judging a condition has no side effects.
  bool Holds(const Condition& c, ConditionTrace* trace = nullptr) {
    if (trace != nullptr) {
      trace->condition = &c;
      trace->children.resize(c.children.size());
    }
    const bool holds = Judge(c, trace);
    if (trace != nullptr) trace->holds = holds;
    return holds;
  }

 private:
  static ConditionTrace* Child(ConditionTrace* trace, size_t i) {
    return trace != nullptr ? &trace->children[i] : nullptr;
  }

  bool Judge(const Condition& c, ConditionTrace* trace) {
    const size_t n = c.children.size();
    switch (c.kind) {
      case Condition::Kind::kAll: {
        bool all = true;
        for (size_t i = 0; i < n && (all || trace != nullptr); ++i) {
          if (!Holds(c.children[i], Child(trace, i))) all = false;
        }
        return all;
      }
      case Condition::Kind::kAny: {
        bool any = false;
        for (size_t i = 0; i < n && (!any || trace != nullptr); ++i) {
          if (Holds(c.children[i], Child(trace, i))) any = true;
        }
        return any;
      }
      case Condition::Kind::kNone: {
        bool none = true;
        for (size_t i = 0; i < n && (none || trace != nullptr); ++i) {
          if (Holds(c.children[i], Child(trace, i))) none = false;
        }
        return none;
      }
      case Condition::Kind::kAtom:
        return Fired(c.atom);
      case Condition::Kind::kNear:
        return Near(c);
      case Condition::Kind::kLanguage:
        return !post_.language.empty() && Contains(c.values, Lowered(&language_, post_.language));
      case Condition::Kind::kAuthor: {
        std::string_view handle = post_.author.handle;
        if (!handle.empty() && handle.front() == '@') handle.remove_prefix(1);
        return Contains(c.values, Lowered(&handle_, handle));
      }
      case Condition::Kind::kNetwork:
        return Contains(c.values, Lowered(&network_, post_.network));
      case Condition::Kind::kFollowers:
        return Within(static_cast<double>(post_.author.followers), c);
      case Condition::Kind::kSentiment:
        return Within(sentiment_, c);
      case Condition::Kind::kComplaint:
        return Within(complaint_, c);
    }
    return false;
  }

  // `value` lowercased, once per post: with a rule per brand the same language or author test
  // runs for many candidates.
  static const std::string& Lowered(std::optional<std::string>* cache, std::string_view value) {
    if (!*cache) *cache = Lower(value);
    return **cache;
  }

  bool Fired(int atom) const { return std::binary_search(hits_.begin(), hits_.end(), atom); }

  static bool Within(double v, const Condition& c) {
    return (!c.above || v > *c.above) && (!c.below || v < *c.below);
  }

  // Proximity in code, over separately matched terms: RE2 gaps like ".{0,40}" would cost
  // far more in the set (DESIGN.md).
  bool Near(const Condition& c) {
    for (int a : c.near_atoms) {
      if (!Fired(a)) return false;
    }
    if (!words_) words_ = SplitWords(post_.text);
    std::vector<std::vector<Occurrence>> groups;
    for (int a : c.near_atoms) {
      groups.push_back(FindTerms(*words_, matcher_.atom(a)));
      if (groups.back().empty()) return false;
    }
    for (Occurrence first : groups[0]) {
      bool all = true;
      for (size_t g = 1; g < groups.size() && all; ++g) {
        all = std::any_of(groups[g].begin(), groups[g].end(),
                          [&](Occurrence o) { return Gap(first, o) <= c.within; });
      }
      if (all) return true;
    }
    return false;
  }

  const Post& post_;
  double sentiment_;
  double complaint_;
  const std::vector<int>& hits_;
  const Matcher& matcher_;
  std::optional<std::vector<std::string>> words_;
  std::optional<std::string> language_, handle_, network_;
};

// Fills {{name}} in `summary` from the captures; unknown names stay as written.
std::string FillSummary(const std::string& summary, const Labels& captures) {
  if (captures.empty() || summary.find("{{") == std::string::npos) return summary;
  std::string out;
  size_t i = 0;
  while (i < summary.size()) {
    size_t open = summary.find("{{", i);
    if (open == std::string::npos) break;
    size_t close = summary.find("}}", open + 2);
    if (close == std::string::npos) break;
    out.append(summary, i, open - i);
    std::string name = summary.substr(open + 2, close - open - 2);
    auto it = captures.find(name);
    out += it != captures.end() ? it->second : summary.substr(open, close + 2 - open);
    i = close + 2;
  }
  out.append(summary, i, std::string::npos);
  return out;
}

}  // namespace

std::shared_ptr<const RuleSet> RuleSet::Create(std::vector<Rule> rules,
                                               std::unique_ptr<const Matcher> matcher) {
  std::shared_ptr<RuleSet> set(new RuleSet());
  set->atom_rules_.resize(matcher->atom_count());
  std::vector<int> uses(matcher->atom_count(), 0);
  std::vector<int> seen_in_rule(matcher->atom_count(), -1);
  for (size_t r = 0; r < rules.size(); ++r) {
    CountAtomUses(rules[r].match, &seen_in_rule, static_cast<int>(r), &uses);
  }
  set->required_.resize(rules.size());
  for (size_t r = 0; r < rules.size(); ++r) {
    std::vector<int> triggers;
    if (Triggers(rules[r].match, uses, &triggers)) {
      std::sort(triggers.begin(), triggers.end());
      triggers.erase(std::unique(triggers.begin(), triggers.end()), triggers.end());
      for (int a : triggers) set->atom_rules_[a].push_back(static_cast<int>(r));
    } else {
      set->always_.push_back(static_cast<int>(r));
    }
    std::vector<std::vector<int>> required;
    RequiredSets(rules[r].match, uses, &required);
    std::erase(required, triggers);  // a candidate's own trigger fired already
    set->required_[r] = std::move(required);
  }
  set->rules_ = std::move(rules);
  set->matcher_ = std::move(matcher);
  return set;
}

std::vector<int> RuleSet::Candidates(const Post& post, std::vector<int>* hits) const {
  matcher_->Match(post, hits);
  std::vector<int> candidates = always_;
  for (int a : *hits) {
    candidates.insert(candidates.end(), atom_rules_[a].begin(), atom_rules_[a].end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::erase_if(candidates, [&](int r) {
    for (const std::vector<int>& atoms : required_[static_cast<size_t>(r)]) {
      if (!AnyFired(atoms, *hits)) return true;
    }
    return false;
  });
  return candidates;
}

std::vector<RuleTrace> RuleSet::Explain(const Post& post, double sentiment, double complaint,
                                        bool all_rules) const {
  std::vector<int> hits;
  const std::vector<int> candidates = Candidates(post, &hits);
  Evaluator eval(post, sentiment, complaint, hits, *matcher_);
  std::vector<RuleTrace> out;
  for (size_t r = 0; r < rules_.size(); ++r) {
    const bool candidate =
        std::binary_search(candidates.begin(), candidates.end(), static_cast<int>(r));
    if (!candidate && !all_rules) continue;
    RuleTrace& t = out.emplace_back();
    t.rule = static_cast<int>(r);
    t.candidate = candidate;
    // As in Evaluate(): a rule none of whose triggers fired is not judged, so never matches.
    t.matched = eval.Holds(rules_[r].match, &t.match) && candidate;
  }
  return out;
}

bool RuleSet::AnyCandidate(const Post& post) const {
  if (!always_.empty()) return true;
  std::vector<int> hits;
  return !Candidates(post, &hits).empty();
}

std::vector<Detection> RuleSet::Evaluate(const Post& post, double sentiment,
                                         double complaint) const {
  std::vector<int> hits;
  const std::vector<int> candidates = Candidates(post, &hits);

  std::vector<Detection> out;
  Evaluator eval(post, sentiment, complaint, hits, *matcher_);
  for (int r : candidates) {
    const Rule& rule = rules_[r];
    if (!eval.Holds(rule.match)) continue;
    Detection d;
    d.rule_id = rule.id;
    d.category = rule.category;
    d.severity = rule.severity;
    d.labels = rule.labels;
    d.shadow = rule.shadow;
    for (int a : rule.capture_atoms) {
      const Atom& atom = matcher_->atom(a);
      if (!std::binary_search(hits.begin(), hits.end(), a) || atom.re == nullptr) continue;
      const RE2& re = *atom.re;
      std::vector<re2::StringPiece> groups(static_cast<size_t>(re.NumberOfCapturingGroups()) + 1);
      if (!re.Match(post.text, 0, post.text.size(), RE2::UNANCHORED, groups.data(),
                    static_cast<int>(groups.size()))) {
        continue;
      }
      for (const auto& [name, index] : re.NamedCapturingGroups()) {
        if (groups[index].data() != nullptr && !d.captures.count(name)) {
          d.captures[name] = std::string(groups[index].data(), groups[index].size());
        }
      }
    }
    d.summary = FillSummary(rule.summary.empty() ? rule.description : rule.summary, d.captures);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace earshot
