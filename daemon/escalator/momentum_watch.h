// MomentumWatch: momentum (momentum.h) applied to the incidents of a step. A post read again
// with higher counts adds the difference to its active incident; a complainer new to a thread
// adds an author to the others complaining there; an incident that gains momentum is raised
// one step, once, and its history says which measure did it.
#pragma once

#include <vector>

#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/escalator_step.h"
#include "daemon/escalator/incident_book.h"
#include "daemon/escalator/pager.h"

namespace earshot {

class MomentumWatch {
 public:
  // All four must outlive the watch.
  MomentumWatch(const EscalatorOptions& options, IncidentStore& store, IncidentBook& book,
                Pager& pager)
      : options_(options), store_(store), book_(book), pager_(pager) {}

  // A post already committed, read again: adds the growth of its counts to its active incident.
  void RefreshEngagement(EscalationStep& step, const DetectedPost& dp, const Detection& d);

  // A complainer new to the incident's thread: counts the other active complainers there
  // (returned as their incidents) and adds one author to each of them.
  std::vector<IncidentRecord*> ThreadNeighbours(EscalationStep& step, const IncidentRecord& inc);

  // Raises `inc` one step when `had_momentum` was false and it has momentum now; records why.
  // Returns true when it raised.
  bool MaybeRaise(EscalationStep& step, IncidentRecord& inc, bool had_momentum);

 private:
  const EscalatorOptions& options_;
  IncidentStore& store_;
  IncidentBook& book_;
  Pager& pager_;
};

}  // namespace earshot
