// rules_bench: how rule matching scales with the number of rules. Generates analyst-style rule
// files (a hashtag, a regex of word alternatives, a phrase list, the brand, a sentiment bound),
// loads them through the real loader, and runs distinct 150-byte posts through
// RuleSet::Evaluate (matching only) and Detector::Detect (with VADER) on one core.
// Also finds the smallest RE2 total budget each size compiles and matches in, and measures
// what `.{0,N}` gaps instead of `near` cost.
//
//   ninja -C build-release rules_bench && build-release/bench/rules_bench [posts [rules...]]
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "detectors/detector.h"
#include "detectors/rule_loader.h"

namespace earshot {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> Vocabulary(std::mt19937* rng, int n) {
  static const char* kCommon[] = {
      "the", "my", "and", "flight", "bag", "still", "waiting", "hours", "refund", "service",
      "you", "again", "today", "customer", "staff", "phone", "order", "delivery", "late", "why",
      "is", "was", "not", "no", "this", "that", "for", "with", "at", "on", "in", "to", "of"};
  std::vector<std::string> words(std::begin(kCommon), std::end(kCommon));
  std::uniform_int_distribution<int> len(3, 9), letter(0, 25);
  while (static_cast<int>(words.size()) < n) {
    std::string w;
    for (int i = len(*rng); i > 0; --i) w += static_cast<char>('a' + letter(*rng));
    words.push_back(w);
  }
  return words;
}

// One analyst-style rule; `gap` writes the proximity as a regex gap instead of `near`.
std::string MakeRule(int i, const std::vector<std::string>& v, std::mt19937* rng, bool gap) {
  std::uniform_int_distribution<size_t> pick(40, v.size() - 1);
  auto w = [&] { return v[pick(*rng)]; };
  std::string proximity =
      gap ? fmt::format("      - regex: '\\b(?:{}|{}).{{0,30}}\\b(?:{}|{})\\b'\n", w(), w(), w(),
                        w())
          : fmt::format("      - near: 4\n        terms: [[{}, {}], [{}, {}]]\n", w(), w(), w(),
                        w());
  return fmt::format(
      "- rule: r{}\n  description: generated rule {}\n  category: complaint\n  severity: medium\n"
      "  match:\n    any:\n      - hashtag: \"{{{{brand}}}}{}\"\n"
      "      - regex: '\\b(?:{}|{}|{})\\s+(?:{}|{})\\b'\n"
      "      - phrase: [\"{} {}\", \"{} {}\", \"{} {}\"]\n{}"
      "    none:\n      - sentiment: {{above: 0.6}}\n",
      i, i, w(), w(), w(), w(), w(), w(), w(), w(), w(), w(), w(), w(), proximity);
}

std::vector<Post> MakePosts(int n, const std::vector<std::string>& v, std::mt19937* rng) {
  std::uniform_int_distribution<size_t> pick(0, v.size() - 1);
  std::vector<Post> posts;
  for (int i = 0; i < n; ++i) {
    Post p;
    p.network = "mastodon";
    p.id = std::to_string(i);
    p.author.handle = "someone@example.social";
    p.language = "en";
    while (p.text.size() < 150) {
      if (!p.text.empty()) p.text += ' ';
      p.text += v[pick(*rng)];
    }
    if (i % 4 == 0) {
      p.text += " @acmeair";
      p.mentions.push_back("acmeair");
    }
    if (i % 10 == 0) p.hashtags.push_back("acmeair" + v[pick(*rng)]);
    posts.push_back(std::move(p));
  }
  return posts;
}

struct Figures {
  double load_ms = 0, match_ns = 0, detect_ns = 0, matches_per_post = 0;
  size_t regexes = 0;
  uint64_t dfa_failures = 0;
};

std::shared_ptr<const RuleSet> Load(const std::string& text, int64_t budget) {
  RuleLoadOptions options;
  options.brands = {"AcmeAir"};
  options.re2_max_mem_total = budget;
  Diagnostics diags;
  auto rules = LoadRulesFromText({{"bench.yaml", text}}, options, &diags);
  if (!rules.ok()) return nullptr;
  return *rules;
}

Figures Run(const std::string& text, const std::vector<Post>& posts,
            const std::shared_ptr<const SentimentAnalyzer>& sentiment,
            const std::shared_ptr<const ComplaintScorer>& complaint, int64_t budget) {
  Figures f;
  auto t0 = Clock::now();
  std::shared_ptr<const RuleSet> rules = Load(text, budget);
  f.load_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (rules == nullptr) return f;
  f.regexes = rules->matcher().regex_count();
  size_t matches = 0;
  for (int round = 0; round < 2; ++round) {  // the first round warms the DFA cache
    matches = 0;
    auto t1 = Clock::now();
    for (const Post& p : posts) matches += rules->Evaluate(p, 0.0).size();
    f.match_ns = std::chrono::duration<double, std::nano>(Clock::now() - t1).count() /
                 static_cast<double>(posts.size());
  }
  f.matches_per_post = static_cast<double>(matches) / static_cast<double>(posts.size());
  Detector detector(rules, sentiment, complaint);
  auto t2 = Clock::now();
  for (const Post& p : posts) matches += detector.Detect(p).detections.size();
  f.detect_ns = std::chrono::duration<double, std::nano>(Clock::now() - t2).count() /
                static_cast<double>(posts.size());
  f.dfa_failures = rules->matcher().dfa_failures();
  return f;
}

// The smallest power-of-two MiB budget that compiles the set and matches without a DFA failure.
int64_t SmallestBudget(const std::string& text, const std::vector<Post>& sample) {
  for (int64_t mib = 1; mib <= 4096; mib *= 2) {
    std::shared_ptr<const RuleSet> rules = Load(text, mib << 20);
    if (rules == nullptr) continue;
    for (const Post& p : sample) (void)rules->Evaluate(p, 0.0);
    if (rules->matcher().dfa_failures() == 0) return mib;
  }
  return -1;
}

int Main(int argc, char** argv) {
  int n_posts = argc > 1 ? std::atoi(argv[1]) : 100'000;
  std::mt19937 rng(42);
  std::vector<std::string> vocab = Vocabulary(&rng, 20'000);
  std::vector<Post> posts = MakePosts(n_posts, vocab, &rng);
  std::vector<Post> sample(posts.begin(), posts.begin() + std::min<size_t>(posts.size(), 20'000));
  auto lexicon = Lexicon::Load(EARSHOT_SOURCE_DIR "/rules/lexicon");
  if (!lexicon.ok()) {
    fmt::print(stderr, "{}\n", lexicon.status().message());
    return 1;
  }
  auto sentiment = std::make_shared<const SentimentAnalyzer>(*lexicon);
  auto model = ComplaintModel::Load(EARSHOT_SOURCE_DIR "/rules/lexicon");
  if (!model.ok()) {
    fmt::print(stderr, "{}\n", model.status().message());
    return 1;
  }
  auto complaint = std::make_shared<const ComplaintScorer>(*model);

  fmt::print("{} distinct posts of ~150 bytes; one core; budgets in MiB\n\n", posts.size());
  fmt::print("{:>6} {:>5} {:>8} {:>9} {:>12} {:>13} {:>12} {:>8} {:>7}\n", "rules", "gaps",
             "regexes", "load ms", "match ns", "match posts/s", "detect posts/s", "budget",
             "hits");
  std::vector<int> sizes = {10, 100, 500, 1000, 5000};
  if (argc > 2) sizes.clear();
  for (int i = 2; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  for (int n : sizes) {
    for (bool gap : {false, true}) {
      if (gap && n != 500) continue;
      std::string text;
      std::mt19937 rule_rng(7);
      for (int i = 0; i < n; ++i) text += MakeRule(i, vocab, &rule_rng, gap);
      int64_t budget = SmallestBudget(text, sample);
      Figures f = Run(text, posts, sentiment, complaint, 1024LL << 20);
      fmt::print("{:>6} {:>5} {:>8} {:>9.0f} {:>12.0f} {:>13.0f} {:>12.0f} {:>8} {:>7.3f}{}\n", n,
                 gap ? "yes" : "no", f.regexes, f.load_ms, f.match_ns, 1e9 / f.match_ns,
                 1e9 / f.detect_ns, budget, f.matches_per_post,
                 f.dfa_failures ? fmt::format("  ({} DFA failures)", f.dfa_failures) : "");
    }
  }
  return 0;
}

}  // namespace
}  // namespace earshot

int main(int argc, char** argv) { return earshot::Main(argc, argv); }
