// The kill -9 soak: `earshot run` is SIGKILLed at random moments while complaints stream in and
// four durable sinks deliver at once (the JSONL file, a webhook, email over SMTP and an exec
// command), some of them failing meanwhile; then every sink's received escalations are counted.
// A crash may cost a page or repeat one only through a bug, so the test asserts that no
// complaint was lost and none paged twice, at every sink, and prints the figures.
//
// Trials: EARSHOT_SOAK_TRIALS (10 by default, 3 in sanitized builds), seeded by EARSHOT_SOAK_SEED (random by default,
// always printed). A trial's seed fixes its schedule (complaints, kill moments, faults), not
// the daemon's own timing, so a failing seed reproduces the scenario, not every interleaving.
//
// What counts (each sink is a receiver keyed by the sink's documented idempotency key: the
// webhook's Idempotency-Key, the email's Message-ID, the exec command's EARSHOT_INCIDENT_ID and
// EARSHOT_SEQ, the file line's incident id and seq):
// - lost: a complaint whose author no `open` escalation at that sink names;
// - duplicated: a complaint paged under more than one key (a second incident or a second
//   escalation for it, which no receiver can fold), any escalation that is not the `open` of a
//   published complaint, and at the file sink a line written twice (the file sink promises to
//   recognise its own last line after a crash, so there the strict measure applies);
// - redelivered: the same key arriving again at the webhook, email or exec receiver. The sinks
//   deliver at least once and document that the key makes a repeat harmless, so this is
//   reported, not failed; "arrived once" in the figures means duplicated + redelivered == 0.

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "daemon/net/http_server.h"
#include "daemon/model/escalation_json.h"
#include "tests/fakes/smtp_server.h"
#include "tests/integration/daemon_rig.h"

namespace earshot::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A number from the environment, or `fallback` when unset or unreadable.
uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(v, &end, 0);
  return end != nullptr && *end == '\0' ? n : fallback;
}

// One delivery as a receiver saw it: the sink's idempotency key, the escalation's kind and
// the author of its newest post ("" when the receiver could not tell).
struct Delivery {
  std::string key;
  std::string kind;
  std::string author;
};

// The author handles are "t<trial>c<complaint>", so any text that names one can be read back
// (the fake serves them as "t000c001@127.0.0.1").
const std::regex kAuthor("t\\d{3}c\\d{3}");

std::string FindAuthor(const std::string& text) {
  std::smatch m;
  return std::regex_search(text, m, kAuthor) ? m.str() : "";
}

// The webhook receiver: a real HTTP server on loopback that can fail the way receivers do.
class WebhookReceiver {
 public:
  enum class Mode { kOk, kServerError, kRefused, kHanging, kRetryAfter };

  WebhookReceiver() { Listen(0); }

  std::string url() const { return fmt::format("http://127.0.0.1:{}/earshot", port_); }

  void SetMode(Mode mode) {
    std::lock_guard lock(server_mu_);
    if (mode == Mode::kRefused) {
      server_.reset();  // nothing listens: connection refused
    } else if (!server_) {
      Listen(port_);
    }
    mode_ = mode;
  }

  std::vector<Delivery> deliveries() {
    std::lock_guard lock(mu_);
    return deliveries_;
  }

 private:
  // Binds `port` (0: any); the same port again after a refusing spell, retried briefly since
  // the kernel may still hold it.
  void Listen(uint16_t port) {
    HttpServerOptions options;
    options.port = port;
    for (int attempt = 0;; ++attempt) {
      auto started = HttpServer::Start([this](const HttpServerRequest& r) { return Answer(r); },
                                       options);
      if (started.ok()) {
        server_ = *std::move(started);
        port_ = server_->port();
        return;
      }
      if (attempt == 50) throw std::runtime_error(started.status().ToString());
      std::this_thread::sleep_for(20ms);
    }
  }

