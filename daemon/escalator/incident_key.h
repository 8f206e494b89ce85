// The pure pieces of escalation: how posts group into incidents, how an incident id is derived
// from its group key, how severity is computed, and the one-line summary a human reads first.
// Free functions of their arguments: no state, no I/O, callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/severity.h"
#include "daemon/escalator/escalator_options.h"
#include "daemon/model/detection.h"

namespace earshot {

// The thread a post belongs to: its thread key, else the post it replies to, else itself.
std::string_view ThreadOf(const Post& post);

// What the escalator remembers a post as having seen: its id, plus "@<edited_at>" for an edited
// version, so that an edit is judged again once and a re-read of either version is not.
std::string SeenKey(const Post& post);

// "mastodon|jane@air.example|1093": the default grouping, per (network, author, thread).
std::string AuthorThreadKey(std::string_view network, std::string_view author,
                            std::string_view thread);

// The group key of a complaint. By default AuthorThreadKey. A rule whose labels carry
// `group_by` (a comma list of label names, "brand,team") groups by those labels' values
// instead: "group|brand=acmeair|team=baggage". Names are looked up in the detection's labels,
// then `network`, `author`, `thread` and `rule` come from the post; a missing label groups as "".
std::string GroupKeyFor(const Post& post, const Detection& detection);

// The label names of a `group_by` value, trimmed, empties and repeats dropped, in order.
std::vector<std::string> ParseGroupBy(std::string_view list);

// "inc-" + 16 hex digits of a 64-bit FNV-1a hash of the group key: the same key gives the same
// id on every run and every machine, so a restart that re-reads a post finds its incident.
std::string IncidentIdFor(std::string_view group_key);

// The rule's severity raised one step per reach tier (two at the top tier), one step for a
// sentiment at or below sentiment_raise or a complaint score at or above complaint_raise (one
// step when both hold; the complaint score lifts only what is still below high), floored at
// vip_severity for listed authors, capped at critical.
Severity PostSeverity(const Detection& detection, const DetectedPost& post,
                      const EscalatorOptions& options);

// The `complaint` label of a complaint incident, so that a route can say `complaint="high"`:
// the band of a complaint probability, "high" (>= 0.8), "medium" (>= 0.5) or "low" (below,
// and a score that is not a number).
std::string_view ComplaintBand(double complaint);

// The higher of two bands; "" and any other value rank below "low". An incident keeps the band
// of its highest post: a later, calmer post never moves it off a route it already reached.
std::string_view HigherComplaintBand(std::string_view a, std::string_view b);

// "152k followers", "1 follower", "1.2M followers".
std::string FollowersText(int64_t followers);

// `@jane@air.example (152k followers): "#AcmeAirSucks lost my bag in Denver"`, the text cut
// at a UTF-8 boundary to about 140 bytes.
std::string PostSummary(const Post& post);

// A brand as hashtags spell it: lowercase ASCII letters and digits only ("Acme Air" ->
// "acmeair"), as the rule packs' {{brand}} hashtags are written.
std::string BrandKey(std::string_view brand);

// "24h", "90m", "45s": a duration as the reason of a quiet resolution shows it.
std::string ShortDuration(std::chrono::seconds d);

}  // namespace earshot
