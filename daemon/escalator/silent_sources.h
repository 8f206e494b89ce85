// SilentSources: a source that has not fetched for source_silent_after is an incident of its
// own ("source-silent"), one per silent episode, until it fetches again. Only pollers vouch
// for a fetch (PostBatch::fetch_ok): replayed or hand-made batches never watch a source.
#pragma once

#include <string>
#include <unordered_map>

#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/escalator_step.h"
#include "daemon/escalator/incident_book.h"
#include "daemon/escalator/pager.h"

namespace earshot {

class SilentSources {
 public:
  // All three must outlive the watch.
  SilentSources(const EscalatorOptions& options, IncidentBook& book, Pager& pager)
      : options_(options), book_(book), pager_(pager) {}

  // `source` fetched in this step: its silent-source incident, if any, resolves.
  void FetchedAgain(EscalationStep& step, const std::string& source);
  // After the step that carried the fetch committed: the source was last heard at `at`.
  void Heard(const std::string& source, SystemTime at) { last_fetch_[source] = at; }

  // Opens an incident for each source that has not fetched for source_silent_after.
  void Check(EscalationStep& step);

 private:
  // The active "source-silent" incident of `source`, or nullptr.
  IncidentRecord* IncidentOf(EscalationStep& step, const std::string& source);

  const EscalatorOptions& options_;
  IncidentBook& book_;
  Pager& pager_;
  // When each source last fetched successfully (batches with fetch_ok).
  std::unordered_map<std::string, SystemTime> last_fetch_;
};

}  // namespace earshot
