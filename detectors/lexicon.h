// Lexicon: VADER's word valences and emoji descriptions, plus a deployment's overlays.
//
// Load() reads <dir>/vader_lexicon.txt and <dir>/emoji_utf8_lexicon.txt the way the reference
// (vaderSentiment 3.3.2) reads them: one `token<TAB>valence[<TAB>...]` per line, blank lines
// skipped, and a token listed twice keeps its last valence (14 tokens are, e.g. "lol" ends at
// 1.8). Tokens are kept exactly as written; the scorer looks them up by their lowercase form, as
// the reference does, so an entry with capitals (":-Þ") never matches.
//
// Overlays (YAML or TSV, chosen by extension, applied in order) add or replace entries for a
// deployment's domain ("stranded", "rebooked", "on hold"). Their entries are normalised the way
// the tokenizer sees text (lowercased, edge punctuation stripped from each word, single spaces),
// and an entry of several words is a phrase: the scorer matches it across consecutive words and
// scores it as one word. Multi-word lines in the shipped lexicon ("fed up") stay inert, as in the
// reference, until an overlay lists them. Formats are in docs/sentiment.md.
//
// Immutable once loaded and shared as shared_ptr<const Lexicon>; safe from any thread. Reload
// builds a new one and swaps the pointer.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/base/result.h"

namespace earshot {

class Lexicon {
 public:
  struct Entry {
    std::string key;         // as looked up: lowercase for overlay entries
    double valence = 0;      // VADER scale, about -4 to +4
    bool phrase = false;     // an overlay entry of two or more words, matched across words
  };

  // Loads the two lexicon files from `dir`, then applies `overlays` in order. Errors name the
  // file and line: "rules/lexicon/vader_lexicon.txt:12: error: ...".
  static Result<std::shared_ptr<const Lexicon>> Load(
      const std::filesystem::path& dir, const std::vector<std::filesystem::path>& overlays = {});

  // Builds a lexicon from file contents already in memory; `*_name` label errors. For tests and
  // for tools that ship the data inside their binary.
  static Result<std::shared_ptr<const Lexicon>> FromText(std::string_view vader_text,
                                                         std::string_view emoji_text,
                                                         std::string_view vader_name = "lexicon",
                                                         std::string_view emoji_name = "emoji");

  // Returns a copy with one more overlay applied; the YAML or TSV format follows `name`'s
  // extension, and errors are reported against `name`.
  Result<std::shared_ptr<const Lexicon>> WithOverlayText(std::string_view name,
                                                         std::string_view text) const;

  // Distinct valence entries (words, emoticons, phrases), after duplicates and overlays.
  size_t size() const { return entries_.size(); }
  // Valence of a token exactly as stored, if any.
  std::optional<double> Valence(std::string_view key) const;
  // Every entry once, in order of first appearance, with its final valence.
  const std::vector<Entry>& entries() const { return entries_; }

  // Description of a single-code-point emoji ("face with tears of joy"), or empty. Multi-code-point
  // lines of the emoji file (ZWJ sequences, flags, skin tones) are kept in the count but, as in
  // the reference, which replaces one code point at a time, never match.
  std::string_view EmojiDescription(char32_t cp) const;
  const std::vector<std::pair<char32_t, std::string>>& single_emoji() const { return emoji_; }
  size_t emoji_size() const { return emoji_lines_; }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  Lexicon() = default;
  Status ParseVader(std::string_view text, std::string_view name);
  Status ParseEmoji(std::string_view text, std::string_view name);
  Status ApplyOverlay(std::string_view name, std::string_view text);
  Status ApplyYamlOverlay(std::string_view name, std::string_view text);
  Status ApplyTsvOverlay(std::string_view name, std::string_view text);
  void Set(std::string_view key, double valence, bool phrase);

  std::vector<Entry> entries_;
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> index_;
  std::vector<std::pair<char32_t, std::string>> emoji_;  // sorted by code point
  size_t emoji_lines_ = 0;
};

}  // namespace earshot
