#include "detectors/complaint_model.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "daemon/base/file_read.h"
#include "daemon/base/suggest.h"

namespace earshot {
namespace {

constexpr std::array<std::string_view, kCueClassCount> kClassNames = {
    "persistence",      "broken",   "unmet",   "waiting",   "money",  "demand",
    "pointed_question", "negative", "sarcasm", "gratitude", "praise", "resolution",
    "info_question",    "promo",    "news",    "humour"};

constexpr std::array<std::string_view, kFeatureCount - kCueClassCount> kOtherFeatureNames = {
    "bias",         "vader_compound", "vader_neg", "vader_pos",        "question",
    "exclaim",      "repeated_punct", "shouting",  "addressed",        "second_person",
    "first_person", "link",           "short",     "problem_question", "positive_problem",
    "negations",    "specifics"};

constexpr size_t kMaxPhraseWords = 6;
constexpr double kMaxStrength = 4.0;
constexpr double kMaxWeight = 50.0;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    const size_t tab = line.find('\t', pos);
    out.push_back(Trim(line.substr(pos, tab == std::string_view::npos ? tab : tab - pos)));
    if (tab == std::string_view::npos) break;
    pos = tab + 1;
  }
  return out;
}

std::optional<double> ParseNumber(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

Status LineError(std::string_view name, size_t line, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}:{}: error: {}", name, line, what));
}

// Calls fn(line_number, line) for each line that is neither blank nor a '#' comment.
template <class Fn>
Status ForEachDataLine(std::string_view text, Fn fn) {
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    ++line_no;
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    const std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    if (Status s = fn(line_no, line); !s.ok()) return s;
  }
  return Status::Ok();
}

std::string ClassHint(std::string_view name) {
  return DidYouMean(name, std::vector<std::string>(kClassNames.begin(), kClassNames.end()));
}

std::string AllClassNames() {
  std::string out;
  for (auto n : kClassNames) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// The spellings a written word also matches: "hasn't" -> {"hasn't"}, {"hasnt"}, {"has","not"};
// "can't" -> also {"cannot"}, {"can","not"}; "won't" -> also {"will","not"}; "what's" ->
// {"what's"}, {"whats"}.
std::vector<std::vector<std::string>> Spellings(const std::string& word) {
  std::vector<std::vector<std::string>> out = {{word}};
  if (word.find('\'') == std::string::npos) return out;
  std::string bare;
  for (char c : word) {
    if (c != '\'') bare += c;
  }
  out.push_back({bare});
  if (word.size() > 3 && word.compare(word.size() - 3, 3, "n't") == 0) {
    std::string stem = word.substr(0, word.size() - 3);
    if (stem == "ca") {  // can't
      stem = "can";
      out.push_back({"cannot"});
    } else if (stem == "wo") {
      stem = "will";
    } else if (stem == "sha") {
      stem = "shall";
    }
    out.push_back({stem, "not"});
  }
  return out;
}

// A phrase word must be one the tokenizer can produce, or it would silently never match.
Status CheckWord(const std::string& w) {
  if (w == "<num>" || w == "<ord>" || w == "<code>" || w == "<time>") return Status::Ok();
  for (unsigned char c : w) {
    if (c >= '0' && c <= '9') {
      return Status::InvalidArgument(fmt::format(
          "'{}' has digits, which the scorer reads as <num>, <ord>, <time> or <code>; write "
          "one of those",
          w));
    }
    if (!((c >= 'a' && c <= 'z') || c == '\'' || c >= 0x80)) {
      return Status::InvalidArgument(fmt::format(
          "'{}' has '{}', where the scorer splits words (or drops the sign); write the words "
          "apart (\"wi fi\", not \"wi-fi\")",
          w, static_cast<char>(c)));
    }
  }
  return Status::Ok();
}

uint64_t Mix(int32_t node, uint64_t word_hash) {
  uint64_t k = word_hash ^ (static_cast<uint64_t>(node) + 1) * 0x9E3779B97F4A7C15ULL;
  k ^= k >> 31;
  k *= 0xBF58476D1CE4E5B9ULL;
  k ^= k >> 29;
  return k == 0 ? 1 : k;  // 0 marks an empty slot
}

}  // namespace

std::string_view CueClassName(CueClass c) { return kClassNames[static_cast<size_t>(c)]; }

