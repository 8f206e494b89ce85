// The complaint score in escalation: it raises a low or medium severity one step at
// `complaint_raise` (never two together with sentiment, never to critical), it travels with each post of a page and through the store, and it
// labels complaint incidents with a band (`complaint="high"`) that routes match.
#include <catch2/catch.hpp>
#include <limits>

#include "daemon/config/diagnostics.h"
#include "daemon/escalator/incident_key.h"
#include "daemon/escalator/routes.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using Kind = Escalation::Kind;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST_CASE("PostSeverity: a sure complaint raises one step, and never two with sentiment",
          "[escalator]") {
  struct Case {
    const char* name;
    double complaint_raise;  // EscalatorOptions::complaint_raise
    Severity rule;
    int64_t followers;
    double sentiment;
    double complaint;
    Severity want;
  };
  const double kDefault = EscalatorOptions{}.complaint_raise;
  const Case cases[] = {
      {"calm, no complaint", kDefault, Severity::kLow, 0, 0.0, 0.0, Severity::kLow},
      {"just below the default", kDefault, Severity::kLow, 0, 0.0, 0.89, Severity::kLow},
      {"at the default (0.9): at or above raises", kDefault, Severity::kLow, 0, 0.0, 0.9,
       Severity::kMedium},
      {"a sure complaint", kDefault, Severity::kLow, 0, 0.0, 0.99, Severity::kMedium},
      {"sentiment alone, as before", kDefault, Severity::kLow, 0, -0.75, 0.0, Severity::kMedium},
      {"both signals: raised once", kDefault, Severity::kLow, 0, -0.95, 0.97, Severity::kMedium},
      {"both signals, plus a reach tier", kDefault, Severity::kLow, 10000, -0.95, 0.97,
       Severity::kHigh},
      {"complaint and two reach tiers: reach alone makes it high", kDefault, Severity::kLow,
       100000, 0.0, 0.95, Severity::kHigh},
      {"a sure complaint does not lift high to critical", kDefault, Severity::kHigh, 0, 0.0,
       0.99, Severity::kHigh},
      {"anger does", kDefault, Severity::kHigh, 0, -0.8, 0.99, Severity::kCritical},
      {"medium to high", kDefault, Severity::kMedium, 0, 0.0, 0.95, Severity::kHigh},
      {"capped at critical", kDefault, Severity::kHigh, 100000, -0.8, 0.95, Severity::kCritical},
      {"a score that is not a number raises nothing", kDefault, Severity::kLow, 0, 0.0, kNaN,
       Severity::kLow},
      {"a lower threshold", 0.6, Severity::kMedium, 0, 0.0, 0.6, Severity::kHigh},
      {"above 1 turns the raise off", 2.0, Severity::kLow, 0, 0.0, 1.0, Severity::kLow},
  };
  CHECK(kDefault == 0.9);
  for (const Case& c : cases) {
    EscalatorOptions o;
    o.complaint_raise = c.complaint_raise;
    DetectedPost dp = MakePost({.id = "1", .followers = c.followers, .sentiment = c.sentiment,
                                .complaint = c.complaint},
                               {});
    CAPTURE(c.name);
    CHECK(PostSeverity(Complaint(c.rule), dp, o) == c.want);
  }
}

TEST_CASE("Escalator: a sure complaint joining an incident pages 'severity raised' once",
          "[escalator]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1", .complaint = 0.4}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  CHECK(open[0].severity == Severity::kMedium);
  // The same thread, a sure complaint: one step up, paged as a raise.
  auto raised = rig.Process(Batch(
      {MakePost({.id = "2", .thread = "1", .complaint = 0.95, .created_offset_s = 5},
                {Complaint()})}));
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].kind == Kind::kUpdate);
  CHECK(raised[0].reason == "severity raised");
  CHECK(raised[0].severity == Severity::kHigh);
  REQUIRE(raised[0].posts.size() == 2);
  CHECK(raised[0].posts[0].complaint == 0.95);  // newest first, each with its own score
  CHECK(raised[0].posts[1].complaint == 0.4);   // read back from the store
  // Furious and sure at once is still one step over the rule: no second raise, no page.
  CHECK(rig.Process(Batch({MakePost({.id = "3", .thread = "1", .sentiment = -0.95,
                                     .complaint = 0.99, .created_offset_s = 6},
                                    {Complaint()})}))
            .empty());
  CHECK((*rig.store().LoadIncident(open[0].incident_id))->severity == Severity::kHigh);
}

