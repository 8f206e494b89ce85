// EncodeBatch / DecodeBatch: a batch a poller sent reads back on the leader as it was polled,
// every post field and detection, with its node and lease epoch; only input_seq stays behind.
#include "daemon/cluster/batch_codec.h"

#include <catch2/catch.hpp>

#include "daemon/cluster/codec_enums.h"
#include "tests/cluster/codec_samples.h"

namespace earshot {
namespace {

using cluster::BatchEnvelope;
using cluster::DecodeBatch;
using cluster::EncodeBatch;
using namespace testing;

BatchEnvelope RoundTrip(const BatchEnvelope& e) {
  auto decoded = DecodeBatch(EncodeBatch(e));
  INFO(decoded.status().ToString());
  REQUIRE(decoded.ok());
  return std::move(decoded).value();
}

void CheckSameBatch(const BatchEnvelope& a, const BatchEnvelope& b) {
  CHECK(a.node == b.node);
  CHECK(a.epoch == b.epoch);
  CHECK(a.batch.source == b.batch.source);
  CHECK(a.batch.cursor == b.batch.cursor);
  CHECK(Same(a.batch.posts, b.batch.posts));
  CHECK(a.batch.deleted_ids == b.batch.deleted_ids);
  CHECK(a.batch.fetch_ok == b.batch.fetch_ok);
}

TEST_CASE("batch codec: a full batch reads back field for field", "[cluster]") {
  const BatchEnvelope e = FullBatch();
  const BatchEnvelope back = RoundTrip(e);
  CheckSameBatch(e, back);
  REQUIRE(back.batch.posts.size() == 2);
  const DetectedPost& p = back.batch.posts[0];
  CHECK(p.post.text == kHardText);
  CHECK(p.post.text_bytes == kU64Max);
  CHECK(p.post.boosts == kI64Min);
  CHECK(p.post.author.followers == -5);
  CHECK(p.post.author.bot);
  CHECK(p.post.created_at == kT1);
  CHECK(p.complaint == 0.9999999999999999);
  REQUIRE(p.detections.size() == 2);
  CHECK(p.detections[0].captures.at("flight") == "AC1093");
  CHECK(p.detections[0].shadow);
  CHECK(back.epoch == kU64Max);
  CHECK_FALSE(Same(back.batch.posts[0], back.batch.posts[1]));
}

TEST_CASE("batch codec: an empty batch, every optional unset, stays so", "[cluster]") {
  const BatchEnvelope e;
  const BatchEnvelope back = RoundTrip(e);
  CheckSameBatch(e, back);
  CHECK_FALSE(back.batch.cursor.has_value());

  BatchEnvelope empty_cursor;
  empty_cursor.batch.cursor = "";
  CHECK(RoundTrip(empty_cursor).batch.cursor == std::optional<std::string>(""));
}

TEST_CASE("batch codec: input_seq is the stream's to assign, never carried", "[cluster]") {
  BatchEnvelope e = FullBatch();
  e.batch.input_seq = 77;
  CHECK(EncodeBatch(e).find("input_seq") == std::string::npos);
  CHECK_FALSE(RoundTrip(e).batch.input_seq.has_value());
}

TEST_CASE("batch codec: every category and severity reads back as itself", "[cluster]") {
  BatchEnvelope e;
  DetectedPost p;
  for (Category c :
       {Category::kComplaint, Category::kPraise, Category::kResolution, Category::kNoise}) {
    CHECK(cluster::ParseCategory(CategoryName(c)) == c);
    for (Severity s : {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh,
                       Severity::kCritical}) {
      Detection d;
      d.category = c;
      d.severity = s;
      p.detections.push_back(d);
    }
  }
  e.batch.posts = {p};
  CHECK(Same(RoundTrip(e).batch.posts, e.batch.posts));
}

TEST_CASE("batch codec: a post's invalid UTF-8 becomes U+FFFD", "[cluster]") {
  // Lossless for valid UTF-8, which is all the sources deliver: they scrub each page before
  // parsing it (utf8::ScrubJson), so a post's text, names and tags are valid already.
  BatchEnvelope e;
  e.batch.posts = {DetectedPost{}};
  e.batch.posts[0].post.text = "\xC0\xAF overlong, \xED\xA0\x80 surrogate";
  e.batch.posts[0].post.hashtags = {"\xFF"};
  const BatchEnvelope back = RoundTrip(e);
  CHECK(back.batch.posts.at(0).post.text ==
        "\xEF\xBF\xBD\xEF\xBF\xBD overlong, \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD surrogate");
  CHECK(back.batch.posts.at(0).post.hashtags == std::vector<std::string>{"\xEF\xBF\xBD"});
}

}  // namespace
}  // namespace earshot
