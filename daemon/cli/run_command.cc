// `earshot run --config FILE`: the daemon. The main thread owns the App and reads signals from a
// signalfd; it speaks systemd's notify protocol (READY, RELOADING, STOPPING, WATCHDOG, STATUS).
//
// Every line it writes to stderr is in the operator's log format, the fatal ones included: with
// json, a log pipeline (journald, Loki) must get one JSON object per line, and the lines that
// say why earshot did not start are the ones that matter most. So the format is settled before
// anything is said: $EARSHOT_LOG_FORMAT if set (it also wins over the file for the whole run),
// else `log.format` read ahead from the config file, even when the rest of the file is broken.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <ostream>
#include <regex>
#include <sstream>

#include "daemon/app/app.h"
#include "daemon/app/config_loader.h"
#include "daemon/app/metrics_server.h"
#include "daemon/app/notify.h"
#include "daemon/app/signals.h"
#include "daemon/base/file_read.h"
#include "daemon/base/log.h"
#include "daemon/cli/commands.h"
#include "daemon/console/app_console.h"

namespace earshot {
namespace {

constexpr const char* kComponent = "main";

constexpr const char* kFormatVariable = "EARSHOT_LOG_FORMAT";

// Where a diagnostic points, as fields a log pipeline can filter on.
log::Fields DiagnosticFields(const Diagnostic& d) {
  log::Fields fields;
  if (!d.file.empty()) fields.Add({"file", d.file});
  if (d.line > 0) fields.Add({"line", d.line});
  if (d.column > 0) fields.Add({"column", d.column});
  return fields;
}

log::Level DiagnosticLevel(const Diagnostic& d) {
  return d.level == Diagnostic::Level::kWarning ? log::Level::kWarn : log::Level::kError;
}

// A line on the command's error stream before or instead of the daemon's logging: in json
// format one JSON object like every log line; in key=value format the plain sentence a person
// at a terminal expects ("earshot: ...").
void Say(std::ostream& err, log::Level level, const log::Fields& fields, std::string_view msg,
         std::string_view text) {
  if (log::CurrentFormat() == log::Format::kJson) {
    err << log::Line(level, kComponent, fields, msg);
  } else {
    err << text << "\n";
  }
  err.flush();
}

void PrintDiagnostics(const Diagnostics& diags, std::ostream& err) {
  for (const Diagnostic& d : diags.all()) {
    if (log::CurrentFormat() == log::Format::kJson) {
      err << log::Line(DiagnosticLevel(d), "config", DiagnosticFields(d), d.ToString());
    } else {
      err << d.ToString() << "\n";
    }
  }
}

// `log.format` as written in the config file, read before the file as a whole: a YAML parse of
// that one key; when the file is not valid YAML at all, its text (a `format: json` line inside
// a top-level `log:` block, or `log: {format: json}`), so the error saying why the file is
// broken still comes out as JSON. nullopt: not found, or the file cannot be read (that error
// comes later, from the real load).
std::optional<log::Format> PeekLogFormat(const std::string& path) {
  Result<std::string> text = ReadRegularFile(path);
  if (!text.ok()) return std::nullopt;
  log::Format format = log::Format::kKeyValue;
  try {
    const YAML::Node root = YAML::Load(*text);
    if (root.IsMap() && root["log"] && root["log"].IsMap() && root["log"]["format"] &&
        root["log"]["format"].IsScalar() &&
        log::ParseFormat(root["log"]["format"].Scalar(), &format)) {
      return format;
    }
    return std::nullopt;
  } catch (const YAML::Exception&) {
    // Not YAML: fall through to the text.
  }
  static const std::regex flow(R"(^log:\s*\{[^}]*\bformat:\s*["']?(json|keyvalue)\b)");
  static const std::regex key(R"(^\s+format:\s*["']?(json|keyvalue)["']?\s*(#.*)?$)");
  static const std::regex log_block(R"(^log:\s*(#.*)?$)");
  std::istringstream lines(*text);
  bool in_log = false;
  std::smatch m;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (std::regex_search(line, m, flow) && log::ParseFormat(m[1].str(), &format)) return format;
    if (std::regex_match(line, log_block)) {
      in_log = true;
      continue;
    }
    const bool top_level = !line.empty() && line[0] != ' ' && line[0] != '#';
    if (top_level) in_log = false;
    if (in_log && std::regex_match(line, m, key) && log::ParseFormat(m[1].str(), &format)) {
      return format;
    }
  }
  return std::nullopt;
}

// An exception nobody caught ends the process; its last words come out in the log format too.
[[noreturn]] void TerminateWithLogLine() {
  std::string what = "std::terminate called";
  if (std::exception_ptr e = std::current_exception()) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = fmt::format("uncaught exception: {}", ex.what());
    } catch (...) {
      what = "uncaught exception";
    }
  }
  const std::string line = log::Line(log::Level::kError, kComponent, {}, "terminated: " + what);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::abort();
}


}  // namespace

int RunDaemonCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::optional<log::Format> env_format;
  if (const char* v = std::getenv(kFormatVariable); v != nullptr && *v != '\0') {
    log::Format f = log::Format::kKeyValue;
    if (!log::ParseFormat(v, &f)) {
      err << fmt::format("earshot run: {}={}: expected keyvalue or json\n", kFormatVariable, v);
      return kExitConfig;
    }
    env_format = f;
    log::SetFormat(f);
  }
  std::set_terminate(TerminateWithLogLine);
  std::string config_path;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else {
      const std::string msg = fmt::format("earshot run: unexpected argument '{}'", args[i]);
      Say(err, log::Level::kError, {}, msg, msg + "\nusage: earshot run --config FILE");
      return kExitUsage;
    }
  }
  if (config_path.empty()) {
    const std::string msg = "earshot run: missing --config FILE (e.g. /etc/earshot/earshot.yaml)";
    Say(err, log::Level::kError, {}, msg, msg);
    return kExitUsage;
  }
  if (!env_format) {
    if (std::optional<log::Format> f = PeekLogFormat(config_path)) log::SetFormat(*f);
  }

  // Block the signals before any thread exists, so every thread inherits the mask and only the
  // signalfd sees them.
  SignalWaiter signals;
  Notifier notifier;

  Diagnostics diags;
  auto config = LoadAppConfig(config_path, &diags);
  const log::Fields config_field{{"config", config_path}};
  if (!config.ok()) {
    PrintDiagnostics(diags, err);
    const std::string msg = fmt::format("{}; nothing started", config.status().message());
    Say(err, log::Level::kError, config_field, msg, "earshot: " + msg);
    return kExitConfig;
  }
  ConfigureLogging(*config);
  if (env_format) log::SetFormat(*env_format);
  auto app = App::Create(*config, &diags);
  if (!app.ok()) {
    PrintDiagnostics(diags, err);
    const std::string msg = fmt::format("{}; nothing started", app.status().message());
    Say(err, log::Level::kError, config_field, msg,
        "earshot: " + std::string(app.status().message()));
    return app.status().code() == Status::Code::kInvalidArgument ? kExitConfig : kExitFailure;
  }
  for (const Diagnostic& d : diags.all()) {
    log::Warn("config", DiagnosticFields(d), "{}", d.ToString());
  }
  if (Status s = (*app)->Start(); !s.ok()) {
    const std::string msg = fmt::format("{}; nothing started", s.message());
    Say(err, log::Level::kError, {}, msg, "earshot: " + std::string(s.message()));
    return kExitFailure;
  }
  std::atomic<bool> ready{true};
  std::unique_ptr<MetricsServer> metrics;
  std::unique_ptr<Console> console;
  if (!config->metrics_address.empty()) {
    App* a = app->get();
    const auto stale_after = config->stale_after;
    MetricsHandlers handlers;
    handlers.metrics = [a] { return a->RenderMetrics(); };
    handlers.stale = [a, stale_after] { return a->Stale(stale_after); };
    handlers.ready = [&ready] { return ready.load(); };
    handlers.failing = [a] { return a->FailingSources(); };
    if (config->console.enabled) {
      console = MakeAppConsole(*a, *config);
      handlers.other = [c = console.get()](const HttpServerRequest& req) { return c->Handle(req); };
    }
    auto server = MetricsServer::Start(config->metrics_address, std::move(handlers));
    if (!server.ok()) {
      const std::string msg = fmt::format("{}; stopping", server.status().message());
      Say(err, log::Level::kError, {{"metrics_address", config->metrics_address}}, msg,
          "earshot: " + std::string(server.status().message()));
      (*app)->Stop();
      return kExitFailure;
    }
    metrics = *std::move(server);
    log::Info(kComponent, "metrics on http://{}/metrics", config->metrics_address);
    if (console) {
      log::Info(kComponent, "console on http://{}/ ({})", config->metrics_address,
                config->console.secret.empty() ? "this host only, no sign-in"
                                               : "sign in with the console secret");
    }
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
          log::Warn("config", DiagnosticFields(d), "{}", d.ToString());
        } else {
          log::Error("config", DiagnosticFields(d), "{}", d.ToString());
        }
      }
      if (s.ok()) {
        notifier.Send(fmt::format("READY=1\nSTATUS={}", (*app)->StatusLine()));
      } else {
        log::Error(kComponent,
                   {{"event", "reload"}, {"outcome", "failed"}, {"config", config_path}},
                   "reload failed, the previous rules and silences keep running: {}", s.message());
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