  HttpServerResponse Answer(const HttpServerRequest& req) {
    HttpServerResponse resp;
    switch (mode_.load()) {
      case Mode::kServerError:
        resp.status = 500;
        return resp;
      case Mode::kHanging:
        // Longer than the sink's timeout: the sink gives up on it and tries again later. The
        // receiver never finished this request, so it does not count it.
        resp.delay = 3s;
        resp.status = 503;
        return resp;
      case Mode::kRetryAfter:
        resp.status = 429;
        resp.headers.emplace_back("Retry-After", "1");
        return resp;
      case Mode::kRefused:  // a request that raced the close
      case Mode::kOk:
        break;
    }
    Delivery d;
    d.key = std::string(req.Header("idempotency-key").value_or(""));
    if (auto e = EscalationFromJson(req.body); e.ok()) {
      d.kind = std::string(KindName(e->kind));
      if (!e->posts.empty()) d.author = FindAuthor(e->posts[0].author);
      if (d.key != fmt::format("{}-{}", e->incident_id, e->seq)) d.key += " (key disagrees with body)";
    }
    std::lock_guard lock(mu_);
    deliveries_.push_back(std::move(d));
    return resp;
  }

  std::mutex server_mu_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<Mode> mode_{Mode::kOk};
  std::mutex mu_;
  std::vector<Delivery> deliveries_;
};

const char* ModeName(WebhookReceiver::Mode m) {
  switch (m) {
    case WebhookReceiver::Mode::kOk: return "ok";
    case WebhookReceiver::Mode::kServerError: return "500";
    case WebhookReceiver::Mode::kRefused: return "refused";
    case WebhookReceiver::Mode::kHanging: return "hanging";
    case WebhookReceiver::Mode::kRetryAfter: return "429+Retry-After";
  }
  return "?";
}

std::vector<Delivery> FileDeliveries(const DaemonRig& rig) {
  std::vector<Delivery> out;
  for (const Escalation& e : rig.Escalations()) {  // throws on a torn or garbled line
    out.push_back({fmt::format("{}-{}", e.incident_id, e.seq), std::string(KindName(e.kind)),
                   e.posts.empty() ? "" : FindAuthor(e.posts[0].author)});
  }
  return out;
}

std::string Header(const std::string& data, const std::string& name) {
  const size_t at = data.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  const size_t from = at + name.size() + 4;
  return data.substr(from, data.find("\r\n", from) - from);
}

std::vector<Delivery> EmailDeliveries(const SmtpServer& smtp) {
  std::vector<Delivery> out;
  for (const SmtpServer::Message& m : smtp.messages()) {
    const std::string data = "\r\n" + m.data;
    const std::string subject = Header(data, "Subject");
    // The subject reads "[earshot] SEVERITY KIND: summary".
    std::istringstream words(subject.substr(0, subject.find(':')));
    std::string tag, severity, kind;
    words >> tag >> severity >> kind;
    out.push_back({Header(data, "Message-ID"), kind, FindAuthor(m.data)});
  }
  return out;
}

// The exec command appends "<incident>-<seq> <kind> <wire JSON>" per run. Like any careful
// command it first checks that its stdin is whole: a daemon killed just after starting it
// leaves it an empty stdin (the same escalation is run again after the restart).
std::vector<Delivery> ExecDeliveries(const std::string& path) {
  std::vector<Delivery> out;
  std::istringstream lines(ReadFile(path));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    std::istringstream words(line);
    Delivery d;
    words >> d.key >> d.kind;
    d.author = FindAuthor(line);
    out.push_back(std::move(d));
  }
  return out;
}

struct Tally {
  size_t deliveries = 0;  // everything the receiver accepted
  size_t escalations = 0; // distinct keys
  size_t lost = 0;
  size_t duplicated = 0;
  size_t redelivered = 0;

