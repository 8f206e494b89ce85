// Console: earshot's web console for on-call staff and analysts (docs/console.md), served on the
// admin listener next to /metrics. Pages are static files compiled into the binary
// (console_assets.h) that read and act through a JSON API under /api/v1/ (console_api.h); the
// actions call the same OperatorStore methods as `earshot ack`, `resolve` and `silence`.
//
// Every response carries a Content-Security-Policy without inline scripts or styles and with
// frame-ancestors 'none', so a post's text can only ever be text: the pages write it with
// textContent, and a script that slipped through would not run.
//
// Threads: Handle is called from the HTTP server's connection threads; it is thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/app/app.h"
#include "daemon/base/clock.h"
#include "daemon/console/console_auth.h"
#include "daemon/net/http_server.h"

namespace earshot {

class ConsoleApi;
struct PageRoute;  // console.cc: a page's path, title, content and scripts
class Detector;
class DetectionFeed;
class RuleActivity;
class OperatorStore;
class OutboxStore;

// What the console reads and acts through; the App provides each (App::operator_store(), ...).
struct ConsoleBackend {
  OperatorStore* operators = nullptr;
  OutboxStore* outbox = nullptr;
  std::function<std::shared_ptr<const Detector>()> detector;
  DetectionFeed* feed = nullptr;     // detections as they happen; null: the feed page is empty
  RuleActivity* activity = nullptr;  // per rule and brand hits; null: the rules page is empty
  std::function<ReloadOutcome()> last_reload;
  std::function<Result<std::map<std::string, double>>()> surge_baselines;  // per brand, per hour
  std::vector<std::string> sinks;    // configured sink names, in config order
  // Cut from the file names explain shows ("/usr/share/earshot/rules/"), so a cue reads
  // "lexicon/complaint_cues.tsv:380"; "" keeps them whole.
  std::string rules_dir;
  // Sources and sinks with their counters now (App::Sources, App::Sinks); unset: none.
  std::function<std::vector<SourceView>()> source_views;
  std::function<std::vector<SinkView>()> sink_views;
  Clock* clock = nullptr;
};

class Console {
 public:
  Console(ConsoleBackend backend, ConsoleAuthOptions auth);
  ~Console();

  // Serves any path but /metrics, /healthz and /readyz (the admin listener routes those).
  HttpServerResponse Handle(const HttpServerRequest& req);

 private:
  HttpServerResponse Page(const HttpServerRequest& req, const PageRoute& page);
  HttpServerResponse LoginPost(const HttpServerRequest& req);

  ConsoleBackend backend_;
  ConsoleAuth auth_;
  std::unique_ptr<ConsoleApi> api_;
};

// Adds the headers every console response carries (CSP, no framing, no sniffing, no referrer).
void AddConsoleSecurityHeaders(HttpServerResponse* resp);

}  // namespace earshot
