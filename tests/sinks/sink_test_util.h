// Shared by the sink tests: a unique temp dir, sample escalations, an outbox writer, a sink
// whose answers a test scripts, and a bounded wait for conditions reached on other threads.
#pragma once

#include <chrono>
#include <algorithm>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "daemon/state/state_store.h"
#include "daemon/model/escalation_json.h"
#include "sinks/sink.h"

namespace earshot::testing {

class SinkTempDir {
 public:
  SinkTempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("earshot-sinks-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~SinkTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline Escalation SampleEscalation(uint64_t seq, SystemTime at = std::chrono::time_point_cast<
                                                     std::chrono::milliseconds>(
                                                     std::chrono::system_clock::now())) {
  Escalation e;
  e.seq = seq;
  e.incident_id = "inc-" + std::to_string(1000 + seq % 7);
  e.kind = seq % 5 == 0 ? Escalation::Kind::kResolve : Escalation::Kind::kOpen;
  e.severity = Severity::kHigh;
  e.rule_id = "lost-baggage";
  e.category = "complaint";
  e.summary = "Lost bag in Denver, nobody answers #" + std::to_string(seq);
  e.reason = "new incident";
  e.at = at;
  e.labels = {{"brand", "acmeair"}};
  PostRef p;
  p.network = "mastodon";
  p.id = std::to_string(109000 + seq);
  p.url = "https://air.example/@jane/" + p.id;
  p.author = "jane@air.example";
  p.author_name = "Jane";
  p.followers = 152000;
  p.text = "@AcmeAir lost my bag in Denver and nobody answers the phone";
  p.created_at = at;
  p.sentiment = -0.83;
  p.complaint = 0.93;
  e.posts.push_back(p);
  return e;
}

// Appends escalations to the outbox the way the escalator does (one commit, gap-free seqs).
inline Status CommitToOutbox(StateStore& store, const std::vector<Escalation>& escalations) {
  EscalatorCommit c;
  for (const Escalation& e : escalations) {
    c.outbox.push_back(OutboxRecord{e.seq, EscalationToJson(e), e.at});
  }
  return store.Commit(c);
}

// Waits until `done()` holds, up to a generous bound; false when it never did. Tests assert on
// the outcome, never on how long it took.
inline bool WaitFor(const std::function<bool()>& done,
                    std::chrono::milliseconds bound = std::chrono::milliseconds(20000)) {
  const auto end = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// A sink whose answers follow a script: each Deliver pops the next scripted result (delivered
// once the script is empty) and records the seq it was asked to deliver. Thread-safe, so the
// test thread can read what the runner's thread did.
class ScriptedSink final : public Sink {
 public:
  DeliveryResult Deliver(const Escalation& e, std::stop_token) override {
    std::lock_guard lock(mu_);
    attempts_.push_back(e.seq);
    DeliveryResult r = DeliveryResult::Delivered();
    if (always_) {
      r = *always_;
    } else if (!script_.empty()) {
      r = script_.front();
      script_.pop_front();
    }
    if (r.delivered()) delivered_.push_back(e.seq);
    return r;
  }
  void Script(std::vector<DeliveryResult> results) {
    std::lock_guard lock(mu_);
    script_.insert(script_.end(), results.begin(), results.end());
  }
  void Always(std::optional<DeliveryResult> r) {
    std::lock_guard lock(mu_);
    always_ = std::move(r);
  }
  // These seqs are routed to other receivers (RoutedHere is false for them).
  void RouteElsewhere(std::vector<uint64_t> seqs) {
    std::lock_guard lock(mu_);
    elsewhere_.insert(elsewhere_.end(), seqs.begin(), seqs.end());
  }
  bool RoutedHere(const Escalation& e) const override {
    std::lock_guard lock(mu_);
    return std::find(elsewhere_.begin(), elsewhere_.end(), e.seq) == elsewhere_.end();
  }
  std::vector<uint64_t> delivered() const {
    std::lock_guard lock(mu_);
    return delivered_;
  }
  std::vector<uint64_t> attempts() const {
    std::lock_guard lock(mu_);
    return attempts_;
  }

 private:
  mutable std::mutex mu_;
  std::deque<DeliveryResult> script_;
  std::optional<DeliveryResult> always_;
  std::vector<uint64_t> delivered_, attempts_, elsewhere_;
};

// Forwards to a ScriptedSink owned by the test, so the test keeps reading it after the runner
// (which owns its Sink) is gone.
class SinkRef final : public Sink {
 public:
  explicit SinkRef(Sink& target) : target_(target) {}
  DeliveryResult Deliver(const Escalation& e, std::stop_token stop) override {
    return target_.Deliver(e, stop);
  }
  bool RoutedHere(const Escalation& e) const override { return target_.RoutedHere(e); }

 private:
  Sink& target_;
};

inline std::vector<uint64_t> Range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (uint64_t s = first; s <= last; ++s) out.push_back(s);
  return out;
}

}  // namespace earshot::testing
