// The spine's hot path on one core: Mastodon timeline pages (40 statuses each, the documented
// Status entity at its real size) through parse + HTML strip + normalize (StatusParser) and
// detect (RE2::Set rules + VADER), on 20,000 DISTINCT statuses: a repeated page would flatter
// the figures, since simdjson, RE2's DFA cache and the branch predictors all learn it.
//
//   build/bench/earshot_bench_pipeline [rounds]
//
// Prints posts/s and MB/s for the whole path and for each stage alone, best of `rounds`.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/config/diagnostics.h"
#include "daemon/sources/mastodon/html_text.h"
#include "daemon/sources/mastodon/status_parser.h"
#include "detectors/detector.h"
#include "detectors/lexicon.h"
#include "detectors/rule_loader.h"
#include "detectors/sentiment.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "cannot read {}\n", path);
    std::exit(1);
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void ReplaceFirst(std::string* s, std::string_view from, std::string_view to) {
  auto at = s->find(from);
  if (at != std::string::npos) s->replace(at, from.size(), to);
}

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;
    out += c;
  }
  return out + "\"";
}

// Distinct statuses: the documented example with its id, author and content replaced by one
// reference sentence each, rendered as Mastodon renders a toot (paragraph, a hashtag link).
std::vector<std::string> MakePages(const std::string& tmpl, const std::vector<std::string>& texts,
                                   size_t* bytes) {
  std::vector<std::string> pages;
  std::string page = "[";
  int in_page = 0;
  *bytes = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::string s = tmpl;
    ReplaceFirst(&s, "\"103270115826048975\"", fmt::format("\"{}\"", 110000000000000000 + i));
    ReplaceFirst(&s, "\"acct\": \"Gargron\"", fmt::format("\"acct\": \"user{}@example.social\"", i % 977));
    const size_t c = s.find("\"content\": \"");
    const size_t end = s.find("\",\n", c);
    const std::string tag = i % 3 == 0 ? "AcmeAirSucks" : (i % 3 == 1 ? "travel" : "AcmeAir");
    const std::string html = fmt::format(
        "<p>{} <a href=\"https://mastodon.example/tags/{}\" class=\"mention hashtag\" "
        "rel=\"tag\">#<span>{}</span></a></p>",
        earshot::mastodon::HtmlEscape(texts[i]), tag, tag);
    s.replace(c, end + 1 - c, "\"content\": " + JsonString(html));
    page += (in_page ? "," : "") + s;
    if (++in_page == 40 || i + 1 == texts.size()) {
      page += "]";
      *bytes += page.size();
      pages.push_back(std::move(page));
      page = "[";
      in_page = 0;
    }
  }
  return pages;
}

template <class F>
double BestSeconds(int rounds, F&& run) {
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    const auto start = Clock::now();
    run();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace earshot;
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const std::string root = EARSHOT_SOURCE_DIR;
  const std::string tmpl = Slurp(root + "/tests/data/mastodon/mastodon-status.json");
  std::vector<std::string> texts;
  {
    std::istringstream tsv(Slurp(root + "/tests/data/vader/reference_scores.tsv"));
    std::string line;
    std::getline(tsv, line);  // header
    while (std::getline(tsv, line)) texts.push_back(line.substr(0, line.find('\t')));
  }
  size_t bytes = 0;
  const std::vector<std::string> pages = MakePages(tmpl, texts, &bytes);

  auto lexicon = Lexicon::Load(root + "/rules/lexicon");
  if (!lexicon.ok()) {
    fmt::print(stderr, "{}\n", lexicon.status().ToString());
    return 1;
  }
  auto sentiment = std::make_shared<const SentimentAnalyzer>(*lexicon);
  Diagnostics diags;
  RuleLoadOptions options;
  options.brands = {"AcmeAir", "FedEx", "Comcast"};
  auto rules = LoadRules({root + "/rules/complaints.yaml", root + "/rules/resolution.yaml",
                          root + "/rules/praise.yaml"},
                         options, &diags);
  if (!rules.ok()) {
    fmt::print(stderr, "{}\n{}\n", diags.ToText(), rules.status().ToString());
    return 1;
  }
  auto complaint_model = ComplaintModel::Load(root + "/rules/lexicon");
  if (!complaint_model.ok()) {
    fmt::print(stderr, "{}\n", complaint_model.status().ToString());
    return 1;
  }
  const Detector detector(*rules, sentiment,
                          std::make_shared<const ComplaintScorer>(*complaint_model));

  mastodon::StatusParser parser("mastodon.example");
  std::vector<Post> posts;
  size_t detections = 0;
  const double parse_s = BestSeconds(rounds, [&] {
    posts.clear();
    for (const std::string& p : pages) {
      mastodon::ParsedPage parsed;
      if (!parser.ParseStatusPage(p, &parsed).ok()) std::exit(2);
      for (Post& post : parsed.posts) posts.push_back(std::move(post));
    }
  });
  const double detect_s = BestSeconds(rounds, [&] {
    detections = 0;
    for (const Post& post : posts) detections += detector.Detect(post).detections.size();
  });
  double checksum = 0;
  const double score_s = BestSeconds(rounds, [&] {
    for (const Post& post : posts) checksum += sentiment->Score(post.text).compound;
  });
  const double total_s = BestSeconds(rounds, [&] {
    for (const std::string& p : pages) {
      mastodon::ParsedPage parsed;
      if (!parser.ParseStatusPage(p, &parsed).ok()) std::exit(2);
      for (const Post& post : parsed.posts) detections += detector.Detect(post).detections.size();
    }
  });

  const double n = static_cast<double>(posts.size());
  const double mb = static_cast<double>(bytes) / 1e6;
  fmt::print("earshot pipeline bench: {} distinct statuses in {} pages, {:.1f} MB of JSON, "
             "best of {} rounds, one core\n",
             posts.size(), pages.size(), mb, rounds);
  auto row = [&](std::string_view stage, double s) {
    fmt::print("  {:<34} {:>10.0f} posts/s {:>8.1f} MB/s {:>7.2f} us/post\n", stage, n / s, mb / s,
               s / n * 1e6);
  };
  row("parse + strip + normalize", parse_s);
  row("detect (rules + sentiment)", detect_s);
  row("  of which sentiment alone", score_s);
  row("whole path", total_s);
  fmt::print("  {} rules matched on {} posts (checksum {:.3f})\n", detections, posts.size(),
             checksum);
  return 0;
}
