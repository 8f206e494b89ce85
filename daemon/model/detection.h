// Detection: one rule's verdict on one post, and the batch a poller hands to the escalator.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/severity.h"
#include "daemon/model/post.h"

namespace earshot {

// What kind of speech a rule recognises. Complaints open incidents, resolutions close them,
// praise and noise are recorded and never page.
enum class Category { kComplaint, kPraise, kResolution, kNoise };

constexpr std::string_view CategoryName(Category c) {
  switch (c) {
    case Category::kComplaint: return "complaint";
    case Category::kPraise: return "praise";
    case Category::kResolution: return "resolution";
    case Category::kNoise: return "noise";
  }
  return "noise";
}

struct Detection {
  std::string rule_id;
  Category category = Category::kComplaint;
  Severity severity = Severity::kLow;  // the rule's own severity, before reach and sentiment
  Labels labels;                       // the rule's labels, plus "brand" when a brand matched
  std::string summary;                 // the rule's summary (or description), for the headline
  // mode: shadow. The rule is being tried out: record that it would have escalated, never page.
  bool shadow = false;
  Labels captures;                     // named groups of the rule's regexes that matched
};

// A post with its sentiment and every rule that matched it.
struct DetectedPost {
  Post post;
  double sentiment = 0.0;  // VADER compound, -1 .. 1
  double complaint = 0.0;  // complaint probability (ComplaintScorer), 0 .. 1
  std::vector<Detection> detections;
};

// What a poller hands the escalator: the posts of one fetch and the source cursor that covers
// them. The escalator commits the cursor in the same transaction as the escalations, so a crash
// re-reads the batch instead of losing it.
struct PostBatch {
  std::string source;                 // configured source name
  std::optional<std::string> cursor;  // the source's cursor after this batch; nullopt = unchanged
  std::vector<DetectedPost> posts;
  // Ids of this source's posts deleted on the network (SourceBatch::deleted_ids): an open
  // incident carrying one resolves ("post deleted"), in the same commit as the batch.
  std::vector<std::string> deleted_ids;
  // A request of the source to its network succeeded (SourceBatch::fetched). Pollers send a
  // batch (maybe empty) at least once a minute while that holds, so the escalator can tell a
  // source that went silent, 5xx answers and timeouts included.
  bool fetch_ok = false;
  // In a cluster: where this batch sits in the batch stream, set by the leader that read it and
  // committed with its effects (EscalatorCommit::input_seq). nullopt on a single node.
  std::optional<uint64_t> input_seq;
};

}  // namespace earshot
