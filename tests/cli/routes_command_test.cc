// `earshot routes test`: the receivers, quiet hours and timing a label set gets from a config's
// routing tree, and the errors that name the fix. (The tree: tests/escalator/routes_test.cc.)
#include "daemon/cli/routes_command.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/escalator/example_files.h"
#include "tests/state/temp_dir.h"

namespace earshot {
namespace {

using testing::kRoutesConfig;
using testing::TempDir;

TEST_CASE("earshot routes test: prints the receivers a label set reaches", "[cli]") {
  TempDir dir;
  const auto path = dir.File("earshot.yaml");
  std::ofstream(path) << kRoutesConfig;
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string out;
    const char* err;
  };
  const std::string p = path.string();
  // No `escalation:` section: EscalatorOptions' defaults.
  const std::string kDefaultTiming = "group_wait 0s, group_interval 0s, repeat_interval 1h";
  for (const Case& c : {
           Case{{"test", "--config", p, "severity=high", "category=surge"}, 0,
                "oncall: pagerduty, slack-oncall [route at line 23] " + kDefaultTiming +
                    "\npr: slack-pr [route at line 26] " + kDefaultTiming + "\ntiming: " +
                    kDefaultTiming + "\n",
                ""},
           Case{{"test", "--config", p, "--at", "2026-11-23T23:30:00Z", "severity=low"}, 0,
                "digest: email-digest (quiet hours) [route at line 15] " + kDefaultTiming +
                    "\ntiming: " + kDefaultTiming + "\n",
                ""},
           Case{{"test", "severity=low"}, 2, "", "--config FILE is required"},
           Case{{"test", "--config", p, "severity"}, 2, "", "'severity' is not LABEL=VALUE"},
           Case{{"test", "--config", p, "--at", "tonight"}, 2, "", "--at 'tonight' is not"},
           Case{{"show"}, 2, "", "unknown subcommand 'show'"},
           Case{{"test", "--config", p + ".missing", "a=b"}, 1, "", ".missing"},
       }) {
    std::ostringstream out, err;
    INFO(c.args.back());
    CHECK(RunRoutesCommand(c.args, out, err) == c.code);
    CHECK(out.str() == c.out);
    CHECK_THAT(err.str(), Catch::Contains(c.err));
  }
  // A config without routes says what to add; one with a broken tree prints file:line:col.
  const auto bare = dir.File("bare.yaml");
  std::ofstream(bare) << "sources: []\n";
  std::ostringstream out, err;
  const std::vector<std::string> bare_args = {"test", "--config", bare.string(), "a=b"};
  CHECK(RunRoutesCommand(bare_args, out, err) == 1);
  CHECK_THAT(err.str(), Catch::Contains("no 'routes:' key"));
  const auto broken = dir.File("broken.yaml");
  std::ofstream(broken) << "routes:\n  receivers: []\n  route: {receiver: x}\n";
  std::ostringstream out2, err2;
  const std::vector<std::string> broken_args = {"test", "--config", broken.string(), "a=b"};
  CHECK(RunRoutesCommand(broken_args, out2, err2) == 1);
  CHECK_THAT(err2.str(), Catch::Contains(broken.string() + ":3:21: error: the root route: no "
                                         "receiver named 'x'"));
}

TEST_CASE("earshot routes test: prints each match's timing and the one the incident uses",
          "[cli]") {
  TempDir dir;
  const auto path = dir.File("earshot.yaml");
  std::ofstream(path) << R"(escalation:
  group_wait: 30s
  repeat_interval: 4h
routes:
  receivers:
    - name: support
      sinks: [slack-support]
    - name: oncall
      sinks: [pagerduty]
  route:
    receiver: support
    group_interval: 5m
    routes:
      - matchers: ['severity=~"high|critical"']
        receiver: oncall
        group_wait: 0s
        continue: true
      - matchers: [team=baggage]
        repeat_interval: 30m
)";
  std::ostringstream out, err;
  const std::vector<std::string> args = {"test", "--config", path.string(), "severity=high",
                                         "team=baggage"};
  CHECK(RunRoutesCommand(args, out, err) == 0);
  CHECK(err.str().empty());
  // Both routes match (continue); the first one's timing runs the incident.
  CHECK(out.str() ==
        "oncall: pagerduty [route at line 14] group_wait 0s, group_interval 5m, repeat_interval "
        "4h\n"
        "support: slack-support [route at line 18] group_wait 30s, group_interval 5m, "
        "repeat_interval 30m\n"
        "timing: group_wait 0s, group_interval 5m, repeat_interval 4h\n");
}

TEST_CASE("earshot routes test: complaint=high shows where a sure complaint goes", "[cli]") {
  TempDir dir;
  const auto path = dir.File("earshot.yaml");
  std::ofstream(path) << R"(routes:
  receivers:
    - name: support
      sinks: [slack-support]
    - name: care-leads
      sinks: [pagerduty]
  route:
    receiver: support
    routes:
      - matchers: ['complaint="high"']
        receiver: care-leads
)";
  struct Case {
    const char* label;
    const char* receiver_line;
  } cases[] = {
      {"complaint=high", "care-leads: pagerduty [route at line 10]"},
      {"complaint=medium", "support: slack-support [route at line 8]"},
  };
  for (const Case& c : cases) {
    std::ostringstream out, err;
    const std::vector<std::string> args = {"test", "--config", path.string(), c.label};
    INFO(c.label);
    CHECK(RunRoutesCommand(args, out, err) == 0);
    INFO(err.str());
    CHECK_THAT(out.str(), Catch::StartsWith(c.receiver_line));
  }
}

TEST_CASE("earshot routes test: shows the unanswered levels and who hears a level", "[cli]") {
  TempDir dir;
  const auto path = dir.File("earshot.yaml");
  std::ofstream(path) << R"(routes:
  receivers:
    - name: support
      sinks: [slack-support]
    - name: team-lead
      sinks: [slack-leads, email-leads]
    - name: duty-manager
      sinks: [pagerduty]
  route:
    receiver: support
    unanswered:
      - after: target
        receiver: team-lead
        ack_is_enough: true
      - after: 2h business
        receiver: duty-manager
)";
  std::ostringstream out, err;
  CHECK(RunRoutesCommand({"test", "--config", path.string(), "severity=high"}, out, err) == 0);
  CHECK(err.str().empty());
  CHECK_THAT(out.str(), Catch::EndsWith(
                            "unanswered level 1: after target -> team-lead: slack-leads, "
                            "email-leads [line 12] (an ack is enough)\n"
                            "unanswered level 2: after 2h business -> duty-manager: pagerduty "
                            "[line 15]\n"));
  // A level's own notification reaches the level's receiver as well as the route's.
  std::ostringstream level_out, level_err;
  CHECK(RunRoutesCommand({"test", "--config", path.string(), "severity=high", "unanswered_level=2"},
                         level_out, level_err) == 0);
  CHECK_THAT(level_out.str(), Catch::StartsWith("support: slack-support [route at line 10]"));
  CHECK_THAT(level_out.str(),
             Catch::Contains("\nduty-manager: pagerduty (unanswered level 2) [level at line 15]"));
}

}  // namespace
}  // namespace earshot
