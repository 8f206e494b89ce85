// The cluster codecs against messages they must refuse: each is kDataLoss, and its message names
// the message kind and the field's path, so an operator reading the log knows what broke.
#include <catch2/catch.hpp>
#include <string>

#include "daemon/cluster/batch_codec.h"
#include "daemon/cluster/commit_codec.h"
#include "daemon/cluster/op_codec.h"
#include "tests/cluster/codec_samples.h"

namespace earshot::cluster {
namespace {

using testing::FullBatch;
using testing::FullCommit;

// `json` with the first `from` replaced by `to`; the test stops when there is none.
std::string Swap(std::string json, std::string_view from, std::string_view to) {
  const size_t at = json.find(from);
  INFO(from);
  REQUIRE(at != std::string::npos);
  return json.replace(at, from.size(), to);
}

template <class T>
void CheckRefused(const Result<T>& result, std::string_view says) {
  INFO(result.status().ToString());
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == Status::Code::kDataLoss);
  CHECK_THAT(result.status().message(), Catch::Contains(std::string(says)));
}

TEST_CASE("codec errors: not JSON, or not an object", "[cluster]") {
  CheckRefused(DecodeCommit(""), "commit message: not JSON");
  CheckRefused(DecodeCommit("hello"), "commit message: not JSON");
  CheckRefused(DecodeBatch("{\"v\":1,"), "batch message: not JSON");
  CheckRefused(DecodeOp("{\"v\":1,\"op\":\"ack\"}}"), "op message: not JSON");
  CheckRefused(DecodeOp("{\"v\":1,\"op\":\"\xFF\"}"), "op message: not JSON");  // bad UTF-8
  CheckRefused(DecodeOp(std::string(100000, '[') + std::string(100000, ']')),
               "op message: not JSON");  // deeper than the parser goes
  CheckRefused(DecodeCommit("[1]"), "commit message: the message: not an object");
  CheckRefused(DecodeBatch("null"), "batch message: the message: not an object");
  CheckRefused(DecodeOp("7"), "op message: the message: not an object");
}

TEST_CASE("codec errors: another format version, or none", "[cluster]") {
  const std::string commit = EncodeCommit(FullCommit());
  CheckRefused(DecodeCommit(Swap(commit, R"("v":1)", R"("v":2)")),
               "commit message: format version 2, this node reads only 1");
  CheckRefused(DecodeCommit(Swap(commit, R"("v":1)", R"("v":"1")")), "commit message: v: not");
  CheckRefused(DecodeCommit(Swap(commit, R"("v":1,)", "")), "commit message: v: missing");
  CheckRefused(DecodeBatch(Swap(EncodeBatch(FullBatch()), R"("v":1)", R"("v":0)")),
               "batch message: format version 0");
  CheckRefused(DecodeOp(Swap(EncodeOp(AckOp{}), R"("v":1)", R"("v":-1)")),
               "op message: format version -1");
}

TEST_CASE("codec errors: a missing field is named by its path", "[cluster]") {
  const std::string commit = EncodeCommit(FullCommit());
  CheckRefused(DecodeCommit(Swap(commit, R"("group_key":)", R"("group_kex":)")),
               "commit message: incidents[0].group_key: missing");
  CheckRefused(DecodeCommit(Swap(commit, R"("after_s":)", R"("after":)")),
               "commit message: incidents[0].first_response.after_s: missing");
  CheckRefused(DecodeCommit(Swap(commit, R"("forgotten":)", R"("forgot":)")),
               "commit message: surge.forgotten: missing");
  CheckRefused(DecodeCommit(Swap(commit, R"("input_seq":)", R"("input":)")),
               "commit message: input_seq: missing");
  // An optional is written as null when unset, never left out: a missing one is an error too.
  CheckRefused(DecodeCommit(Swap(commit, R"("cursor":)", R"("kursor":)")),
               "commit message: cursor: missing");

  const std::string batch = EncodeBatch(FullBatch());
  CheckRefused(DecodeBatch(Swap(batch, R"("display_name":)", R"("name":)")),
               "batch message: posts[0].post.author.display_name: missing");
  CheckRefused(DecodeBatch(Swap(batch, R"("captures":)", R"("capture":)")),
               "batch message: posts[0].detections[0].captures: missing");
  CheckRefused(DecodeBatch(Swap(batch, R"("node":)", R"("nodes":)")),
               "batch message: node: missing");

  CheckRefused(DecodeOp(Swap(EncodeOp(AddSilenceOp{}), R"("matchers":)", R"("match":)")),
               "op message: silence.matchers: missing");
  CheckRefused(DecodeOp(Swap(EncodeOp(DeadLetterOp{}), R"("update":)", R"("upd":)")),
               "op message: update: missing");
  CheckRefused(DecodeOp(Swap(EncodeOp(PruneSeenOp{}), R"("op":"prune_seen",)", "")),
               "op message: op: missing");
}

TEST_CASE("codec errors: a field of another type is named by its path", "[cluster]") {
  const std::string commit = EncodeCommit(FullCommit());
  CheckRefused(DecodeCommit(Swap(commit, R"("post_count":42)", R"("post_count":"42")")),
               "commit message: incidents[0].post_count: not an integer");
  CheckRefused(DecodeCommit(Swap(commit, R"("source":"mastodon:airline")", R"("source":null)")),
               "commit message: source: not a string");
  CheckRefused(
      DecodeCommit(Swap(commit, R"("unanswered_level":2)", R"("unanswered_level":4294967296)")),
      "commit message: incidents[0].unanswered_level: not an integer in int's range");
  CheckRefused(
      DecodeCommit(Swap(commit, R"("input_seq":18446744073709551615)", R"("input_seq":-1)")),
      "commit message: input_seq: not an integer in uint64's range");
  CheckRefused(DecodeCommit(Swap(commit, R"("opened_at":)", R"("opened_at":1.5,"x":)")),
               "commit message: incidents[0].opened_at: not an integer");
  CheckRefused(DecodeCommit(Swap(commit, R"("after_s":720)", R"("after_s":9300000000)")),
               "commit message: incidents[0].first_response.after_s: not a number of seconds");
  CheckRefused(DecodeCommit(Swap(commit, R"("seen":[)", R"("seen":[7,)")),
               "commit message: seen[0]: not an object");
  CheckRefused(DecodeCommit(Swap(commit, R"("brand":"acmeair")", R"("brand":1)")),
               "commit message: incidents[0].labels: label \"brand\" is not a string");
  CheckRefused(DecodeCommit(Swap(commit, R"("acks_done":[)", R"("acks_done":["1",)")),
               "commit message: acks_done: not an array of int64");
  CheckRefused(DecodeCommit(Swap(commit, R"("mean":0.1)", R"("mean":"0.1")")),
               "commit message: surge.keys[0].mean: not a number");
  CheckRefused(DecodeCommit(Swap(commit, R"("surge":{)", R"("surge":[],"x":{)")),
               "commit message: surge: not an object");

  const std::string batch = EncodeBatch(FullBatch());
  CheckRefused(DecodeBatch(Swap(batch, R"("fetch_ok":true)", R"("fetch_ok":1)")),
               "batch message: fetch_ok: not true or false");
  CheckRefused(DecodeBatch(Swap(batch, R"("hashtags":[)", R"("hashtags":[null,)")),
               "batch message: posts[0].post.hashtags: not an array of strings");
  CheckRefused(DecodeBatch(Swap(batch, R"("posts":[)", R"("posts":{"a":)")),
               "batch message: not JSON");  // the swap unbalances the brackets
  CheckRefused(DecodeBatch(Swap(batch, R"("epoch":18446744073709551615)", R"("epoch":1e3)")),
               "batch message: epoch: not an integer in uint64's range");

  CheckRefused(DecodeOp(Swap(EncodeOp(RequeueOp{"pager", {1, 2}}), "[1,2]", "[1,-2]")),
               "op message: seqs: not an array of uint64");
}

TEST_CASE("codec errors: an unknown enum name is named with its field", "[cluster]") {
  const std::string commit = EncodeCommit(FullCommit());
  CheckRefused(DecodeCommit(Swap(commit, R"("severity":"critical")", R"("severity":"urgent")")),
               R"(commit message: incidents[0].severity: unknown severity "urgent")");
  CheckRefused(DecodeCommit(Swap(commit, R"("status":"acknowledged")", R"("status":"Open")")),
               R"(commit message: incidents[0].status: unknown incident status "Open")");
  CheckRefused(DecodeCommit(Swap(commit, R"("category":"new-hashtag")", R"("category":"rant")")),
               R"(commit message: incidents[0].category: unknown incident category "rant")");
  CheckRefused(
      DecodeCommit(Swap(commit, R"("kind":"resolved")", R"("kind":"fixed")")),
      R"(commit message: incidents[0].pending_reason.kind: unknown notify reason "fixed")");
  CheckRefused(DecodeCommit(Swap(commit, R"("kind":"momentum")", R"("kind":"moment")")),
               R"(commit message: events[0].kind: unknown event kind "moment")");
  CheckRefused(
      DecodeCommit(Swap(commit, R"("notified_severity":"medium")", R"("notified_severity":"")")),
      R"(commit message: incidents[0].notified_severity: unknown severity "")");

  const std::string batch = EncodeBatch(FullBatch());
  CheckRefused(DecodeBatch(Swap(batch, R"("category":"resolution")", R"("category":"praise!")")),
               R"(batch message: posts[0].detections[0].category: unknown category "praise!")");

  CheckRefused(DecodeOp(Swap(EncodeOp(AckOp{}), R"("op":"ack")", R"("op":"mute")")),
               R"(op message: op: unknown op "mute")");
  CheckRefused(DecodeOp(Swap(EncodeOp(AckOp{}), R"("op":"ack")", R"("op":7)")),
               "op message: op: not a string");
}

TEST_CASE("codec errors: every truncation of a message is refused", "[cluster]") {
  // A message cut anywhere (a short read, a torn write) never decodes as a smaller one.
  const std::string messages[] = {EncodeCommit(FullCommit()), EncodeBatch(FullBatch()),
                                  EncodeOp(AddSilenceOp{}), EncodeOp(RequeueOp{"p", {1, 2}})};
  for (size_t m = 0; m < std::size(messages); ++m) {
    const std::string& json = messages[m];
    for (size_t n = 0; n < json.size(); ++n) {
      const std::string_view cut(json.data(), n);
      const Status st = m == 0   ? DecodeCommit(cut).status()
                        : m == 1 ? DecodeBatch(cut).status()
                                 : DecodeOp(cut).status();
      if (st.code() != Status::Code::kDataLoss) {
        FAIL("message " << m << " cut to " << n << " bytes: " << st.ToString());
      }
    }
  }
}

TEST_CASE("codec errors: one message kind is not another", "[cluster]") {
  // The streams are apart, but a message on the wrong one still stops at its first field.
  CheckRefused(DecodeCommit(EncodeBatch(FullBatch())), "commit message: seen: missing");
  CheckRefused(DecodeBatch(EncodeCommit(FullCommit())), "batch message: node: missing");
  CheckRefused(DecodeOp(EncodeCommit(FullCommit())), "op message: op: missing");
}

}  // namespace
}  // namespace earshot::cluster
