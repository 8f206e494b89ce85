// What cluster mode costs per escalation, against the single node's SQLite path. Each path runs
// the same calls, one after another, and the figures are what a caller waits for:
//   - commit: one typical escalator step (a new incident with its post, its `open` event, one
//     ~1.5 KB outbox record, one seen post, a cursor move);
//   - ack: an operator's AcknowledgeIncident of one of those incidents;
//   - cursor: a sink runner's SaveSinkCursor, which follows every delivery.
// Paths:
//   single  StateStore on a real file (synchronous=FULL, WAL), as a single node ships;
//   R1      ReplicatedStore against one local `nats-server -js` (file storage): the JetStream
//           append, then the wait for this node's replica to apply it to its own SQLite file;
//   R3      the same against a three-server NATS cluster on loopback, stream replicas 3.
// The servers are real nats-server processes started here (tests/fakes/nats_server.h).
//
//   earshot_bench_cluster [--dir DIR] [--commits N] [--ops N] [--paths single,r1,r3] [--no-r3]
//
// Loopback hides the network: on real hosts R3 adds a round trip to the nearest follower.
// On a VM whose CPUs go idle during an fsync, the waiting thread may only wake at the next timer
// tick (4 ms at HZ=250). The cluster paths keep a CPU busy (nats-server, the client's threads)
// and skip that wait, which can make them look faster than the single node; run the single path
// again with a CPU kept busy to tell the disk from the tick.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/base/log.h"
#include "daemon/cluster/replicated_store.h"
#include "daemon/cluster/state_log.h"
#include "daemon/cluster/state_replica.h"
#include "daemon/nats/nats_connection.h"
#include "daemon/state/state_store.h"
#include "tests/fakes/nats_server.h"

using namespace earshot;  // NOLINT

namespace {

const SystemTime kT0 = FromUnixMillis(1'795'000'000'000);

[[noreturn]] void Die(std::string_view what, const Status& s) {
  fmt::print(stderr, "{}: {}\n", what, s.ToString());
  std::exit(1);
}

// An escalation as the sinks get it, about the size of a real one with its post and links.
std::string OutboxJson(uint64_t seq, const std::string& id) {
  std::string json = fmt::format(
      R"({{"version":1,"seq":{},"kind":"open","incident":{{"id":"{}","status":"open",)"
      R"("rule_id":"lost-baggage","category":"complaint","severity":"medium",)"
      R"("labels":{{"brand":"acmeair","team":"baggage"}},"receiver":"oncall",)"
      R"("summary":"Lost baggage complaint from @user{} on mastodon","post_count":1}},)"
      R"("posts":[{{"network":"mastodon","id":"11000000000{}",)"
      R"("url":"https://mastodon.example/@user{}/11000000000{}","author":"user{}",)"
      R"("author_name":"Customer {}","followers":1234,"text":"@AcmeAir my bag has been lost )"
      R"(for 3 days, nobody answers the phone #AcmeAirFail #lostluggage",)"
      R"("created_at":"2026-11-18T09:20:00Z","sentiment":-0.6,"complaint":0.91}}],)"
      R"("links":{{"console":"https://earshot.example/incidents/{}"}},"padding":")",
      seq, id, seq, seq, seq, seq, seq, seq, id);
  json.append(std::max<size_t>(json.size() + 2, 1500) - json.size() - 2, 'x');
  return json + "\"}";
}

