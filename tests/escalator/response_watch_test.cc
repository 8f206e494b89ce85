// Has anyone answered? Response targets and the unanswered levels of the routing tree, on a
// manual clock against real SQLite: each level fires once at its delay, never after a staff
// reply or an acknowledgement the level accepts, never during quiet hours or a silence, and a
// restart repeats none of them.
#include <catch2/catch.hpp>

#include "daemon/config/diagnostics.h"
#include "daemon/config/yaml_reader.h"
#include "daemon/escalator/escalator.h"
#include "daemon/escalator/response_policy.h"
#include "daemon/escalator/routes.h"
#include "tests/escalator/config_fixture.h"
#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using Kind = Escalation::Kind;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::string_view kStaff = "care@acmeair.example";

// Receivers for each level; the root route sends everything to support. kStart is Wednesday
// 2026-11-18 11:06:40 UTC.
constexpr const char* kRoutes = R"(routes:
  receivers:
    - name: support
      sinks: [slack-support]
    - name: team-lead
      sinks: [slack-leads]
    - name: duty-manager
      sinks: [pagerduty]
    - name: digest
      sinks: [email-digest]
  route:
    receiver: support
    unanswered:
      - after: target
        receiver: team-lead
      - after: 1h
        receiver: duty-manager
    routes:
      - matchers: [team=quiet]
        receiver: support
        quiet_hours: {from: "11:30", to: "12:30", max_severity: medium, receiver: digest}
        unanswered:
          - after: 30m
            receiver: team-lead
      - matchers: [team=ackable]
        receiver: support
        unanswered:
          - after: 20m
            receiver: team-lead
            ack_is_enough: true
          - after: 1h
            receiver: duty-manager
)";

std::shared_ptr<const RoutingTree> Tree() { return SharedRoutesFrom(kRoutes); }

EscalatorOptions Options() {
  EscalatorOptions o;
  o.staff_authors = {std::string(kStaff)};
  o.routes = Tree();
  o.response = ResponseFrom("response:\n  targets: {critical: 15m, medium: 30m}\n");
  return o;
}

Detection ComplaintFor(std::string team, Severity s = Severity::kMedium) {
  return Rule("lost-baggage", Category::kComplaint, s, {{"brand", "acmeair"}, {"team", team}});
}

// The customer's complaint "1" opens (and pages) an incident at the clock's time.
std::string Open(EscalatorRig& rig, Detection d = Complaint()) {
  auto open = rig.Process(Batch({MakePost({.id = "1"}, {std::move(d)})}));
  REQUIRE(open.size() == 1);
  REQUIRE(open[0].kind == Kind::kOpen);
  return open[0].incident_id;
}

// Ticks every second from now to now + `span` and returns what went out.
std::vector<Escalation> RunFor(EscalatorRig& rig, seconds span, seconds step = seconds(1)) {
  std::vector<Escalation> out;
  for (seconds t{0}; t < span; t += step) {
    rig.clock().Advance(step);
    for (Escalation& e : rig.Tick()) out.push_back(std::move(e));
  }
  return out;
}

std::string Label(const Escalation& e, const std::string& key) {
  auto it = e.labels.find(key);
  return it == e.labels.end() ? "" : it->second;
}

IncidentRecord Stored(EscalatorRig& rig, const std::string& id) {
  auto inc = rig.store().LoadIncident(id);
  REQUIRE(inc.ok());
  REQUIRE(inc->has_value());
  return **inc;
}

