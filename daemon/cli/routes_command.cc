// `earshot routes test`: the routing tree of a config, tried on a set of labels. The tree itself
// is the escalator's (daemon/escalator/routes.h); this is only its command line.
#include "daemon/cli/routes_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <ostream>

#include "daemon/base/clock.h"
#include "daemon/escalator/incident_key.h"  // ShortDuration, as the escalator writes timings
#include "daemon/escalator/routes.h"

namespace earshot {

int RunRoutesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  constexpr const char* kUsage =
      "usage: earshot routes test --config FILE [--at 2026-11-23T23:00:00Z] LABEL=VALUE...";
  if (args.empty() || args[0] != "test") {
    err << "earshot routes: "
        << (args.empty() ? "missing subcommand" : "unknown subcommand '" + args[0] + "'") << "; "
        << kUsage << "\n";
    return 2;
  }
  std::string config;
  SystemTime at = RealClock().Now();
  Labels labels;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--config" || a == "--at") {
      if (i + 1 >= args.size()) {
        err << "earshot routes test: " << a << " needs a value; " << kUsage << "\n";
        return 2;
      }
      const std::string& v = args[++i];
      if (a == "--config") {
        config = v;
      } else if (auto t = ParseIso8601(v)) {
        at = *t;
      } else {
        err << "earshot routes test: --at '" << v
            << "' is not a UTC time; write it as 2026-11-23T23:00:00Z\n";
        return 2;
      }
      continue;
    }
    const size_t eq = a.find('=');
    if (a.starts_with("-") || eq == std::string::npos || eq == 0) {
      err << "earshot routes test: '" << a << "' is not LABEL=VALUE; " << kUsage << "\n";
      return 2;
    }
    labels[a.substr(0, eq)] = a.substr(eq + 1);
  }
  if (config.empty()) {
    err << "earshot routes test: --config FILE is required; " << kUsage << "\n";
    return 2;
  }
  auto tree = RoutingTree::Load(config);
  if (!tree.ok()) {
    err << tree.status().message();
    if (!tree.status().message().ends_with("\n")) err << "\n";
    return 1;
  }
  auto timing_text = [](const NotifyTiming& t) {
    return fmt::format("group_wait {}, group_interval {}, repeat_interval {}",
                       ShortDuration(t.group_wait), ShortDuration(t.group_interval),
                       ShortDuration(t.repeat_interval));
  };
  const NotifyTiming& defaults = tree->default_timing();
  for (const RouteMatch& m : tree->Match(labels, at)) {
    out << m.receiver->name << ": " << fmt::format("{}", fmt::join(m.receiver->sinks, ", "));
    if (m.quiet) out << " (quiet hours)";
    if (m.level > 0) out << " (unanswered level " << m.level << ")";
    if (m.route_line > 0) {
      out << (m.level > 0 ? " [level at line " : " [route at line ") << m.route_line << "]";
    }
    if (m.route != nullptr) out << " " << timing_text(m.route->timing.Over(defaults));
    out << "\n";
  }
  // With `continue`, several routes match; only the first one's timing runs the incident.
  out << "timing: " << timing_text(tree->TimingFor(labels, defaults)) << "\n";
  // The unanswered policy the same route gives: who hears of an incident nobody answered.
  const std::vector<UnansweredLevel>& levels = tree->LevelsFor(labels);
  for (size_t i = 0; i < levels.size(); ++i) {
    const UnansweredLevel& l = levels[i];
    const Receiver* r = tree->FindReceiver(l.receiver);
    out << fmt::format("unanswered level {}: after {} -> {}: {} [line {}]{}\n", i + 1,
                       l.AfterText(), l.receiver,
                       r != nullptr ? fmt::format("{}", fmt::join(r->sinks, ", ")) : "?", l.line,
                       l.ack_is_enough ? " (an ack is enough)" : "");
  }
  return 0;
}

}  // namespace earshot
