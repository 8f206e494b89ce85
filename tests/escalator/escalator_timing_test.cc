// The escalator's timers (group_wait, group_interval) with a manual clock, across restarts, and
// its thread: queued batches are committed, and what is queued at stop is drained.
#include <catch2/catch.hpp>
#include <thread>

#include "daemon/base/bounded_queue.h"
#include "daemon/config/diagnostics.h"
#include "daemon/escalator/escalator.h"
#include "daemon/escalator/incident_key.h"
#include "daemon/escalator/routes.h"
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

TEST_CASE("Escalator: group_interval spaces updates, the held update keeps its reason",
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

// Two teams, two clocks: baggage complaints go to a route that waits 2m, groups 10m and repeats
// every 30m; refunds to one that pages at once and repeats every 2h. The root sets a 1m
// group_interval that the refunds route inherits; the `escalation:` values (Grouped()) are the
// root's defaults for what it does not set.
std::shared_ptr<const RoutingTree> TimedRoutes() {
  static const char* kRoutes = R"(routes:
  receivers:
    - name: support
      sinks: [slack]
  route:
    receiver: support
    group_interval: 1m
    routes:
      - matchers: [team=baggage]
        group_wait: 2m
        group_interval: 10m
        repeat_interval: 30m
      - matchers: [team=refunds]
        group_wait: 0s
        repeat_interval: 2h
        routes:
          - matchers: [rule=refund-late]
            repeat_interval: 10m
)";
  Diagnostics diags;
  auto file = YamlFile::Parse("earshot.yaml", kRoutes, &diags);
  REQUIRE(file.has_value());
  MapReader top(file->root(), "earshot.yaml");
  auto tree = RoutingTree::Read(*top.Get("routes"));
  INFO(diags.ToText());
  REQUIRE(tree.has_value());
  return std::make_shared<const RoutingTree>(std::move(*tree));
}

Detection Refund(std::string rule = "refund-missing") {
  return Rule(std::move(rule), Category::kComplaint, Severity::kMedium,
              {{"brand", "acmeair"}, {"team", "refunds"}});
}

TEST_CASE("Escalator: each route's timing pages its incidents at their own times",
          "[escalator]") {
  EscalatorOptions o = Grouped();  // the root's defaults: 30s, 5m, 4h
  o.routes = TimedRoutes();
  EscalatorRig rig(o);
  // At 0: a baggage complaint (held 2m) and a refund complaint (pages at once).
  auto out = rig.Process(Batch({MakePost({.id = "b1", .author = "bag@x"}, {Complaint()}),
                                MakePost({.id = "r1", .author = "ref@x"}, {Refund()})}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].labels.at("team") == "refunds");
  CHECK(out[0].kind == Kind::kOpen);
  const std::string refund_id = out[0].incident_id;
  rig.clock().Advance(seconds(30));  // the root's 30s group_wait would page now
  CHECK(rig.Tick().empty());
  rig.clock().Advance(seconds(90));
  out = rig.Tick();
  REQUIRE(out.size() == 1);
  CHECK(out[0].labels.at("team") == "baggage");
  CHECK(out[0].at == kStart + minutes(2));
  const std::string baggage_id = out[0].incident_id;

  // Severity raises: refunds may update after the inherited 1m, baggage only after 10m.
  rig.clock().Advance(seconds(30));  // 2m30s
  CHECK(rig.Process(Batch({MakePost({.id = "b2", .author = "bag@x", .thread = "b1"},
                                    {Complaint(Severity::kHigh)}),
                           MakePost({.id = "r2", .author = "ref@x", .thread = "r1"},
                                    {Rule("refund-missing", Category::kComplaint,
                                          Severity::kHigh,
                                          {{"brand", "acmeair"}, {"team", "refunds"}})})}))
            .size() == 1);  // refunds: last page 2m30s ago > 1m
  rig.clock().Advance(minutes(9));  // 11m30s: 9m30s after baggage's page
  CHECK(rig.Tick().empty());
  rig.clock().Advance(seconds(30));  // 12m: 10m after baggage's page
  out = rig.Tick();
  REQUIRE(out.size() == 1);
  CHECK(out[0].incident_id == baggage_id);
  CHECK(out[0].reason == "severity raised");

  // Repeats: baggage repeats after 30m, refunds only after 2h (the root's 4h is overridden).
  rig.clock().Advance(minutes(30));  // 42m
  out = rig.Process(Batch({MakePost({.id = "b3", .author = "bag@x", .thread = "b1"},
                                    {Complaint(Severity::kHigh)}),
                           MakePost({.id = "r3", .author = "ref@x", .thread = "r1"},
                                    {Refund()})}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].incident_id == baggage_id);
  CHECK(out[0].reason == "repeat");
  rig.clock().Advance(minutes(100));  // 2h22m: refunds' last page was at 2m30s
  out = rig.Process(Batch({MakePost({.id = "r4", .author = "ref@x", .thread = "r1"},
                                    {Refund()})}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].incident_id == refund_id);
  CHECK(out[0].reason == "repeat");
}

TEST_CASE("RoutingTree: timing is inherited down the tree over the escalation defaults",
          "[escalator]") {
  const auto tree = TimedRoutes();
  const NotifyTiming defaults = Grouped().timing();
  struct Case {
    Labels labels;
    int64_t wait_s, interval_s, repeat_s;
  };
  for (const Case& c : {
           // The root sets only group_interval; the rest are `escalation:`'s.
           Case{{{"team", "crew"}}, 30, 60, 4 * 3600},
           Case{{{"team", "baggage"}}, 120, 600, 1800},
           // A child inherits what it does not set: group_interval from the root, group_wait
           // from its parent, and overrides repeat_interval.
           Case{{{"team", "refunds"}}, 0, 60, 7200},
           Case{{{"team", "refunds"}, {"rule", "refund-late"}}, 0, 60, 600},
       }) {
    INFO(c.labels.begin()->second);
    const NotifyTiming t = tree->TimingFor(c.labels, defaults);
    CHECK(t.group_wait.count() == c.wait_s);
    CHECK(t.group_interval.count() == c.interval_s);
    CHECK(t.repeat_interval.count() == c.repeat_s);
  }
}

TEST_CASE("Escalator: without routes, or when no route sets timing, the escalation values apply",
          "[escalator]") {
  EscalatorOptions o = Grouped();
  o.routes = std::make_shared<const RoutingTree>(RoutingTree::SendAllTo("all", {"console"}));
  EscalatorRig rig(o);
  CHECK(rig.Process(Batch({MakePost({.id = "1"}, {Complaint()})})).empty());
  rig.clock().Advance(seconds(29));
  CHECK(rig.Tick().empty());
  rig.clock().Advance(seconds(1));
  CHECK(rig.Tick().size() == 1);
}

}  // namespace
}  // namespace earshot