TEST_CASE("Response: the target's breach and each level go out once, at their delay",
          "[escalator][response]") {
  EscalatorRig rig(Options());
  const std::string id = Open(rig);
  CHECK(Stored(rig, id).response_due_at == std::nullopt);  // kept at the first tick
  CHECK(rig.Tick().empty());
  CHECK(Stored(rig, id).response_due_at == kStart + minutes(30));

  // One second short of the 30m target: nothing.
  CHECK(RunFor(rig, minutes(29) + seconds(59)).empty());
  rig.clock().Advance(seconds(1));
  auto at_target = rig.Tick();
  REQUIRE(at_target.size() == 1);
  const Escalation& first = at_target[0];
  CHECK(first.kind == Kind::kUpdate);
  CHECK(first.incident_id == id);
  CHECK(first.reason == "unanswered for 30m (past the 30m target; level 1)");
  CHECK(Label(first, "unanswered_level") == "1");
  CHECK(Label(first, "response_target") == "breached");
  // The level's receiver hears it, as well as the route's own.
  CHECK(rig.options().routes->ReceiverNames(RouteLabelsOf(first), first.at) ==
        std::vector<std::string>{"support", "team-lead"});

  // Level 2 at 1h, once; a restart in between repeats nothing.
  CHECK(RunFor(rig, minutes(15)).empty());
  rig.Restart();
  auto later = RunFor(rig, minutes(45));
  REQUIRE(later.size() == 1);
  CHECK(later[0].at == kStart + hours(1));
  CHECK(later[0].reason == "unanswered for 1h (level 2)");
  CHECK(Label(later[0], "unanswered_level") == "2");
  CHECK(Label(later[0], "response_target").empty());
  CHECK(rig.options().routes->ReceiverNames(RouteLabelsOf(later[0]), later[0].at) ==
        std::vector<std::string>{"support", "duty-manager"});
  CHECK(RunFor(rig, hours(3), minutes(1)).empty());
  const IncidentRecord stored = Stored(rig, id);
  CHECK(stored.unanswered_level == 2);
  CHECK(stored.breach_notified);
  // The breach was counted by the escalator that told it (the restart began a new count).
  CHECK(rig.escalator().response_metrics().Read().empty());
}

TEST_CASE("Response: a staff reply before a level stops every level", "[escalator][response]") {
  EscalatorRig rig(Options());
  const std::string id = Open(rig);
  rig.clock().Advance(minutes(29));
  auto reply = rig.Process(Batch({MakePost({.id = "2",
                                            .author = std::string(kStaff),
                                            .text = "so sorry, DM us",
                                            .thread = "1",
                                            .reply_to = "1"},
                                           {})}));
  REQUIRE(reply.size() == 1);
  CHECK(reply[0].kind == Kind::kResolve);
  CHECK(RunFor(rig, hours(3), seconds(30)).empty());
  CHECK(Stored(rig, id).unanswered_level == 0);
  CHECK(!Stored(rig, id).breach_notified);
  // /metrics: one first response of 29 minutes (the 30m bucket), no breach.
  const auto series = rig.escalator().response_metrics().Read();
  REQUIRE(series.size() == 1);
  const auto& [key, s] = *series.begin();
  CHECK(key == ResponseMetrics::Key{"acmeair", Severity::kMedium});
  CHECK(s.count == 1);
  CHECK(s.sum_seconds == 29 * 60);
  CHECK(s.buckets[3] == 1);  // <= 1800 s, > 900 s
  CHECK(s.breaches == 0);
}

TEST_CASE("Response: an acknowledgement stops the levels that say an ack is enough, only those",
          "[escalator][response]") {
  EscalatorRig rig(Options());
  const std::string id = Open(rig, ComplaintFor("ackable"));
  rig.clock().Advance(minutes(10));
  OperatorStore& store = rig.store();
  REQUIRE(store.AcknowledgeIncident(id, "sam", rig.clock().Now()).ok());
  auto ack = rig.Tick();
  REQUIRE(ack.size() == 1);
  CHECK(ack[0].kind == Kind::kAcknowledge);
  // Level 1 (20m, ack_is_enough) is passed over; the 30m target still breaches, without it.
  auto rest = RunFor(rig, minutes(50));
  REQUIRE(rest.size() == 2);
  CHECK(rest[0].at == kStart + minutes(30));
  CHECK(rest[0].reason == "unanswered for 30m (past the 30m target)");
  CHECK(Label(rest[0], "unanswered_level").empty());
  // Level 2 (1h) does not accept an ack: it goes out.
  CHECK(rest[1].at == kStart + hours(1));
  CHECK(rest[1].reason == "unanswered for 1h (level 2)");
  CHECK(Label(rest[1], "unanswered_level") == "2");
  const auto series = rig.escalator().response_metrics().Read();
  REQUIRE(series.size() == 1);
  CHECK(series.begin()->second.breaches == 1);
  CHECK(series.begin()->second.count == 0);
}

