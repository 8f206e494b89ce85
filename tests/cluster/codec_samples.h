// Values for the cluster codec tests: every field set to something other than its default (so a
// field the codec forgot reads back different), and equality for the structs that have no
// operator== of their own, field by field.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>

#include "daemon/cluster/batch_codec.h"
#include "daemon/state/incident_store.h"

namespace earshot::testing {

// Nanoseconds that milliseconds would lose, on both sides of the epoch.
inline const SystemTime kT1 = SystemTime(std::chrono::nanoseconds(1'795'000'000'123'456'789));
inline const SystemTime kT2 = SystemTime(std::chrono::nanoseconds(-86'400'000'000'001));
inline constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
inline constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

// Text a post can carry: quotes, backslashes, newlines, control bytes (NUL among them), emoji,
// a combining mark, U+2028, and characters JSON escapes for HTML elsewhere.
inline const std::string kHardText =
    std::string("she said \"lost\" \\ my bag\n\r\t\x01\x1f\x7f ") + '\0' +
    " end \xF0\x9F\x98\xA1\xF0\x9F\x91\x9C e\xCC\x81 \xE2\x80\xA8 </script>";

inline IncidentRecord FullIncident() {
  IncidentRecord r;
  r.id = "inc-0123456789abcdef";
  r.group_key = "mastodon|jane@air.example|1093";
  r.status = IncidentStatus::kAcknowledged;
  r.rule_id = "lost-baggage";
  r.category = IncidentKind::kNewHashtag;
  r.severity = Severity::kCritical;
  r.notified_severity = Severity::kMedium;
  r.labels = {{"brand", "acmeair"}, {"note", kHardText}, {"", "empty name"}};
  r.summary = "Lost bag \"again\"";
  r.receiver = "pager";
  r.opened_at = kT1;
  r.last_post_at = kT1 + std::chrono::nanoseconds(1);
  r.last_notified_at = kT2;
  r.resolved_at = kT1 + std::chrono::hours(2);
  r.post_count = 42;
  r.pending_reason = NotifyReason::Of(NotifyReason::Kind::kResolved, "repeat");
  r.engagement = {-3, kI64Max, kI64Min};
  r.authors = 7;
  r.first_response =
      FirstResponse{kT1 + std::chrono::minutes(12), "acme_care", std::chrono::seconds(720)};
  r.response_due_at = kT1 + std::chrono::minutes(15);
  r.unanswered_level = 2;
  r.breach_notified = true;
  return r;
}

// Every optional of an incident unset, the rest as FullIncident.
inline IncidentRecord BareIncident() {
  IncidentRecord r = FullIncident();
  r.notified_severity.reset();
  r.resolved_at.reset();
  r.first_response.reset();
  r.response_due_at.reset();
  r.labels.clear();
  r.pending_reason.clear();
  return r;
}

inline PostRef FullPostRef() {
  PostRef p;
  p.network = "mastodon";
  p.id = "109876543210987654";
  p.url = "https://air.example/@jane/109876543210987654";
  p.author = "jane@air.example";
  p.author_name = "Jane \xF0\x9F\x9B\xAB";
  p.followers = kI64Max;
  p.text = kHardText;
  p.text_bytes = kU64Max;
  p.created_at = kT2;
  p.sentiment = -0.1234567890123456789;  // more digits than a double keeps
  p.complaint = 1.0 / 3.0;
  return p;
}

inline EscalatorCommit FullCommit() {
  EscalatorCommit c;
  c.source = "mastodon:airline";
  c.cursor = "109876543210987654";
  c.seen = {{"mastodon:airline", "1", kT1}, {"bluesky:airline", "at://did:plc:x/2", kT2}};
  c.incidents = {FullIncident(), BareIncident()};
  c.posts = {{"inc-0123456789abcdef", FullPostRef(), {1, 2, 3}}};
  c.engagement = {{"inc-0123456789abcdef", FullPostRef(), {-1, 0, kI64Max}}};
  c.events = {{"inc-0123456789abcdef", kT1, IncidentEventKind::kMomentum, Severity::kHigh,
               "likes 1000 \"raised\"", kU64Max}};
  c.outbox = {{kU64Max, R"({"seq":18446744073709551615,"text":"a \"b\"\n"})", kT1}};
  c.hashtags = {
      {"boycottacmeair", "acmeair", kT2, "bluesky", "3k2", "https://bsky.app/x", 9, "inc-1"}};
  SurgeKeyRecord k;
  k.key = "rule:lost-baggage|brand:acmeair";
  k.bucket = 28'900'000;
  k.bucket_count = 12;
  k.mean = 0.1;
  k.var = 5e-324;  // the smallest subnormal
  k.active = true;
  k.incident_id = "inc-surge";
  k.started_count = 11;
  k.frozen_windows = -1;
  k.hold_until = kT1;
  k.events = {{kT1, "jane@air.example"}, {kT2, "bob"}};
  k.drop_through = kT2;
  SurgeKeyRecord bare = k;
  bare.key = "hashtag:acmeairsucks";
  bare.events.clear();
  bare.drop_through.reset();
  bare.mean = 1e300;
  bare.var = 0;
  c.surge.keys = {k, bare};
  c.surge.forgotten = {"hashtag:old", ""};
  c.acks_done = {1, kI64Max, -2};
  c.resolves_done = {kI64Min};
  c.input_seq = kU64Max;
  return c;
}

inline DetectedPost FullDetectedPost() {
  DetectedPost d;
  Post& p = d.post;
  p.network = "bluesky";
  p.id = "at://did:plc:abc/app.bsky.feed.post/3k2";
  p.url = "https://bsky.app/profile/jane/post/3k2";
  p.created_at = kT1;
  p.edited_at = "2026-12-07T17:00:00.000Z";
  p.author = {"jane.bsky.social", "did:plc:abc", "Jane \"J\" Doe", -5, true};
  p.text = kHardText;
  p.text_bytes = kU64Max;
  p.hashtags = {"acmeairsucks", "lostbag"};
  p.mentions = {"acmeair.bsky.social"};
  p.language = "en";
  p.thread_key = "at://did:plc:abc/app.bsky.feed.post/3k0";
  p.reply_to = "at://did:plc:abc/app.bsky.feed.post/3k1";
  p.boosted_by = "bob.bsky.social";
  p.replies = -1;
  p.boosts = kI64Min;
  p.likes = kI64Max;
  p.source = "bluesky:airline";
  d.sentiment = -0.8316;
  d.complaint = 0.9999999999999999;
  Detection det;
  det.rule_id = "lost-baggage";
  det.category = Category::kResolution;
  det.severity = Severity::kInfo;
  det.labels = {{"brand", "acmeair"}, {"team", "bags"}};
  det.summary = "Lost baggage \xE2\x80\x94 \"again\"";
  det.shadow = true;
  det.captures = {{"flight", "AC1093"}};
  d.detections = {det, Detection{}};
  return d;
}

inline cluster::BatchEnvelope FullBatch() {
  cluster::BatchEnvelope e;
  e.node = "node-b";
  e.epoch = kU64Max;
  e.batch.source = "bluesky:airline";
  e.batch.cursor = "1733587200123456";
  e.batch.posts = {FullDetectedPost(), DetectedPost{}};
  e.batch.deleted_ids = {"at://did:plc:abc/app.bsky.feed.post/3j9", ""};
  e.batch.fetch_ok = true;
  return e;
}

// ---- equality, field by field, for the records without operator== ----------------------------

// Declared first: the vector overload finds each of them by ordinary lookup (the records live
// in namespace earshot, so lookup by argument would not search this one).
inline bool Same(const SeenPost& a, const SeenPost& b);
inline bool Same(const IncidentPost& a, const IncidentPost& b);
inline bool Same(const OutboxRecord& a, const OutboxRecord& b);
inline bool Same(const Author& a, const Author& b);
inline bool Same(const Post& a, const Post& b);
inline bool Same(const Detection& a, const Detection& b);
inline bool Same(const DetectedPost& a, const DetectedPost& b);
template <class T>
bool Same(const T& a, const T& b) {
  return a == b;
}
template <class T>
bool Same(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!Same(a[i], b[i])) return false;
  }
  return true;
}

