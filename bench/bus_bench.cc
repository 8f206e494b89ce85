// Bus and sink figures.
//
//   earshot_bench_bus [--messages N] [--dir DIR]
//
// 1. bus throughput: one publisher thread sends N escalations (~1 KB of wire JSON each) over
//    inproc PUB/SUB as fast as it can; the subscriber counts what arrives (PUB drops at the
//    high-water mark, which the runner would catch up from the outbox).
// 2. bus latency: the same at a paced 20,000 msgs/s, publish-to-receive p50/p99.
// 3. per sink, Deliver() called in a loop: file (write + fsync per escalation) and webhook
//    (HTTP POST to a loopback receiver, keep-alive).
// 4. end to end through a SinkRunner with a webhook: outbox commit + publish, until the
//    receiver has the request (p50/p99), the figure that matters to whoever is paged.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "daemon/base/log.h"
#include "daemon/bus/publisher.h"
#include "daemon/bus/subscriber.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/net/http_server.h"
#include "daemon/model/escalation_json.h"
#include "daemon/state/state_store.h"
#include "sinks/file_sink.h"
#include "sinks/registry.h"
#include "sinks/runner.h"
#include "sinks/webhook_sink.h"

using namespace earshot;  // NOLINT
using Clk = std::chrono::steady_clock;

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clk::now().time_since_epoch())
      .count();
}

Escalation Sample(uint64_t seq) {
  Escalation e;
  e.seq = seq;
  e.incident_id = fmt::format("inc-{:016x}", seq * 2654435761u);
  e.severity = Severity::kHigh;
  e.rule_id = "lost-baggage";
  e.category = "complaint";
  e.summary = "@jane@travel.example (152k followers): lost bag in Denver, two hours on hold";
  e.reason = "new incident";
  e.at = std::chrono::system_clock::now();
  e.labels = {{"brand", "acmeair"}, {"team", "care"}};
  PostRef p;
  p.network = "mastodon";
  p.id = std::to_string(110000000000000000ull + seq);
  p.url = "https://travel.example/@jane/" + p.id;
  p.author = "jane@travel.example";
  p.author_name = "Jane Okafor (travel writer)";
  p.followers = 152000;
  p.text = "@AcmeAir lost my bag in Denver three days ago. Two hours on hold, nobody answers, no "
           "refund for the essentials I had to buy. #AcmeAirSucks";
  p.created_at = e.at;
  p.sentiment = -0.8316;
  e.posts = {p, p};
  e.posts[1].id += "1";
  return e;
}

double Pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

