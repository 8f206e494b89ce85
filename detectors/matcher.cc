#include "detectors/matcher.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/ascii.h"
#include "detectors/regex_lint.h"

namespace earshot {
namespace {

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '\'' || c >= 0x80;
}

// Per byte: 0 for a separator, else the byte lowercased (ASCII).
struct WordTable {
  unsigned char map[256];
  constexpr WordTable() : map() {
    for (int c = 0; c < 256; ++c) {
      bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '\'' || c >= 0x80;
      map[c] = !word ? 0 : (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a')
                                                   : static_cast<unsigned char>(c);
    }
  }
};
constexpr WordTable kWordTable;

constexpr size_t kBloomBits = 1 << 16;

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string_view KindKey(AtomKind kind) {
  switch (kind) {
    case AtomKind::kText: return "t:";
    case AtomKind::kTagExact: return "h:";
    case AtomKind::kTagPrefix: return "p:";
    case AtomKind::kTagRegex: return "r:";
    case AtomKind::kMention: return "m:";
    case AtomKind::kMentionPrefix: return "mp:";
    case AtomKind::kPhrase: return "w:";
  }
  return "?:";
}

std::string DescribeRe2Error(const RE2& re, int64_t budget) {
  if (re.error_code() == RE2::ErrorPatternTooLarge) {
    return fmt::format("needs more RE2 memory than the per-regex budget of {} MiB; bounded "
                       "repetitions such as {{1,1000}} and long alternations multiply states: "
                       "simplify it, split it into several conditions, or raise "
                       "re2_max_mem_per_regex",
                       budget >> 20);
  }
  return fmt::format("invalid regex: {}", re.error());
}

}  // namespace

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back(AsciiLowered(text.substr(start, i - start)));
  }
  return words;
}

void SplitWordsInto(std::string_view text, std::string* lower,
                    std::vector<std::string_view>* words) {
  lower->resize(text.size());
  words->clear();
  size_t start = std::string::npos;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char m = kWordTable.map[static_cast<unsigned char>(text[i])];
    (*lower)[i] = static_cast<char>(m);
    if (m != 0) {
      if (start == std::string::npos) start = i;
    } else if (start != std::string::npos) {
      words->emplace_back(lower->data() + start, i - start);
      start = std::string::npos;
    }
  }
  if (start != std::string::npos) words->emplace_back(lower->data() + start, text.size() - start);
}

void Matcher::Match(const Post& post, std::vector<int>* hits) const {
  hits->clear();
  if (!phrases_.empty()) {
    // Per-thread scratch: Match runs on many threads at once and allocates nothing per post.
    thread_local std::string lower;
    thread_local std::vector<std::string_view> words;
    SplitWordsInto(post.text, &lower, &words);
    for (size_t i = 0; i < words.size(); ++i) {
      uint64_t h = Fnv1a(words[i]) & (kBloomBits - 1);
      if ((first_word_bits_[h >> 6] & (uint64_t{1} << (h & 63))) == 0) continue;
      auto it = phrases_.find(words[i]);
      if (it == phrases_.end()) continue;
      for (const PhraseEntry& e : it->second) {
        if (i + e.rest.size() >= words.size()) continue;
        bool match = true;
        for (size_t k = 0; k < e.rest.size() && match; ++k) match = words[i + 1 + k] == e.rest[k];
        if (match) hits->push_back(e.atom);
      }
    }
  }
  if (text_set_.set != nullptr) {
    thread_local std::vector<int> set_hits;
    MatchSet(text_set_, post.text, &set_hits);
    for (int s : set_hits) hits->push_back(text_set_.to_atom[static_cast<size_t>(s)]);
  }
  if (!post.hashtags.empty()) MatchTags(post, hits);
  if (!tag_exact_.empty()) {
    for (const std::string& t : post.hashtags) {
      auto it = tag_exact_.find(t);
      if (it != tag_exact_.end()) hits->insert(hits->end(), it->second.begin(), it->second.end());
    }
  }
  if (!mentions_.empty()) {
    for (const std::string& m : post.mentions) {
      auto it = mentions_.find(m);
      if (it != mentions_.end()) hits->insert(hits->end(), it->second.begin(), it->second.end());
      size_t at = m.find('@');
      if (at != std::string::npos) {
        it = mentions_.find(std::string_view(m).substr(0, at));
        if (it != mentions_.end()) hits->insert(hits->end(), it->second.begin(), it->second.end());
      }
    }
  }
  if (!mention_prefixes_.empty()) {
    for (const std::string& m : post.mentions) {
      mention_prefixes_.Find(std::string_view(m).substr(0, m.find('@')), hits);
    }
  }
  std::sort(hits->begin(), hits->end());
  hits->erase(std::unique(hits->begin(), hits->end()), hits->end());
}

