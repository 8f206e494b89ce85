#include "detectors/explain_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iterator>
#include <system_error>
#include <vector>

#include "daemon/base/json_escape.h"
#include "detectors/complaint_model.h"

namespace earshot {
namespace {

constexpr size_t kLineWidth = 100;
constexpr size_t kMinListBudget = 24;  // even a deeply nested line shows a term or two
// JSON's "what" is a description too: whole lists of hundreds of terms, repeated in every rule
// of every brand, would make the output of a corpus gigabytes for nothing.
constexpr size_t kJsonWhatBudget = 120;

// 3 decimals are what an analyst compares; JSON keeps full precision.
std::string Num(double x) {
  const double r = RoundLikePython(x, 3);
  return fmt::format("{}", r == 0 ? 0.0 : r);  // no "-0"
}

std::string Signed(double x) {
  std::string s = Num(x);
  return s.front() == '-' || s == "0" ? s : "+" + s;
}

void AppendJsonNumber(double x, std::string* out) {
  fmt::format_to(std::back_inserter(*out), "{}", std::isfinite(x) ? x : 0.0);
}

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  AppendJsonEscaped(s, out);
  out->push_back('"');
}

// Post text and matched spans on one line of a terminal: line breaks, tabs and every other
// control character (a post could carry escape sequences) become spaces.
std::string OneLine(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

std::string_view Stripped(std::string_view path, std::string_view prefix) {
  if (!prefix.empty() && path.starts_with(prefix)) path.remove_prefix(prefix.size());
  return path;
}

std::string_view AtomKindName(AtomKind k) {
  switch (k) {
    case AtomKind::kText: return "regex";
    case AtomKind::kPhrase: return "phrase";
    case AtomKind::kTagExact: return "hashtag";
    case AtomKind::kTagPrefix: return "hashtag_prefix";
    case AtomKind::kTagRegex: return "hashtag_regex";
    case AtomKind::kMention: return "mention";
    case AtomKind::kMentionPrefix: return "mention_prefix";
  }
  return "atom";
}

std::string_view KindName(const Condition& c, const Matcher& m) {
  switch (c.kind) {
    case Condition::Kind::kAll: return c.name.empty() ? "all" : "macro";
    case Condition::Kind::kAny: return "any";
    case Condition::Kind::kNone: return "none";
    case Condition::Kind::kAtom: return AtomKindName(m.atom(c.atom).kind);
    case Condition::Kind::kNear: return "near";
    case Condition::Kind::kLanguage: return "language";
    case Condition::Kind::kAuthor: return "author";
    case Condition::Kind::kNetwork: return "network";
    case Condition::Kind::kFollowers: return "followers";
    case Condition::Kind::kSentiment: return "sentiment";
    case Condition::Kind::kComplaint: return "complaint";
  }
  return "condition";
}

// The analyst's own pattern, without the flag group the matcher wrapped it in, quoted and cut
// with "..." past `budget` characters (0: no limit); the rule's file and line give it whole.
std::string UserPattern(const Atom& a, size_t budget) {
  std::string_view p = a.pattern;
  auto unwrap = [&p](std::string_view open, std::string_view close) {
    if (p.size() >= open.size() + close.size() && p.starts_with(open) && p.ends_with(close)) {
      p = p.substr(open.size(), p.size() - open.size() - close.size());
      return true;
    }
    return false;
  };
  std::string_view suffix;
  if (a.kind == AtomKind::kTagRegex) {
    unwrap("(?im)^(?:", ")$");
  } else if (!unwrap("(?i:", ")") && unwrap("(?:", ")")) {
    suffix = " (case-sensitive)";
  }
  const size_t room = budget > suffix.size() + 5 ? budget - suffix.size() - 5 : 0;
  if (budget > 0 && p.size() > room) return fmt::format("'{}...'{}", p.substr(0, room), suffix);
  return fmt::format("'{}'{}", p, suffix);
}

// "[a, b, c]", cut to "[a, b, ...]" once it would pass `budget` characters (0: no limit).
template <class Items, class Text>
std::string Bracketed(const Items& items, size_t budget, Text text) {
  std::string out = "[";
  size_t shown = 0;
  for (const auto& item : items) {
    std::string s = text(item);
    const size_t sep = shown > 0 ? 2 : 0;
    const bool last = shown + 1 == items.size();
    // Room for this item, the closing "]" and, unless it is the last, a ", ...".
    if (budget > 0 && shown > 0 && out.size() + sep + s.size() + (last ? 1 : 6) > budget) {
      out += ", ...";
      break;
    }
    if (sep > 0) out += ", ";
    out += s;
    ++shown;
  }
  out += "]";
  return out;
}

std::string Terms(const Atom& a, size_t budget) {
  return Bracketed(a.terms, budget, [](const std::vector<std::string>& words) {
    return fmt::format("{}", fmt::join(words, " "));
  });
}

std::string Bounds(const Condition& c) {
  std::string out;
  if (c.above) out += fmt::format("above {}", *c.above);
  if (c.below) out += fmt::format("{}below {}", out.empty() ? "" : " ", *c.below);
  return out;
}

// What the condition tests, after its kind: "mentions_brand", "in refund_phrases [no refund,
// ...]", "'\bno\s+refund\b'", "above 0.6". `budget` bounds the lists (0: no limit).
std::string What(const Condition& c, const Matcher& m, size_t budget) {
  const std::string in = c.name.empty() ? "" : fmt::format("in {} ", c.name);
  auto values = [budget](const std::vector<std::string>& v) {
    return Bracketed(v, budget, [](const std::string& s) { return s; });
  };
  switch (c.kind) {
    case Condition::Kind::kAll: return c.name;  // a macro's name
    case Condition::Kind::kAny: return c.name.empty() ? "" : "in " + c.name;
    case Condition::Kind::kNone: return "";
    case Condition::Kind::kAtom: {
      const Atom& a = m.atom(c.atom);
      switch (a.kind) {
        case AtomKind::kText:
        case AtomKind::kTagRegex: return in + UserPattern(a, budget);
        case AtomKind::kPhrase:
          return in + Terms(a, budget > in.size() ? budget - in.size() : budget);
        case AtomKind::kTagExact: return in + "#" + a.literal;
        case AtomKind::kTagPrefix: return in + "#" + a.literal + "...";
        case AtomKind::kMention: return in + "@" + a.literal;
        case AtomKind::kMentionPrefix: return in + "@" + a.literal + "...";
      }
      return in;
    }
    case Condition::Kind::kNear: {
      // "3 words: [lost, lose, ...] and [bag, bags, ...]", the budget shared by the groups.
      const size_t groups = std::max<size_t>(1, c.near_atoms.size());
      const size_t share = budget / groups > 5 ? budget / groups - 5 : 0;  // " and "
      const size_t each = budget == 0 ? 0 : std::max(kMinListBudget / 2, share);
      std::vector<std::string> parts;
      for (int a : c.near_atoms) parts.push_back(Terms(m.atom(a), each));
      return fmt::format("{} words: {}", c.within, fmt::join(parts, " and "));
    }
    case Condition::Kind::kLanguage:
    case Condition::Kind::kAuthor:
    case Condition::Kind::kNetwork: return in + values(c.values);
    case Condition::Kind::kFollowers:
    case Condition::Kind::kSentiment:
    case Condition::Kind::kComplaint: return Bounds(c);
  }
  return "";
}

// The value a bound was compared with, for the human line: " (0.42)".
std::string Value(const Condition& c, const Post& post, const PostExplanation& e) {
  switch (c.kind) {
    case Condition::Kind::kFollowers: return fmt::format(" ({})", post.author.followers);
    case Condition::Kind::kSentiment: return fmt::format(" ({})", Num(e.sentiment.compound));
    case Condition::Kind::kComplaint: return fmt::format(" ({})", Num(e.complaint.probability));
    case Condition::Kind::kLanguage:
      return fmt::format(" ({})", post.language.empty() ? "unknown" : post.language);
    case Condition::Kind::kNetwork: return fmt::format(" ({})", post.network);
    case Condition::Kind::kAuthor: return fmt::format(" ({})", post.author.handle);
    default: return "";
  }
}

struct TextContext {
  const Matcher& matcher;
  const Post& post;
  const PostExplanation& e;
  std::string* out;
  // Macros already shown for this post, as brand + '\x1f' + name: the same macro of the same
  // brand compiles to the same conditions, so its tree would only repeat.
  std::vector<std::string> macros_shown;
};

void AppendTrace(TextContext& ctx, const ConditionTrace& t, const std::string& brand,
                 const std::string& indent) {
  const Condition& c = *t.condition;
  const std::string_view kind = KindName(c, ctx.matcher);
  std::string value = Value(c, ctx.post, ctx.e);
  bool expand = true;
  if (c.kind == Condition::Kind::kAll && !c.name.empty()) {
    std::string key = brand + '\x1f' + c.name;
    auto& shown = ctx.macros_shown;
    expand = std::find(shown.begin(), shown.end(), key) == shown.end();
    if (expand) {
      shown.push_back(std::move(key));
    } else if (!t.children.empty()) {
      value = " (as above)";
    }
  }
  const size_t used = indent.size() + kind.size() + 9 + value.size();  // " ", ": false"
  const size_t budget = std::max(kMinListBudget, kLineWidth > used ? kLineWidth - used : 0);
  const std::string what = What(c, ctx.matcher, budget);
  fmt::format_to(std::back_inserter(*ctx.out), "{}{}{}{}: {}{}\n", indent, kind,
                 what.empty() ? "" : " ", what, t.holds ? "true" : "false", value);
  if (!expand) return;
  for (const ConditionTrace& child : t.children) AppendTrace(ctx, child, brand, indent + "  ");
}

std::string_view ContrastName(double contrast) {
  if (contrast < 1) return "before_but";
  if (contrast > 1) return "after_but";
  return "none";
}

void AppendConditionJson(const Matcher& m, const ConditionTrace& t, std::string* out) {
  const Condition& c = *t.condition;
  *out += R"({"kind":)";
  AppendJsonString(KindName(c, m), out);
  *out += R"(,"what":)";
  AppendJsonString(What(c, m, kJsonWhatBudget), out);
  fmt::format_to(std::back_inserter(*out), R"(,"holds":{},"children":[)", t.holds);
  for (size_t i = 0; i < t.children.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendConditionJson(m, t.children[i], out);
  }
  *out += "]}";
}

}  // namespace

std::string WorkingDirPrefix() {
  std::error_code ec;
  std::string dir = std::filesystem::current_path(ec).string();
  if (ec || dir.empty()) return "";
  if (dir.back() != '/') dir.push_back('/');
  return dir;
}

void AppendExplanationText(const Detector& detector, const Post& post, const PostExplanation& e,
                           const ExplainFormat& format, std::string* out) {
  // Under a "post ID: TEXT" heading the rest is indented one more step.
  const std::string in = format.text ? format.indent + "  " : format.indent;
  auto line = std::back_inserter(*out);
  const ComplaintModel& model = detector.complaint().model();
  const ComplaintExplanation& x = e.complaint;
  if (format.text) {
    fmt::format_to(line, "{}post {}: {}\n", format.indent, post.id, OneLine(post.text));
  }
  fmt::format_to(line, "{}complaint {} (logit {}); sentiment compound {}, pos {}, neu {}, neg {}\n",
                 in, Num(x.probability), Num(x.logit), Num(e.sentiment.compound),
                 Num(e.sentiment.pos), Num(e.sentiment.neu), Num(e.sentiment.neg));

  fmt::format_to(line, "{}cues:{}\n", in, x.cues.empty() ? " none" : "");
  for (const ComplaintCueHit& hit : x.cues) {
    const ComplaintModel::Cue& cue = model.cues()[hit.cue];
    std::vector<std::string> how = {std::string(CueClassName(cue.cls))};
    if (hit.counted_as != cue.cls) {
      how.back() += fmt::format(" as {}", CueClassName(hit.counted_as));  // what it counted as
    }
    how.push_back(fmt::format("strength {}", Num(hit.strength)));
    if (hit.negated) {
      how.emplace_back(hit.strength == 0 ? "negated: counts for nothing" : "negated");
    }
    if (hit.contrast != 1) how.emplace_back(hit.contrast < 1 ? "before but" : "after but");
    const std::string_view matched =
        std::string_view(post.text).substr(hit.begin, hit.end - hit.begin);
    // The text it matched, when it differs from the phrase ("3 weeks" for "<num> weeks").
    const std::string text =
        matched == cue.phrase ? "" : fmt::format(" (\"{}\")", OneLine(matched));
    fmt::format_to(line, "{}  {}{}: {}  {}\n", in, cue.phrase, text, fmt::join(how, ", "),
                   Stripped(cue.where, format.strip_prefix));
  }

  // Features by |contribution|, largest first; a feature valued 0 said nothing about this post.
  std::vector<size_t> order;
  for (size_t f = 0; f < kFeatureCount; ++f) {
    if (x.features[f] != 0) order.push_back(f);
  }
  auto contribution = [&](size_t f) { return x.features[f] * model.weight(f); };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return std::abs(contribution(a)) > std::abs(contribution(b));
  });
  fmt::format_to(line, "{}features (value x weight = contribution):\n", in);
  for (size_t f : order) {
    fmt::format_to(line, "{}  {:<18} {:>7} x {:<6} = {}\n", in, FeatureName(f),
                   Num(x.features[f]), Num(model.weight(f)), Signed(contribution(f)));
  }

  const RuleSet& rules = detector.rules();
  TextContext ctx{rules.matcher(), post, e, out, {}};
  fmt::format_to(line, "{}rules:{}\n", in, e.rules.empty() ? " none was a candidate" : "");
  for (const RuleTrace& t : e.rules) {
    const Rule& rule = rules.rules()[static_cast<size_t>(t.rule)];
    const std::string_view verdict = t.matched     ? "matched"
                                     : t.candidate ? "not matched"
                                                   : "not matched (no trigger fired)";
    const std::string where =
        rule.file.empty()
            ? ""
            : fmt::format("  {}:{}", Stripped(rule.file, format.strip_prefix), rule.line);
    fmt::format_to(line, "{}  {}{} {}{}: {}{}\n", in, rule.id,
                   rule.brand.empty() ? "" : fmt::format(" [{}]", rule.brand),
                   CategoryName(rule.category), rule.shadow ? ", shadow" : "", verdict, where);
    AppendTrace(ctx, t.match, rule.brand, in + "    ");
  }
}

