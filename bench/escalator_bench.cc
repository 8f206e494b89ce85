// Escalator throughput and memory. Each scenario feeds batches of 40 detected posts (the size
// of a Mastodon page) through Escalator::Process on a real SQLite file: seen-post checks,
// incidents, the outbox JSON and one fsynced commit per batch, exactly as the daemon runs.
//
//   earshot_bench_escalator [--dir DIR] [--batches N] [--incidents N]
//
// Scenarios: "open" (every post a new author: 40 incidents and 40 pages per batch, the worst
// case), "join" (complaints joining 200 open incidents silently), "mixed" (4 of 40 posts match a
// rule, the rest matched nothing, as on a busy hashtag); these three run with surge detection
// off, to measure incidents alone. Then with surge detection on (the default): "storm" (the
// "open" stream: one surge, every later page inhibited) and "tags" (every post a new hashtag:
// 40 new surge keys per batch), then the cost of a timer step scanning those keys. Then memory:
// RSS growth with N open incidents in the escalator's cache.
//
// Posts are stamped with the real clock, so a surge starts and stays open during the run.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/base/log.h"
#include "daemon/escalator/escalator.h"
#include "daemon/state/state_store.h"

using namespace earshot;  // NOLINT

namespace {

long RssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return 0;
}

DetectedPost MakePost(int64_t n, const std::string& author, bool detected) {
  DetectedPost dp;
  Post& p = dp.post;
  p.network = "mastodon";
  p.id = std::to_string(110000000000000000LL + n);
  p.url = "https://mastodon.example/@" + author + "/" + p.id;
  p.created_at = FromUnixMillis(1'795'000'000'000 + n * 1000);
  p.author = {author, "id-" + author, "Customer " + author, 100 + n % 50000, false};
  p.text = fmt::format("@AcmeAir my bag has been lost for {} days, nobody answers the phone "
                       "#AcmeAirFail #lostluggage",
                       n % 9 + 1);
  p.hashtags = {"acmeairfail", "lostluggage"};
  p.thread_key = p.id;
  dp.sentiment = -0.6;
  if (detected) {
    Detection d;
    d.rule_id = "lost-baggage";
    d.severity = Severity::kMedium;
    d.labels = {{"brand", "acmeair"}, {"team", "baggage"}};
    dp.detections.push_back(d);
  }
  return dp;
}

struct Scenario {
  const char* name;
  // Returns the post at index n (0-based across the run).
  std::function<DetectedPost(int64_t)> post;
  bool surges = false;
};

void Run(const std::filesystem::path& dir, const Scenario& s, int batches) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto store = StateStore::Open(dir / "state.db");
  if (!store.ok()) {
    fmt::print(stderr, "{}\n", store.status().ToString());
    std::exit(1);
  }
  int64_t pages = 0;
  EscalatorOptions o;
  o.group_wait = std::chrono::seconds(0);
  o.surge_enabled = s.surges;
  Escalator esc(**store, o, RealClock(), [&](const Escalation&, std::string_view) { ++pages; });
  int64_t n = 0, detected = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int b = 0; b < batches; ++b) {
    PostBatch batch;
    batch.source = "mastodon:acmeair";
    batch.cursor = std::to_string(n);
    for (int i = 0; i < 40; ++i) {
      batch.posts.push_back(s.post(n++));
      detected += batch.posts.back().detections.empty() ? 0 : 1;
    }
    if (Status st = esc.Process(batch); !st.ok()) {
      fmt::print(stderr, "{}\n", st.ToString());
      std::exit(1);
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("{:<6} {:>6} batches {:>8} posts {:>7} detections {:>7} pages  {:>9.0f} posts/s  "
             "{:>8.0f} detections/s  {:>6.1f} us/detection  {:>6.0f} commits/s\n",
             s.name, batches, n, detected, pages, n / secs, detected / secs,
             detected ? secs * 1e6 / detected : 0.0, batches / secs);
  if (s.surges) {
    auto t1 = std::chrono::steady_clock::now();
    if (Status st = esc.Tick(); !st.ok()) std::exit(1);
    fmt::print("       timer step with {} surge(s) open: {:.2f} ms\n", esc.active_surges().size(),
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1)
                   .count());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "earshot-bench-escalator";
  int batches = 500, incidents = 100000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--dir") dir = argv[i + 1];
    if (flag == "--batches") batches = std::stoi(argv[i + 1]);
    if (flag == "--incidents") incidents = std::stoi(argv[i + 1]);
  }
  log::SetLevel(log::Level::kWarn);
  fmt::print("escalator bench: {} (synchronous=FULL, WAL), 40 posts per batch\n", dir.string());
  const Scenario scenarios[] = {
      {"open", [](int64_t n) { return MakePost(n, fmt::format("user{}", n), true); }},
      {"join",
       [](int64_t n) {
         DetectedPost p = MakePost(n, fmt::format("user{}", n % 200), true);
         p.post.thread_key = "thread-" + p.post.author.handle;
         return p;
       }},
      {"mixed", [](int64_t n) { return MakePost(n, fmt::format("user{}", n), n % 10 == 0); }},
      {"storm", [](int64_t n) { return MakePost(n, fmt::format("user{}", n), true); }, true},
      {"tags",
       [](int64_t n) {
         DetectedPost p = MakePost(n, fmt::format("user{}", n), true);
         p.post.hashtags = {fmt::format("tag{}", n)};
         p.detections[0].labels["brand"] = fmt::format("brand{}", n);  // nothing inhibited
         return p;
       },
       true},
  };
  for (const Scenario& s : scenarios) Run(dir / s.name, s, batches);

  // Memory: the escalator caches every open incident; load N of them and measure RSS growth.
  std::filesystem::remove_all(dir / "memory");
  std::filesystem::create_directories(dir / "memory");
  {
    auto store = StateStore::Open(dir / "memory" / "state.db");
    EscalatorOptions o;
    o.surge_enabled = false;  // incidents alone; a surge would hold the storm's posts too
    Escalator esc(**store, o, RealClock(), nullptr);
    const long before = RssKiB();
    int64_t n = 0;
    auto t0 = std::chrono::steady_clock::now();
    while (n < incidents) {
      PostBatch batch;
      batch.source = "mastodon:acmeair";
      for (int i = 0; i < 40 && n < incidents; ++i, ++n) {
        batch.posts.push_back(MakePost(n, fmt::format("user{}", n), true));
      }
      if (Status st = esc.Process(batch); !st.ok()) {
        fmt::print(stderr, "{}\n", st.ToString());
        return 1;
      }
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const long after = RssKiB();
    fmt::print("memory {} open incidents: RSS +{:.1f} MiB ({:.0f} bytes per incident, including "
               "SQLite's page cache); opened in {:.1f}s\n",
               esc.active_incidents(), (after - before) / 1024.0,
               (after - before) * 1024.0 / static_cast<double>(esc.active_incidents()), secs);
    // Restart cost: a new escalator loads the open incidents on its first step.
    Escalator fresh(**store, o, RealClock(), nullptr);
    auto t1 = std::chrono::steady_clock::now();
    if (Status st = fresh.Tick(); !st.ok()) return 1;
    fmt::print("restart: loaded {} open incidents in {:.2f}s\n", fresh.active_incidents(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
  }
  std::filesystem::remove_all(dir);
  return 0;
}
