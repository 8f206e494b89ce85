// LiveDetections: where pollers report the posts that matched a rule, for the console's live
// views. It stamps each post with the clock once and hands it to the DetectionFeed and to the
// RuleActivity, so both tell the same story with the same time and the same feed seq. The App
// owns it beside the feed and the activity; pollers hold a pointer. Thread-safe.
#pragma once

#include <string_view>

#include "daemon/app/detection_feed.h"
#include "daemon/app/rule_activity.h"
#include "daemon/base/clock.h"
#include "daemon/model/detection.h"

namespace earshot {

class LiveDetections {
 public:
  // All three must outlive this object.
  LiveDetections(DetectionFeed& feed, RuleActivity& activity, const Clock& clock)
      : feed_(feed), activity_(activity), clock_(clock) {}

  // Called on a poller's thread with a post's final detections (after its author was
  // completed). A post without detections is not shown and is ignored. Copies what the views
  // keep and returns; never waits on a reader.
  void Publish(std::string_view source, const DetectedPost& post) {
    if (post.detections.empty()) return;
    const SystemTime at = clock_.Now();
    const uint64_t seq = feed_.Publish(source, post, at);
    activity_.Record(source, post, at, seq);
  }

 private:
  DetectionFeed& feed_;
  RuleActivity& activity_;
  const Clock& clock_;
};

}  // namespace earshot
