// ComplaintModel: the complaint scorer's data. A lexicon of cues (words and phrases of the
// complaint speech act, each with a class and a strength) and the weights of a logistic model
// over the features the scorer computes from them and from VADER. Both are readable TSV files
// shipped in rules/lexicon/ and refitted by scripts/fit-complaint-weights.sh; how they combine
// is written down in docs/complaints.md.
//
//   rules/lexicon/complaint_cues.tsv     phrase <TAB> class <TAB> strength
//   rules/lexicon/complaint_weights.tsv  feature <TAB> weight
//   overlays (complaint_overlays:)       cue <TAB> phrase <TAB> class <TAB> strength
//                                        weight <TAB> feature <TAB> weight
//
// A phrase is one to six words as the scorer's tokenizer sees them: lowercase, apostrophes kept,
// numbers written as <num>, ordinals (3rd, 24th) as <ord>, codes mixing digits and letters
// (0x80, e404) as <code>, times (9am) as <time>. A word with "n't" also matches its spelled-out
// and apostrophe-less forms ("hasn't" matches "has not" and "hasnt"), so the file lists each
// phrase once. An overlay replaces a cue's class and strength (strength 0 switches it off) or a
// weight; every feature must have a weight once the shipped file is read.
//
// Immutable once loaded, shared as shared_ptr<const ComplaintModel>; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/result.h"

namespace earshot {

// What a cue says about the post. The first group are signs of a complaint, the second signs
// of something else (the counter-cues).
enum class CueClass : uint8_t {
  kPersistence,      // still, again, for 3 days, since Monday, third time
  kBroken,           // not working, won't load, keeps crashing, error <code>
  kUnmet,            // hasn't arrived, never received, no reply, nobody called back
  kWaiting,          // on hold, in the queue, been waiting
  kMoney,            // charged twice, refund, overcharged, fee
  kDemand,           // please fix, sort it out, make this right, I want my money back
  kPointedQuestion,  // why is, how is it that, when will, where is my, any update
  kNegative,         // rubbish, unacceptable, a joke, fed up, never again
  kSarcasm,          // thanks for nothing, love how, great job (with a problem beside it)
  kGratitude,        // thanks, thank you, appreciate
  kPraise,           // love, amazing, well done, legend
  kResolution,       // fixed, sorted, arrived, finally, back up
  kInfoQuestion,     // do you, can I, is there, how do I
  kPromo,            // giveaway, discount, % off, hiring, link in bio
  kNews,             // reports, announced, shares, CEO
  kHumour,           // lol, haha, jk
  kCount
};
constexpr size_t kCueClassCount = static_cast<size_t>(CueClass::kCount);

// The scorer's features, in the order of the weights. Cue classes come first, in CueClass
// order: feature i < kCueClassCount is the capped sum of class i's cue strengths.
enum class Feature : uint8_t {
  kBias = kCueClassCount,
  kVaderCompound,    // VADER compound, -1 .. 1
  kVaderNeg,         // VADER's negative proportion, 0 .. 1
  kVaderPos,         // VADER's positive proportion, 0 .. 1
  kQuestion,         // 1 when the post asks something ('?')
  kExclaim,          // 1 when the post has a '!'
  kRepeatedPunct,    // 1 for ?! !? !! ??
  kShouting,         // words in capitals (4+ letters), 0 .. 1 (two or more is 1)
  kAddressed,        // 1 when the post @mentions an account
  kSecondPerson,     // 1 for you, your, u, ur
  kFirstPerson,      // 1 for I, my, me, we, our, us
  kLink,             // 1 when the post carries a URL
  kShort,            // 1 for six words or fewer
  kProblemQuestion,  // a question in a post with a problem cue
  kPositiveProblem,  // praise or thanks in a post with a problem cue: polite or sarcastic
  kNegations,        // negator words (not, never, no, can't, ...), 0 .. 2
  kSpecifics,        // numbers, times, ordinals and codes (order no., 3rd, 9am, e404), 0 .. 2
  kCount
};
constexpr size_t kFeatureCount = static_cast<size_t>(Feature::kCount);

std::string_view CueClassName(CueClass c);
std::optional<CueClass> CueClassFromName(std::string_view name);
// "cue:persistence", "bias", "vader_compound", ...
std::string_view FeatureName(size_t feature);
std::optional<size_t> FeatureFromName(std::string_view name);

class ComplaintModel {
 public:
  struct Cue {
    std::string phrase;  // as written in the file, normalised to single spaces
    CueClass cls = CueClass::kNegative;
    double strength = 1.0;
    std::string where;  // "rules/lexicon/complaint_cues.tsv:12"
  };
  // One trie node per word sequence that is a cue or the start of one.
  struct Node {
    int32_t cue = -1;  // index into cues(), -1 when only a prefix
    bool has_children = false;
  };

