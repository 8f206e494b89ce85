// Files that both the escalator's tests and the commands' tests (tests/cli) read: the routing
// tree of an earshot.yaml and a silences file. Both assert their line numbers ("route at line
// 23", "file:silences.yaml:2"), so they share one copy.
#pragma once

namespace earshot::testing {

// Read by RoutingTree (tests/escalator/routes_test.cc) and `earshot routes test`.
inline constexpr const char* kRoutesConfig = R"(sources: [whatever the app reads]
routes:
  receivers:
    - name: support
      sinks: [slack-support]
    - name: oncall
      sinks: [pagerduty, slack-oncall]
    - name: pr
      sinks: [slack-pr]
    - name: digest
      sinks: [email-digest]
    - name: airline
      sinks: [webhook-air]
  route:
    receiver: support
    quiet_hours:
      from: "22:00"
      to: "07:00"
      utc_offset: "+01:00"
      max_severity: low
      receiver: digest
    routes:
      - matchers: ['severity=~"high|critical"']
        receiver: oncall
        continue: true
      - matchers: [category=surge]
        receiver: pr
      - matchers: [brand=acmeair]
        receiver: airline
        routes:
          - matchers: ['team="baggage"', 'severity!="info"']
          - matchers: [team=refunds]
            receiver: support
)";

// Read by LoadSilenceFile and the escalator (tests/escalator/silence_file_test.cc) and listed by
// `earshot silence list`. kStart (escalator_fixture.h) is 2026-11-18T11:06:40Z.
inline constexpr const char* kSilencesFile = R"(# muted while the baggage system migrates
- matchers: ['brand="acmeair"', 'team=baggage']
  ends_at: 2026-11-18T12:06:40Z
  comment: baggage migration, ops on it
  created_by: ops
- matchers: rule=~"refund-.*"
  starts_at: 2026-11-18T14:00:00Z
  ends_at: 2026-11-19T00:00:00Z
  comment: refund backlog announced
- matchers: [brand=acmeair]
  ends_at: 2026-11-01T00:00:00Z
  comment: last month's outage
)";

}  // namespace earshot::testing
