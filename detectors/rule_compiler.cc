#include "detectors/rule_compiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/base/ascii.h"
#include "daemon/base/suggest.h"
#include "detectors/regex_lint.h"

namespace earshot::rules_internal {
namespace {

// ---- Compiling: raw rules to Conditions and Matcher atoms, once per brand. ----

enum class TemplateUse { kText, kRegex, kTag };

class Compiler {
 public:
  Compiler(std::vector<RawList>* lists, std::vector<RawMacro>* macros)
      : lists_(lists), macros_(macros) {}

  // Compiles `rule` for `brand` (nullopt: no brands configured) into `builder`.
  // *uses_brand tells whether the rule needed {{brand}}.
  std::optional<Condition> CompileRule(const RawRule& rule, const std::optional<std::string>& brand,
                                       MatcherBuilder* builder, Diagnostics* diags,
                                       bool* uses_brand, std::vector<int>* capture_atoms) {
    brand_ = brand;
    builder_ = builder;
    diags_ = diags;
    uses_brand_ = false;
    missing_brand_ = false;
    capture_atoms_ = capture_atoms;
    subject_ = fmt::format("rule '{}'", rule.id);
    macro_stack_.clear();
    int before = diags->error_count();
    Condition c = CompileBlock(rule.match);
    *uses_brand = uses_brand_;
    if (diags->error_count() != before || missing_brand_) return std::nullopt;
    return c;
  }

  bool missing_brand() const { return missing_brand_; }
  // The builder of the enabled rules, whose conditions may be reused across brands.
  void set_shared_builder(const MatcherBuilder* builder) { shared_builder_ = builder; }

  // Fills {{brand}} for display text (description, summary); other {{names}} stay for captures.
  static std::string FillText(const std::string& s, const std::string& brand) {
    std::string out = s;
    for (size_t at = out.find("{{brand}}"); at != std::string::npos;
         at = out.find("{{brand}}", at + brand.size())) {
      out.replace(at, 9, brand);
    }
    return out;
  }

 private:
  void Error(const Where& w, std::string message) {
    diags_->Error(w.file, w.line, w.column, std::move(message));
  }

  // Fills {{brand}} in a condition value; nullopt after reporting an unknown variable, or when
  // no brand is configured.
  std::optional<std::string> Fill(const std::string& s, const Where& w, TemplateUse use) {
    std::string out;
    size_t i = 0;
    while (true) {
      size_t open = s.find("{{", i);
      if (open == std::string::npos) break;
      size_t close = s.find("}}", open + 2);
      if (close == std::string::npos) break;
      std::string name = s.substr(open + 2, close - open - 2);
      out.append(s, i, open - i);
      if (name != "brand") {
        Error(w, fmt::format("unknown template variable '{{{{{}}}}}' in {}{}; only {{{{brand}}}} "
                             "is filled in conditions",
                             name, subject_, DidYouMean(name, {"brand"})));
        return std::nullopt;
      }
      uses_brand_ = true;
      if (!brand_) {
        missing_brand_ = true;
        return std::nullopt;
      }
      switch (use) {
        case TemplateUse::kRegex:
          out += QuoteRegex(*brand_);
          break;
        case TemplateUse::kTag: {
          for (char ch : *brand_) {
            if (ch != ' ' && ch != '-' && ch != '.') out += ch;
          }
          break;
        }
        case TemplateUse::kText:
          out += *brand_;
          break;
      }
      i = close + 2;
    }
    out.append(s, i, std::string::npos);
    return out;
  }

  RawList* FindList(const std::string& name, const Where& w) {
    for (RawList& l : *lists_) {
      if (l.name == name) {
        l.used = true;
        return &l;
      }
    }
    std::vector<std::string> names;
    for (const RawList& l : *lists_) names.push_back(l.name);
    Error(w, fmt::format("{} uses unknown list '{}'{}", subject_, name, DidYouMean(name, names)));
    return nullptr;
  }

  std::optional<std::vector<std::string>> ListItems(const std::string& name, const Where& w,
                                                    TemplateUse use) {
    RawList* list = FindList(name, w);
    if (list == nullptr) return std::nullopt;
    std::vector<std::string> out;
    for (const std::string& item : list->items) {
      auto filled = Fill(item, list->where, use);
      if (!filled) return std::nullopt;
      out.push_back(std::move(*filled));
    }
    return out;
  }

