// The routing tree: Alertmanager's matching (nested routes, continue, inheritance, default),
// quiet hours, strict reading with positioned errors. (`earshot routes test`: tests/cli.)
#include <catch2/catch.hpp>

#include "daemon/config/diagnostics.h"
#include "daemon/escalator/routes.h"
#include "tests/escalator/config_fixture.h"
#include "tests/escalator/example_files.h"

namespace earshot {
namespace {

constexpr const char* kConfig = testing::kRoutesConfig;

const SystemTime kNoon = *ParseIso8601("2026-11-23T12:00:00Z");
const SystemTime kNight = *ParseIso8601("2026-11-23T23:30:00Z");  // 00:30 at +01:00

RoutingTree ReadTree(const char* text = kConfig) { return testing::RoutesFrom(text); }

std::string Names(const RoutingTree& tree, const Labels& labels, SystemTime at = kNoon) {
  std::string out;
  for (const std::string& n : tree.ReceiverNames(labels, at)) out += (out.empty() ? "" : ",") + n;
  return out;
}

TEST_CASE("RoutingTree: Alertmanager's matching", "[escalator]") {
  const RoutingTree tree = ReadTree();
  struct Case {
    Labels labels;
    const char* receivers;
  };
  for (const Case& c : {
           // Nothing matched below the root: the default receiver.
           Case{{{"severity", "medium"}}, "support"},
           // continue: high goes to on-call and on to the next sibling that matches; the root's
           // receiver is for labels no child matched, so it is not added here.
           Case{{{"severity", "high"}, {"brand", "otherair"}}, "oncall"},
           Case{{{"severity", "high"}, {"brand", "acmeair"}}, "oncall,airline"},
           Case{{{"severity", "high"}, {"category", "surge"}}, "oncall,pr"},
           // The first match without continue stops: a surge never reaches the brand's route.
           Case{{{"severity", "medium"}, {"category", "surge"}, {"brand", "acmeair"}}, "pr"},
           // A child with no receiver inherits its parent's; no child matching is the parent.
           Case{{{"severity", "medium"}, {"brand", "acmeair"}, {"team", "baggage"}}, "airline"},
           Case{{{"severity", "info"}, {"brand", "acmeair"}, {"team", "baggage"}}, "airline"},
           Case{{{"severity", "medium"}, {"brand", "acmeair"}, {"team", "refunds"}}, "support"},
           // A receiver reached twice is listed once.
           Case{{{"severity", "critical"}, {"brand", "acmeair"}, {"team", "refunds"}},
                "oncall,support"},
       }) {
    std::string labels;
    for (const auto& [k, v] : c.labels) labels += k + "=" + v + " ";
    INFO(labels);
    CHECK(Names(tree, c.labels) == c.receivers);
  }
  const auto matches = tree.Match({{"severity", "high"}, {"team", "refunds"}}, kNoon);
  REQUIRE(matches.size() == 1);
  CHECK(matches[0].receiver->sinks == std::vector<std::string>{"pagerduty", "slack-oncall"});
  CHECK(matches[0].route_line == 23);
  CHECK(tree.Match({{"severity", "low"}}, kNoon)[0].route_line == 15);  // the root
}

TEST_CASE("RoutingTree: quiet hours send low severities to the digest", "[escalator]") {
  const RoutingTree tree = ReadTree();
  CHECK(Names(tree, {{"severity", "low"}}, kNoon) == "support");
  CHECK(Names(tree, {{"severity", "low"}}, kNight) == "digest");
  CHECK(Names(tree, {{"severity", "info"}, {"brand", "acmeair"}}, kNight) == "digest");
  // Above max_severity, the night changes nothing.
  CHECK(Names(tree, {{"severity", "medium"}}, kNight) == "support");
  CHECK(Names(tree, {{"severity", "high"}}, kNight) == "oncall");
  CHECK(tree.Match({{"severity", "low"}}, kNight)[0].quiet);
  // 22:00 local (+01:00) is 21:00 UTC; 07:00 local is 06:00 UTC.
  QuietHours q = *tree.root().quiet_hours;
  CHECK_FALSE(q.Contains(*ParseIso8601("2026-11-23T20:59:00Z")));
  CHECK(q.Contains(*ParseIso8601("2026-11-23T21:00:00Z")));
  CHECK(q.Contains(*ParseIso8601("2026-11-24T05:59:00Z")));
  CHECK_FALSE(q.Contains(*ParseIso8601("2026-11-24T06:00:00Z")));
  q.from_minute = 60;
  q.to_minute = 120;
  q.utc_offset_minutes = -30;
  CHECK(q.Contains(*ParseIso8601("2026-11-24T01:30:00Z")));  // 01:00 local
  CHECK_FALSE(q.Contains(*ParseIso8601("2026-11-24T02:30:00Z")));
}

TEST_CASE("RoutingTree: mistakes are reported at their line with the fix", "[escalator]") {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"routes:\n  receivers: [{name: a, sinks: [s]}]\n  route:\n    receiver: b\n",
                "earshot.yaml:4:15: error: the root route: no receiver named 'b'; define it "
                "under 'receivers' (known: a)"},
           Case{"routes:\n  receivers: [{name: a, sinks: [s]}]\n  route:\n    receiver: a\n"
                "    routes:\n      - matchers: ['brand=~\"(\"']\n",
                "regex of 'brand': missing )"},
           Case{"routes:\n  receivers: [{name: a, sinks: [s]}]\n  route:\n    receiver: a\n"
                "    continu: true\n",
                "earshot.yaml:5:5: error: unknown key 'continu' in the root route"},
           Case{"routes:\n  receivers: [{name: a, sinks: [s]}, {name: a, sinks: [t]}]\n"
                "  route: {receiver: a}\n",
                "receiver 'a' is defined twice"},
           Case{"routes:\n  receivers: [{name: a, sinks: []}]\n  route: {receiver: a}\n",
                "receiver 'a': 'sinks' is empty"},
           Case{"routes:\n  receivers: [{name: a, sinks: [s]}]\n  route: {}\n",
                "the root route: missing required key 'receiver'"},
           Case{"routes:\n  receivers: [{name: a, sinks: [s]}]\n"
                "  route: {receiver: a, matchers: [x=y]}\n",
                "the root route matches everything"},
           Case{"routes:\n  receivers: [{name: a, sinks: [s]}]\n  route:\n    receiver: a\n"
                "    quiet_hours: {from: '25:00', to: '07:00', receiver: a}\n",
                "'from' of quiet_hours: '25:00' is not a time of day"},
           Case{"routes:\n  receivers: [{name: a, sinks: [s]}]\n  route:\n    receiver: a\n"
                "    quiet_hours: {from: '22:00', to: '07:00', receiver: a, max_severity: "
                "loud}\n",
                "'loud' is not a severity"},
           Case{"routes:\n  receivers: [{name: a, sinks: [s]}]\n  route:\n    receiver: a\n"
                "    quiet_hours: {from: '22:00', to: '22:00', receiver: a}\n",
                "'from' and 'to' are equal"},
       }) {
    INFO(c.text);
    Diagnostics diags;
    auto file = YamlFile::Parse("earshot.yaml", c.text, &diags);
    REQUIRE(file.has_value());
    MapReader top(file->root(), "earshot.yaml");
    CHECK_FALSE(RoutingTree::Read(*top.Get("routes")).has_value());
    CHECK(diags.has_errors());
    CHECK_THAT(diags.ToText(), Catch::Contains(c.message));
  }
}

