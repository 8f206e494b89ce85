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
//
// Matching (Alertmanager's): the root always matches; a route whose matchers all match tries
// its child routes in order, stopping at the first that matches unless that child has
// `continue: true`; a route no child of which matched is itself the match. A route without
// `receiver` inherits its parent's. Matchers use LabelMatchers' syntax (one or more per string).
//
// Immutable once read; safe to share between threads.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/base/severity.h"
#include "daemon/config/yaml_reader.h"
#include "daemon/escalator/label_matcher.h"
#include "sinks/escalation.h"

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

struct Route {
  std::vector<LabelMatchers> matchers;  // all must match
  std::string receiver;                 // after inheritance: never "" once read
  bool continue_matching = false;
  std::optional<QuietHours> quiet_hours;  // after inheritance
  std::vector<Route> routes;
  int line = 0;                         // where it is written, for `routes test`
};

// One receiver an escalation reaches, and why.
struct RouteMatch {
  const Receiver* receiver = nullptr;
  int route_line = 0;      // the matching route's line in the file (0 for a default tree)
  bool quiet = false;      // quiet hours sent it here instead of the route's receiver
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

  const std::vector<Receiver>& receivers() const { return receivers_; }
  const Receiver* FindReceiver(std::string_view name) const;
  const Route& root() const { return root_; }

 private:
  std::vector<Receiver> receivers_;
  Route root_;
};

// The labels routes match for an escalation: its labels plus severity, rule, category, kind and
// incident_id (the same names silences match).
Labels RouteLabelsOf(const Escalation& escalation);

// `earshot routes test --config FILE [--at 2026-11-23T23:00:00Z] LABEL=VALUE...`: prints the
// receivers the labels reach, one per line ("oncall: pagerduty, slack-oncall"), and for quiet
// hours "(quiet hours)". `args` are the words after `routes`. Returns 0 when printed, 1 when the
// config has problems (printed to `err` as file:line:col), 2 on a usage error.
int RunRoutesTestCommand(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err);

}  // namespace earshot