void Matcher::MatchSet(const RegexSet& set, std::string_view text,
                       std::vector<int>* set_hits) const {
  set_hits->clear();
  RE2::Set::ErrorInfo info{};
  if (!set.set->Match(re2::StringPiece(text.data(), text.size()), set_hits, &info) &&
      info.kind == RE2::Set::kOutOfMemory) {
    dfa_failures_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Matcher::MatchTags(const Post& post, std::vector<int>* hits) const {
  thread_local std::vector<int> set_hits;
  if (tag_set_.set != nullptr) {
    // One tag per line: tag atoms are anchored with (?m)^...$ so they see whole tags.
    thread_local std::string tags;
    tags.clear();
    for (const std::string& t : post.hashtags) {
      tags += t;
      tags += '\n';
    }
    MatchSet(tag_set_, tags, &set_hits);
    for (int s : set_hits) {
      const int a = tag_set_.to_atom[static_cast<size_t>(s)];
      const Atom& atom = atoms_[static_cast<size_t>(a)];
      if (atom.kind == AtomKind::kTagPrefix) {
        hits->push_back(a);
      } else {
        // The set saw all tags at once; a pattern such as \s could have spanned two.
        for (const std::string& t : post.hashtags) {
          if (RE2::FullMatch(t, *atom.re)) {
            hits->push_back(a);
            break;
          }
        }
      }
    }
  }
  if (tag_prefixes_.empty()) return;
  thread_local std::string lower;
  for (const std::string& t : post.hashtags) {
    const bool plain = std::all_of(t.begin(), t.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x80 && c != '\n';
    });
    if (!plain) {
      // Case folding beyond ASCII, and a tag broken over lines, as the prefix regexes see them.
      MatchSet(ascii_prefix_set_, t, &set_hits);
      for (int s : set_hits) hits->push_back(ascii_prefix_set_.to_atom[static_cast<size_t>(s)]);
      continue;
    }
    lower.assign(t);
    AsciiLowerInPlace(lower);
    tag_prefixes_.Find(lower, hits);
  }
}

void Matcher::PrefixIndex::NoteLength(size_t len) {
  if (!std::binary_search(lengths.begin(), lengths.end(), len)) {
    lengths.insert(std::upper_bound(lengths.begin(), lengths.end(), len), len);
  }
}

void Matcher::PrefixIndex::Find(std::string_view s, std::vector<int>* hits) const {
  for (size_t len : lengths) {
    if (len > s.size()) break;
    auto it = by_literal.find(s.substr(0, len));
    if (it != by_literal.end()) hits->insert(hits->end(), it->second.begin(), it->second.end());
  }
}

MatcherBuilder::MatcherBuilder(MatcherOptions options)
    : options_(options), m_(new Matcher()) {}

MatcherBuilder::~MatcherBuilder() = default;

std::shared_ptr<const RE2> MatcherBuilder::Compile(std::string_view pattern,
                                                   std::string* error) const {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(options_.max_mem_per_regex);
  auto re = std::make_shared<const RE2>(re2::StringPiece(pattern.data(), pattern.size()), opts);
  if (!re->ok()) {
    *error = DescribeRe2Error(*re, options_.max_mem_per_regex);
    return nullptr;
  }
  return re;
}

bool MatcherBuilder::CheckRegex(std::string_view pattern, bool case_sensitive,
                                std::string* error) const {
  if (std::string u = UnsupportedRegexSyntax(pattern); !u.empty()) {
    *error = "regex " + u;
    return false;
  }
  if (Compile(pattern, error) == nullptr) return false;
  std::string full = case_sensitive ? fmt::format("(?:{})", pattern)
                                    : fmt::format("(?i:{})", pattern);
  return Compile(full, error) != nullptr;
}

int MatcherBuilder::AddSetAtom(AtomKind kind, std::string set_pattern, std::string* error,
                               std::string_view user_pattern) {
  std::string key = std::string(KindKey(kind)) + set_pattern;
  if (auto it = dedup_.find(key); it != dedup_.end()) return it->second;
  std::shared_ptr<const RE2> re = Compile(set_pattern, error);
  if (re == nullptr) {
    // Name the problem in the analyst's own pattern, not the flag group wrapped around it.
    if (!user_pattern.empty() && Compile(user_pattern, error) != nullptr) {
      Compile(set_pattern, error);
    }
    return -1;
  }
  Atom atom;
  atom.kind = kind;
  atom.pattern = std::move(set_pattern);
  if (kind == AtomKind::kTagRegex || !re->NamedCapturingGroups().empty()) atom.re = std::move(re);
  int id = static_cast<int>(m_->atoms_.size());
  m_->atoms_.push_back(std::move(atom));
  dedup_.emplace(std::move(key), id);
  return id;
}

int MatcherBuilder::AddTextRegex(std::string_view pattern, bool case_sensitive,
                                 std::string* error) {
  if (std::string u = UnsupportedRegexSyntax(pattern); !u.empty()) {
    *error = "regex " + u;
    return -1;
  }
  // The flag group keeps the user's own alternation inside it: "a|b" must not become "(?i)a|b"
  // concatenated with anything else later.
  return AddSetAtom(AtomKind::kText,
                    case_sensitive ? fmt::format("(?:{})", pattern)
                                   : fmt::format("(?i:{})", pattern),
                    error, pattern);
}

int MatcherBuilder::AddPhraseGroup(const std::vector<std::string>& terms, std::string* error) {
  std::vector<std::vector<std::string>> words;
  std::string key = "w:";
  for (const std::string& term : terms) {
    std::vector<std::string> w = SplitWords(term);
    if (w.empty()) {
      *error = fmt::format("phrase '{}' has no words", term);
      return -1;
    }
    key += fmt::format("{}\x1e", fmt::join(w, "\x1f"));
    words.push_back(std::move(w));
  }
  if (auto it = dedup_.find(key); it != dedup_.end()) return it->second;
  int id = static_cast<int>(m_->atoms_.size());
  if (m_->first_word_bits_.empty()) m_->first_word_bits_.resize(kBloomBits / 64);
  for (const std::vector<std::string>& w : words) {
    m_->phrases_[w[0]].push_back({std::vector<std::string>(w.begin() + 1, w.end()), id});
    uint64_t h = Fnv1a(w[0]) & (kBloomBits - 1);
    m_->first_word_bits_[h >> 6] |= uint64_t{1} << (h & 63);
  }
  Atom atom;
  atom.kind = AtomKind::kPhrase;
  ++m_->phrase_groups_;
  atom.terms = std::move(words);
  m_->atoms_.push_back(std::move(atom));
  dedup_.emplace(std::move(key), id);
  return id;
}

int MatcherBuilder::AddLiteralAtom(AtomKind kind, std::string_view literal,
                                   Matcher::LiteralIndex* index) {
  std::string lower = AsciiLowered(literal);
  std::string key = std::string(KindKey(kind)) + lower;
  if (auto it = dedup_.find(key); it != dedup_.end()) return it->second;
  int id = static_cast<int>(m_->atoms_.size());
  Atom atom;
  atom.kind = kind;
  atom.literal = lower;
  m_->atoms_.push_back(std::move(atom));
  (*index)[lower].push_back(id);
  dedup_.emplace(std::move(key), id);
  return id;
}

int MatcherBuilder::AddTagExact(std::string_view tag) {
  return AddLiteralAtom(AtomKind::kTagExact, tag, &m_->tag_exact_);
}

int MatcherBuilder::AddTagPrefix(std::string_view prefix) {
  std::string error;
  int id = AddSetAtom(AtomKind::kTagPrefix, fmt::format("(?im)^{}", QuoteRegex(AsciiLowered(prefix))),
                      &error);
  if (id >= 0) m_->atoms_[id].literal = AsciiLowered(prefix);
  return id;  // a quoted literal always compiles
}

int MatcherBuilder::AddTagRegex(std::string_view pattern, std::string* error) {
  if (std::string u = UnsupportedRegexSyntax(pattern); !u.empty()) {
    *error = "hashtag regex " + u;
    return -1;
  }
  return AddSetAtom(AtomKind::kTagRegex, fmt::format("(?im)^(?:{})$", pattern), error, pattern);
}

int MatcherBuilder::AddMention(std::string_view handle) {
  return AddLiteralAtom(AtomKind::kMention, handle, &m_->mentions_);
}

int MatcherBuilder::AddMentionPrefix(std::string_view prefix) {
  const int id =
      AddLiteralAtom(AtomKind::kMentionPrefix, prefix, &m_->mention_prefixes_.by_literal);
  m_->mention_prefixes_.NoteLength(m_->atoms_[static_cast<size_t>(id)].literal.size());
  return id;
}

namespace {

bool IsPlainAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

Status MatcherBuilder::CompileSet(const std::vector<int>& atoms, Matcher::RegexSet* target) {
  if (atoms.empty()) return Status::Ok();
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(options_.max_mem_total);
  auto set = std::make_unique<RE2::Set>(opts, RE2::UNANCHORED);
  for (int a : atoms) {
    std::string error;
    int index = set->Add(m_->atoms_[static_cast<size_t>(a)].pattern, &error);
    if (index < 0) {
      return Status::Internal(fmt::format("regex '{}' compiled alone but not in the set: {}",
                                          m_->atoms_[static_cast<size_t>(a)].pattern, error));
    }
    target->to_atom.push_back(a);
  }
  if (!set->Compile()) {
    return Status::ResourceExhausted(fmt::format(
        "the {} regexes of the rule set need more RE2 memory than re2_max_mem_total ({} MiB); "
        "raise it or remove rules",
        m_->regex_atoms_, options_.max_mem_total >> 20));
  }
  target->set = std::move(set);
  return Status::Ok();
}

Result<std::unique_ptr<const Matcher>> MatcherBuilder::Build() {
  std::vector<int> text, tags, ascii_prefixes;
  for (size_t i = 0; i < m_->atoms_.size(); ++i) {
    const Atom& atom = m_->atoms_[i];
    if (atom.pattern.empty()) continue;
    ++m_->regex_atoms_;
    const int id = static_cast<int>(i);
    if (atom.kind == AtomKind::kText) {
      text.push_back(id);
    } else if (atom.kind == AtomKind::kTagPrefix && IsPlainAscii(atom.literal)) {
      ascii_prefixes.push_back(id);
      m_->tag_prefixes_.by_literal[atom.literal].push_back(id);
      m_->tag_prefixes_.NoteLength(atom.literal.size());
    } else {
      tags.push_back(id);
    }
  }
  EARSHOT_RETURN_IF_ERROR(CompileSet(text, &m_->text_set_));
  EARSHOT_RETURN_IF_ERROR(CompileSet(tags, &m_->tag_set_));
  EARSHOT_RETURN_IF_ERROR(CompileSet(ascii_prefixes, &m_->ascii_prefix_set_));
  return std::unique_ptr<const Matcher>(std::move(m_));
}

}  // namespace earshot
