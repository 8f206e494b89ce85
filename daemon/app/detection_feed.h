// DetectionFeed: the newest posts that matched a rule, as a web console shows them live. Pollers
// publish each matched post once, with its final detections (after its author was completed);
// readers page forward by sequence number or wait for the next entry. Thread-safe: any number of
// publishers and readers.
//
// Publishing never waits on a reader: entries are immutable once published and held by
// shared_ptr, so a reader copies pointers under the lock and copies the entries after releasing
// it. The feed keeps the last `capacity` entries; older ones are gone (the escalator's outbox,
// not this feed, is the record of what paged).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"
#include "daemon/model/detection.h"

namespace earshot {

class DetectionFeed {
 public:
  // One rule that matched the post of an entry.
  struct MatchedRule {
    std::string rule_id;
    std::string category;  // CategoryName(): "complaint", "praise", ...
    std::string severity;  // SeverityName() of the rule's own severity: "high", ...
    bool shadow = false;   // a rule on trial: it would have paged, but does not
    std::string summary;
    std::optional<std::string> brand;  // the "brand" label, when the rule matched a brand
  };

  // A matched post, copied out of the DetectedPost; text as fetched (the consumer escapes it).
  struct Entry {
    uint64_t seq = 0;    // 1 for the first entry published, then +1 for each
    SystemTime at{};     // when it was published
    std::string source;  // configured source name ("mastodon:airline")
    std::string network;
    std::string post_id;
    std::string url;
    std::string author_handle;
    std::string author_display_name;
    int64_t author_followers = 0;
    std::string text;
    std::optional<std::string> lang;  // ISO 639-1, when the network said
    double complaint = 0.0;           // complaint probability, 0 .. 1
    double sentiment = 0.0;           // VADER compound, -1 .. 1
    std::vector<MatchedRule> rules;   // in the detector's order
  };

  static constexpr size_t kDefaultCapacity = 500;

  explicit DetectionFeed(size_t capacity = kDefaultCapacity);
  DetectionFeed(const DetectionFeed&) = delete;
  DetectionFeed& operator=(const DetectionFeed&) = delete;

  // Appends `post` as the newest entry, dropping the oldest past capacity, and wakes every
  // WaitSince. Returns the entry's seq. A post without detections is appended all the same:
  // choosing what is worth showing is the caller's job.
  uint64_t Publish(std::string_view source, const DetectedPost& post, SystemTime at);

  // The entries with seq > `after_seq`, oldest first, at most `max` of them: the oldest ones,
  // so that a reader paging forward with the last seq it saw misses nothing the feed still
  // holds. When the first seq returned is not after_seq + 1, the entries in between were
  // dropped from the ring before the reader came back. Since(newest_seq() - n, n) gives the
  // newest n.
  std::vector<Entry> Since(uint64_t after_seq, size_t max) const;

  // As Since, but when there is nothing after `after_seq` yet, waits until a Publish, `wait`
  // passes or `stop` is requested; returns empty in the last two cases.
  std::vector<Entry> WaitSince(uint64_t after_seq, size_t max, std::chrono::milliseconds wait,
                               std::stop_token stop) const;

  // The seq of the newest entry; 0 before the first Publish.
  uint64_t newest_seq() const;
  size_t capacity() const { return capacity_; }

 private:
  // The entries of `ring_` after `after_seq`, at most `max`; caller holds mu_.
  std::vector<std::shared_ptr<const Entry>> CollectLocked(uint64_t after_seq, size_t max) const
      REQUIRES(mu_);

  const size_t capacity_;
  mutable Mutex mu_;
  mutable std::condition_variable_any published_;
  // Consecutive seqs, oldest first: ring_[i]->seq == newest_seq_ - ring_.size() + 1 + i.
  std::deque<std::shared_ptr<const Entry>> ring_ GUARDED_BY(mu_);
  uint64_t newest_seq_ GUARDED_BY(mu_) = 0;
};

// The entry as one JSON object:
//   {"seq":7,"at":"2026-12-07T14:00:00.000Z","source":"mastodon:airline","network":"mastodon",
//    "post_id":"1","url":"...","author":{"handle":"..","display_name":"..","followers":150},
//    "text":"..","lang":"en","complaint":0.91,"sentiment":-0.6,
//    "rules":[{"rule_id":"lost-baggage","category":"complaint","severity":"high",
//              "shadow":false,"summary":"..","brand":"AcmeAir"}]}
// "lang" and "brand" appear only when known. Strings are valid UTF-8 whatever the post held, and
// safe inside an HTML <script> element (JsonQuotedForHtml in daemon/base/json_escape.h).
std::string EntryToJson(const DetectionFeed::Entry& entry);

}  // namespace earshot