TEST_CASE("Response: quiet hours hold a level until they end", "[escalator][response]") {
  EscalatorOptions o = Options();
  o.response = nullptr;  // levels only
  EscalatorRig rig(o);
  const std::string id = Open(rig, ComplaintFor("quiet"));  // 11:06:40
  // Due at 11:36:40, inside the 11:30-12:30 quiet hours: held until 12:30.
  auto out = RunFor(rig, hours(2), seconds(20));
  REQUIRE(out.size() == 1);
  CHECK(out[0].at == *ParseIso8601("2026-11-18T12:30:00Z"));
  CHECK(out[0].reason == "unanswered for 1h23m (level 1)");

  // A critical incident is above the quiet hours' max_severity: its level goes on time.
  EscalatorRig loud(o);
  Open(loud, ComplaintFor("quiet", Severity::kCritical));
  auto on_time = RunFor(loud, minutes(31));
  REQUIRE(on_time.size() == 1);
  CHECK(on_time[0].at == kStart + minutes(30));
}

TEST_CASE("Response: a silence holds a level, recorded once, until it ends",
          "[escalator][response]") {
  EscalatorRig rig(Options());
  const std::string id = Open(rig);
  SilenceRecord silence;
  silence.matchers = R"(brand="acmeair")";
  silence.created_by = "ops";
  silence.starts_at = rig.clock().Now();
  silence.ends_at = silence.starts_at + minutes(45);
  OperatorStore& store = rig.store();
  REQUIRE(store.AddSilence(silence).ok());
  auto out = RunFor(rig, minutes(50), seconds(10));
  REQUIRE(out.size() == 1);
  CHECK(out[0].at == kStart + minutes(45));
  CHECK(out[0].reason == "unanswered for 45m (past the 30m target; level 1)");
  auto events = store.LoadIncidentEvents(id);
  REQUIRE(events.ok());
  int silenced = 0;
  for (const IncidentEvent& e : *events) silenced += e.kind == IncidentEventKind::kSilenced;
  CHECK(silenced == 1);
}

TEST_CASE("Response: a raised severity brings the deadline forward", "[escalator][response]") {
  EscalatorRig rig(Options());
  const std::string id = Open(rig);
  rig.Tick();
  CHECK(Stored(rig, id).response_due_at == kStart + minutes(30));
  rig.clock().Advance(minutes(5));
  rig.Process(Batch({MakePost({.id = "3", .thread = "1", .reply_to = "1"},
                              {Complaint(Severity::kCritical)})}));
  rig.Tick();
  CHECK(Stored(rig, id).response_due_at == kStart + minutes(15));
  auto out = RunFor(rig, minutes(11));
  REQUIRE(!out.empty());
  CHECK(out.back().at == kStart + minutes(15));
  CHECK(out.back().reason == "unanswered for 15m (past the 15m target; level 1)");
}

TEST_CASE("Response: targets in business time and by the next business day",
          "[escalator][response]") {
  auto policy = ResponseFrom(R"(response:
  business_hours:
    time_zone: Europe/Berlin
    hours: "mon-fri 09:00-17:00"
    holidays: ["2026-11-20"]
  targets:
    critical: 15m
    medium: 4h business
    low: next business day
)");
  // Wednesday 2026-11-18 15:00 Berlin (14:00 UTC): 2h left today, 2h on Thursday from 09:00.
  const SystemTime wed = *ParseIso8601("2026-11-18T14:00:00Z");
  CHECK(policy->DueAt(Severity::kMedium, wed) == *ParseIso8601("2026-11-19T10:00:00Z"));
  // Low: the close of Thursday, the first business day after Wednesday.
  CHECK(policy->DueAt(Severity::kLow, wed) == *ParseIso8601("2026-11-19T16:00:00Z"));
  // From Thursday, Friday is a holiday: Monday's close.
  CHECK(policy->DueAt(Severity::kLow, wed + hours(24)) ==
        *ParseIso8601("2026-11-23T16:00:00Z"));
  // Plain time ignores the calendar.
  CHECK(policy->DueAt(Severity::kCritical, wed + hours(12)) == wed + hours(12) + minutes(15));
  CHECK(policy->DueAt(Severity::kHigh, wed) == std::nullopt);
}