  Condition CompileBlock(const RawBlock& b) {
    Condition all;
    all.kind = Condition::Kind::kAll;
    if (!b.any.empty()) {
      Condition any;
      any.kind = Condition::Kind::kAny;
      for (const RawCond& c : b.any) Push(c, &any);
      all.children.push_back(std::move(any));
    }
    for (const RawCond& c : b.all) Push(c, &all);
    if (!b.none.empty()) {
      Condition none;
      none.kind = Condition::Kind::kNone;
      for (const RawCond& c : b.none) Push(c, &none);
      all.children.push_back(std::move(none));
    }
    return all;
  }

  void Push(const RawCond& raw, Condition* parent) {
    if (auto c = Compile(raw)) parent->children.push_back(std::move(*c));
  }

  Condition Atom(int id) {
    Condition c;
    c.kind = Condition::Kind::kAtom;
    c.atom = id;
    return c;
  }

  Condition Values(Condition::Kind kind, std::vector<std::string> values, char strip) {
    Condition c;
    c.kind = kind;
    for (std::string& v : values) v = AsciiLowered(StripPrefix(std::move(v), strip));
    std::sort(values.begin(), values.end());
    c.values = std::move(values);
    return c;
  }

  // Any of several atoms: one atom stays itself.
  Condition AnyOf(std::vector<int> atoms) {
    if (atoms.size() == 1) return Atom(atoms[0]);
    Condition c;
    c.kind = Condition::Kind::kAny;
    for (int a : atoms) c.children.push_back(Atom(a));
    return c;
  }

  int CheckAtom(int id, const std::string& error, const Where& w, std::string_view what) {
    if (id < 0) Error(w, fmt::format("{} in {} {}", what, subject_, error));
    return id;
  }

  // A condition that does not use {{brand}} compiles to the same atoms for every brand, so the
  // second brand onwards reuses the first one's result instead of re-adding (and re-checking)
  // every regex and phrase: with a thousand brands, loading costs what the brands' own atoms
  // cost. Only for the shared builder: a disabled rule's scratch builder numbers atoms apart.
  std::optional<Condition> Compile(const RawCond& raw) {
    const bool memoize = builder_ == shared_builder_;
    if (memoize) {
      if (auto it = memo_.find(&raw); it != memo_.end()) {
        capture_atoms_->insert(capture_atoms_->end(), it->second.captures.begin(),
                               it->second.captures.end());
        return it->second.condition;
      }
    }
    const bool used_before = uses_brand_;
    const size_t captures_before = capture_atoms_->size();
    const int errors_before = diags_->error_count();
    uses_brand_ = false;
    std::optional<Condition> c = CompileUncached(raw);
    const bool used = uses_brand_;
    uses_brand_ = used_before || used;
    if (memoize && c && !used && !missing_brand_ && diags_->error_count() == errors_before) {
      memo_.emplace(&raw, Memo{*c, std::vector<int>(capture_atoms_->begin() +
                                                         static_cast<long>(captures_before),
                                                     capture_atoms_->end())});
    }
    return c;
  }

