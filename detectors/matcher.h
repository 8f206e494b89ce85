// Matcher: every regex, phrase, hashtag and mention test of every rule, run over a post in one
// pass. Regexes (text regexes, hashtag prefixes and hashtag regexes) are compiled into one
// RE2::Set, scanned once over the text and once over the post's hashtags (one per line).
// Phrases (and `near` term groups) are not regexes at all: the text is split into words once and
// each word looks up the phrases starting with it, so thousands of phrase rules cost a few hash
// lookups per word instead of growing the set's DFA. Exact hashtags and mentions are hash
// lookups too. Each test is an "atom"; a rule is only
// evaluated when one of its trigger atoms fired (see RuleSet), so cost grows slowly with rules.
//
// Built once by MatcherBuilder, then immutable: Match() may run on any number of threads at once
// without locks. Owned by the RuleSet.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/base/result.h"
#include "daemon/model/post.h"

namespace earshot {

enum class AtomKind {
  kText,        // RE2 over the text (regex conditions)
  kPhrase,      // any of `terms` as consecutive words of the text (phrase conditions, near groups)
  kTagExact,    // a hashtag equal to `literal`
  kTagPrefix,   // a hashtag starting with `literal`
  kTagRegex,    // a hashtag fully matching `pattern`
  kMention,     // a mention of `literal` (also matches `literal@any.host`)
  kMentionPrefix,  // a mention starting with `literal` (acmeair -> acmeairhelp, acmeair_uk)
};

struct Atom {
  AtomKind kind = AtomKind::kText;
  std::string literal;      // tag, prefix or handle, lowercase
  std::string pattern;      // the RE2 pattern as it went into the set, "" for exact atoms
  // Kept only where the set's answer is not enough: hashtag regexes are confirmed per tag, and
  // text regexes with named groups are rerun for their captures.
  std::shared_ptr<const RE2> re;
  // For phrase groups: each alternative as lowercase words, so `near` can find word positions.
  std::vector<std::vector<std::string>> terms;
};

struct MatcherOptions {
  // RE2 memory for each regex compiled alone (checks every analyst regex at load), and for the
  // whole set (program plus DFA cache while matching). Sized from bench/rules_bench, the
  // smallest budget that compiles and matches 20,000 unseen posts without a DFA failure:
  // 500 rules 2 MiB, 1,000 rules 4 MiB, 5,000 rules 32 MiB; 500 rules written with `.{0,30}`
  // gaps instead of `near` 16 MiB. The default leaves room for growth and for gappy rules.
  int64_t max_mem_per_regex = 8 << 20;
  int64_t max_mem_total = 256 << 20;
};

class Matcher {
 public:
  // Fills `hits` with the sorted ids of every atom the post satisfies.
  void Match(const Post& post, std::vector<int>* hits) const;

  const Atom& atom(int id) const { return atoms_[id]; }
  size_t atom_count() const { return atoms_.size(); }
  size_t regex_count() const { return regex_atoms_; }
  size_t phrase_group_count() const { return phrase_groups_; }
  // Scans the DFA gave up on for lack of memory (the post then matched no regex); a non-zero
  // value means max_mem_total is too small for this rule set.
  uint64_t dfa_failures() const { return dfa_failures_.load(std::memory_order_relaxed); }

 private:
  friend class MatcherBuilder;
  Matcher() = default;

  // One RE2::Set and the atom behind each of its regexes.
  struct RegexSet {
    std::unique_ptr<RE2::Set> set;
    std::vector<int> to_atom;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using LiteralIndex = std::unordered_map<std::string, std::vector<int>, StringHash, std::equal_to<>>;
  // Literals that a handle or hashtag may start with, and the distinct lengths to try: the
  // atoms of every prefix of `s` in one hash lookup per length, however many literals.
  struct PrefixIndex {
    LiteralIndex by_literal;
    std::vector<size_t> lengths;  // sorted, distinct

    bool empty() const { return by_literal.empty(); }
    void NoteLength(size_t len);
    void Find(std::string_view s, std::vector<int>* hits) const;
  };