TEST_CASE("Response: targets and levels read strictly, with the fix in the message",
          "[escalator][response]") {
  CHECK(ParseResponseTarget("15m")->within == minutes(15));
  CHECK(ParseResponseTarget("4h business")->kind == ResponseTarget::Kind::kBusinessTime);
  CHECK(ParseResponseTarget("Next Business Day")->kind == ResponseTarget::Kind::kNextBusinessDay);
  CHECK(ParseResponseTarget("4h business")->Text() == "4h business");
  for (const char* bad : {"", "15 minutes", "0s", "business", "next week", "-5m"}) {
    INFO(bad);
    auto t = ParseResponseTarget(bad);
    REQUIRE(!t.ok());
    CHECK_THAT(t.status().message(), Catch::Contains("next business day"));
  }

  struct Case {
    const char* yaml;
    const char* message;
  };
  const Case cases[] = {
      {"response:\n  targets: {high: 1 hour}\n",
       "earshot.yaml:2:19: error: response.targets.high: '1 hour' is not a response target"},
      {"response:\n  business_hours: {time_zone: Europe/Berln, hours: mon-fri 09:00-17:00}\n",
       "did you mean 'Europe/Berlin'"},
      {"response:\n  business_hours: {hours: mon-fri 09:00-25:00}\n", "response.business_hours"},
      {"response:\n  target: {high: 1h}\n", "unknown key 'target'"},
  };
  for (const Case& c : cases) {
    INFO(c.yaml);
    Diagnostics diags;
    auto file = YamlFile::Parse("earshot.yaml", c.yaml, &diags);
    REQUIRE(file.has_value());
    MapReader top(file->root(), "earshot.yaml");
    CHECK(!ReadResponsePolicy(*top.Get("response")).has_value());
    CHECK_THAT(diags.ToText(), Catch::Contains(c.message));
  }
}

TEST_CASE("Response: levels are inherited like quiet hours, and checked as they are read",
          "[escalator][response]") {
  auto tree = Tree();
  const Labels plain{{"team", "baggage"}};
  REQUIRE(tree->LevelsFor(plain).size() == 2);
  CHECK(tree->LevelsFor(plain)[0].AfterText() == "target");
  CHECK(tree->LevelsFor(plain)[1].receiver == "duty-manager");
  // A child's own list replaces its parent's.
  const auto& ackable = tree->LevelsFor({{"team", "ackable"}});
  REQUIRE(ackable.size() == 2);
  CHECK(ackable[0].ack_is_enough);
  CHECK(ackable[0].AfterText() == "20m");
  // A level label beyond the route's levels adds no one.
  CHECK(tree->ReceiverNames({{"team", "quiet"}, {"unanswered_level", "2"}}, kStart) ==
        std::vector<std::string>{"support"});

  struct Case {
    const char* level;
    const char* message;
  };
  const Case cases[] = {
      {"- {after: 30m, receiver: nobody}", "no receiver named 'nobody'"},
      {"- {after: soon, receiver: support}", "or \"target\" for the severity's response target"},
      {"- {receiver: support}", "missing required key 'after'"},
      {"- {after: 1h, receiver: support, ack: true}", "unknown key 'ack'"},
  };
  for (const Case& c : cases) {
    INFO(c.level);
    const std::string yaml = fmt::format(
        "routes:\n  receivers:\n    - {{name: support, sinks: [s]}}\n  route:\n    receiver: "
        "support\n    unanswered:\n      {}\n",
        c.level);
    Diagnostics diags;
    auto file = YamlFile::Parse("earshot.yaml", yaml, &diags);
    REQUIRE(file.has_value());
    MapReader top(file->root(), "earshot.yaml");
    CHECK(!RoutingTree::Read(*top.Get("routes")).has_value());
    CHECK_THAT(diags.ToText(), Catch::Contains(c.message));
  }
}

}  // namespace
}  // namespace earshot
