#include "daemon/console/app_console.h"

#include <vector>

namespace earshot {

std::string RulesDirOf(const AppConfig& config) {
  std::vector<std::string> paths;
  for (const auto& f : config.rule_files) paths.push_back(f.parent_path().string() + "/");
  if (!config.lexicon_dir.empty()) paths.push_back(config.lexicon_dir.string() + "/");
  if (paths.empty()) return {};
  std::string common = paths.front();
  for (const std::string& p : paths) {
    size_t n = 0;
    while (n < common.size() && n < p.size() && common[n] == p[n]) ++n;
    common.resize(n);
  }
  // Whole directories only: "/srv/rules-a/" and "/srv/rules-b/" share "/srv/".
  common.resize(common.rfind('/') == std::string::npos ? 0 : common.rfind('/') + 1);
  return common;
}

std::unique_ptr<Console> MakeAppConsole(App& app, const AppConfig& config) {
  ConsoleBackend backend;
  backend.operators = &app.operator_store();
  backend.outbox = &app.outbox_store();
  backend.detector = [&app] { return app.detector(); };
  for (const SinkSettings& sink : config.sinks) backend.sinks.push_back(sink.name);
  backend.rules_dir = RulesDirOf(config);
  backend.source_views = [&app] { return app.Sources(); };
  backend.sink_views = [&app] { return app.Sinks(); };
  backend.feed = &app.detection_feed();
  backend.activity = &app.rule_activity();
  backend.last_reload = [&app] { return app.LastReload(); };
  backend.surge_baselines = [&app] { return app.SurgeBaselinesPerHour(); };
  backend.clock = &RealClock();
  ConsoleAuthOptions auth;
  auth.secret = config.console.secret;
  auth.session_ttl = config.console.session_ttl;
  return std::make_unique<Console>(std::move(backend), std::move(auth));
}

}  // namespace earshot
