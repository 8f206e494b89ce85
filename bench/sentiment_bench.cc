// VADER scoring speed on one core, on DISTINCT texts: a small corpus repeated would flatter the
// figures (~70%: branch predictors and caches learn it).
//
//   build/bench/earshot_bench_sentiment [rounds] [reference_scores.tsv]
//
// Corpora, each scored once per round, best round reported:
//   sentences  the 20,000 reference sentences (about 85 bytes each)
//   posts      20,000 distinct social posts of about 150 bytes, each built from two different
//              sentences plus a mention and a hashtag
//   --json     the posts through `earshot score --json` (parse lines, score, format, write)
// Prints texts/s, ns/text and MB/s. Build with optimisation (CMAKE_BUILD_TYPE=Release).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/cli/commands.h"
#include "detectors/lexicon.h"
#include "detectors/sentiment.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> ReadSentences(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    fmt::print(stderr, "cannot read {}\n", path);
    std::exit(1);
  }
  std::vector<std::string> texts;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) texts.push_back(line.substr(0, line.find('\t')));
  return texts;
}

std::vector<std::string> MakePosts(const std::vector<std::string>& sentences) {
  std::vector<std::string> posts;
  posts.reserve(sentences.size());
  const size_t n = sentences.size();
  for (size_t i = 0; i < n; ++i) {
    std::string post = fmt::format("@airline{} ", i % 997);
    post += sentences[i];
    post += ' ';
    post += sentences[(i * 7919 + 13) % n];
    if (post.size() > 140) post.resize(post.rfind(' ', 140));
    post += fmt::format(" #fail{}", i % 101);
    posts.push_back(std::move(post));
  }
  return posts;
}

struct Figures {
  double seconds;
  size_t bytes;
  size_t texts;
};

void Print(const char* name, const Figures& f) {
  const auto texts = static_cast<double>(f.texts);
  const auto bytes = static_cast<double>(f.bytes);
  fmt::print("{:<10} {:>6} texts  {:>6.1f} B/text  {:>10.0f} texts/s  {:>7.0f} ns/text  "
             "{:>7.1f} MB/s\n",
             name, f.texts, bytes / texts, texts / f.seconds, f.seconds * 1e9 / texts,
             bytes / f.seconds / 1e6);
}

Figures BenchScore(const earshot::SentimentAnalyzer& analyzer,
                   const std::vector<std::string>& texts, int rounds, double* checksum) {
  size_t bytes = 0;
  for (const auto& t : texts) bytes += t.size();
  double best = 1e100;
  for (int r = 0; r < rounds; ++r) {
    const auto start = Clock::now();
    double sum = 0;
    for (const auto& t : texts) sum += analyzer.Score(t).compound;
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::min(best, s);
    *checksum += sum;
  }
  return {best, bytes, texts.size()};
}

Figures BenchCommand(const std::string& lexicon_dir, const std::vector<std::string>& texts,
                     int rounds) {
  std::string input;
  for (const auto& t : texts) input += t + "\n";
  double best = 1e100;
  for (int r = 0; r < rounds; ++r) {
    std::istringstream in(input);
    std::ostringstream out, err;
    const auto start = Clock::now();
    const int code = earshot::RunScoreCommand({"--lexicon", lexicon_dir, "--json"}, in, out, err);
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    if (code != 0) {
      fmt::print(stderr, "earshot score failed: {}\n", err.str());
      std::exit(1);
    }
    best = std::min(best, s);
  }
  return {best, input.size(), texts.size()};
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const std::string tsv = argc > 2 ? argv[2]
                                   : std::string(EARSHOT_SOURCE_DIR) +
                                         "/tests/data/vader/reference_scores.tsv";
  const std::string lexicon_dir = std::string(EARSHOT_SOURCE_DIR) + "/rules/lexicon";

  const auto load_start = Clock::now();
  auto lexicon = earshot::Lexicon::Load(lexicon_dir);
  if (!lexicon.ok()) {
    fmt::print(stderr, "{}\n", lexicon.status().message());
    return 1;
  }
  const earshot::SentimentAnalyzer analyzer(*lexicon);
  const double load_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - load_start).count();

  const std::vector<std::string> sentences = ReadSentences(tsv);
  const std::vector<std::string> posts = MakePosts(sentences);
  fmt::print("earshot VADER scorer, one core, best of {} rounds "
             "(lexicon load + tables: {:.1f} ms)\n",
             rounds, load_ms);
  double checksum = 0;
  Print("sentences", BenchScore(analyzer, sentences, rounds, &checksum));
  Print("posts", BenchScore(analyzer, posts, rounds, &checksum));
  // The command includes loading the lexicon once per run (a few ms), as a real run would.
  Print("--json", BenchCommand(lexicon_dir, posts, rounds));
  fmt::print("(checksum {:.6f})\n", checksum);
  return 0;
}
