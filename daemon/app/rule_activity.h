// RuleActivity: what each rule has been matching, for a web console's rule page: hits since the
// start, how many of them in shadow mode, hits per hour over the last day, and the last posts it
// matched. Fed from the same point as the DetectionFeed (each matched post, final detections).
// Thread-safe: pollers record, any thread takes snapshots.
//
// Time is always a parameter (the publish time, the snapshot's `now`), never read here, so tests
// roll the hours with a manual clock. Counts live in memory and start at 0 with the process;
// /metrics' earshot_rule_matches_total is the durable series.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"
#include "daemon/model/detection.h"

namespace earshot {

class RuleActivity {
 public:
  static constexpr size_t kHours = 24;        // hourly buckets kept per rule
  static constexpr size_t kRecentPosts = 10;  // last matched posts kept per rule

  // A small copy of a matched post.
  struct RecentPost {
    uint64_t feed_seq = 0;  // the post's DetectionFeed entry; 0 when not published there
    SystemTime at{};        // when it was recorded
    std::string source;
    std::string post_id;
    std::string url;
    std::string author_handle;
    std::string author_display_name;
    std::string text;
    bool shadow = false;  // the rule matched it in shadow mode
  };

  struct HourCount {
    SystemTime hour_start{};  // UTC, on the hour
    int64_t hits = 0;
  };

  struct Rule {
    std::string rule_id;
    int64_t hits = 0;         // every post matched since the start, shadow ones included
    int64_t shadow_hits = 0;  // of which the rule was in shadow mode
    // The 24 hours up to and including the one of `now`, oldest first; an hour without hits
    // is 0.
    std::array<HourCount, kHours> hourly{};
    std::vector<RecentPost> last_posts;  // newest first, at most kRecentPosts
  };

  RuleActivity() = default;
  RuleActivity(const RuleActivity&) = delete;
  RuleActivity& operator=(const RuleActivity&) = delete;

  // Counts one matched post, at `at`, for each distinct rule among its detections (a post is one
  // hit for a rule however many of its conditions matched). `feed_seq` links the post to its
  // DetectionFeed entry.
  void Record(std::string_view source, const DetectedPost& post, SystemTime at,
              uint64_t feed_seq = 0);

  // Every rule that matched at least once since the start, ordered by id, with its hours
  // counted back from the hour of `now`.
  std::vector<Rule> Snapshot(SystemTime now) const;

  // Complaints per hour for one brand: posts a live (not shadow) complaint rule matched with
  // that brand, each counted once however many rules matched it.
  struct Brand {
    std::string brand;
    std::array<HourCount, kHours> hourly{};  // as Rule::hourly
  };
  // Every brand complained about since the start, ordered by name.
  std::vector<Brand> Brands(SystemTime now) const;

 private:
  // Hour slot i holds the hits of the hour `hour` (hours since the epoch) with hour % kHours == i;
  // a slot still holding an older hour counts as 0 for the current one.
  struct Slot {
    int64_t hour = -1;
    int64_t hits = 0;
  };
  struct Stats {
    int64_t hits = 0, shadow_hits = 0;
    std::array<Slot, kHours> slots{};
    // Newest last, at most kRecentPosts. The copy of a post is shared by the rules that
    // matched it; only `shadow` is the rule's own.
    struct Held {
      std::shared_ptr<const RecentPost> post;
      bool shadow = false;
    };
    std::vector<Held> recent;
  };

  mutable Mutex mu_;
  std::map<std::string, Stats, std::less<>> rules_ GUARDED_BY(mu_);
  std::map<std::string, std::array<Slot, kHours>, std::less<>> brands_ GUARDED_BY(mu_);
};

// The snapshot as JSON, for the console:
//   {"rules":[{"rule_id":"lost-baggage","hits":12,"shadow_hits":0,
//     "hourly":[{"hour":"2026-12-06T15:00:00.000Z","hits":0},...],
//     "last_posts":[{"feed_seq":7,"at":"..","source":"..","post_id":"..","url":"..",
//                    "author":{"handle":"..","display_name":".."},"text":"..","shadow":false}]}]}
// Strings as in EntryToJson: valid UTF-8, safe inside an HTML <script> element.
std::string RuleActivityToJson(const std::vector<RuleActivity::Rule>& rules);

}  // namespace earshot
