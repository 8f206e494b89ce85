// The complaint scorer's cost per post on one core, beside VADER's, whose scores it takes as
// input: what adding complaint scoring costs the detector's hot path.
//
//   build/bench/earshot_bench_complaint [rounds] [reference_scores.tsv] [complaints_dir]
//
// Corpora, each scored once per round, best round reported:
//   sentences  the 20,000 distinct reference sentences of tests/data/vader/ (about 85 bytes)
//   posts      the "text" of every line of tests/data/complaints/*.jsonl (about 700 real-shaped
//              posts; a small corpus, so caches and branch predictors know it after a round)
// For each: VADER alone; the complaint scorer alone, given VADER's scores computed beforehand;
// and both, as the detector runs them. Prints posts/s and ns/post. Build with optimisation
// (CMAKE_BUILD_TYPE=Release).
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "detectors/complaint_model.h"
#include "detectors/complaint_scorer.h"
#include "detectors/lexicon.h"
#include "detectors/sentiment.h"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  fmt::print(stderr, "{}\n", what);
  std::exit(1);
}

std::vector<std::string> ReadSentences(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::vector<std::string> texts;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) texts.push_back(line.substr(0, line.find('\t')));
  return texts;
}

// The "text" field of each line of each *.jsonl file in `dir`, files in name order.
std::vector<std::string> ReadPosts(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".jsonl") files.push_back(entry.path());
  }
  if (ec) Die(fmt::format("cannot list {}: {}", dir.string(), ec.message()));
  std::sort(files.begin(), files.end());
  std::vector<std::string> texts;
  simdjson::ondemand::parser parser;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.empty()) continue;
      simdjson::padded_string padded(line);
      simdjson::ondemand::document doc;
      std::string_view text;
      if (parser.iterate(padded).get(doc) || doc["text"].get_string().get(text)) {
        Die(fmt::format("{}:{}: no \"text\" string", file.string(), line_no));
      }
      texts.emplace_back(text);
    }
  }
  if (texts.empty()) Die("no posts in " + dir.string() + "/*.jsonl");
  return texts;
}

struct Figures {
  double seconds;
  size_t texts;
};

void Print(const char* corpus, const char* what, const Figures& f) {
  const auto texts = static_cast<double>(f.texts);
  fmt::print("{:<10} {:<10} {:>6} posts  {:>10.0f} posts/s  {:>7.0f} ns/post\n", corpus, what,
             f.texts, texts / f.seconds, f.seconds * 1e9 / texts);
}

// Best of `rounds` passes of `score` over every text; `score(i)` returns a number to sum, so
// that nothing is optimised away.
template <class Fn>
Figures Best(size_t texts, int rounds, double* checksum, Fn score) {
  double best = 1e100;
  for (int r = 0; r < rounds; ++r) {
    const auto start = Clock::now();
    double sum = 0;
    for (size_t i = 0; i < texts; ++i) sum += score(i);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
    *checksum += sum;
  }
  return {best, texts};
}

void BenchCorpus(const char* name, const std::vector<std::string>& texts,
                 const earshot::SentimentAnalyzer& vader, const earshot::ComplaintScorer& scorer,
                 int rounds, double* checksum) {
  std::vector<earshot::SentimentScores> scores;
  scores.reserve(texts.size());
  for (const auto& t : texts) scores.push_back(vader.Score(t));
  Print(name, "vader", Best(texts.size(), rounds, checksum, [&](size_t i) {
          return vader.Score(texts[i]).compound;
        }));
  Print(name, "complaint", Best(texts.size(), rounds, checksum, [&](size_t i) {
          return scorer.Score(texts[i], scores[i], false);
        }));
  Print(name, "both", Best(texts.size(), rounds, checksum, [&](size_t i) {
          return scorer.Score(texts[i], vader.Score(texts[i]), false);
        }));
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  const std::string source = EARSHOT_SOURCE_DIR;
  const std::string tsv = argc > 2 ? argv[2] : source + "/tests/data/vader/reference_scores.tsv";
  const std::string posts_dir = argc > 3 ? argv[3] : source + "/tests/data/complaints";
  const std::string lexicon_dir = source + "/rules/lexicon";

  const auto load_start = Clock::now();
  auto lexicon = earshot::Lexicon::Load(lexicon_dir);
  if (!lexicon.ok()) Die(lexicon.status().message());
  const earshot::SentimentAnalyzer vader(*lexicon);
  const double vader_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - load_start).count();
  const auto model_start = Clock::now();
  auto model = earshot::ComplaintModel::Load(lexicon_dir);
  if (!model.ok()) Die(model.status().message());
  const earshot::ComplaintScorer scorer(*model);
  const double model_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - model_start).count();

  const std::vector<std::string> sentences = ReadSentences(tsv);
  const std::vector<std::string> posts = ReadPosts(posts_dir);
  fmt::print(
      "earshot complaint scorer beside VADER, one core, best of {} rounds\n"
      "(VADER lexicon + tables: {:.1f} ms; complaint model, {} cues: {:.1f} ms)\n",
      rounds, vader_ms, (*model)->cues().size(), model_ms);
  double checksum = 0;
  BenchCorpus("sentences", sentences, vader, scorer, rounds, &checksum);
  BenchCorpus("posts", posts, vader, scorer, rounds, &checksum);
  fmt::print("(checksum {:.6f})\n", checksum);
  return 0;
}