std::optional<CueClass> CueClassFromName(std::string_view name) {
  for (size_t i = 0; i < kClassNames.size(); ++i) {
    if (kClassNames[i] == name) return static_cast<CueClass>(i);
  }
  return std::nullopt;
}

std::string_view FeatureName(size_t feature) {
  static const std::array<std::string, kCueClassCount> cue_names = [] {
    std::array<std::string, kCueClassCount> names;
    for (size_t i = 0; i < kCueClassCount; ++i) names[i] = "cue:" + std::string(kClassNames[i]);
    return names;
  }();
  if (feature < kCueClassCount) return cue_names[feature];
  return kOtherFeatureNames[feature - kCueClassCount];
}

std::optional<size_t> FeatureFromName(std::string_view name) {
  for (size_t i = 0; i < kFeatureCount; ++i) {
    if (FeatureName(i) == name) return i;
  }
  return std::nullopt;
}

ComplaintModel::ComplaintModel() {
  nodes_.push_back(Node{});
  Rehash(1024);
}

void ComplaintModel::Rehash(size_t capacity) {
  std::vector<Slot> old = std::move(table_);
  table_.assign(capacity, Slot{});
  for (const Slot& s : old) {
    if (s.key == 0) continue;
    size_t i = s.key & (capacity - 1);
    while (table_[i].key != 0) i = (i + 1) & (capacity - 1);
    table_[i] = s;
  }
}

int32_t ComplaintModel::Step(int32_t node, uint64_t word_hash) const {
  const uint64_t key = Mix(node, word_hash);
  const size_t mask = table_.size() - 1;
  for (size_t i = key & mask;; i = (i + 1) & mask) {
    const Slot& s = table_[i];
    if (s.key == key) return s.child;
    if (s.key == 0) return -1;
  }
}

void ComplaintModel::Insert(const std::vector<uint64_t>& words, int32_t cue) {
  int32_t node = 0;
  for (uint64_t w : words) {
    int32_t next = Step(node, w);
    if (next < 0) {
      if ((used_ + 1) * 2 > table_.size()) Rehash(table_.size() * 2);
      next = static_cast<int32_t>(nodes_.size());
      nodes_.push_back(Node{});
      const uint64_t key = Mix(node, w);
      size_t i = key & (table_.size() - 1);
      while (table_[i].key != 0) i = (i + 1) & (table_.size() - 1);
      table_[i] = Slot{key, next};
      ++used_;
      nodes_[static_cast<size_t>(node)].has_children = true;
    }
    node = next;
  }
  nodes_[static_cast<size_t>(node)].cue = cue;
}

