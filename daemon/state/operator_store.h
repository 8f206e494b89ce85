// OperatorStore: what operators read and change, from the command line (`earshot incidents`,
// `report`, `ack`, `resolve`, `silence`) or a console: incidents with their posts and history,
// acknowledgements, resolutions by hand and silences. These writes come from another process
// than the daemon's, and the escalator picks them up at its next timer step.
//
// Threads: every method is thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/state/incident_records.h"
#include "daemon/state/silence_record.h"

namespace earshot {

class OperatorStore {
 public:
  virtual ~OperatorStore() = default;

  // ---- incidents -------------------------------------------------------------------------------
  // Incidents by status ("open", "resolved", ...) or all when empty, newest activity first.
  virtual Result<std::vector<IncidentRecord>> ListIncidents(std::string_view status,
                                                            size_t limit) = 0;
  // Every incident that is not resolved (open and acknowledged), in id order: `earshot
  // incidents` without --status. Also an IncidentStore query (the escalator's cache at start).
  virtual Result<std::vector<IncidentRecord>> LoadActiveIncidents() = 0;
  // Also an IncidentStore query (the escalator's): the same read serves both.
  virtual Result<std::optional<IncidentRecord>> LoadIncident(std::string_view id) = 0;
  // The incident's posts, newest first (by created_at), at most `limit`.
  virtual Result<std::vector<PostRef>> LoadIncidentPosts(std::string_view incident_id,
                                                         size_t limit) = 0;
  // The incident's history (opened, severity raised, notified, silenced, resolved), oldest first.
  virtual Result<std::vector<IncidentEvent>> LoadIncidentEvents(std::string_view incident_id) = 0;
  // The complaint incidents that first opened in [since, until), oldest first (ties by id):
  // `earshot report`. First: FirstOpenedAt (incident_records.h), so a complaint answered last
  // week and reopened today still counts in last week's report.
  virtual Result<std::vector<IncidentRecord>> ListIncidentsOpenedBetween(SystemTime since,
                                                                         SystemTime until) = 0;

  // ---- acknowledgement (written by `earshot ack`, possibly from another process) ------------
  // Marks an open incident acknowledged and records who and when in its events (kind
  // "acknowledged", reason "acknowledged by NAME"), and, in the same transaction, a PendingAck
  // the escalator turns into an `acknowledge` escalation for every sink (so a crash between the
  // two cannot lose it). Acknowledging twice is Ok and tells nothing new. kNotFound when
  // `id` names no incident; kInvalidArgument when it is already resolved. The escalator
  // then stops repeat pages for it; a severity raise still pages, a resolution still resolves.
  // A resolution by hand already recorded (see ResolveIncident) is kInvalidArgument too.
  virtual Status AcknowledgeIncident(std::string_view id, std::string_view by, SystemTime now) = 0;

  // ---- resolution by hand (written by `earshot resolve`, possibly from another process) ------
  // Resolves an open or acknowledged incident on an operator's word: records who and when in
  // its events (kind "resolved", reason "resolved by NAME", ResolvedByReason) and, in the same
  // transaction, a PendingResolve. The status stays as it is until the escalator, which owns
  // the active incidents, reads the pending record (within a second while the daemon runs, else
  // at its first step): it then resolves the incident as it resolves any, with a `resolve`
  // escalation for every sink (none for an incident never paged), and deletes the record in
  // that commit, so a crash between the two can neither lose the resolution nor tell it twice.
  // A later complaint on the same key then reopens the incident. Resolving what is resolved, or
  // already waits for the escalator, is Ok and tells nothing new. kNotFound when `id` names no
  // incident.
  virtual Status ResolveIncident(std::string_view id, std::string_view by, SystemTime now) = 0;

  // ---- silences (written by `earshot silence`, possibly from another process) ----------------
  // Stores a new silence and returns its id ("sil-1", ...).
  virtual Result<std::string> AddSilence(const SilenceRecord& silence) = 0;
  // Silences whose end is after `now` (and not expired by hand) when `active_only`, else all.
  virtual Result<std::vector<SilenceRecord>> ListSilences(SystemTime now, bool active_only) = 0;
  // Ends the silence now. kNotFound when `id` names none.
  virtual Status ExpireSilence(std::string_view id, SystemTime now) = 0;
};

}  // namespace earshot
