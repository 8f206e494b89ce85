// SurgeWatch: the surges (surge.h) as incidents. Each complaint counts under its surge keys
// (its rule and brand, each of its hashtags); a key that starts a surge opens a "surge"
// incident, or joins the one already running for the brand (one storm, one page); the posts of
// a running surge gather in its incident without paging; a surge whose rate fell back resolves.
// While a surge for a brand runs, it inhibits the brand's other pages (Pager).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/escalator_step.h"
#include "daemon/escalator/incident_book.h"
#include "daemon/escalator/surge.h"

namespace earshot {

class Pager;

class SurgeWatch {
 public:
  // `options` and `book` must outlive the watch.
  SurgeWatch(const EscalatorOptions& options, IncidentBook& book);

  // After the book loaded: the counts as the last commit left them (windows, baselines and
  // running surges). A surge incident open in a store that kept no counts for it keeps running
  // (and inhibiting) from `now` until fresh counts end it.
  Status Load(IncidentStore& store, SystemTime now);

  // Counts the complaint under its surge keys; opens a surge incident when one starts and
  // attaches the post to the surges already running. The pager comes with each call, since it
  // asks this watch in turn whether a page is inhibited.
  void Observe(EscalationStep& step, const DetectedPost& dp, const Detection& d, Pager& pager);

  // The surge that inhibits the incident's pages (same brand), or "". Surges and new hashtags
  // are never inhibited.
  std::string InhibitorOf(const EscalationStep& step, const IncidentRecord& inc) const;

  // Resolves the surge incidents whose rate fell back by step.now (the timer step).
  void ResolveEnded(EscalationStep& step);

  // The counts themselves: staged per step (Begin, Commit, Rollback) and committed with it.
  SurgeDetector& detector() { return detector_; }
  const SurgeDetector& detector() const { return detector_; }

 private:
  void Open(EscalationStep& step, const std::string& key, const SurgeDetector::Stats& stats,
            const DetectedPost& dp, const Detection& d, Pager& pager);
  // The id of an open surge incident for `brand` ("" when none, or `brand` is "").
  std::string RunningFor(const EscalationStep& step, const std::string& brand) const;

  const EscalatorOptions& options_;
  IncidentBook& book_;
  SurgeDetector detector_;
};

}  // namespace earshot
