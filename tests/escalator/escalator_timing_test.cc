// The escalator's timers (group_wait, group_interval) with a manual clock, across restarts, and
// its thread: queued batches are committed, and what is queued at stop is drained.
#include <catch2/catch.hpp>
#include <thread>

#include "daemon/base/bounded_queue.h"
#include "daemon/escalator/escalator.h"
#include "daemon/escalator/incident_key.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using Kind = Escalation::Kind;
using std::chrono::minutes;
using std::chrono::seconds;

EscalatorOptions Grouped() {
  EscalatorOptions o;
  o.group_wait = seconds(30);
  o.group_interval = minutes(5);
  o.repeat_interval = std::chrono::hours(4);
  return o;
}

TEST_CASE("Escalator: group_wait holds the first page and gathers what arrives meanwhile",
          "[escalator]") {
  EscalatorRig rig(Grouped());
  CHECK(rig.Process(Batch({MakePost({.id = "1"}, {Complaint(Severity::kLow)})})).empty());
  rig.clock().Advance(seconds(10));
  CHECK(rig.Process(Batch({MakePost({.id = "2", .thread = "1", .created_offset_s = 10},
                                    {Complaint(Severity::kHigh)})}))
            .empty());
  rig.clock().Advance(seconds(19));
  CHECK(rig.Tick().empty());
  rig.clock().Advance(seconds(1));
  auto out = rig.Tick();
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kOpen);
  CHECK(out[0].reason == "new incident");
  CHECK(out[0].severity == Severity::kHigh);
  CHECK(out[0].posts.size() == 2);
  CHECK(out[0].at == kStart + seconds(30));
  CHECK(rig.Tick().empty());
}

TEST_CASE("Escalator: group_interval spaces updates; the held update keeps its reason",
          "[escalator]") {
  EscalatorRig rig(Grouped());
  rig.Process(Batch({MakePost({.id = "1"}, {Complaint(Severity::kLow)})}));
  rig.clock().Advance(seconds(30));
  REQUIRE(rig.Tick().size() == 1);
  rig.clock().Advance(minutes(1));
  CHECK(rig.Process(Batch({MakePost({.id = "2", .thread = "1"}, {Complaint(Severity::kHigh)})}))
            .empty());
  rig.clock().Advance(minutes(3));
  CHECK(rig.Tick().empty());
  rig.clock().Advance(minutes(1));  // five minutes after the open
  auto out = rig.Tick();
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kUpdate);
  CHECK(out[0].reason == "severity raised");
  CHECK(out[0].severity == Severity::kHigh);
}

TEST_CASE("Escalator: a restart inside group_wait neither loses nor repeats the page",
          "[escalator]") {
  EscalatorRig rig(Grouped());
  const PostBatch batch = Batch({MakePost({.id = "1"}, {Complaint()})}, "1");
  CHECK(rig.Process(batch).empty());
  rig.clock().Advance(seconds(15));
  rig.Restart();
  CHECK(rig.Process(batch).empty());  // the re-read changes nothing
  CHECK(rig.Tick().empty());
  rig.clock().Advance(seconds(15));
  auto out = rig.Tick();
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Kind::kOpen);
  CHECK(out[0].seq == 1);
  rig.Restart();
  rig.clock().Advance(minutes(10));
  CHECK(rig.Tick().empty());
  CHECK(*rig.store().MaxOutboxSeq() == 1);
}

TEST_CASE("Escalator: an incident resolved before its first page never pages", "[escalator]") {
  EscalatorRig rig(Grouped());
  rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})}));
  rig.clock().Advance(seconds(5));
  CHECK(rig.Process(Batch({MakePost({.id = "2", .thread = "1"}, {Thanks()})})).empty());
  rig.clock().Advance(minutes(1));
  CHECK(rig.Tick().empty());
  CHECK(*rig.store().MaxOutboxSeq() == 0);
  auto events = rig.store().LoadIncidentEvents(IncidentIdFor("mastodon|jane@air.example|1"));
  REQUIRE(events->size() == 1);
  CHECK(events->front().reason == "resolved by author (never paged)");
}

TEST_CASE("Escalator: the thread commits queued batches and drains them at stop", "[escalator]") {
  EscalatorRig rig;
  BoundedQueue<PostBatch> queue(8);
  rig.escalator().Start(queue);
  std::stop_source never;
  REQUIRE(queue.Push(Batch({MakePost({.id = "1", .author = "a"}, {Complaint()})}, "c1"),
                     never.get_token()));
  // Wait (bounded) for the thread; nothing here measures how long it took.
  for (int i = 0; i < 1000 && rig.published().empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(rig.published().size() == 1);
  for (int i = 2; i <= 4; ++i) {
    std::string n = std::to_string(i);
    REQUIRE(queue.Push(Batch({MakePost({.id = n, .author = "a" + n}, {Complaint()})}, "c" + n),
                       never.get_token()));
  }
  queue.Close();
  rig.escalator().RequestStop();
  rig.escalator().Join();
  auto all = rig.published();
  REQUIRE(all.size() == 4);
  for (size_t i = 0; i < all.size(); ++i) CHECK(all[i].seq == i + 1);
  CHECK(*rig.store().LoadCursor("mastodon:airline") == std::optional<std::string>("c4"));
  CHECK(rig.escalator().heartbeat_ms() > 0);
}

}  // namespace
}  // namespace earshot