  Tally& operator+=(const Tally& t) {
    deliveries += t.deliveries;
    escalations += t.escalations;
    lost += t.lost;
    duplicated += t.duplicated;
    redelivered += t.redelivered;
    return *this;
  }
};

// Counts one sink's deliveries against the published complaints' authors. `strict`: a key
// seen twice is a duplicate (no receiver folds it), not a redelivery.
Tally Count(const std::vector<Delivery>& got, const std::set<std::string>& authors, bool strict,
            std::vector<std::string>& problems, const std::string& sink) {
  Tally t;
  std::map<std::string, int> per_key;
  std::map<std::string, std::set<std::string>> keys_of_author;
  for (const Delivery& d : got) {
    ++t.deliveries;
    if (++per_key[d.key] > 1) {
      (strict ? t.duplicated : t.redelivered) += 1;
      if (strict) problems.push_back(fmt::format("{}: {} written again", sink, d.key));
      continue;
    }
    if (d.kind != "open" || authors.count(d.author) == 0) {
      ++t.duplicated;
      problems.push_back(fmt::format("{}: unexpected {} {} for author '{}'", sink, d.kind, d.key,
                                     d.author));
      continue;
    }
    keys_of_author[d.author].insert(d.key);
  }
  t.escalations = per_key.size();
  for (const std::string& a : authors) {
    const auto it = keys_of_author.find(a);
    if (it == keys_of_author.end()) {
      ++t.lost;
      problems.push_back(fmt::format("{}: nothing for {}", sink, a));
    } else if (it->second.size() > 1) {
      t.duplicated += it->second.size() - 1;
      problems.push_back(fmt::format("{}: {} paged under {} keys", sink, a, it->second.size()));
    }
  }
  return t;
}

const char* const kComplaints[] = {
    "#AcmeAirSucks lost my luggage again, case {}",
    "#AcmeAirSucks three hour delay and no food vouchers, gate {}",
    "#AcmeAirSucks cancelled my flight and no refund, booking {}",
    "#AcmeAirSucks broke my suitcase, terrible service, tag {}",
    "@AcmeAir #AcmeAirSucks you lost my bag, claim {}",  // both sources see this one
    "#AcmeAirSucks lost bag {} no refund",
};

const char* const kSinks[] = {"file", "webhook", "email", "exec"};

struct Totals {
  int trials = 0, kills = 0, complaints = 0;
  std::map<std::string, Tally> sinks;
};