void BusBench(size_t n) {
  zmq::context_t ctx(1);
  auto pub = bus::Publisher::Create(ctx, {});
  std::vector<std::string> msgs;
  for (size_t i = 0; i < 1000; ++i) msgs.push_back(EscalationToJson(Sample(i + 1)));
  fmt::print("message size: {} bytes\n", msgs[0].size());

  for (int paced = 0; paced < 2; ++paced) {
    std::vector<std::atomic<int64_t>> sent(n);
    std::vector<double> lat_us;
    lat_us.reserve(n);
    std::atomic<bool> ready{false}, done{false};
    size_t got = 0;
    int64_t first = 0, last = 0;
    std::thread sub_thread([&] {
      auto sub = bus::Subscriber::Create(ctx, std::string(bus::kInprocEndpoint));
      std::stop_source never;
      // Join: wait for the probe the main thread sends.
      while (true) {
        auto m = (*sub)->Receive(never.get_token(), std::chrono::milliseconds(1));
        if (m.ok() && m->has_value() && **m == "probe") break;
      }
      ready = true;
      while (true) {
        auto m = (*sub)->Receive(never.get_token(), std::chrono::milliseconds(200));
        if (!m.ok() || !m->has_value()) {
          if (done) break;
          continue;
        }
        if (**m == "probe") continue;
        const int64_t now = NowNs();
        // The index travels in the first bytes: {"seq":<n>,...
        const size_t idx = std::stoull((*m)->substr(7)) - 1;
        if (got == 0) first = now;
        last = now;
        ++got;
        lat_us.push_back((now - sent[idx].load(std::memory_order_relaxed)) / 1000.0);
      }
    });
    while (!ready) {
      (void)(*pub)->Publish("probe");
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    const auto interval = std::chrono::nanoseconds(paced ? 50000 : 0);  // 20k/s when paced
    auto next = Clk::now();
    for (size_t i = 0; i < n; ++i) {
      std::string m = EscalationToJson(Sample(i + 1));  // distinct, as the escalator would send
      if (paced) {
        while (Clk::now() < next) {
        }
        next += interval;
      }
      sent[i].store(NowNs(), std::memory_order_relaxed);
      (void)(*pub)->Publish(m);
    }
    done = true;
    sub_thread.join();
    const double secs = (last - first) / 1e9;
    fmt::print("bus {}: {} sent, {} received ({:.2f}% dropped at the HWM), {:.0f} msgs/s, "
               "{:.0f} MB/s, latency p50 {:.1f} us p99 {:.1f} us\n",
               paced ? "paced 20k/s" : "flat out", n, got, 100.0 * (n - got) / n,
               got / std::max(secs, 1e-9), got * msgs[0].size() / std::max(secs, 1e-9) / 1e6,
               Pct(lat_us, 0.5), Pct(lat_us, 0.99));
  }
}

void SinkBench(const std::filesystem::path& dir, size_t n) {
  std::stop_source never;
  {
    FileSink sink((dir / "bench.jsonl").string());
    const auto t0 = Clk::now();
    for (size_t i = 0; i < n; ++i) (void)sink.Deliver(Sample(i + 1), never.get_token());
    const double s = std::chrono::duration<double>(Clk::now() - t0).count();
    fmt::print("file sink (fsync each): {:.0f} escalations/s, {:.1f} us each\n", n / s,
               s * 1e6 / n);
  }
  std::atomic<int64_t> received{0};
  std::vector<std::atomic<int64_t>> arrived(n + 1);
  auto server = HttpServer::Start([&](const HttpServerRequest& r) {
    if (auto seq = r.Header("x-earshot-seq")) {
      const size_t s = std::stoull(std::string(*seq));
      if (s < arrived.size()) arrived[s].store(NowNs());
    }
    received.fetch_add(1);
    HttpServerResponse resp;
    resp.body = "ok";
    return resp;
  });
  {
    WebhookSinkConfig c;
    c.url = (*server)->base_url() + "/hook";
    c.secret = "bench";
    WebhookSink sink(c, *CurlHttpClient::Create(), RealClock());
    const auto t0 = Clk::now();
    for (size_t i = 0; i < n; ++i) (void)sink.Deliver(Sample(i + 1), never.get_token());
    const double s = std::chrono::duration<double>(Clk::now() - t0).count();
    fmt::print("webhook sink (loopback, signed): {:.0f} escalations/s, {:.1f} us each\n", n / s,
               s * 1e6 / n);
  }
  {
    auto store = StateStore::Open(dir / "bench.db");
    zmq::context_t ctx(1);
    auto pub = bus::Publisher::Create(ctx, {});
    SinkRegistry registry;
    RegisterBuiltinSinks(registry);
    auto sink = registry.Create(SinkConfig{"hook", "webhook", {{"url", (*server)->base_url() + "/h"}}});
    SinkRunner runner("hook", *std::move(sink), **store, ctx, {});
    runner.Start();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the SUB join
    for (auto& a : arrived) a.store(0);
    std::vector<int64_t> committed(n + 1);
    const auto t0 = Clk::now();
    for (size_t i = 1; i <= n; ++i) {
      Escalation e = Sample(i);
      const std::string json = EscalationToJson(e);
      committed[i] = NowNs();
      EscalatorCommit c;
      c.outbox.push_back(OutboxRecord{i, json, e.at});
      (void)(*store)->Commit(c);
      (void)(*pub)->Publish(json);
      // One at a time, as pages come: the next escalation waits for this one's delivery.
      while (arrived[i].load() == 0) std::this_thread::yield();
    }
    const double s = std::chrono::duration<double>(Clk::now() - t0).count();
    std::vector<double> lat;
    for (size_t i = 1; i <= n; ++i) lat.push_back((arrived[i].load() - committed[i]) / 1000.0);
    runner.Drain(Clk::now() + std::chrono::seconds(5));
    runner.Join();
    fmt::print("runner + webhook end to end (commit+publish -> receiver has it): p50 {:.0f} us, "
               "p99 {:.0f} us, {:.0f} escalations/s sequential\n",
               Pct(lat, 0.5), Pct(lat, 0.99), n / s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = 200000;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "earshot-bench-bus";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--messages") n = std::stoull(argv[i + 1]);
    if (a == "--dir") dir = argv[i + 1];
  }
  log::SetLevel(log::Level::kError);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  BusBench(n);
  SinkBench(dir, 2000);
  std::filesystem::remove_all(dir);
  return 0;
}