TEST_CASE("RoutingTree: a hand-made default and the labels of an escalation", "[escalator]") {
  const RoutingTree tree = RoutingTree::SendAllTo("everyone", {"console"});
  CHECK(Names(tree, {}) == "everyone");
  Escalation e;
  e.severity = Severity::kHigh;
  e.rule_id = "lost-baggage";
  e.category = "complaint";
  e.kind = Escalation::Kind::kOpen;
  e.incident_id = "inc-1";
  e.labels = {{"brand", "acmeair"}, {"severity", "forged"}};
  const Labels l = RouteLabelsOf(e);
  CHECK(l.at("severity") == "forged");  // the escalation's own labels win, as for silences
  CHECK(l.at("rule") == "lost-baggage");
  CHECK(l.at("category") == "complaint");
  CHECK(l.at("kind") == "open");
  CHECK(l.at("incident_id") == "inc-1");
}

TEST_CASE("RoutingTree: a negative or unitless timer is an error at its line", "[escalator]") {
  Diagnostics diags;
  auto file = YamlFile::Parse("earshot.yaml", R"(routes:
  receivers: [{name: a, sinks: [s]}]
  route:
    receiver: a
    group_wait: 30
    routes:
      - matchers: [x=y]
        repeat_interval: -5m
)",
                              &diags);
  REQUIRE(file.has_value());
  MapReader top(file->root(), "earshot.yaml");
  CHECK_FALSE(RoutingTree::Read(*top.Get("routes")).has_value());
  const std::string text = diags.ToText();
  CHECK_THAT(text, Catch::Contains("earshot.yaml:5:17: error:"));
  CHECK_THAT(text, Catch::Contains("earshot.yaml:8:26: error:"));
}

}  // namespace
}  // namespace earshot