  std::optional<Condition> CompileUncached(const RawCond& raw) {
    using K = RawCond::Kind;
    std::string error;
    switch (raw.kind) {
      case K::kAll:
      case K::kAny:
      case K::kNone: {
        Condition c;
        c.kind = raw.kind == K::kAll   ? Condition::Kind::kAll
                 : raw.kind == K::kAny ? Condition::Kind::kAny
                                       : Condition::Kind::kNone;
        for (const RawCond& child : raw.children) Push(child, &c);
        return c;
      }
      case K::kHashtag: {
        auto v = Fill(raw.value, raw.where, TemplateUse::kTag);
        if (!v) return std::nullopt;
        return Atom(builder_->AddTagExact(*v));
      }
      case K::kHashtagPrefix: {
        auto v = Fill(raw.value, raw.where, TemplateUse::kTag);
        if (!v) return std::nullopt;
        return Atom(builder_->AddTagPrefix(*v));
      }
      case K::kHashtagRegex: {
        auto v = Fill(raw.value, raw.where, TemplateUse::kRegex);
        if (!v) return std::nullopt;
        int id = CheckAtom(builder_->AddTagRegex(*v, &error), error, raw.where, "hashtag regex");
        if (id < 0) return std::nullopt;
        return Atom(id);
      }
      case K::kHashtagIn:
      case K::kMentionIn: {
        auto items = ListItems(raw.value, raw.where, TemplateUse::kTag);
        if (!items) return std::nullopt;
        std::vector<int> atoms;
        for (const std::string& item : *items) {
          atoms.push_back(raw.kind == K::kHashtagIn ? builder_->AddTagExact(StripPrefix(item, '#'))
                                                    : builder_->AddMention(StripPrefix(item, '@')));
        }
        if (atoms.empty()) return Condition{.kind = Condition::Kind::kAny, .name = raw.value};
        Condition c = AnyOf(std::move(atoms));
        c.name = raw.value;  // the list, for explanations
        return c;
      }
      case K::kMention: {
        auto v = Fill(raw.value, raw.where, TemplateUse::kTag);
        if (!v) return std::nullopt;
        return Atom(builder_->AddMention(*v));
      }
      case K::kMentionPrefix: {
        auto v = Fill(raw.value, raw.where, TemplateUse::kTag);
        if (!v) return std::nullopt;
        return Atom(builder_->AddMentionPrefix(*v));
      }
      case K::kRegex: {
        auto v = Fill(raw.value, raw.where, TemplateUse::kRegex);
        if (!v) return std::nullopt;
        int id = CheckAtom(builder_->AddTextRegex(*v, raw.case_sensitive, &error), error, raw.where,
                           "regex");
        if (id < 0) return std::nullopt;
        capture_atoms_->push_back(id);
        return Atom(id);
      }
      case K::kPhrase:
      case K::kPhraseIn: {
        std::optional<std::vector<std::string>> terms;
        if (raw.kind == K::kPhraseIn) {
          terms = ListItems(raw.value, raw.where, TemplateUse::kText);
        } else {
          terms.emplace();
          for (const std::string& t : raw.values) {
            auto v = Fill(t, raw.where, TemplateUse::kText);
            if (!v) return std::nullopt;
            terms->push_back(*v);
          }
        }
        if (!terms) return std::nullopt;
        if (terms->empty()) return Condition{.kind = Condition::Kind::kAny};
        int id = CheckAtom(builder_->AddPhraseGroup(*terms, &error), error, raw.where, "phrase");
        if (id < 0) return std::nullopt;
        Condition c = Atom(id);
        if (raw.kind == K::kPhraseIn) c.name = raw.value;  // the list, for explanations
        return c;
      }
      case K::kNear: {
        Condition c;
        c.kind = Condition::Kind::kNear;
        c.within = raw.within;
        for (const RawCond::Group& g : raw.groups) {
          std::optional<std::vector<std::string>> terms;
          if (!g.list.empty()) {
            terms = ListItems(g.list, g.where, TemplateUse::kText);
          } else {
            terms.emplace();
            for (const std::string& t : g.terms) {
              auto v = Fill(t, g.where, TemplateUse::kText);
              if (!v) return std::nullopt;
              terms->push_back(*v);
            }
          }
          if (!terms) return std::nullopt;
          if (terms->empty()) {
            Error(g.where, fmt::format("near in {}: a term group is empty", subject_));
            return std::nullopt;
          }
          int id = CheckAtom(builder_->AddPhraseGroup(*terms, &error), error, g.where, "near");
          if (id < 0) return std::nullopt;
          c.near_atoms.push_back(id);
        }
        return c;
      }
      case K::kLanguage:
        return Values(Condition::Kind::kLanguage, raw.values, '\0');
      case K::kNetwork:
        return Values(Condition::Kind::kNetwork, raw.values, '\0');
      case K::kAuthor:
        return Values(Condition::Kind::kAuthor, raw.values, '@');
      case K::kAuthorIn: {
        auto items = ListItems(raw.value, raw.where, TemplateUse::kTag);
        if (!items) return std::nullopt;
        Condition c = Values(Condition::Kind::kAuthor, *items, '@');
        c.name = raw.value;  // the list, for explanations
        return c;
      }
      case K::kFollowers:
      case K::kSentiment:
      case K::kComplaint: {
        Condition c;
        c.kind = raw.kind == K::kFollowers   ? Condition::Kind::kFollowers
                 : raw.kind == K::kSentiment ? Condition::Kind::kSentiment
                                             : Condition::Kind::kComplaint;
        c.above = raw.above;
        c.below = raw.below;
        return c;
      }
      case K::kMacro: {
        RawMacro* macro = nullptr;
        for (RawMacro& m : *macros_) {
          if (m.name == raw.value) macro = &m;
        }
        if (macro == nullptr) {
          std::vector<std::string> names;
          for (const RawMacro& m : *macros_) names.push_back(m.name);
          Error(raw.where, fmt::format("{} uses unknown macro '{}'{}", subject_, raw.value,
                                       DidYouMean(raw.value, names)));
          return std::nullopt;
        }
        macro->used = true;
        if (std::find(macro_stack_.begin(), macro_stack_.end(), raw.value) != macro_stack_.end()) {
          Error(raw.where, fmt::format("macro '{}' uses itself ({} -> {})", raw.value,
                                       fmt::join(macro_stack_, " -> "), raw.value));
          return std::nullopt;
        }
        macro_stack_.push_back(raw.value);
        Condition c = CompileBlock(macro->match);
        c.name = raw.value;  // the macro, for explanations
        macro_stack_.pop_back();
        return c;
      }
    }
    return std::nullopt;
  }

