// An escalation too large for a sink is cut to its max_escalation_bytes, never refused: post
// texts to excerpts, the oldest posts left out with a count, then the newest post's text.
#include "sinks/escalation_fit.h"

#include <catch2/catch.hpp>

#include <fstream>

#include "daemon/model/post_limits.h"
#include "daemon/model/escalation_json.h"
#include "sinks/file_sink.h"
#include "sinks/registry.h"
#include "sinks/runner.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

using testing::CommitToOutbox;
using testing::SampleEscalation;
using testing::SinkTempDir;
using testing::WaitFor;

// Ten posts of 16 KiB each, the largest a post can be once fetched, newest first.
Escalation Large(uint64_t seq) {
  Escalation e = SampleEscalation(seq);
  const PostRef first = e.posts.front();
  e.posts.clear();
  for (int i = 0; i < 10; ++i) {
    PostRef p = first;
    p.id = std::to_string(200 + i);
    p.text = "post " + std::to_string(i) + " " + std::string(kMaxPostTextBytes - 20, 'x');
    e.posts.push_back(p);
  }
  return e;
}

TEST_CASE("FitEscalation: what fits is left alone", "[sinks]") {
  Escalation e = SampleEscalation(1);
  const std::string before = EscalationToJson(e);
  CHECK_FALSE(FitEscalation(&e, before.size()));
  CHECK(EscalationToJson(e) == before);
}

TEST_CASE("FitEscalation: texts become excerpts, then the oldest posts go, counted", "[sinks]") {
  for (size_t limit : {size_t{64} << 10, size_t{8} << 10, size_t{4} << 10}) {
    Escalation e = Large(1);
    REQUIRE(EscalationToJson(e).size() > limit);
    CHECK(FitEscalation(&e, limit));
    const std::string wire = EscalationToJson(e);
    INFO("limit " << limit);
    CHECK(wire.size() <= limit);
    REQUIRE_FALSE(e.posts.empty());
    CHECK_THAT(e.posts.front().text, Catch::StartsWith("post 0 "));  // the newest stays
    CHECK_THAT(e.posts.front().text, Catch::EndsWith(std::string(kTruncationMarker)));
    CHECK(e.posts.front().text_bytes == kMaxPostTextBytes - 20 + 7);
    CHECK(e.posts.size() + e.posts_omitted == 10);
    Result<Escalation> back = EscalationFromJson(wire);
    REQUIRE(back.ok());
    CHECK(back->posts_omitted == e.posts_omitted);
  }
  // Excerpts alone make 10 posts fit in 64 KiB: none is left out.
  Escalation e = Large(1);
  FitEscalation(&e, size_t{64} << 10);
  CHECK(e.posts_omitted == 0);
  CHECK_THAT(EscalationToJson(e), !Catch::Contains("posts_omitted"));
}

TEST_CASE("SinkRunner: an escalation over the sink's max_escalation_bytes is cut and delivered",
          "[sinks]") {
  SinkTempDir dir;
  auto store = StateStore::Open(dir.path() / "earshot.db");
  REQUIRE(store.ok());
  zmq::context_t context(1);
  REQUIRE(CommitToOutbox(**store, {SampleEscalation(1), Large(2)}).ok());
  SinkRunnerOptions o;
  o.new_sink_starts_at_end = false;
  o.outbox_check_interval = std::chrono::milliseconds(50);
  o.policy.max_escalation_bytes = 8192;
  const auto path = dir.path() / "escalations.jsonl";
  SinkRunner runner("file", std::make_unique<FileSink>(path.string()), **store, context, o);
  runner.Start();
  REQUIRE(WaitFor([&] { return runner.delivered() == 2; }));
  runner.Drain(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  runner.Join();
  CHECK(runner.cut() == 1);
  CHECK(runner.dead_lettered() == 0);
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].size() <= 8192);
  Result<Escalation> big = EscalationFromJson(lines[1]);
  REQUIRE(big.ok());
  CHECK(big->seq == 2);
  CHECK(big->posts_omitted > 0);
  CHECK(big->posts.size() + big->posts_omitted == 10);
}

TEST_CASE("SinkRegistry: max_escalation_bytes has a range", "[sinks]") {
  SinkRegistry registry;
  RegisterBuiltinSinks(registry);
  SinkConfig c;
  c.name = "c";
  c.type = "console";
  c.options["max_escalation_bytes"] = "100";
  Result<ConfiguredSink> low = registry.Create(c);
  REQUIRE_FALSE(low.ok());
  CHECK_THAT(low.status().message(), Catch::Contains("option 'max_escalation_bytes': 100 is out "
                                                     "of range; write a size from 4096 to "
                                                     "67108864 bytes"));
  c.options["max_escalation_bytes"] = "65536";
  Result<ConfiguredSink> ok = registry.Create(c);
  REQUIRE(ok.ok());
  CHECK(ok->policy.max_escalation_bytes == 65536);
  c.options.erase("max_escalation_bytes");
  CHECK(registry.Create(c)->policy.max_escalation_bytes == kDefaultMaxEscalationBytes);
}

}  // namespace
}  // namespace earshot
