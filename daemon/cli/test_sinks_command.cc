#include "daemon/cli/test_sinks_command.h"

#include <fmt/format.h>

#include <ostream>
#include <stop_token>

#include "daemon/cli/commands.h"
#include "daemon/cli/config_arg.h"
#include "sinks/registry.h"

namespace earshot {

Escalation TestEscalation(SystemTime now) {
  const int64_t unix_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  Escalation e;
  // No outbox seq: the test is not part of the outbox's order, and the file sink, whose readers
  // rely on that order, recognises it by this and does not archive it.
  e.seq = 0;
  e.incident_id = fmt::format("test-{}", unix_seconds);
  e.kind = Escalation::Kind::kOpen;
  e.severity = Severity::kInfo;
  e.rule_id = "earshot-test";
  e.category = "test";
  e.summary = "[earshot test] this sink is configured correctly; no action needed";
  e.reason = "test";
  e.labels = {{"test", "true"}};
  e.at = now;
  PostRef p;
  p.network = "earshot";
  p.id = e.incident_id;
  p.author = "earshot";
  p.author_name = "earshot";
  p.text = "A test escalation sent by `earshot test sinks`. No customer complained; nothing to do.";
  p.created_at = now;
  e.posts.push_back(std::move(p));
  return e;
}

int TestSinks(const std::vector<SinkConfig>& sinks, std::ostream& out, std::ostream& err,
              SystemTime now) {
  if (sinks.empty()) {
    err << "earshot test sinks: no sinks configured; add some under `sinks:` in earshot.yaml\n";
    return 1;
  }
  SinkRegistry registry;
  RegisterBuiltinSinks(registry);
  const Escalation e = TestEscalation(now);
  size_t delivered = 0;
  for (const SinkConfig& config : sinks) {
    const std::string who = fmt::format("sink {} ({})", config.name, config.type);
    Result<ConfiguredSink> sink = registry.Create(config);
    if (!sink.ok()) {
      // Registry errors may span lines (every problem at once); keep one line per sink.
      std::string why = sink.status().message();
      for (char& c : why) {
        if (c == '\n') c = ';';
      }
      out << who << ": failed: " << why << "\n";
      continue;
    }
    std::stop_source stop;  // never stopped: each sink's own timeout bounds the attempt
    const DeliveryResult r = sink->sink->Deliver(e, stop.get_token());
    switch (r.kind) {
      case DeliveryResult::Kind::kDelivered:
        ++delivered;
        out << who << ": delivered" << (r.detail.empty() ? "" : " (" + r.detail + ")") << "\n";
        break;
      case DeliveryResult::Kind::kRetry:
        out << who << ": retry: " << r.detail
            << (r.retry_after.count() > 0
                    ? fmt::format(" (retry after {}s)", (r.retry_after.count() + 999) / 1000)
                    : "")
            << "\n";
        break;
      case DeliveryResult::Kind::kPermanent:
        out << who << ": failed: " << r.detail << "\n";
        break;
    }
  }
  out.flush();
  if (delivered == sinks.size()) return 0;
  err << fmt::format("earshot test sinks: {} of {} sinks delivered the test escalation ({})\n",
                     delivered, sinks.size(), e.incident_id);
  return 1;
}

int RunTestSinksCommand(const std::vector<std::string>& args, std::ostream& out,
                        std::ostream& err) {
  std::vector<std::string> rest;
  auto config = LoadConfigArg("test sinks", args, &rest, err);
  if (!config) return kExitConfig;
  if (!rest.empty()) {
    err << fmt::format(
        "earshot test sinks: unexpected argument '{}'\n"
        "usage: earshot test sinks [--config FILE]\n",
        rest[0]);
    return kExitUsage;
  }
  std::vector<SinkConfig> sinks;
  for (const SinkSettings& s : config->sinks) sinks.push_back({s.name, s.type, s.options});
  return TestSinks(sinks, out, err);
}

}  // namespace earshot