  std::vector<RawList>* lists_;
  std::vector<RawMacro>* macros_;
  std::optional<std::string> brand_;
  MatcherBuilder* builder_ = nullptr;
  Diagnostics* diags_ = nullptr;
  bool uses_brand_ = false;
  bool missing_brand_ = false;
  std::vector<int>* capture_atoms_ = nullptr;
  std::string subject_;
  std::vector<std::string> macro_stack_;
  struct Memo {
    Condition condition;
    std::vector<int> captures;
  };
  const MatcherBuilder* shared_builder_ = nullptr;
  std::unordered_map<const RawCond*, Memo> memo_;
};

}  // namespace

std::vector<Rule> CompileRules(RuleDefinitions* defs, const std::vector<std::string>& brand_names,
                               const MatcherOptions& mopts, MatcherBuilder* builder,
                               Diagnostics* diags) {
  Compiler compiler(&defs->lists, &defs->macros);
  compiler.set_shared_builder(builder);
  std::vector<Rule> rules;
  for (const RawRule& raw : defs->rules) {
    // Disabled rules are compiled into a scratch matcher: still checked, never run.
    MatcherBuilder scratch(mopts);
    MatcherBuilder* target = raw.enabled ? builder : &scratch;
    std::vector<std::optional<std::string>> brands;
    if (brand_names.empty()) brands.push_back(std::nullopt);
    for (const std::string& b : brand_names) brands.push_back(b);
    for (size_t bi = 0; bi < brands.size(); ++bi) {
      // Problems are the same for every brand: report them for the first one only.
      Diagnostics muted;
      bool uses_brand = false;
      std::vector<int> captures;
      std::optional<Condition> match = compiler.CompileRule(
          raw, brands[bi], target, bi == 0 ? diags : &muted, &uses_brand, &captures);
      if (compiler.missing_brand()) {
        diags->Warning(raw.where.file, raw.where.line, raw.where.column,
                       fmt::format("rule '{}' uses {{{{brand}}}} but no brands are configured "
                                   "(brands: in earshot.yaml); the rule is off",
                                   raw.id));
        break;
      }
      if (!match) break;
      if (raw.enabled) {
        Rule rule;
        rule.id = raw.id;
        std::string brand_text = uses_brand ? *brands[bi] : std::string();
        rule.description = Compiler::FillText(raw.description, brand_text);
        rule.summary = Compiler::FillText(raw.summary, brand_text);
        rule.category = raw.category;
        rule.severity = raw.severity.value_or(Severity::kInfo);
        rule.labels = raw.labels;
        rule.shadow = raw.shadow;
        if (uses_brand) {
          rule.brand = AsciiLowered(*brands[bi]);
          rule.labels["brand"] = rule.brand;
        }
        rule.match = std::move(*match);
        std::sort(captures.begin(), captures.end());
        captures.erase(std::unique(captures.begin(), captures.end()), captures.end());
        rule.capture_atoms = std::move(captures);
        rule.file = raw.where.file;
        rule.line = raw.where.line;
        rules.push_back(std::move(rule));
      }
      if (!uses_brand) break;  // one instance is enough
    }
  }
  for (const RawList& l : defs->lists) {
    if (!l.used) {
      diags->Warning(l.where.file, l.where.line, l.where.column,
                     fmt::format("list '{}' is never used; remove it or use it with "
                                 "{{in: {}}}",
                                 l.name, l.name));
    }
  }
  for (const RawMacro& m : defs->macros) {
    if (!m.used) {
      diags->Warning(m.where.file, m.where.line, m.where.column,
                     fmt::format("macro '{}' is never used; remove it or use it with "
                                 "'- macro: {}'",
                                 m.name, m.name));
    }
  }
  return rules;
}

}  // namespace earshot::rules_internal
