// Firehose ingest on one core: how many Jetstream frames and posts a second earshot takes in,
// through (a) the frame parser alone (JetstreamParser), (b) the parser and the full detector
// (the shipped rule packs, the lexicon, the complaint scorer) watching 1 and 100 brands, from a
// corpus generated in memory (fake_jetstream_firehose.h: distinct posts in six languages, one
// in 50 naming a brand, identities, deletes and account events between them; no network), and
// (c) end to end over loopback: FakeJetstream playing the generated firehose as fast as the
// client reads -> JetstreamSource::Next (WebSocket, parse, cursor, duplicate filter) -> the
// detector with 100 brands. (c) has two threads, the fake's server (which generates every frame
// as it sends it) and the reader: its wall-clock figure is the slower of the two, and the
// reader's own CPU time per post is printed beside it.
//
//   build/bench/earshot_bench_firehose [--posts 100000] [--rounds 3] [--loopback-posts 300000]
//
// Bluesky's whole network posted ~20-60 posts/s on average in 2025 (peaks a few hundred);
// Jetstream's full stream of every collection is ~2,000-5,000 events/s.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "daemon/config/diagnostics.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/sources/bluesky/jetstream_event.h"
#include "daemon/sources/bluesky/jetstream_source.h"
#include "daemon/sources/fake/fake_jetstream.h"
#include "detectors/detector.h"
#include "detectors/lexicon.h"
#include "detectors/rule_loader.h"
#include "detectors/sentiment.h"

namespace {

using namespace earshot;
using Steady = std::chrono::steady_clock;

struct Corpus {
  std::vector<std::string> frames;
  size_t bytes = 0;
  int64_t posts = 0;
};

FirehosePlan Plan(int64_t posts, int brands) {
  FirehosePlan plan;
  plan.posts_per_second = 0;  // as fast as read
  plan.posts = posts;
  plan.brands = FirehoseBrands(brands);
  plan.brand_every = 50;
  plan.extra_every = 20;
  plan.seed = 7;
  return plan;
}

Corpus MakeCorpus(int64_t posts, int brands) {
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const JetstreamFirehose firehose(Plan(posts, brands), now);
  Corpus c;
  for (auto p = JetstreamFirehose::Position{}; p != firehose.end(); p = firehose.After(p)) {
    c.frames.push_back(firehose.Frame(p));
    c.bytes += c.frames.back().size();
  }
  c.posts = posts;
  return c;
}

std::unique_ptr<Detector> MakeDetector(int brands) {
  const std::string root = EARSHOT_SOURCE_DIR;
  auto lexicon = Lexicon::Load(root + "/rules/lexicon");
  auto complaint_model = ComplaintModel::Load(root + "/rules/lexicon");
  if (!lexicon.ok() || !complaint_model.ok()) {
    fmt::print(stderr, "cannot load {}/rules/lexicon\n", root);
    std::exit(1);
  }
  Diagnostics diags;
  RuleLoadOptions options;
  options.brands = FirehoseBrands(brands);
  auto rules = LoadRules({root + "/rules/complaints.yaml", root + "/rules/resolution.yaml",
                          root + "/rules/praise.yaml"},
                         options, &diags);
  if (!rules.ok()) {
    fmt::print(stderr, "{}\n{}\n", diags.ToText(), rules.status().ToString());
    std::exit(1);
  }
  return std::make_unique<Detector>(*rules, std::make_shared<const SentimentAnalyzer>(*lexicon),
                                    std::make_shared<const ComplaintScorer>(*complaint_model));
}

template <class F>
double BestSeconds(int rounds, F&& run) {
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    const auto start = Steady::now();
    run();
    best = std::min(best, std::chrono::duration<double>(Steady::now() - start).count());
  }
  return best;
}