inline bool Same(const SeenPost& a, const SeenPost& b) {
  return std::tie(a.source, a.post_id, a.seen_at) == std::tie(b.source, b.post_id, b.seen_at);
}
inline bool Same(const IncidentPost& a, const IncidentPost& b) {
  return a.incident_id == b.incident_id && a.post == b.post && a.engagement == b.engagement;
}
inline bool Same(const OutboxRecord& a, const OutboxRecord& b) {
  return std::tie(a.seq, a.json, a.created_at) == std::tie(b.seq, b.json, b.created_at);
}
inline bool Same(const Author& a, const Author& b) {
  return std::tie(a.handle, a.id, a.display_name, a.followers, a.bot) ==
         std::tie(b.handle, b.id, b.display_name, b.followers, b.bot);
}
inline bool Same(const Post& a, const Post& b) {
  return std::tie(a.network, a.id, a.url, a.created_at, a.edited_at, a.text, a.text_bytes,
                  a.hashtags, a.mentions, a.language, a.thread_key, a.reply_to, a.boosted_by,
                  a.replies, a.boosts, a.likes, a.source) ==
             std::tie(b.network, b.id, b.url, b.created_at, b.edited_at, b.text, b.text_bytes,
                      b.hashtags, b.mentions, b.language, b.thread_key, b.reply_to, b.boosted_by,
                      b.replies, b.boosts, b.likes, b.source) &&
         Same(a.author, b.author);
}
inline bool Same(const Detection& a, const Detection& b) {
  return std::tie(a.rule_id, a.category, a.severity, a.labels, a.summary, a.shadow, a.captures) ==
         std::tie(b.rule_id, b.category, b.severity, b.labels, b.summary, b.shadow, b.captures);
}
inline bool Same(const DetectedPost& a, const DetectedPost& b) {
  return Same(a.post, b.post) && a.sentiment == b.sentiment && a.complaint == b.complaint &&
         Same(a.detections, b.detections);
}

}  // namespace earshot::testing