Status ComplaintModel::SetCue(std::string_view phrase, CueClass cls, double strength,
                              std::string where, bool replace) {
  // Split on spaces, lowercase; every spelling of every word goes into the trie.
  std::vector<std::string> words;
  std::string cur;
  // The scorer reads ’ and ‘ (E2 80 99, E2 80 98) as an apostrophe; so does the lexicon.
  std::string straight;
  for (size_t k = 0; k < phrase.size(); ++k) {
    if (k + 2 < phrase.size() && static_cast<unsigned char>(phrase[k]) == 0xE2 &&
        static_cast<unsigned char>(phrase[k + 1]) == 0x80 &&
        (static_cast<unsigned char>(phrase[k + 2]) == 0x99 ||
         static_cast<unsigned char>(phrase[k + 2]) == 0x98)) {
      straight += '\'';
      k += 2;
    } else {
      straight += phrase[k];
    }
  }
  for (char c : straight) {
    if (c == ' ') {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  if (words.empty()) return Status::InvalidArgument("empty phrase");
  for (const auto& w : words) {
    if (Status s = CheckWord(w); !s.ok()) return s;
  }
  if (words.size() > kMaxPhraseWords) {
    return Status::InvalidArgument(
        fmt::format("phrase has {} words; at most {} (split it into shorter cues)", words.size(),
                    kMaxPhraseWords));
  }
  std::string normal;
  for (const auto& w : words) {
    if (!normal.empty()) normal += ' ';
    normal += w;
  }
  // Every combination of spellings, as word-hash sequences.
  std::vector<std::vector<uint64_t>> sequences = {{}};
  for (const auto& w : words) {
    std::vector<std::vector<uint64_t>> next;
    for (const auto& spelling : Spellings(w)) {
      for (const auto& seq : sequences) {
        auto s = seq;
        for (const auto& part : spelling) s.push_back(HashWord(part));
        next.push_back(std::move(s));
      }
    }
    sequences = std::move(next);
  }
  // The cue a word sequence already reaches in the trie, or -1.
  auto cue_at = [&](const std::vector<uint64_t>& seq) {
    int32_t node = 0;
    for (size_t k = 0; k < seq.size() && node >= 0; ++k) node = Step(node, seq[k]);
    return node >= 0 ? nodes_[static_cast<size_t>(node)].cue : -1;
  };
  if (!replace) {
    // A phrase listed twice, or another phrase that reads as the same words through its
    // spellings ("x can't" and "x cannot"): one of them would silently take the other's place.
    for (const auto& seq : sequences) {
      const int32_t other = cue_at(seq);
      if (other < 0) continue;
      const Cue& o = cues_[static_cast<size_t>(other)];
      if (o.phrase == normal) {
        return Status::InvalidArgument(fmt::format(
            "'{}' is already listed at {}; keep one line per phrase", normal, o.where));
      }
      return Status::InvalidArgument(fmt::format(
          "'{}' reads as the same words as '{}' at {}; keep one of them", normal, o.phrase,
          o.where));
    }
  }
  // An overlay replaces in place the cue its words (as written, the first sequence) reach.
  int32_t index = cue_at(sequences.front());
  if (index < 0) {
    index = static_cast<int32_t>(cues_.size());
    cues_.push_back(Cue{normal, cls, strength, std::move(where)});
  } else {
    cues_[static_cast<size_t>(index)] = Cue{normal, cls, strength, std::move(where)};
  }
  for (const auto& seq : sequences) {
    max_words_ = std::max(max_words_, seq.size());
    Insert(seq, index);
  }
  return Status::Ok();
}

Status ComplaintModel::ParseCues(std::string_view text, std::string_view name) {
  return ForEachDataLine(text, [&](size_t line_no, std::string_view line) -> Status {
    const auto cols = SplitTabs(line);
    if (cols.size() < 2 || cols.size() > 3) {
      return LineError(
          name, line_no,
          "expected `phrase<TAB>class[<TAB>strength]` (columns are separated by tabs)");
    }
    const auto cls = CueClassFromName(cols[1]);
    if (!cls) {
      return LineError(name, line_no,
                       fmt::format("unknown cue class '{}'{}; known: {}", cols[1],
                                   ClassHint(cols[1]), AllClassNames()));
    }
    double strength = 1.0;
    if (cols.size() == 3) {
      const auto v = ParseNumber(cols[2]);
      if (!v || *v < 0 || *v > kMaxStrength) {
        return LineError(
            name, line_no,
            fmt::format("strength '{}' is not a number from 0 to {}", cols[2], kMaxStrength));
      }
      strength = *v;
    }
    if (Status s = SetCue(cols[0], *cls, strength, fmt::format("{}:{}", name, line_no),
                          /*replace=*/false);
        !s.ok()) {
      return LineError(name, line_no, s.message());
    }
    return Status::Ok();
  });
}

Status ComplaintModel::ParseWeights(std::string_view text, std::string_view name,
                                    bool require_all) {
  Status status = ForEachDataLine(text, [&](size_t line_no, std::string_view line) -> Status {
    const auto cols = SplitTabs(line);
    if (cols.size() != 2) {
      return LineError(name, line_no, "expected `feature<TAB>weight`");
    }
    if (const auto f = FeatureFromName(cols[0]); f && weight_set_[*f]) {
      return LineError(
          name, line_no,
          fmt::format("'{}' has a weight already; keep one line per feature", cols[0]));
    }
    if (Status s = SetWeight(cols[0], cols[1]); !s.ok()) {
      return LineError(name, line_no, s.message());
    }
    return Status::Ok();
  });
  if (!status.ok() || !require_all) return status;
  std::string missing;
  for (size_t i = 0; i < kFeatureCount; ++i) {
    if (weight_set_[i]) continue;
    if (!missing.empty()) missing += ", ";
    missing += FeatureName(i);
  }
  if (!missing.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{}: error: no weight for {}; refit with scripts/fit-complaint-weights.sh or add the "
        "lines",
        name, missing));
  }
  return Status::Ok();
}

