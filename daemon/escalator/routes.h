// RoutingTree: which receivers (and so which sinks) an escalation goes to, as Alertmanager's
// route tree decides it. Read from the `routes:` key of earshot.yaml:
//
//   routes:
//     receivers:
//       - name: support
//         sinks: [slack-support]
//       - name: oncall
//         sinks: [pagerduty, slack-oncall]
//       - name: digest
//         sinks: [email-digest]
//     route:                          # the root: matches everything, the default receiver
//       receiver: support
//       group_wait: 30s                 # optional timing, inherited by the routes below; the
//       group_interval: 5m              # root's unset ones come from `escalation:`
//       repeat_interval: 4h
//       quiet_hours:                  # optional; inherited by the routes below
//         from: "22:00"
//         to: "07:00"
//         utc_offset: "+01:00"        # optional, default +00:00
//         max_severity: low           # at or below this severity ...
//         receiver: digest            # ... goes here instead while the hours last
//       routes:
//         - matchers: ['severity=~"high|critical"']
//           receiver: oncall
//           continue: true            # and keep looking at the next sibling
//         - matchers: [category=surge, brand=acmeair]
//           receiver: oncall
//           group_wait: 0s              # a storm pages at once
//       unanswered:                   # optional; inherited by the routes below
//         - after: target             # when the response target passes (response_policy.h)
//           receiver: team-lead
//           ack_is_enough: true       # not when someone acknowledged it before then
//         - after: 2h                 # or "2h business", "next business day"
//           receiver: duty-manager
//
// Matching (Alertmanager's): the root always matches; a route whose matchers all match tries
// its child routes in order, stopping at the first that matches unless that child has
// `continue: true`; a route no child of which matched is itself the match. A route without
// `receiver` inherits its parent's. Matchers use LabelMatchers' syntax (one or more per string).
//
// Timing (group_wait, group_interval, repeat_interval) is the one thing the tree decides in the
// escalator rather than in the sinks: an incident takes the timing of the FIRST route its
// labels match, in the order Match() lists them (depth first, file order). When `continue`
// lets several routes match, the later ones add receivers but never change the timing, as one
// incident has one clock (Alertmanager keeps one per route instead, and so pages per route).
//
// Unanswered levels (escalator/response_watch.h) are the tree's too: an incident takes the levels
// of the FIRST route its labels match, as it takes that route's timing. A level's notification
// carries the label unanswered_level=N, and Match() adds that route's level-N receiver to the
// receivers the route reaches anyway.
//
// Immutable once read; safe to share between threads.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/base/severity.h"
#include "daemon/config/yaml_reader.h"
#include "daemon/escalator/escalator_options.h"
#include "daemon/escalator/label_matcher.h"
#include "daemon/escalator/response_policy.h"
#include "daemon/model/escalation.h"

namespace earshot {

// A name on-call people know, and the sinks that deliver to it.
struct Receiver {
  std::string name;
  std::vector<std::string> sinks;
};

// A daily span of local time during which low severities go to a quieter receiver.
struct QuietHours {
  int from_minute = 0, to_minute = 0;  // minutes after local midnight; from > to spans midnight
  int utc_offset_minutes = 0;
  Severity max_severity = Severity::kLow;
  std::string receiver;

  bool Contains(SystemTime t) const;
};

// A route's own timing; an unset value is its parent's (for the root: the defaults).
struct RouteTiming {
  std::optional<std::chrono::seconds> group_wait, group_interval, repeat_interval;

  // The values set here, the rest from `defaults`.
  NotifyTiming Over(const NotifyTiming& defaults) const;
};

// One level of the unanswered policy: when an incident has had no staff reply by `after` (from
// its opening) or by its response target, `receiver` hears of it too.
struct UnansweredLevel {
  std::optional<ResponseTarget> after;  // nullopt: at the incident's response target
  std::string receiver;
  bool ack_is_enough = false;  // an acknowledgement before it is due stops this level
  int line = 0;

  // "target", "30m", "2h business", "next business day".
  std::string AfterText() const { return after ? after->Text() : "target"; }
};

// The label a level's notification carries: unanswered_level="1" for the first level.
inline constexpr std::string_view kUnansweredLevelLabel = "unanswered_level";

struct Route {
  std::vector<LabelMatchers> matchers;  // all must match
  std::string receiver;                 // after inheritance: never "" once read
  bool continue_matching = false;
  std::optional<QuietHours> quiet_hours;  // after inheritance
  RouteTiming timing;                     // after inheritance
  std::vector<UnansweredLevel> unanswered;  // after inheritance: its own list replaces it
  std::vector<Route> routes;
  int line = 0;  // where it is written, for `routes test`
};

// One receiver an escalation reaches, and why.
struct RouteMatch {
  const Receiver* receiver = nullptr;
  const Route* route = nullptr;  // the route that matched (its timing, its line)
  int route_line = 0;            // the route's line (a level's own line); 0 in a default tree
  bool quiet = false;            // quiet hours sent it here instead of the route's receiver
  int level = 0;                 // > 0: it hears level `level` of the unanswered policy
};

class RoutingTree {
 public:
  // Reads the value of `routes:`. Every problem is reported to the value's Diagnostics (file,
  // line, column, the fix); returns nullopt when there was any.
  static std::optional<RoutingTree> Read(const YamlValue& routes);
  // Loads `config` (earshot.yaml) and reads its `routes:` key only; other keys are not
  // checked here (the app's loader checks them). kInvalidArgument carries every diagnostic,
  // one per line; kNotFound when the file has no `routes:` key.
  static Result<RoutingTree> Load(const std::filesystem::path& config);
  // A tree of one route sending everything to one receiver with `sinks` (no `routes:` key).
  static RoutingTree SendAllTo(std::string receiver, std::vector<std::string> sinks);

  // The receivers `labels` reach at `now`, in tree order, each receiver once.
  std::vector<RouteMatch> Match(const Labels& labels, SystemTime now) const;
  // The same as receiver names.
  std::vector<std::string> ReceiverNames(const Labels& labels, SystemTime now) const;

  // The timing of an incident with `labels` (its labels plus severity, rule, category, kind,
  // incident_id): that of the first route they match, over `defaults` (the `escalation:`
  // values). Never the quiet-hours receiver's business: quiet hours change who, not when.
  NotifyTiming TimingFor(const Labels& labels, const NotifyTiming& defaults) const;

  // The unanswered levels of an incident with `labels`: those of the first route they match
  // (empty when that route has none).
  const std::vector<UnansweredLevel>& LevelsFor(const Labels& labels) const;
  // The quiet hours of that same route, if any: the levels wait while they last.
  const std::optional<QuietHours>& QuietHoursFor(const Labels& labels) const;

  // The `escalation:` timing next to this tree's file, as Load() read it (EscalatorOptions'
  // defaults when absent), for `earshot routes test`. The escalator uses its own options.
  const NotifyTiming& default_timing() const { return default_timing_; }
  void set_default_timing(const NotifyTiming& timing) { default_timing_ = timing; }

  const std::vector<Receiver>& receivers() const { return receivers_; }
  const Receiver* FindReceiver(std::string_view name) const;
  const Route& root() const { return root_; }

 private:
  std::vector<Receiver> receivers_;
  Route root_;
  NotifyTiming default_timing_ = EscalatorOptions{}.timing();
};

// The labels routes match for an escalation: its labels plus severity, rule, category, kind and
// incident_id (the same names silences match).
Labels RouteLabelsOf(const Escalation& escalation);

}  // namespace earshot
