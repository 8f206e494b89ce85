#include "daemon/console/app_console.h"

namespace earshot {

std::unique_ptr<Console> MakeAppConsole(App& app, const AppConfig& config) {
  ConsoleBackend backend;
  backend.operators = &app.operator_store();
  backend.outbox = &app.outbox_store();
  backend.detector = [&app] { return app.detector(); };
  for (const SinkSettings& sink : config.sinks) backend.sinks.push_back(sink.name);
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
