// `earshot run --config FILE`: the daemon. The main thread owns the App and reads signals from a
// signalfd; it speaks systemd's notify protocol (READY, RELOADING, STOPPING, WATCHDOG, STATUS).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <atomic>
#include <csignal>
#include <ostream>

#include "daemon/app/app.h"
#include "daemon/app/commands.h"
#include "daemon/app/config_loader.h"
#include "daemon/app/metrics_server.h"
#include "daemon/app/notify.h"
#include "daemon/app/signals.h"
#include "daemon/base/log.h"

namespace earshot {
namespace {

constexpr const char* kComponent = "main";

void PrintDiagnostics(const Diagnostics& diags, std::ostream& err) {
  for (const Diagnostic& d : diags.all()) err << d.ToString() << "\n";
}


}  // namespace

int RunDaemonCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config_path;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else {
      err << fmt::format("earshot run: unexpected argument '{}'\nusage: earshot run --config FILE\n",
                         args[i]);
      return kExitUsage;
    }
  }
  if (config_path.empty()) {
    err << "earshot run: missing --config FILE (e.g. /etc/earshot/earshot.yaml)\n";
    return kExitUsage;
  }

  // Block the signals before any thread exists, so every thread inherits the mask and only the
  // signalfd sees them.
  SignalWaiter signals;
  Notifier notifier;

  Diagnostics diags;
  auto config = LoadAppConfig(config_path, &diags);
  if (!config.ok()) {
    PrintDiagnostics(diags, err);
    err << fmt::format("earshot: {}; nothing started\n", config.status().message());
    return kExitConfig;
  }
  ConfigureLogging(*config);
  auto app = App::Create(*config, &diags);
  if (!app.ok()) {
    PrintDiagnostics(diags, err);
    err << fmt::format("earshot: {}\n", app.status().message());
    return app.status().code() == Status::Code::kInvalidArgument ? kExitConfig : kExitFailure;
  }
  for (const Diagnostic& d : diags.all()) log::Warn(kComponent, "{}", d.ToString());
  if (Status s = (*app)->Start(); !s.ok()) {
    err << fmt::format("earshot: {}\n", s.message());
    return kExitFailure;
  }
  std::atomic<bool> ready{true};
  std::unique_ptr<MetricsServer> metrics;
  if (!config->metrics_address.empty()) {
    App* a = app->get();
    const auto stale_after = config->stale_after;
    MetricsHandlers handlers;
    handlers.metrics = [a] { return a->RenderMetrics(); };
    handlers.stale = [a, stale_after] { return a->Stale(stale_after); };
    handlers.ready = [&ready] { return ready.load(); };
    handlers.failing = [a] { return a->FailingSources(); };
    auto server = MetricsServer::Start(config->metrics_address, std::move(handlers));
    if (!server.ok()) {
      err << fmt::format("earshot: {}\n", server.status().message());
      (*app)->Stop();
      return kExitFailure;
    }
    metrics = *std::move(server);
    log::Info(kComponent, "metrics on http://{}/metrics", config->metrics_address);
  }
  notifier.Send(fmt::format("READY=1\nSTATUS={}", (*app)->StatusLine()));
  log::Info(kComponent, "ready");

  const auto watchdog = notifier.watchdog_interval();
  // Ping at half the interval systemd expects, as sd_watchdog_enabled(3) recommends.
  const auto tick = watchdog ? std::chrono::duration_cast<std::chrono::milliseconds>(*watchdog / 2)
                             : std::chrono::milliseconds(1000);
  bool was_healthy = true;
  for (;;) {
    const std::optional<int> sig = signals.Wait(tick);
    if (!sig) {
      const std::vector<std::string> stale = (*app)->Stale(config->stale_after);
      if (stale.empty()) {
        if (watchdog) notifier.Send("WATCHDOG=1");
        if (!was_healthy) log::Info(kComponent, "every thread is alive again");
      } else if (was_healthy) {
        // No ping: systemd restarts us after WatchdogSec, and the outbox makes that safe.
        log::Error(kComponent, "no heartbeat from {}; withholding the watchdog ping",
                   fmt::join(stale, ", "));
        notifier.Send(fmt::format("STATUS=stuck: {}", fmt::join(stale, ", ")));
      }
      was_healthy = stale.empty();
      continue;
    }
    if (*sig == SIGHUP) {
      notifier.Send("RELOADING=1\nSTATUS=reloading rules");
      Diagnostics reload_diags;
      Status s = (*app)->ReloadFromFile(config_path, &reload_diags);
      for (const Diagnostic& d : reload_diags.all()) {
        if (d.level == Diagnostic::Level::kWarning) {
          log::Warn(kComponent, "{}", d.ToString());
        } else {
          log::Error(kComponent, "{}", d.ToString());
        }
      }
      if (s.ok()) {
        notifier.Send(fmt::format("READY=1\nSTATUS={}", (*app)->StatusLine()));
      } else {
        log::Error(kComponent, "reload failed, the previous rules and silences keep running: {}",
                   s.message());
        notifier.Send(fmt::format(
            "READY=1\nSTATUS=reload failed ({}); previous rules and silences running",
            s.message()));
      }
      continue;
    }
    log::Info(kComponent, "signal {}: shutting down", strsignal(*sig));
    break;
  }
  notifier.Send("STOPPING=1\nSTATUS=draining");
  ready = false;
  if (metrics) metrics->Stop();  // before the parts its handlers read go away
  (*app)->Stop();
  out.flush();
  return kExitOk;
}

}  // namespace earshot