// One trial; adds its figures to `totals` and what went wrong to `problems`.
void RunTrial(int trial, uint64_t seed, Totals& totals, std::vector<std::string>& problems) {
  std::mt19937_64 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

  const int complaints = uniform(12, 24);
  const int kills = uniform(1, 3);
  // Derived from the seed, not the trial's number, so a seed alone replays its trial: any ten
  // consecutive seeds cover every webhook fault with and without a failing email receiver.
  const auto hook_mode = static_cast<WebhookReceiver::Mode>(seed % 5);
  const bool smtp_fails = seed % 2 == 1;
  const auto fault_from = std::chrono::milliseconds(uniform(0, 800));
  const auto fault_for = std::chrono::milliseconds(uniform(800, 2500));

  WebhookReceiver hook;
  SmtpServer smtp;
  REQUIRE(smtp.ok());
  DaemonRig rig(fmt::format(R"yaml(  - name: hook
    type: webhook
    url_file: hook.url
    timeout: 1s
    retry_initial: 100ms
    retry_max: 400ms
  - name: mail
    type: email
    url: {smtp}
    from: earshot@example.org
    to: [oncall@example.org]
    starttls: never
    timeout: 5s
    retry_initial: 100ms
    retry_max: 400ms
  - name: runbook
    type: exec
    command: [/bin/sh, -c, 'json=$(cat); case "$json" in *"}}") ;; *) exit 75 ;; esac; printf "%s-%s %s %s\n" "$EARSHOT_INCIDENT_ID" "$EARSHOT_SEQ" "$EARSHOT_KIND" "$json" >> "$SOAK_EXEC_LOG"']
    timeout: 5s
    retry_initial: 100ms
    retry_max: 400ms
# The soak counts one page per complaint; a storm of them is by design one surge incident
# whose inhibition drops the per-post pages.
escalation:
  surge:
    enabled: false
)yaml",
                            fmt::arg("smtp", smtp.url())));
  std::ofstream(rig.dir() + "/hook.url") << hook.url() << "\n";
  const std::string exec_log = rig.dir() + "/exec.log";
  // The exec command inherits the daemon's environment.
  const std::vector<std::string> env = {"SOAK_EXEC_LOG=" + exec_log};
  REQUIRE(rig.StartDaemon(env));

  // The schedule: complaints spread over ~3 s, kills at random moments in it, and the fault
  // window for the webhook and the email receiver.
  std::vector<std::chrono::milliseconds> post_at, kill_at;
  for (int i = 0; i < complaints; ++i) post_at.emplace_back(uniform(0, 3000));
  for (int i = 0; i < kills; ++i) kill_at.emplace_back(uniform(100, 3200));
  std::sort(post_at.begin(), post_at.end());
  std::sort(kill_at.begin(), kill_at.end());
  std::vector<int> downtime_ms;
  for (int i = 0; i < kills; ++i) downtime_ms.push_back(uniform(0, 400));
  std::vector<std::string> texts;
  for (int i = 0; i < complaints; ++i) {
    texts.push_back(fmt::format(fmt::runtime(kComplaints[uniform(0, 5)]), uniform(100, 999)));
  }
  std::set<std::string> authors;
  for (int i = 0; i < complaints; ++i) authors.insert(fmt::format("t{:03}c{:03}", trial, i));

  std::cout << fmt::format("soak trial {} seed {:#x}: {} complaints, {} kills at", trial, seed,
                           complaints, kills);
  for (auto k : kill_at) std::cout << ' ' << k.count() << "ms";
  std::cout << fmt::format("; webhook {} and email {} from {}ms for {}ms\n", ModeName(hook_mode),
                           smtp_fails ? "451" : "ok", fault_from.count(), fault_for.count())
            << std::flush;

  // Complaints are published on their own thread, so they keep coming while the daemon is down
  // and restarting; faults come and go on another.
  const auto t0 = Clock::now();
  std::jthread publisher([&] {
    for (int i = 0; i < complaints; ++i) {
      std::this_thread::sleep_until(t0 + post_at[static_cast<size_t>(i)]);
      rig.fake().AddStatus(Toot(fmt::format("t{:03}c{:03}", trial, i), 20 + i,
                                texts[static_cast<size_t>(i)]));
    }
  });
  std::jthread faults([&] {
    std::this_thread::sleep_until(t0 + fault_from);
    hook.SetMode(hook_mode);
    if (smtp_fails) smtp.FailAt(SmtpServer::Stage::kData, 451, "mailbox busy, try later");
    std::this_thread::sleep_until(t0 + fault_from + fault_for);
    hook.SetMode(WebhookReceiver::Mode::kOk);
    smtp.FailAt(SmtpServer::Stage::kNone, 0);
  });
  for (int i = 0; i < kills; ++i) {
    std::this_thread::sleep_until(t0 + kill_at[static_cast<size_t>(i)]);
    rig.KillDaemon();
    std::this_thread::sleep_for(std::chrono::milliseconds(downtime_ms[static_cast<size_t>(i)]));
    REQUIRE(rig.StartDaemon(env));
  }
  publisher.join();
  faults.join();

  // Everything published must arrive everywhere; then a moment more for a late repeat to show.
  auto all_arrived = [&] {
    std::set<std::string> file, webhook, email, exec;
    for (const Delivery& d : FileDeliveries(rig)) file.insert(d.author);
    for (const Delivery& d : hook.deliveries()) webhook.insert(d.author);
    for (const Delivery& d : EmailDeliveries(smtp)) email.insert(d.author);
    for (const Delivery& d : ExecDeliveries(exec_log)) exec.insert(d.author);
    return std::includes(file.begin(), file.end(), authors.begin(), authors.end()) &&
           std::includes(webhook.begin(), webhook.end(), authors.begin(), authors.end()) &&
           std::includes(email.begin(), email.end(), authors.begin(), authors.end()) &&
           std::includes(exec.begin(), exec.end(), authors.begin(), authors.end());
  };
  const bool arrived = WaitUntil(all_arrived, 60s);
  std::this_thread::sleep_for(300ms);
  CHECK(rig.StopDaemon() == 0);

  std::vector<std::string> mine;
  const std::map<std::string, Tally> tallies = {
      {"file", Count(FileDeliveries(rig), authors, /*strict=*/true, mine, "file")},
      {"webhook", Count(hook.deliveries(), authors, false, mine, "webhook")},
      {"email", Count(EmailDeliveries(smtp), authors, false, mine, "email")},
      {"exec", Count(ExecDeliveries(exec_log), authors, false, mine, "exec")},
  };
  ++totals.trials;
  totals.kills += kills;
  totals.complaints += complaints;
  for (const auto& [sink, t] : tallies) totals.sinks[sink] += t;
  if (!arrived || !mine.empty()) {
    for (std::string& p : mine) problems.push_back(fmt::format("trial {} (seed {:#x}): {}", trial, seed, p));
    std::string what;
    for (const std::string& p : mine) what += "   " + p + "\n";
    if (!arrived) what += "   (not everything arrived within 60 s)\n";
    std::cerr << fmt::format("-- trial {} (seed {:#x}) failed:\n{}-- the daemon's log:\n{}\n",
                             trial, seed, what, rig.DaemonLog());
  }
}