Status ComplaintModel::SetWeight(std::string_view feature_name, std::string_view value) {
  const auto feature = FeatureFromName(feature_name);
  if (!feature) {
    return Status::InvalidArgument(
        fmt::format("unknown feature '{}'{}; the features are listed in docs/complaints.md",
                    feature_name, DidYouMean(feature_name, [] {
                      std::vector<std::string> names;
                      for (size_t i = 0; i < kFeatureCount; ++i) names.emplace_back(FeatureName(i));
                      return names;
                    }())));
  }
  const auto v = ParseNumber(value);
  if (!v || *v < -kMaxWeight || *v > kMaxWeight) {
    return Status::InvalidArgument(
        fmt::format("weight '{}' is not a number from -{} to {}", value, kMaxWeight, kMaxWeight));
  }
  weights_[*feature] = *v;
  weight_set_[*feature] = true;
  return Status::Ok();
}

Status ComplaintModel::ParseOverlay(std::string_view text, std::string_view name) {
  return ForEachDataLine(text, [&](size_t line_no, std::string_view line) -> Status {
    const auto cols = SplitTabs(line);
    if (!cols.empty() && cols[0] == "weight") {
      if (cols.size() != 3) {
        return LineError(name, line_no, "expected `weight<TAB>feature<TAB>weight`");
      }
      if (Status s = SetWeight(cols[1], cols[2]); !s.ok()) {
        return LineError(name, line_no, s.message());
      }
      return Status::Ok();
    }
    if (!cols.empty() && cols[0] == "cue") {
      if (cols.size() != 4) {
        return LineError(name, line_no, "expected `cue<TAB>phrase<TAB>class<TAB>strength`");
      }
      const auto cls = CueClassFromName(cols[2]);
      if (!cls) {
        return LineError(name, line_no,
                         fmt::format("unknown cue class '{}'{}; known: {}", cols[2],
                                     ClassHint(cols[2]), AllClassNames()));
      }
      const auto v = ParseNumber(cols[3]);
      if (!v || *v < 0 || *v > kMaxStrength) {
        return LineError(
            name, line_no,
            fmt::format("strength '{}' is not a number from 0 to {}", cols[3], kMaxStrength));
      }
      if (Status s = SetCue(cols[1], *cls, *v, fmt::format("{}:{}", name, line_no),
                            /*replace=*/true);
          !s.ok()) {
        return LineError(name, line_no, s.message());
      }
      return Status::Ok();
    }
    return LineError(name, line_no,
                     "an overlay line starts with `cue` or `weight` (see docs/complaints.md)");
  });
}

Result<std::shared_ptr<const ComplaintModel>> ComplaintModel::FromText(
    std::string_view cues_text, std::string_view weights_text, std::string_view cues_name,
    std::string_view weights_name) {
  std::shared_ptr<ComplaintModel> m(new ComplaintModel());
  EARSHOT_RETURN_IF_ERROR(m->ParseCues(cues_text, cues_name));
  EARSHOT_RETURN_IF_ERROR(m->ParseWeights(weights_text, weights_name, /*require_all=*/true));
  return std::shared_ptr<const ComplaintModel>(std::move(m));
}

Result<std::shared_ptr<const ComplaintModel>> ComplaintModel::Load(
    const std::filesystem::path& dir, const std::vector<std::filesystem::path>& overlays) {
  const auto cues_path = dir / "complaint_cues.tsv";
  const auto weights_path = dir / "complaint_weights.tsv";
  EARSHOT_ASSIGN_OR_RETURN(std::string cues, ReadRegularFileNamed(cues_path));
  EARSHOT_ASSIGN_OR_RETURN(std::string weights, ReadRegularFileNamed(weights_path));
  EARSHOT_ASSIGN_OR_RETURN(auto model,
                           FromText(cues, weights, cues_path.string(), weights_path.string()));
  for (const auto& overlay : overlays) {
    EARSHOT_ASSIGN_OR_RETURN(std::string text, ReadRegularFileNamed(overlay));
    EARSHOT_ASSIGN_OR_RETURN(model, model->WithOverlayText(overlay.string(), text));
  }
  return model;
}

Result<std::shared_ptr<const ComplaintModel>> ComplaintModel::WithOverlayText(
    std::string_view name, std::string_view text) const {
  std::shared_ptr<ComplaintModel> m(new ComplaintModel(*this));
  EARSHOT_RETURN_IF_ERROR(m->ParseOverlay(text, name));
  return std::shared_ptr<const ComplaintModel>(std::move(m));
}

}  // namespace earshot
