// Escalation: what the escalator promises to deliver and every sink receives. It travels as
// JSON on the ZeroMQ bus and rests in the outbox; docs/bus.md documents the wire format.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/duration.h"
#include "daemon/base/severity.h"

namespace earshot {

// How people write an author on `network`: "u/name" on Reddit, "@name" everywhere else.
inline std::string AuthorHandle(std::string_view network, std::string_view handle) {
  return std::string(network == "reddit" ? "u/" : "@") + std::string(handle);
}

// Whether `network` tells earshot how many followers an author has. Reddit does not (karma is
// not reach), so a page there says nothing rather than "0 followers".
inline bool HasFollowerCounts(std::string_view network) { return network != "reddit"; }

// A post as a page shows it: enough to act on without opening the network.
struct PostRef {
  std::string network, id, url;
  std::string author;        // handle
  std::string author_name;   // display name
  int64_t followers = 0;
  std::string text;
  // The text's size in bytes as fetched when earshot cut it to its limit, 0 when whole. On the
  // wire as "text_bytes" with "truncated": true, only when cut.
  uint64_t text_bytes = 0;
  SystemTime created_at{};
  double sentiment = 0.0;
  double complaint = 0.0;    // complaint probability from the complaint scorer, 0..1
  bool operator==(const PostRef&) const = default;
};

// The first public reply in an incident's thread from a staff account (escalation's
// staff_authors): support teams judge themselves by the time to it. Kept by the incident for
// good (a reopen does not forget it); a resolve escalation carries it when the reply that
// resolved it was that first one.
struct FirstResponse {
  // The escalator's clock at the step that read the reply, not the post's created_at: the
  // incident's opened_at is the escalator's clock too, so `after` compares like with like (both
  // ends carry the same polling delay), whereas created_at is the network's clock, may be
  // skewed, and is old news on a source's re-read after a restart.
  SystemTime at{};
  std::string by;                 // the staff handle as the network spells it, without "@"
  std::chrono::seconds after{0};  // from the incident's opened_at to `at`, never negative
  bool operator==(const FirstResponse&) const = default;
};

// "answered by @acme_care after 12m00s": a first response as the sinks and `earshot incidents`
// show it, the handle spelled as on `network`.
inline std::string AnsweredText(const FirstResponse& r, std::string_view network) {
  return "answered by " + AuthorHandle(network, r.by) + " after " + FormatWait(r.after);
}

struct Escalation {
  // kAcknowledge: someone on call took the incident (`earshot ack`); its reason is
  // "acknowledged by NAME". It is news for receivers, never a new alarm.
  enum class Kind { kOpen, kUpdate, kResolve, kAcknowledge };

  uint64_t seq = 0;          // outbox sequence number: strictly increasing, gap-free
  std::string incident_id;   // stable across restarts: the idempotency key for receivers
  Kind kind = Kind::kOpen;
  Severity severity = Severity::kLow;
  std::string rule_id;
  std::string category;      // "complaint", ...
  std::string summary;       // one line a human reads first
  std::string reason;        // why this notification: "new incident", "severity raised", "repeat"
  std::vector<PostRef> posts;  // the newest posts of the incident, newest first
  // Posts left out to fit a sink's max_escalation_bytes (sinks/escalation_fit.h); on the wire as
  // "posts_omitted" only when not 0.
  uint32_t posts_omitted = 0;
  Labels labels;
  SystemTime at{};
  // Set on the resolve a staff reply produced, when that reply was the incident's first
  // response; on the wire as "first_response" only when set.
  std::optional<FirstResponse> first_response;
};

// The escalation's first response as AnsweredText spells it, on the incident's network (its
// "network" label, else its newest post's); "" when it carries none.
inline std::string AnsweredText(const Escalation& e) {
  if (!e.first_response) return "";
  auto network = e.labels.find("network");
  if (network != e.labels.end()) return AnsweredText(*e.first_response, network->second);
  return AnsweredText(*e.first_response, e.posts.empty() ? "" : e.posts.front().network);
}

constexpr std::string_view KindName(Escalation::Kind k) {
  switch (k) {
    case Escalation::Kind::kOpen: return "open";
    case Escalation::Kind::kUpdate: return "update";
    case Escalation::Kind::kResolve: return "resolve";
    case Escalation::Kind::kAcknowledge: return "acknowledge";
  }
  return "open";
}

}  // namespace earshot