// Sanitized builds (scripts/test.sh runs the suite again under ASan+UBSan and TSan) run the
// daemon several times slower; three trials there keep the suite's time in bounds.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr uint64_t kDefaultTrials = 3;
#else
constexpr uint64_t kDefaultTrials = 10;
#endif

TEST_CASE("Daemon: SIGKILLs at random moments lose no escalation and duplicate none at any sink",
          "[integration][soak]") {
  const int trials = static_cast<int>(EnvNumber("EARSHOT_SOAK_TRIALS", kDefaultTrials));
  const uint64_t seed = EnvNumber("EARSHOT_SOAK_SEED", std::random_device{}());
  std::cout << fmt::format("soak: {} trials, EARSHOT_SOAK_SEED={:#x}\n", trials, seed);

  Totals totals;
  std::vector<std::string> problems;
  for (int trial = 0; trial < trials; ++trial) {
    // Consecutive seeds: EARSHOT_SOAK_SEED=<a trial's seed> EARSHOT_SOAK_TRIALS=1 replays
    // that trial's schedule.
    RunTrial(trial, seed + static_cast<uint64_t>(trial), totals, problems);
  }

  std::cout << fmt::format("soak: {} trials, {} SIGKILLs, {} complaints\n", totals.trials,
                           totals.kills, totals.complaints);
  for (const char* sink : kSinks) {
    const Tally& t = totals.sinks[sink];
    std::cout << fmt::format(
        "soak: {:<8} {} escalations, {} deliveries, lost {}, duplicated {}, redelivered under "
        "the same key {}\n",
        sink, t.escalations, t.deliveries, t.lost, t.duplicated, t.redelivered);
  }
  std::cout << std::flush;
  for (const std::string& p : problems) UNSCOPED_INFO(p);
  for (const char* sink : kSinks) {
    INFO(sink);
    CHECK(totals.sinks[sink].lost == 0);
    CHECK(totals.sinks[sink].duplicated == 0);
  }
  CHECK(problems.empty());
}

}  // namespace
}  // namespace earshot::testing
