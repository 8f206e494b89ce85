// ActiveSilences: the silences in force, as label matchers: the store's (`earshot silence`,
// written by another process) and the silences file's (silence_file.h, set by a reload). The
// escalator re-reads them at its first step and at each Tick(); between two reads it asks only
// the list it holds.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"
#include "daemon/base/status.h"
#include "daemon/escalator/label_matcher.h"
#include "daemon/escalator/silence_file.h"
#include "daemon/state/incident_store.h"

namespace earshot {

class ActiveSilences {
 public:
  // `store` must outlive the list.
  explicit ActiveSilences(IncidentStore& store) : store_(store) {}

  // Replaces the silences file's entries; they join at the next Refresh(). Safe from any thread.
  void SetFile(std::vector<FileSilence> silences);
  // How many file silences are set (active, pending or ended since). Safe from any thread.
  size_t file_count() const;

  // Re-reads the store's silences active at `now` and adds the file's active then.
  Status Refresh(SystemTime now);

  // The id of an active silence matching the incident's labels (plus severity, rule,
  // category, incident_id), or "" when none does.
  std::string SilencedBy(const IncidentRecord& inc) const;

 private:
  IncidentStore& store_;
  // Active silences by id: the store's, then the file's (the escalator's thread only).
  std::vector<std::pair<std::string, LabelMatchers>> silences_;
  // The silences file's entries as last set; the one field shared with other threads.
  mutable Mutex file_mu_;
  std::shared_ptr<const std::vector<FileSilence>> file_ GUARDED_BY(file_mu_);
};

}  // namespace earshot