  // Reads <dir>/complaint_cues.tsv and <dir>/complaint_weights.tsv, then `overlays` in order.
  // Errors name the file and line and say how to fix it.
  static Result<std::shared_ptr<const ComplaintModel>> Load(
      const std::filesystem::path& dir, const std::vector<std::filesystem::path>& overlays = {});
  // The same from text already in memory (tests, tools); `*_name` label errors.
  static Result<std::shared_ptr<const ComplaintModel>> FromText(
      std::string_view cues_text, std::string_view weights_text,
      std::string_view cues_name = "complaint_cues.tsv",
      std::string_view weights_name = "complaint_weights.tsv");
  // A copy with one more overlay applied, errors against `name`.
  Result<std::shared_ptr<const ComplaintModel>> WithOverlayText(std::string_view name,
                                                                std::string_view text) const;

  const std::vector<Cue>& cues() const { return cues_; }
  const std::array<double, kFeatureCount>& weights() const { return weights_; }
  double weight(size_t feature) const { return weights_[feature]; }

  // The trie over word hashes (HashWord): the node reached from `node` by a word, or -1.
  // The root is node 0.
  int32_t Step(int32_t node, uint64_t word_hash) const;
  const Node& node(int32_t id) const { return nodes_[static_cast<size_t>(id)]; }
  size_t max_phrase_words() const { return max_words_; }

 private:
  ComplaintModel();
  Status ParseCues(std::string_view text, std::string_view name);
  Status ParseWeights(std::string_view text, std::string_view name, bool require_all);
  Status ParseOverlay(std::string_view text, std::string_view name);
  Status SetWeight(std::string_view feature_name, std::string_view value);
  Status SetCue(std::string_view phrase, CueClass cls, double strength, std::string where,
                bool replace);
  void Insert(const std::vector<uint64_t>& words, int32_t cue);
  void Rehash(size_t capacity);

  std::vector<Cue> cues_;
  std::array<double, kFeatureCount> weights_{};
  std::array<bool, kFeatureCount> weight_set_{};
  std::vector<Node> nodes_;
  // Open addressing, linear probing: key = (node, word hash) mixed; value = child node id.
  struct Slot {
    uint64_t key = 0;
    int32_t child = -1;
  };
  std::vector<Slot> table_;
  size_t used_ = 0;
  size_t max_words_ = 0;
};

// The hash the trie is keyed on: 64-bit FNV-1a of the word's bytes. Inline, and its steps
// public, because the tokenizer hashes words as it reads them.
constexpr uint64_t kWordHashSeed = 1469598103934665603ULL;
constexpr uint64_t kWordHashPrime = 1099511628211ULL;
constexpr uint64_t HashWordStep(uint64_t h, unsigned char c) { return (h ^ c) * kWordHashPrime; }
inline uint64_t HashWord(std::string_view word) {
  uint64_t h = kWordHashSeed;
  for (unsigned char c : word) h = HashWordStep(h, c);
  return h;
}

}  // namespace earshot
