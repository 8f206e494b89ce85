// Fitting an escalation to a sink's size limit (the `max_escalation_bytes` option every sink
// accepts, default 1 MiB): an escalation too large for a receiver is cut, never refused, so the
// page still goes out.
//
// The measure is the escalation's wire JSON (daemon/model/escalation_json.h), which is what the file
// sink, webhook and exec sinks send and an upper bound for what Slack, PagerDuty, email and the
// console build from it. Cutting, in order, until it fits:
//   1. every post's text to an excerpt of kFitExcerptBytes (with the " […]" marker, its size
//      as fetched kept in text_bytes);
//   2. the oldest posts dropped (posts are newest first), counted in posts_omitted (on the
//      wire as "posts_omitted"), down to the newest one;
//   3. the newest post's text cut further, then the summary.
// What is left past that (a limit below a bare escalation's size) goes out as it is.
// Stateless; any thread.
#pragma once

#include <cstddef>

#include "daemon/model/escalation.h"

namespace earshot {

inline constexpr size_t kDefaultMaxEscalationBytes = size_t{1} << 20;
inline constexpr size_t kMinMaxEscalationBytes = 4096;
inline constexpr size_t kFitExcerptBytes = 1024;

// Cuts *e until its wire JSON is at most max_bytes, as above. Returns whether it cut anything.
bool FitEscalation(Escalation* e, size_t max_bytes);

}  // namespace earshot
