// The wire format of an Escalation: one JSON object, the same bytes on the ZeroMQ bus, in the
// outbox table, in the JSONL file sink and on `earshot tail`. docs/bus.md documents it for
// outside subscribers. Field names are stable; new fields may be added, never renamed.
//
//   {"seq":42,"incident_id":"inc-3f2a...","kind":"open","severity":"high",
//    "rule_id":"brand-sucks","category":"complaint","summary":"...","reason":"new incident",
//    "at":"2026-11-22T10:15:00.000Z","labels":{"brand":"acmeair"},
//    "posts":[{"network":"mastodon","id":"1093","url":"https://...","author":"jane@air.example",
//              "author_name":"Jane","followers":152000,"text":"...",
//              "created_at":"2026-11-22T10:14:58.000Z","sentiment":-0.8316,
//              "complaint_score":0.93}]}
//
// A resolve that a staff reply produced carries, after "reason", the incident's first response
// when that reply was it: "first_response":{"at":"2026-11-22T10:27:00.000Z","by":"acme_care",
// "after_s":720} (after_s: whole seconds from the incident's opening).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "daemon/base/result.h"
#include "daemon/model/escalation.h"

namespace earshot {

// An upper bound on one serialised escalation: each post's text is at most 16 KiB
// (daemon/model/post_limits.h, up to 6 times that once JSON-escaped) and an escalation carries a
// bounded number of posts. Readers that look for a line's start (the file sink after a crash)
// scan back this far at most.
inline constexpr size_t kMaxEscalationLineBytes = size_t{64} << 20;

// Compact JSON, keys in the order above, times as ISO-8601 UTC with milliseconds.
std::string EscalationToJson(const Escalation& e);

// Parses what EscalationToJson wrote (simdjson On Demand). Unknown fields are ignored, so an
// older reader accepts a newer writer. kInvalidArgument names the first bad field.
Result<Escalation> EscalationFromJson(std::string_view json);

}  // namespace earshot