  // Runs `set` over `text`, counting a DFA that ran out of memory.
  void MatchSet(const RegexSet& set, std::string_view text, std::vector<int>* set_hits) const;
  void MatchTags(const Post& post, std::vector<int>* hits) const;

  std::vector<Atom> atoms_;
  size_t regex_atoms_ = 0;
  // Text regexes, scanned over the text; hashtag regexes (and hashtag prefixes that are not
  // plain ASCII), scanned over the hashtags one per line. Kept apart so that a post's text never
  // runs through a brand's hashtag patterns, nor its hashtags through the text regexes.
  RegexSet text_set_, tag_set_;
  // Plain-ASCII hashtag prefixes (a brand's, one per brand) are looked up by length in a hash
  // index, so a thousand brands cost a few lookups per hashtag. A hashtag that is not plain
  // ASCII goes through `ascii_prefix_set_` instead, where (?i) folds as RE2 always has (the
  // Kelvin sign matches k).
  PrefixIndex tag_prefixes_;
  RegexSet ascii_prefix_set_;
  size_t phrase_groups_ = 0;
  struct PhraseEntry {
    std::vector<std::string> rest;  // the words after the first
    int atom;
  };
  // First word -> the phrases starting with it.
  std::unordered_map<std::string, std::vector<PhraseEntry>, StringHash, std::equal_to<>> phrases_;
  // A one-hash Bloom filter over the first words, so most words of a post skip the map.
  std::vector<uint64_t> first_word_bits_;
  LiteralIndex tag_exact_;
  LiteralIndex mentions_;
  // Mention prefixes by their text, and the distinct prefix lengths to try on each mention.
  PrefixIndex mention_prefixes_;
  mutable std::atomic<uint64_t> dfa_failures_{0};
};

class MatcherBuilder {
 public:
  explicit MatcherBuilder(MatcherOptions options = {});
  ~MatcherBuilder();

  // Each returns the atom's id (identical atoms are shared), or -1 with *error set to a message
  // that names the problem (bad syntax, unsupported construct, memory budget).
  int AddTextRegex(std::string_view pattern, bool case_sensitive, std::string* error);
  // Any of `terms` (each a word or phrase) as whole words, case-insensitive.
  int AddPhraseGroup(const std::vector<std::string>& terms, std::string* error);
  int AddTagExact(std::string_view tag);
  int AddTagPrefix(std::string_view prefix);
  int AddTagRegex(std::string_view pattern, std::string* error);
  int AddMention(std::string_view handle);
  // A mention whose handle (host part aside) starts with `prefix`: a brand's support and
  // regional accounts.
  int AddMentionPrefix(std::string_view prefix);

  // Checks `pattern` alone (syntax, unsupported constructs, per-regex budget) without adding
  // it: for rules that are disabled but must still be valid.
  bool CheckRegex(std::string_view pattern, bool case_sensitive, std::string* error) const;

  // Compiles the set within max_mem_total. Consumes the builder.
  Result<std::unique_ptr<const Matcher>> Build();

 private:
  // An exact atom (hashtag, mention, mention prefix) looked up by its lowercase literal in
  // `index`; identical atoms are shared.
  int AddLiteralAtom(AtomKind kind, std::string_view literal, Matcher::LiteralIndex* index);
  int AddSetAtom(AtomKind kind, std::string set_pattern, std::string* error,
                 std::string_view user_pattern = {});
  std::shared_ptr<const RE2> Compile(std::string_view pattern, std::string* error) const;
  // Compiles the regexes of `atoms` into one set, `target`.
  Status CompileSet(const std::vector<int>& atoms, Matcher::RegexSet* target);

  MatcherOptions options_;
  std::unique_ptr<Matcher> m_;
  std::unordered_map<std::string, int> dedup_;  // kind + pattern/literal -> atom id
};

// The words of `text`, ASCII-lowercased: runs of letters, digits, apostrophes and non-ASCII
// bytes. `near` measures distance in these words.
std::vector<std::string> SplitWords(std::string_view text);
// The same without a string per word: `lower` receives the lowercased text and `words` views
// into it.
void SplitWordsInto(std::string_view text, std::string* lower,
                    std::vector<std::string_view>* words);

}  // namespace earshot
