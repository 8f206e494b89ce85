// Momentum: how much attention an incident is gathering, as a severity signal beside the rule,
// sentiment, reach and VIPs. Two measures:
//
//   engagement  the replies, boosts and likes its posts have gathered: per post the highest
//               counts seen (a later fetch of the same post with higher counts adds the
//               difference), summed over the incident's posts;
//   authors     distinct people complaining: in the incident, and for a per-author incident
//               (the default grouping) the other complainers in the same thread too.
//
// Crossing any configured threshold (EscalatorOptions::momentum_*) raises the incident one step,
// once; from then on each of its new posts counts one step higher. Raising re-notifies as any
// raise does (reason "severity raised"), and the incident's history says which measure did it.
//
// Free functions of their arguments: no state, no I/O, callable from any thread.
#pragma once

#include <string>

#include "daemon/base/severity.h"
#include "daemon/escalator/escalator_options.h"
#include "daemon/state/incident_records.h"
#include "daemon/model/post.h"

namespace earshot {

// The post's counts as the network reported them in this fetch.
Engagement EngagementOf(const Post& post);

// What `now` adds to `before`, per count (never negative: a count that fell, say an unboost,
// keeps the highest seen).
Engagement Growth(const Engagement& before, const Engagement& now);
void Add(Engagement* total, const Engagement& more);
bool IsZero(const Engagement& e);

// True when the incident's engagement or authors reach any threshold that is on (> 0).
bool HasMomentum(const IncidentRecord& inc, const EscalatorOptions& options);

// "3 complaining authors, 57 boosts": the measures at or over their threshold, for history.
std::string MomentumText(const IncidentRecord& inc, const EscalatorOptions& options);

// One step up, capped at critical.
Severity RaiseOne(Severity s);

// "mastodon|1093" for a per-author complaint incident (group key network|author|thread): the
// thread whose other complainers count as its authors. "" for every other incident (group_by,
// surges, silent sources), whose authors are counted among their own posts.
std::string ThreadKeyOf(const IncidentRecord& inc);

}  // namespace earshot
