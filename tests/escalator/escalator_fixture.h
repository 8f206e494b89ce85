// Shared pieces of the escalator tests: a real state store in a temp dir, a manual clock, an
// escalator whose published escalations are recorded, and builders for detected posts.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/escalator/escalator.h"
#include "daemon/model/escalation_json.h"
#include "daemon/state/state_store.h"
#include "daemon/model/detection.h"
#include "tests/sources/manual_clock.h"
#include "tests/state/temp_dir.h"

namespace earshot::testing {

inline const SystemTime kStart = FromUnixMillis(1'795'000'000'000);  // 2026-11-18

struct PostSpec {
  std::string id{};
  std::string author = "jane@air.example";
  int64_t followers = 120;
  std::string text = "lost my bag in Denver";
  std::string thread{};    // "" = the post is its own thread
  std::string reply_to{};
  double sentiment = -0.3;
  double complaint = 0.0;  // below every threshold: only tests about the score set it
  int created_offset_s = 0;
};

inline Detection Rule(std::string id, Category category, Severity severity,
                      Labels labels = {{"brand", "acmeair"}}) {
  Detection d;
  d.rule_id = std::move(id);
  d.category = category;
  d.severity = severity;
  d.labels = std::move(labels);
  d.summary = "rule";
  return d;
}

inline Detection Complaint(Severity s = Severity::kMedium) {
  return Rule("lost-baggage", Category::kComplaint, s, {{"brand", "acmeair"}, {"team", "baggage"}});
}
inline Detection Thanks() { return Rule("thanks-brand", Category::kResolution, Severity::kInfo); }
inline Detection Praise() { return Rule("praise-brand", Category::kPraise, Severity::kInfo); }

inline DetectedPost MakePost(const PostSpec& spec, std::vector<Detection> detections) {
  DetectedPost dp;
  Post& p = dp.post;
  p.network = "mastodon";
  p.id = spec.id;
  p.url = "https://air.example/@" + spec.author + "/" + spec.id;
  p.created_at = kStart + std::chrono::seconds(spec.created_offset_s);
  p.author.handle = spec.author;
  p.author.id = "acct-" + spec.author;
  p.author.display_name = "Name of " + spec.author;
  p.author.followers = spec.followers;
  p.text = spec.text;
  p.thread_key = spec.thread;
  p.reply_to = spec.reply_to;
  p.source = "mastodon:airline";
  dp.sentiment = spec.sentiment;
  dp.complaint = spec.complaint;
  dp.detections = std::move(detections);
  return dp;
}

inline PostBatch Batch(std::vector<DetectedPost> posts, std::optional<std::string> cursor = {}) {
  PostBatch b;
  b.source = "mastodon:airline";
  b.cursor = std::move(cursor);
  b.posts = std::move(posts);
  return b;
}

// Whether the incident's history has an event of `kind` with exactly `reason`.
inline bool HasEvent(OperatorStore& store, const std::string& id, std::string_view kind,
                     std::string_view reason) {
  auto events = store.LoadIncidentEvents(id);
  REQUIRE(events.ok());
  for (const IncidentEvent& e : *events) {
    if (IncidentEventKindName(e.kind) == kind && e.reason == reason) return true;
  }
  return false;
}

// A store, a clock and an escalator that can be torn down and reopened like a restart.
class EscalatorRig {
 public:
  explicit EscalatorRig(EscalatorOptions options = {}) : options_(std::move(options)) { Open(); }

  void Open() {
    auto store = StateStore::Open(dir_.File("state.db"));
    REQUIRE(store.ok());
    store_ = std::move(store).value();
    escalator_ = std::make_unique<Escalator>(*store_, options_, clock_, [this](const Escalation& e,
                                                                        std::string_view json) {
      // What is published is what the outbox holds: the escalation's own wire form. Counted
      // here (maybe the escalator's thread) and checked by published() (the test's).
      const bool same = json == EscalationToJson(e);
      std::lock_guard lock(mu_);
      if (!same) ++json_mismatches_;
      published_.push_back(e);
    });
  }
  // Drops the escalator and the store (as a crash would, after the last commit) and reopens.
  void Restart() {
    escalator_.reset();
    store_.reset();
    Open();
  }

  // Processes and returns what this call published.
  std::vector<Escalation> Process(const PostBatch& batch) {
    size_t before = published().size();
    Status s = escalator_->Process(batch);
    INFO(s.ToString());
    REQUIRE(s.ok());
    auto all = published();
    return {all.begin() + static_cast<long>(before), all.end()};
  }
  std::vector<Escalation> Tick() {
    size_t before = published().size();
    Status s = escalator_->Tick();
    INFO(s.ToString());
    REQUIRE(s.ok());
    auto all = published();
    return {all.begin() + static_cast<long>(before), all.end()};
  }
  std::vector<Escalation> published() const {
    std::lock_guard lock(mu_);
    CHECK(json_mismatches_ == 0);
    return published_;
  }

  Escalator& escalator() { return *escalator_; }
  StateStore& store() { return *store_; }
  ManualClock& clock() { return clock_; }
  const EscalatorOptions& options() const { return options_; }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  EscalatorOptions options_;
  ManualClock clock_{kStart};
  std::unique_ptr<StateStore> store_;
  mutable std::mutex mu_;
  std::vector<Escalation> published_;
  int json_mismatches_ = 0;  // published with a json that is not the escalation's own
  std::unique_ptr<Escalator> escalator_;
};

}  // namespace earshot::testing