void Row(std::string_view what, size_t frames, int64_t posts, size_t bytes, double s,
         std::string_view note = "") {
  fmt::print("  {:<46} {:>10.0f} {:>10.0f} {:>7} {:>8.2f}  {}\n", what,
             static_cast<double>(frames) / s, static_cast<double>(posts) / s,
             bytes ? fmt::format("{:.1f}", static_cast<double>(bytes) / 1e6 / s) : "-",
             s / static_cast<double>(posts) * 1e6, note);
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// What the poller does with a firehose post: the local filter, then the full detector only for
// the posts it lets through (Source::hears_everything, Detector::MayMatch).
size_t Judge(const Detector& detector, const Post& post, bool filter) {
  if (filter && !detector.MayMatch(post)) return 0;
  return detector.Detect(post).detections.size();
}

// Parses every frame; with a detector, detects every post (through the local filter when
// `filter`). Returns detections.
size_t Ingest(const Corpus& c, const Detector* detector, bool filter = false) {
  bluesky::JetstreamParser parser;
  bluesky::JetstreamEvent event;
  size_t detections = 0;
  for (const std::string& frame : c.frames) {
    if (!parser.Parse(frame, &event).ok()) std::exit(2);
    if (detector && event.kind == bluesky::JetstreamEvent::Kind::kPost) {
      detections += Judge(*detector, event.post, filter);
    }
  }
  return detections;
}

// (c): the fake's firehose over loopback through JetstreamSource and the detector.
void Loopback(int64_t posts, int brands, const Detector& detector) {
  auto fake = FakeJetstream::Start();
  if (!fake.ok() || !(*fake)->PlayGenerated(Plan(posts, brands)).ok()) std::exit(3);
  JetstreamSourceConfig config;
  config.name = "bench";
  config.instances = {(*fake)->url()};
  config.slice = std::chrono::milliseconds(200);
  auto source = JetstreamSource::Create(config, RealClock());
  auto http = CurlHttpClient::Create();
  if (!source.ok() || !http.ok()) std::exit(3);
  const auto& stats = static_cast<JetstreamSource&>(**source).stats();
  size_t detections = 0;
  const auto start = Steady::now();
  const double cpu_start = ThreadCpuSeconds();
  while (stats.posts < posts) {
    SourceBatch batch;
    if (!(*source)->Next(std::stop_token(), **http, &batch).ok()) std::exit(4);
    for (const Post& p : batch.posts) detections += Judge(detector, p, /*filter=*/true);
  }
  const double s = std::chrono::duration<double>(Steady::now() - start).count();
  const double cpu = ThreadCpuSeconds() - cpu_start;
  const FirehoseTally tally = (*fake)->firehose()->Tally(posts);
  const auto frames = static_cast<size_t>(tally.events);
  Row(fmt::format("(c) loopback, {} brands, filtered: wall clock", brands), frames, posts, 0, s,
      fmt::format("{} posts, {} detections, {} connection(s)", posts, detections,
                  (*fake)->connections()));
  Row("    the reader thread's CPU time alone", frames, posts, 0, cpu,
      "Next (WebSocket, parse, cursor) + filter + detect");
}

}  // namespace

int main(int argc, char** argv) {
  int64_t posts = 100000, loopback_posts = 300000;
  int rounds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--posts")) posts = std::atoll(argv[i + 1]);
    if (!std::strcmp(argv[i], "--rounds")) rounds = std::max(1, std::atoi(argv[i + 1]));
    if (!std::strcmp(argv[i], "--loopback-posts")) loopback_posts = std::atoll(argv[i + 1]);
  }
  const auto gen_start = Steady::now();
  const Corpus one = MakeCorpus(posts, 1);
  const double gen_s = std::chrono::duration<double>(Steady::now() - gen_start).count();
  const Corpus hundred = MakeCorpus(posts, 100);
  const auto detector1 = MakeDetector(1);
  const auto detector100 = MakeDetector(100);
  fmt::print(
      "earshot firehose bench: {} posts in {} frames, {:.1f} MB of JSON ({:.0f} B/frame), "
      "best of {} rounds\n",
      posts, one.frames.size(), static_cast<double>(one.bytes) / 1e6,
      static_cast<double>(one.bytes) / static_cast<double>(one.frames.size()), rounds);
  fmt::print("  {:<46} {:>10} {:>10} {:>7} {:>8}\n", "stage", "frames/s", "posts/s", "MB/s",
             "us/post");
  size_t d1 = 0, d100 = 0;
  const double parse_s = BestSeconds(rounds, [&] { Ingest(one, nullptr); });
  Row("(a) parse only (JetstreamParser)", one.frames.size(), one.posts, one.bytes, parse_s);
  const double d1_s = BestSeconds(rounds, [&] { d1 = Ingest(one, detector1.get()); });
  Row("(b) parse + detect, 1 brand", one.frames.size(), one.posts, one.bytes, d1_s,
      fmt::format("{} detections", d1));
  const double d100_s = BestSeconds(rounds, [&] { d100 = Ingest(hundred, detector100.get()); });
  Row("(b) parse + detect, 100 brands", hundred.frames.size(), hundred.posts, hundred.bytes, d100_s,
      fmt::format("{} detections", d100));
  size_t f1 = 0, f100 = 0;
  const double f1_s = BestSeconds(rounds, [&] { f1 = Ingest(one, detector1.get(), true); });
  Row("(b') parse + local filter + detect, 1 brand", one.frames.size(), one.posts, one.bytes, f1_s,
      fmt::format("{} detections", f1));
  const double f100_s =
      BestSeconds(rounds, [&] { f100 = Ingest(hundred, detector100.get(), true); });
  Row("(b') parse + local filter + detect, 100 brands", hundred.frames.size(), hundred.posts,
      hundred.bytes, f100_s, fmt::format("{} detections", f100));
  if (f1 != d1 || f100 != d100) {
    fmt::print(stderr, "the local filter changed the detections: {} vs {}, {} vs {}\n", f1, d1,
               f100, d100);
    return 5;
  }
  Row("the fake's frame generation alone", one.frames.size(), one.posts, one.bytes, gen_s,
      "caps (c): the fake's server thread makes each frame");
  if (loopback_posts > 0) Loopback(loopback_posts, 100, *detector100);
  return 0;
}
