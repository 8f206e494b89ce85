// EncodeCommit / DecodeCommit: a commit read back on another node is the commit its leader
// wrote, every field of every record, to the nanosecond and to the last bit of each double.
#include "daemon/cluster/commit_codec.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

#include "daemon/cluster/codec_enums.h"
#include "tests/cluster/codec_samples.h"

namespace earshot {
namespace {

using cluster::DecodeCommit;
using cluster::EncodeCommit;
using namespace testing;

EscalatorCommit RoundTrip(const EscalatorCommit& c) {
  auto decoded = DecodeCommit(EncodeCommit(c));
  INFO(decoded.status().ToString());
  REQUIRE(decoded.ok());
  return std::move(decoded).value();
}

void CheckSameCommit(const EscalatorCommit& a, const EscalatorCommit& b) {
  CHECK(a.source == b.source);
  CHECK(a.cursor == b.cursor);
  CHECK(Same(a.seen, b.seen));
  CHECK(Same(a.incidents, b.incidents));
  CHECK(Same(a.posts, b.posts));
  CHECK(Same(a.engagement, b.engagement));
  CHECK(Same(a.events, b.events));
  CHECK(Same(a.outbox, b.outbox));
  CHECK(Same(a.hashtags, b.hashtags));
  CHECK(Same(a.surge.keys, b.surge.keys));
  CHECK(a.surge.forgotten == b.surge.forgotten);
  CHECK(a.acks_done == b.acks_done);
  CHECK(a.resolves_done == b.resolves_done);
  CHECK(a.input_seq == b.input_seq);
}

TEST_CASE("commit codec: a full commit reads back field for field", "[cluster]") {
  const EscalatorCommit c = FullCommit();
  const EscalatorCommit back = RoundTrip(c);
  CheckSameCommit(c, back);
  // Spot checks that the samples really are the hard cases (and the helpers really compare).
  REQUIRE(back.incidents.size() == 2);
  CHECK(back.incidents[0].first_response->after == std::chrono::seconds(720));
  CHECK(back.incidents[0].labels.at("note") == kHardText);
  CHECK(back.incidents[0].engagement.likes == kI64Min);
  CHECK(back.posts.at(0).post.text_bytes == kU64Max);
  CHECK(back.posts.at(0).post.text.size() == kHardText.size());  // the NUL byte kept
  CHECK(back.outbox.at(0).json == FullCommit().outbox[0].json);
  CHECK(back.surge.keys.at(0).var == 5e-324);
  CHECK(back.input_seq == kU64Max);
  CHECK(back.events.at(0).seq == kU64Max);
  CHECK(back.seen.at(1).seen_at == kT2);  // before the epoch, to the nanosecond
  CHECK_FALSE(Same(back.posts, EscalatorCommit{}.posts));
}

TEST_CASE("commit codec: every optional unset stays unset", "[cluster]") {
  const EscalatorCommit empty;
  const EscalatorCommit back = RoundTrip(empty);
  CheckSameCommit(empty, back);
  CHECK_FALSE(back.cursor.has_value());
  CHECK_FALSE(back.input_seq.has_value());

  const IncidentRecord bare = BareIncident();
  EscalatorCommit c;
  c.incidents = {bare};
  c.surge.keys = FullCommit().surge.keys;
  c.surge.keys[0].drop_through.reset();
  const EscalatorCommit bare_back = RoundTrip(c);
  REQUIRE(bare_back.incidents.size() == 1);
  CHECK(bare_back.incidents[0] == bare);
  CHECK_FALSE(bare_back.incidents[0].notified_severity.has_value());
  CHECK_FALSE(bare_back.incidents[0].resolved_at.has_value());
  CHECK_FALSE(bare_back.incidents[0].first_response.has_value());
  CHECK_FALSE(bare_back.incidents[0].response_due_at.has_value());
  CHECK_FALSE(bare_back.surge.keys.at(0).drop_through.has_value());
}

TEST_CASE("commit codec: an empty cursor is not a missing one", "[cluster]") {
  EscalatorCommit c;
  c.cursor = "";
  c.input_seq = 0;
  const EscalatorCommit back = RoundTrip(c);
  CHECK(back.cursor == std::optional<std::string>(""));
  CHECK(back.input_seq == std::optional<uint64_t>(0));
}

TEST_CASE("commit codec: every enum value reads back as itself", "[cluster]") {
  EscalatorCommit c;
  for (IncidentStatus s :
       {IncidentStatus::kOpen, IncidentStatus::kAcknowledged, IncidentStatus::kResolved}) {
    IncidentRecord r = BareIncident();
    r.status = s;
    c.incidents.push_back(r);
  }
  for (IncidentKind k : {IncidentKind::kComplaint, IncidentKind::kSurge, IncidentKind::kNewHashtag,
                         IncidentKind::kSourceSilent}) {
    IncidentRecord r = BareIncident();
    r.category = k;
    c.incidents.push_back(r);
  }
  for (Severity s :
       {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    IncidentRecord r = BareIncident();
    r.severity = s;
    r.notified_severity = s;
    c.incidents.push_back(r);
  }
  for (int k = 0; k <= static_cast<int>(IncidentEventKind::kMomentum); ++k) {
    IncidentEvent e;
    e.kind = static_cast<IncidentEventKind>(k);
    c.events.push_back(e);
  }
  const EscalatorCommit back = RoundTrip(c);
  CHECK(back.incidents == c.incidents);
  CHECK(back.events == c.events);
}

TEST_CASE("commit codec: a pending reason keeps its kind, which its text alone would not",
          "[cluster]") {
  // The state store keeps the reason as its text: a kResolved or kOther reason whose words look
  // like a fixed text ("repeat") would read back as another kind. The message names the kind.
  EscalatorCommit c;
  for (int k = 0; k <= static_cast<int>(NotifyReason::Kind::kOther); ++k) {
    const auto kind = static_cast<NotifyReason::Kind>(k);
    CHECK(cluster::ParseNotifyReasonKind(cluster::NotifyReasonKindName(kind)) == kind);
    IncidentRecord r = BareIncident();
    r.pending_reason = NotifyReason::Of(kind, "repeat");
    c.incidents.push_back(r);
  }
  const EscalatorCommit back = RoundTrip(c);
  REQUIRE(back.incidents.size() == c.incidents.size());
  for (size_t i = 0; i < c.incidents.size(); ++i) {
    CHECK(back.incidents[i].pending_reason == c.incidents[i].pending_reason);
  }
  CHECK(NotifyReason::Parse(NotifyReason::Of(NotifyReason::Kind::kOther, "repeat").Text()).kind !=
        NotifyReason::Kind::kOther);
}

TEST_CASE("commit codec: doubles keep every bit, and non-finite ones read back as 0", "[cluster]") {
  const double finite[] = {0.1,
                           1.0 / 3.0,
                           -0.8316,
                           1.0,
                           -1.0,
                           1e16,
                           123456789012345678.0,
                           9007199254740993.0,
                           1e300,
                           -1e-300,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::min(),
                           -0.0};
  for (double d : finite) {
    EscalatorCommit c;
    c.posts = {IncidentPost{"inc-1", FullPostRef(), {}}};
    c.posts[0].post.sentiment = d;
    c.posts[0].post.complaint = -d;
    c.surge.keys = {FullCommit().surge.keys[0]};
    c.surge.keys[0].mean = d;
    c.surge.keys[0].var = d * 0.5;
    const EscalatorCommit back = RoundTrip(c);
    INFO(fmt::format("{}", d));
    const double got[] = {back.posts.at(0).post.sentiment, back.posts.at(0).post.complaint,
                          back.surge.keys.at(0).mean, back.surge.keys.at(0).var};
    const double want[] = {d, -d, d, d * 0.5};
    for (size_t i = 0; i < 4; ++i) {
      CHECK(std::memcmp(&got[i], &want[i], sizeof(double)) == 0);  // -0.0 too
    }
  }
  for (double d :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    EscalatorCommit c;
    c.posts = {IncidentPost{"inc-1", FullPostRef(), {}}};
    c.posts[0].post.sentiment = d;
    c.surge.keys = {FullCommit().surge.keys[0]};
    c.surge.keys[0].mean = d;
    const std::string json = EncodeCommit(c);
    CHECK(json.find("\"sentiment\":null") != std::string::npos);
    const EscalatorCommit back = RoundTrip(c);
    CHECK(back.posts.at(0).post.sentiment == 0.0);
    CHECK(back.surge.keys.at(0).mean == 0.0);
  }
}

TEST_CASE("commit codec: invalid UTF-8 becomes U+FFFD, as everywhere earshot writes JSON",
          "[cluster]") {
  // The one loss: JSON holds only Unicode text. Nothing earshot stores is invalid UTF-8 (the
  // sources scrub what they fetch, daemon/base/utf8.h), so in practice no commit loses a byte.
  EscalatorCommit c;
  c.posts = {IncidentPost{"inc-1", FullPostRef(), {}}};
  c.posts[0].post.text = "bad \xFF byte, cut \xE2\x82";
  const EscalatorCommit back = RoundTrip(c);
  // JsonEscape replaces each bad byte: the cut sequence's two bytes are two U+FFFD.
  CHECK(back.posts.at(0).post.text == "bad \xEF\xBF\xBD byte, cut \xEF\xBF\xBD\xEF\xBF\xBD");
}

}  // namespace
}  // namespace earshot