TEST_CASE("ComplaintBand: high from 0.8, medium from 0.5, low below, and the higher band wins",
          "[escalator]") {
  struct Case {
    double score;
    std::string_view band;
  };
  const Case cases[] = {{1.0, "high"},       {0.8, "high"},  {0.7999, "medium"}, {0.5, "medium"},
                        {0.4999, "low"},     {0.0, "low"},   {kNaN, "low"}};
  for (const Case& c : cases) {
    CAPTURE(c.score);
    CHECK(ComplaintBand(c.score) == c.band);
  }
  CHECK(HigherComplaintBand("low", "high") == "high");
  CHECK(HigherComplaintBand("high", "medium") == "high");
  CHECK(HigherComplaintBand("medium", "low") == "medium");
  CHECK(HigherComplaintBand("", "low") == "low");
  CHECK(HigherComplaintBand("loud", "low") == "low");  // a value the escalator never writes
}

TEST_CASE("Escalator: a complaint incident carries the band of its highest post score",
          "[escalator]") {
  EscalatorRig rig;
  auto open = rig.Process(Batch({MakePost({.id = "1", .complaint = 0.6}, {Complaint()})}));
  REQUIRE(open.size() == 1);
  const std::string id = open[0].incident_id;
  CHECK(open[0].labels.at("complaint") == "medium");
  auto labels = [&] { return (*rig.store().LoadIncident(id))->labels; };

  // A calmer post joins without lowering the band.
  REQUIRE(rig.Process(Batch({MakePost({.id = "2", .thread = "1", .complaint = 0.1},
                                      {Complaint()})}))
              .empty());
  CHECK(labels().at("complaint") == "medium");
  // A surer one (below complaint_raise, so no page) lifts it, and the store keeps it.
  REQUIRE(rig.Process(Batch({MakePost({.id = "3", .thread = "1", .complaint = 0.85},
                                      {Complaint()})}))
              .empty());
  CHECK(labels().at("complaint") == "high");
  // After a restart, a calm post still leaves it high, and the next page shows it.
  rig.Restart();
  auto raised = rig.Process(Batch({MakePost({.id = "4", .thread = "1", .sentiment = -0.9,
                                             .complaint = 0.05},
                                            {Complaint()})}));
  REQUIRE(raised.size() == 1);
  CHECK(raised[0].reason == "severity raised");
  CHECK(raised[0].labels.at("complaint") == "high");

  // A rule's own label of that name does not override the escalator's band.
  auto other = rig.Process(Batch(
      {MakePost({.id = "9", .author = "bob@x.example", .complaint = 0.2},
                {Rule("rude", Category::kComplaint, Severity::kLow, {{"complaint", "high"}})})}));
  REQUIRE(other.size() == 1);
  CHECK(other[0].labels.at("complaint") == "low");
}

// Sure complaints go to care leads at once; everything else to support after a 5m wait.
std::shared_ptr<const RoutingTree> ComplaintRoutes() {
  static const char* kRoutes = R"(routes:
  receivers:
    - name: support
      sinks: [slack-support]
    - name: care-leads
      sinks: [pagerduty]
  route:
    receiver: support
    group_wait: 5m
    routes:
      - matchers: ['complaint="high"']
        receiver: care-leads
        group_wait: 0s
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

TEST_CASE("Routes: complaint=\"high\" picks an incident's receiver and timing", "[escalator]") {
  EscalatorOptions o;
  o.routes = ComplaintRoutes();
  EscalatorRig rig(o);
  // The sure complaint takes its route's clock and pages at once; the other waits the root's 5m.
  auto now = rig.Process(Batch({MakePost({.id = "1", .author = "a@x", .complaint = 0.82},
                                         {Complaint()}),
                                MakePost({.id = "2", .author = "b@x", .complaint = 0.55},
                                         {Complaint()})}));
  REQUIRE(now.size() == 1);
  CHECK(now[0].posts.at(0).id == "1");
  rig.clock().Advance(minutes(5));
  auto later = rig.Tick();
  REQUIRE(later.size() == 1);
  CHECK(later[0].posts.at(0).id == "2");
  CHECK(later[0].labels.at("complaint") == "medium");
  // The sinks' routing sees the same label on each escalation.
  const SystemTime noon = *ParseIso8601("2026-11-23T12:00:00Z");
  CHECK(o.routes->ReceiverNames(RouteLabelsOf(now[0]), noon) ==
        std::vector<std::string>{"care-leads"});
  CHECK(o.routes->ReceiverNames(RouteLabelsOf(later[0]), noon) ==
        std::vector<std::string>{"support"});
}

}  // namespace
}  // namespace earshot