void AppendExplanationJson(const Detector& detector, const Post& post, const PostExplanation& e,
                           std::string* out) {
  const ComplaintModel& model = detector.complaint().model();
  const ComplaintExplanation& x = e.complaint;
  *out += R"({"id":)";
  AppendJsonString(post.id, out);
  *out += R"(,"text":)";
  AppendJsonString(post.text, out);
  *out += R"(,"complaint_score":)";
  AppendJsonNumber(x.probability, out);
  *out += R"(,"logit":)";
  AppendJsonNumber(x.logit, out);
  *out += R"(,"sentiment":{"compound":)";
  AppendJsonNumber(e.sentiment.compound, out);
  *out += R"(,"pos":)";
  AppendJsonNumber(e.sentiment.pos, out);
  *out += R"(,"neu":)";
  AppendJsonNumber(e.sentiment.neu, out);
  *out += R"(,"neg":)";
  AppendJsonNumber(e.sentiment.neg, out);
  *out += R"(},"cues":[)";
  for (size_t i = 0; i < x.cues.size(); ++i) {
    const ComplaintCueHit& hit = x.cues[i];
    const ComplaintModel::Cue& cue = model.cues()[hit.cue];
    *out += i > 0 ? R"(,{"phrase":)" : R"({"phrase":)";
    AppendJsonString(cue.phrase, out);
    *out += R"(,"matched":)";
    AppendJsonString(std::string_view(post.text).substr(hit.begin, hit.end - hit.begin), out);
    fmt::format_to(std::back_inserter(*out), R"(,"class":"{}","counted_as":"{}","strength":)",
                   CueClassName(cue.cls), CueClassName(hit.counted_as));
    AppendJsonNumber(hit.strength, out);
    fmt::format_to(std::back_inserter(*out), R"(,"negated":{},"contrast":"{}","where":)",
                   hit.negated, ContrastName(hit.contrast));
    AppendJsonString(cue.where, out);
    out->push_back('}');
  }
  // Every feature, zeros included: a fitting script reads these columns for every post.
  *out += R"(],"features":{)";
  for (size_t f = 0; f < kFeatureCount; ++f) {
    fmt::format_to(std::back_inserter(*out), R"({}"{}":)", f > 0 ? "," : "", FeatureName(f));
    AppendJsonNumber(x.features[f], out);
  }
  *out += R"(},"contributions":{)";
  for (size_t f = 0; f < kFeatureCount; ++f) {
    fmt::format_to(std::back_inserter(*out), R"({}"{}":)", f > 0 ? "," : "", FeatureName(f));
    AppendJsonNumber(x.features[f] * model.weight(f), out);
  }
  *out += R"(},"rules":[)";
  const RuleSet& rules = detector.rules();
  for (size_t i = 0; i < e.rules.size(); ++i) {
    const RuleTrace& t = e.rules[i];
    const Rule& rule = rules.rules()[static_cast<size_t>(t.rule)];
    *out += i > 0 ? R"(,{"id":)" : R"({"id":)";
    AppendJsonString(rule.id, out);
    *out += R"(,"brand":)";
    AppendJsonString(rule.brand, out);
    fmt::format_to(std::back_inserter(*out), R"(,"category":"{}","matched":{},"conditions":)",
                   CategoryName(rule.category), t.matched);
    AppendConditionJson(rules.matcher(), t.match, out);
    out->push_back('}');
  }
  *out += "]}";
}

}  // namespace earshot