EscalatorCommit Step(uint64_t n, bool cluster) {
  const std::string id = fmt::format("inc-{:016x}", n);
  const std::string post_id = fmt::format("11000000000{}", n);
  IncidentRecord r;
  r.id = id;
  r.group_key = fmt::format("mastodon|user{}@mastodon.example|{}", n, post_id);
  r.rule_id = "lost-baggage";
  r.severity = Severity::kMedium;
  r.notified_severity = Severity::kMedium;
  r.labels = {{"brand", "acmeair"}, {"team", "baggage"}};
  r.summary = "Lost baggage complaint";
  r.receiver = "oncall";
  r.opened_at = kT0;
  r.last_post_at = kT0;
  r.post_count = 1;
  PostRef p;
  p.network = "mastodon";
  p.id = post_id;
  p.url = "https://mastodon.example/@user/" + post_id;
  p.author = fmt::format("user{}", n);
  p.author_name = "Customer";
  p.followers = 1234;
  p.text = "@AcmeAir my bag has been lost for 3 days, nobody answers the phone #AcmeAirFail";
  p.created_at = kT0;
  p.sentiment = -0.6;
  EscalatorCommit c;
  c.source = "mastodon:acmeair";
  c.cursor = post_id;
  c.seen = {{c.source, post_id, kT0}};
  c.incidents = {r};
  c.posts = {{id, p, {}}};
  c.events = {{id, kT0, IncidentEventKind::kOpen, Severity::kMedium, "new incident", n}};
  c.outbox = {{n, OutboxJson(n, id), kT0}};
  if (cluster) c.input_seq = n;  // a leader's step names the batch it consumed
  return c;
}

struct Figures {
  double per_sec = 0, p50 = 0, p90 = 0, p99 = 0;
};

// Runs `call(i)` for i in [first, first + count), one after another.
Figures Measure(uint64_t first, int count, const std::function<Status(uint64_t)>& call) {
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(count));
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    const auto t = std::chrono::steady_clock::now();
    if (Status s = call(first + static_cast<uint64_t>(i)); !s.ok()) Die("call", s);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[static_cast<size_t>(q * static_cast<double>(count - 1))]; };
  return {count / secs, at(0.50), at(0.90), at(0.99)};
}

// One path's figures for the three calls.
struct PathFigures {
  std::string name;
  Figures commit, ack, cursor;
};

struct Counts {
  int commits = 2000, ops = 500, warmup = 20;
};

// Drives any store with the daemon's interfaces, as the escalator, console and sinks do.
template <class Store>
PathFigures RunPath(std::string name, Store& store, bool cluster, const Counts& n) {
  PathFigures f{std::move(name), {}, {}, {}};
  auto commit = [&](uint64_t i) { return store.Commit(Step(i, cluster)); };
  // The first calls warm SQLite's page cache and the connection; not counted.
  Measure(1, n.warmup, commit);
  f.commit = Measure(1 + static_cast<uint64_t>(n.warmup), n.commits, commit);
  f.ack = Measure(1, n.ops, [&](uint64_t i) {
    return store.AcknowledgeIncident(fmt::format("inc-{:016x}", i), "jane", kT0);
  });
  f.cursor = Measure(1, n.ops, [&](uint64_t i) { return store.SaveSinkCursor("pager", i); });
  return f;
}

PathFigures RunSingle(const std::filesystem::path& file, const Counts& n) {
  auto store = StateStore::Open(file);
  if (!store.ok()) Die("open", store.status());
  return RunPath("single", **store, false, n);
}

// A cluster node's state over `servers`: its own SQLite file, its replica of the log and the
// store the app gives the escalator, leading under some epoch.
PathFigures RunCluster(std::string name, const std::vector<std::string>& servers, int replicas,
                       const std::filesystem::path& file, const Counts& n) {
  nats::ConnectOptions options;
  options.servers = servers;
  options.name = "earshot-bench";
  auto connection = nats::Connection::Connect(options);
  if (!connection.ok()) Die("connect", connection.status());
  cluster::StateLog log(**connection, cluster::ClusterNames("earshot"), replicas);
  // Right after an election the meta leader may not know every peer yet ("no suitable peers").
  Status ensured = log.Ensure();
  for (int i = 0; i < 100 && ensured.code() == Status::Code::kUnavailable; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ensured = log.Ensure();
  }
  if (!ensured.ok()) Die("ensure the state log", ensured);
  auto local = StateStore::Open(file);
  if (!local.ok()) Die("open", local.status());
  cluster::StateReplica replica(log, **local);
  if (Status s = replica.Start(); !s.ok()) Die("replica", s);
  cluster::ReplicatedStore store(**local, log, replica, "node-a");
  store.SetLeaderEpoch(1);
  fmt::print("{}: stream replicas {}, this node connected to {}\n", name, replicas,
             (*connection)->connected_url());
  PathFigures f = RunPath(std::move(name), store, true, n);
  replica.Stop();
  return f;
}

