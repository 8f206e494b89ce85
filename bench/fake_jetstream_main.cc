// earshot_fake_jetstream: the fake Jetstream on its own, playing a generated firehose
// (fake_jetstream_firehose.h), for running `earshot run` against by hand or from a benchmark.
// Prints its URL on the first line of stdout, then a line of progress every 10 s on stderr, and
// runs until SIGINT or SIGTERM. The firehose starts with the first client to connect.
//
//   build/bench/earshot_fake_jetstream [--port 0] [--rate 5000] [--posts 300000] [--brands 1]
//       [--brand-every 50] [--poison-every 0] [--seed 1]
//
// --rate 0 plays as fast as the client reads. The brands are FirehoseBrands(n): AcmeAir, then
// invented names; `--print-brands` prints them (one a line) and exits, for earshot.yaml.
#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <string>

#include "daemon/sources/fake/fake_jetstream.h"

int main(int argc, char** argv) {
  using namespace earshot;
  FakeJetstreamOptions options;
  FirehosePlan plan;
  int brands = 1;
  bool print_brands = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--print-brands") {
      print_brands = true;
      continue;
    }
    if (i + 1 >= argc || !arg.starts_with("--")) {
      fmt::print(stderr,
                 "usage: {} [--port P] [--rate R] [--posts N] [--brands B] "
                 "[--brand-every E] [--poison-every P] [--seed S] [--print-brands]\n",
                 argv[0]);
      return 2;
    }
    const long long v = std::atoll(argv[++i]);
    if (arg == "--port")
      options.port = static_cast<uint16_t>(v);
    else if (arg == "--rate")
      plan.posts_per_second = v;
    else if (arg == "--posts")
      plan.posts = v;
    else if (arg == "--brands")
      brands = static_cast<int>(v);
    else if (arg == "--brand-every")
      plan.brand_every = static_cast<int>(v);
    else if (arg == "--poison-every")
      plan.poison_every = static_cast<int>(v);
    else if (arg == "--seed")
      plan.seed = static_cast<uint64_t>(v);
    else {
      fmt::print(stderr, "unknown option {}\n", arg);
      return 2;
    }
  }
  plan.brands = FirehoseBrands(brands);
  if (print_brands) {
    for (const std::string& b : plan.brands) fmt::print("{}\n", b);
    return 0;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread: only sigtimedwait sees them
  auto fake = FakeJetstream::Start(options);
  if (!fake.ok()) {
    fmt::print(stderr, "{}\n", fake.status().ToString());
    return 1;
  }
  const int64_t posts = plan.posts;
  if (Status s = (*fake)->PlayGenerated(std::move(plan)); !s.ok()) {
    fmt::print(stderr, "{}\n", s.ToString());
    return 1;
  }
  fmt::print("{}\n", (*fake)->url());
  std::fflush(stdout);
  const timespec every{10, 0};
  for (;;) {
    const int got = sigtimedwait(&signals, nullptr, &every);
    if (got == SIGINT || got == SIGTERM) break;
    auto firehose = (*fake)->firehose();
    fmt::print(stderr, "earshot_fake_jetstream: {} connection(s), {} events sent of {}\n",
               (*fake)->connections(), (*fake)->events_sent(),
               firehose ? firehose->Tally(posts).events : 0);
  }
  (*fake)->Stop();
  return 0;
}