void Print(const PathFigures& f, const PathFigures* base) {
  auto row = [&](const char* call, const Figures& x, const Figures* b) {
    // The ratio is of the last single path run before this one.
    std::string ratio = b != nullptr ? fmt::format("  x{:.1f} p50 vs single", x.p50 / b->p50) : "";
    fmt::print("{:<7}{:<7} {:>8.0f} /s   p50 {:>7.2f} ms  p90 {:>7.2f} ms  p99 {:>7.2f} ms{}\n",
               f.name, call, x.per_sec, x.p50, x.p90, x.p99, ratio);
  };
  row("commit", f.commit, base != nullptr ? &base->commit : nullptr);
  row("ack", f.ack, base != nullptr ? &base->ack : nullptr);
  row("cursor", f.cursor, base != nullptr ? &base->cursor : nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "earshot-bench-cluster";
  Counts n;
  // In the order given: the disk's fsync latency drifts, so a path run again shows how much.
  std::vector<std::string> paths = {"single", "r1", "r3"};
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const bool has_value = i + 1 < argc;
    if (flag == "--no-r3") {
      std::erase(paths, "r3");
    } else if (flag == "--paths" && has_value) {
      paths.clear();
      for (const auto part : std::views::split(std::string_view(argv[++i]), ',')) {
        paths.emplace_back(part.begin(), part.end());
      }
    } else if (flag == "--dir" && has_value) {
      dir = argv[++i];
    } else if (flag == "--commits" && has_value) {
      n.commits = std::max(1, std::stoi(argv[++i]));
    } else if (flag == "--ops" && has_value) {
      n.ops = std::max(1, std::stoi(argv[++i]));
    } else {
      fmt::print(stderr,
                 "usage: {} [--dir DIR] [--commits N] [--ops N] [--paths single,r1,r3] "
                 "[--no-r3]\n",
                 argv[0]);
      return 2;
    }
  }
  // Every op acknowledges an incident a commit opened.
  n.ops = std::min(n.ops, n.commits + n.warmup);
  log::SetLevel(log::Level::kWarn);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  fmt::print("cluster bench: {} (synchronous=FULL, WAL); {} commits, {} acks, {} sink cursors "
             "per path, one at a time\n",
             dir.string(), n.commits, n.ops, n.ops);

  std::optional<PathFigures> single;
  int run = 0;  // each path gets a fresh file
  for (const std::string& path : paths) {
    const std::filesystem::path file = dir / fmt::format("{}-{}.db", path, ++run);
    if (path == "single") {
      single = RunSingle(file, n);
      Print(*single, nullptr);
    } else if (path == "r1") {
      testing::NatsServer server;
      Print(RunCluster("R1", {server.url()}, 1, file, n), single ? &*single : nullptr);
    } else if (path == "r3") {
      testing::NatsCluster cluster(3);
      Print(RunCluster("R3", cluster.urls(), 3, file, n), single ? &*single : nullptr);
      // A node connected to a follower pays one more hop to the stream's leader.
      const std::optional<int> leader =
          cluster.StreamLeader(cluster::ClusterNames("earshot").state_stream);
      fmt::print("R3: stream leader {}\n",
                 leader ? cluster.server(*leader).url() : std::string("unknown"));
    } else {
      fmt::print(stderr, "unknown path {} (single, r1, r3)\n", path);
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
