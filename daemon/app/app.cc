#include "daemon/app/app.h"
#include "daemon/app/app_cluster.h"
#include "daemon/app/app_parts.h"
#include "daemon/app/cluster_fingerprint.h"

#include <fmt/format.h>

#include <array>
#include <atomic>
#include <charconv>
#include <optional>
#include <zmq.hpp>

#include "daemon/app/build_source.h"
#include "daemon/app/check_rules.h"
#include "daemon/app/config_loader.h"
#include "daemon/app/detection_feed.h"
#include "daemon/app/detector_holder.h"
#include "daemon/app/live_detections.h"
#include "daemon/app/poller.h"
#include "daemon/app/process_metrics.h"
#include "daemon/app/prometheus_text.h"
#include "daemon/app/routed_sink.h"
#include "daemon/app/rule_activity.h"
#include "daemon/app/rule_hashtags.h"
#include "daemon/base/bounded_queue.h"
#include "daemon/base/build_info.h"
#include "daemon/base/check.h"
#include "daemon/base/log.h"
#include "daemon/base/mutex.h"
#include "daemon/bus/publisher.h"
#include "daemon/escalator/escalator.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/state/state_store.h"
#include "detectors/detector.h"
#include "detectors/lexicon.h"
#include "detectors/rule_loader.h"
#include "detectors/sentiment.h"
#include "sinks/registry.h"
#include "sinks/runner.h"

namespace earshot {
namespace {

constexpr const char* kComponent = "app";

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string UserAgent() {
  return fmt::format("earshot/{} (+https://github.com/earshot/earshot)", EARSHOT_VERSION);
}

// A lexicon or complaint-model error reads "file:line: error: what" already: report it at its
// own position instead of under the lexicon folder (which would name the file twice).
void AddDataFileError(const std::filesystem::path& dir, const Status& status, Diagnostics* diags) {
  const std::string& m = status.message();
  const size_t mark = m.find(": error: ");
  if (mark == std::string::npos) {
    diags->Error(dir.string(), 0, 0, m);
    return;
  }
  const std::string_view where(m.data(), mark);
  const size_t colon = where.rfind(':');
  int line = 0;
  if (colon != std::string_view::npos &&
      std::from_chars(where.data() + colon + 1, where.data() + where.size(), line).ec ==
          std::errc()) {
    diags->Error(std::string(where.substr(0, colon)), line, 0, m.substr(mark + 9));
  } else {
    diags->Error(std::string(where), 0, 0, m.substr(mark + 9));
  }
}

}  // namespace

Result<std::shared_ptr<const Detector>> BuildDetector(const AppConfig& config, Diagnostics* diags) {
  // A missing path is reported at the earshot.yaml line that names it, and all of them at once
  // (the lexicon would otherwise hide a missing rule file until it is fixed).
  if (!CheckRulePaths(config, diags)) {
    return Status::InvalidArgument(
        fmt::format("{}: rules: names a path that does not exist", config.file.string()));
  }
  auto lexicon = Lexicon::Load(config.lexicon_dir, config.lexicon_overlays);
  if (!lexicon.ok()) {
    AddDataFileError(config.lexicon_dir, lexicon.status(), diags);
    return lexicon.status();
  }
  auto sentiment = std::make_shared<const SentimentAnalyzer>(*std::move(lexicon));
  auto complaint_model = ComplaintModel::Load(config.lexicon_dir, config.complaint_overlays);
  if (!complaint_model.ok()) {
    AddDataFileError(config.lexicon_dir, complaint_model.status(), diags);
    return complaint_model.status();
  }
  auto complaint = std::make_shared<const ComplaintScorer>(*std::move(complaint_model));
  RuleLoadOptions options;
  options.brands = config.brands;
  auto rules = LoadRules(config.rule_files, options, diags);
  if (!rules.ok()) return rules.status();
  // A rule set that cannot page is legal (a staging daemon, a praise-only pack), but a reload
  // that drops every complaint rule is usually an accident: warn, or refuse when asked to.
  auto pos = [&](const ConfigPosition& p) {
    return RulePosition{p.file.empty() ? config.file.string() : p.file, p.line, p.column};
  };
  if (!CheckLiveComplaintRules(**rules, config.require_complaint_rules, pos(config.rules_position),
                               pos(config.require_complaint_rules_position), diags)) {
    return Status::InvalidArgument(
        "no live complaint rule, and rules.require_complaint_rules is true");
  }
  return std::shared_ptr<const Detector>(std::make_shared<const Detector>(
      *std::move(rules), std::move(sentiment), std::move(complaint)));
}


App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

OperatorStore& App::operator_store() const {
  if (parts_->cluster) return *parts_->cluster->store;
  return *parts_->store;
}
OutboxStore& App::outbox_store() const {
  if (parts_->cluster) return *parts_->cluster->store;
  return *parts_->store;
}
std::shared_ptr<const Detector> App::detector() const { return parts_->detectors->Get(); }

App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Create(const AppConfig& config, Diagnostics* diags) {
  auto parts = std::make_unique<Parts>();
  parts->config = config;
  parts->last_reload_success_ms = ToUnixMillis(RealClock().Now());

  // Rules first: they are the likeliest to be wrong, and cost nothing to throw away.
  EARSHOT_ASSIGN_OR_RETURN(std::shared_ptr<const Detector> detector, BuildDetector(config, diags));
  parts->detectors = std::make_unique<DetectorHolder>(std::move(detector));

  std::error_code ec;
  std::filesystem::create_directories(config.state_dir, ec);
  if (ec) {
    return Status::Unavailable(fmt::format("state_dir {}: {}; create it or fix its permissions",
                                           config.state_dir.string(), ec.message()));
  }
  EARSHOT_ASSIGN_OR_RETURN(parts->store, StateStore::Open(config.state_dir / "earshot.db"));
  EARSHOT_ASSIGN_OR_RETURN(uint64_t newest, parts->store->MaxOutboxSeq());
  parts->newest_seq = newest;

  bus::PublisherOptions bus_options;
  bus_options.external_endpoint = config.bus_endpoint;
  EARSHOT_ASSIGN_OR_RETURN(parts->publisher,
                           bus::Publisher::Create(parts->zmq_context, bus_options));
  // A cluster node's escalator, sinks and pollers work through the state log instead of the
  // file alone (docs/cluster.md).
  if (config.cluster) EARSHOT_RETURN_IF_ERROR(CreateCluster(*parts));
  ClusterParts* cluster = parts->cluster.get();
  OutboxStore& outbox =
      cluster != nullptr ? static_cast<OutboxStore&>(*cluster->store) : *parts->store;

  SinkRegistry registry;
  RegisterBuiltinSinks(registry);
  for (const SinkSettings& s : config.sinks) {
    SinkConfig sink_config{s.name, s.type, s.options};
    auto sink = registry.Create(sink_config);
    if (!sink.ok()) {
      diags->Error(s.file, s.line, s.column,
                   fmt::format("sink '{}': {}", s.name, sink.status().message()));
      continue;
    }
    if (config.routes) {
      sink->sink = std::make_unique<RoutedSink>(s.name, std::move(sink->sink), config.routes);
    }
    SinkRunnerOptions runner_options;
    if (cluster == nullptr) {
      // A new sink starts after the outbox's newest record (it is not paged with history). Pin
      // that point now, before the escalator can commit: if the runner's thread chose it later,
      // an escalation committed in between would be skipped. (A cluster's sink is pinned by its
      // first holder, from the state it caught up with.)
      auto cursor = parts->store->LoadSinkCursor(s.name);
      if (!cursor.ok()) return cursor.status();
      if (!cursor->has_value()) {
        EARSHOT_RETURN_IF_ERROR(parts->store->SaveSinkCursor(s.name, newest));
      }
    } else {
      cluster->sinks.emplace(SinkLease(s.name), parts->sinks.size());
      runner_options.may_deliver = [cluster, lease = SinkLease(s.name)] {
        return cluster->keeper != nullptr && cluster->keeper->Holds(lease);
      };
    }
    parts->sinks.push_back(std::make_unique<SinkRunner>(
        s.name, *std::move(sink), outbox, parts->zmq_context, std::move(runner_options)));
  }

  // Runs on the escalator's thread after each commit. A failed publish loses nothing: the
  // escalation is in the outbox, and the sinks catch up from there when they see the gap.
  // In a cluster the bus hears of commits from the state replica instead, on every node.
  parts->escalator_publish = [p = parts->publisher.get(), counts = parts.get(),
                              bus = cluster == nullptr](const Escalation& e,
                                                        std::string_view json) {
    ++counts->escalations_by_severity[static_cast<size_t>(e.severity)];
    ++counts->escalations_by_kind[static_cast<size_t>(e.kind)];
    counts->newest_seq = std::max<uint64_t>(counts->newest_seq.load(), e.seq);
    if (!bus) return;
    if (Status s = p->Publish(json); !s.ok()) {
      log::Warn(kComponent, "bus: {}; sinks will catch up from the outbox", s.message());
    }
  };
  // The silences file, like the rules: a broken one stops the start, with every error.
  auto file_silences = LoadConfiguredSilences(config, RealClock().Now(), diags);
  if (!file_silences) {
    return Status::InvalidArgument(
        fmt::format("{}: silences file has errors", config.silences_file.string()));
  }
  {
    MutexLock lock(parts->file_silences_mu);
    parts->file_silences = *file_silences;
  }
  // A cluster node builds an escalator each time it becomes leader (App::StartTerm).
  if (cluster == nullptr) {
    auto escalator = std::make_shared<Escalator>(*parts->store, config.escalation, RealClock(),
                                                 parts->escalator_publish);
    // The packs' own hashtags are not new; Reload tells the escalator again.
    escalator->SetRuleHashtags(RuleHashtags(*parts->detectors->Get()));
    escalator->SetFileSilences(*std::move(file_silences));
    MutexLock lock(parts->escalator_mu);
    parts->escalator = std::move(escalator);
  }

  // The sources' side of the store: their cursors and the posts to re-check.
  CursorStore* cursors = parts->store.get();
  for (const SourceSettings& s : config.sources) {
    auto built = BuildSource(s, UserAgent(), &parts->budgets);
    if (!built.ok()) {
      diags->Error(s.file, s.line, s.column,
                   fmt::format("source '{}': {}", s.name, built.status().message()));
      continue;
    }
    std::unique_ptr<Source> source = std::move(built->source);
    auto cursor = cursors->LoadCursor(source->name());
    if (!cursor.ok()) return cursor.status();
    // A cluster node restores the cursor when it takes the source's lease (OnLeaseGained).
    if (cluster != nullptr) {
      cluster->pollers.emplace(SourceLease(source->name()), parts->pollers.size());
    } else if (cursor->has_value()) {
      EARSHOT_RETURN_IF_ERROR(source->Restore(**cursor));
      log::Info(kComponent, {{"source", source->name()}}, "source {} resumes after {}",
                source->name(), **cursor);
    }
    parts->source_stats.push_back(built->counters);
    parts->source_lags.push_back(built->lag_ms);
    auto http = CurlHttpClient::Create({.user_agent = UserAgent()});
    if (!http.ok()) return http.status();
    RecheckOptions recheck;
    recheck.every = built->recheck_every;
    // At most this many posts a round: Mastodon allows 300 requests per 5 minutes per account,
    // and polling must keep most of them.
    constexpr size_t kRecheckPerRound = 40;
    recheck.ids = [cursors, name = std::string(source->name())] {
      return cursors->PostsToRecheck(name, kRecheckPerRound);
    };
    parts->pollers.push_back(std::make_unique<Poller>(std::move(source), *std::move(http),
                                                      *parts->detectors,
                                                      cluster != nullptr ? cluster->outgoing
                                                                         : parts->batches,
                                                      std::chrono::minutes(1), std::move(recheck),
                                                      &parts->live));
  }
  if (diags->has_errors()) {
    return Status::InvalidArgument(fmt::format("{} configuration error(s)", diags->error_count()));
  }
  {
    // Until the first reload, the console shows what the start loaded (its warnings, if any).
    MutexLock lock(parts->reload_mu);
    parts->last_reload.at = RealClock().Now();
    for (const Diagnostic& d : diags->all()) parts->last_reload.diagnostics.push_back(d.ToString());
  }
  return std::unique_ptr<App>(new App(std::move(parts)));
}

Status App::Start() {
  Parts& p = *parts_;
  if (p.cluster) {
    // The work starts lease by lease (OnLeaseGained).
    EARSHOT_RETURN_IF_ERROR(StartCluster());
    p.started = true;
    log::Info(kComponent, "running: {}", StatusLine());
    return Status::Ok();
  }
  for (auto& sink : p.sinks) sink->Start();
  p.CurrentEscalator()->Start(p.batches);
  for (auto& poller : p.pollers) poller->Start();
  p.started = true;
  log::Info(kComponent, "running: {}", StatusLine());
  return Status::Ok();
}

Status App::Reload(const AppConfig& config, Diagnostics* diags) {
  const size_t from = diags->all().size();
  Status status = ReloadRules(config, diags);
  FinishReload(status, *diags, from);
  return status;
}

Status App::ReloadRules(const AppConfig& config, Diagnostics* diags) {
  // Credential files are re-read whatever else the reload finds: rotating a revoked token must
  // not wait for an unrelated broken rule to be fixed.
  for (auto& poller : parts_->pollers) poller->ReloadCredentials();
  // Both the rules and the silences file must read cleanly before either is swapped in: a
  // broken file keeps the running rules and silences, whichever file it is.
  auto next = BuildDetector(config, diags);
  auto file_silences = LoadConfiguredSilences(config, RealClock().Now(), diags);
  if (!next.ok() || !file_silences) {
    if (!next.ok()) return next.status();
    return Status::InvalidArgument(
        fmt::format("{}: silences file has errors", config.silences_file.string()));
  }
  const std::shared_ptr<Escalator> escalator = parts_->CurrentEscalator();
  if (escalator) escalator->SetRuleHashtags(RuleHashtags(**next));
  parts_->detectors->Swap(*std::move(next));
  const size_t silence_count = file_silences->size();
  {
    MutexLock lock(parts_->file_silences_mu);
    parts_->file_silences = *file_silences;
  }
  if (escalator) escalator->SetFileSilences(*std::move(file_silences));
  if (ClusterParts* cluster = parts_->cluster.get()) {
    // The others compare this node's hashes with theirs from its next heartbeat on.
    auto fingerprint = FingerprintOf(config);
    if (fingerprint.ok()) {
      MutexLock lock(cluster->fingerprint_mu);
      cluster->fingerprint = *std::move(fingerprint);
    } else {
      log::Warn(kComponent, "cluster: rules hash not updated: {}", fingerprint.status().message());
    }
  }
  // logrotate sends SIGHUP after moving files: sinks that hold one open reopen it.
  for (auto& sink : parts_->sinks) sink->Reopen();
  log::Info(kComponent,
            {{"event", "reload"},
             {"outcome", "ok"},
             {"config", config.file.string()},
             {"rule_files", config.rule_files.size()},
             {"silences", silence_count}},
            "reloaded rules from {} file(s){}", config.rule_files.size(),
            config.silences_file.empty()
                ? ""
                : fmt::format(", {} silence(s) from {}", silence_count, config.silences_file_name));
  // Sources and sinks own threads, sockets and cursors; they are built once per process.
  auto names = [](const auto& list) {
    std::vector<std::string> out;
    for (const auto& item : list) out.push_back(item.name + "/" + item.type);
    return out;
  };
  if (names(config.sources) != names(parts_->config.sources) ||
      names(config.sinks) != names(parts_->config.sinks)) {
    log::Warn(kComponent, {{"event", "reload"}, {"config", config.file.string()}},
              "sources or sinks changed in {}; they take effect on restart "
              "(systemctl restart earshot); rules were reloaded now",
              config.file.string());
  }
  return Status::Ok();
}

Status App::ReloadFromFile(const std::filesystem::path& config_path, Diagnostics* diags) {
  const size_t from = diags->all().size();
  auto config = LoadAppConfig(config_path, diags);
  Status status = config.ok() ? ReloadRules(*config, diags) : config.status();
  FinishReload(status, *diags, from);
  return status;
}

void App::FinishReload(const Status& status, const Diagnostics& diags, size_t from) {
  const bool ok = status.ok();
  const SystemTime now = RealClock().Now();
  ++(ok ? parts_->reloads_ok : parts_->reloads_failed);
  parts_->last_reload_ok = ok;
  if (ok) parts_->last_reload_success_ms = ToUnixMillis(now);
  // Rendered here, on the reloading thread, so the console only copies strings.
  ReloadOutcome outcome;
  outcome.ok = ok;
  outcome.at_start = false;
  outcome.at = now;
  if (!ok) outcome.error = status.message();
  for (size_t i = from; i < diags.all().size(); ++i) {
    outcome.diagnostics.push_back(diags.all()[i].ToString());
  }
  MutexLock lock(parts_->reload_mu);
  parts_->last_reload = std::move(outcome);
}

ReloadOutcome App::LastReload() const {
  MutexLock lock(parts_->reload_mu);
  return parts_->last_reload;
}

DetectionFeed& App::detection_feed() { return parts_->feed; }
const DetectionFeed& App::detection_feed() const { return parts_->feed; }
RuleActivity& App::rule_activity() { return parts_->activity; }
const RuleActivity& App::rule_activity() const { return parts_->activity; }

void App::Stop() {
  Parts& p = *parts_;
  if (!p.started || p.stopped) return;
  p.stopped = true;
  log::Info(kComponent, "stopping");
  // Every step runs whatever happened before it: a stuck source must not keep the sinks from
  // their grace period, nor the store from closing cleanly.
  if (p.cluster) {
    // Each lease's work stops before its lease is given back, so the next holder never
    // overlaps this node.
    StopCluster();
    p.publisher.reset();
    log::Info(kComponent, "stopped");
    return;
  }
  for (auto& poller : p.pollers) poller->RequestStop();
  for (auto& poller : p.pollers) poller->Join();
  // The escalator drains what the pollers handed over, then commits and exits.
  p.batches.Close();
  const std::shared_ptr<Escalator> escalator = p.CurrentEscalator();
  escalator->RequestStop();
  escalator->Join();
  const SteadyTime deadline = std::chrono::steady_clock::now() + p.config.shutdown_grace;
  for (auto& sink : p.sinks) sink->Drain(deadline);
  for (auto& sink : p.sinks) sink->Join();
  p.publisher.reset();
  log::Info(kComponent, "stopped");
}

std::vector<std::string> App::Stale(std::chrono::milliseconds max_age) const {
  const Parts& p = *parts_;
  std::vector<std::string> stale;
  const int64_t now = SteadyMillis();
  auto check = [&](std::string_view name, int64_t beat) {
    if (now - beat > max_age.count()) stale.emplace_back(name);
  };
  // A cluster node judges only the work it holds a lease for now.
  const bool all = p.cluster == nullptr;
  for (const auto& poller : p.pollers) {
    if (all || poller->running()) check(poller->name(), poller->heartbeat_ms());
  }
  if (const std::shared_ptr<Escalator> escalator = p.CurrentEscalator()) {
    check("escalator", escalator->heartbeat_ms());
  }
  for (const auto& sink : p.sinks) {
    if (all || sink->running()) check(fmt::format("sink:{}", sink->name()), sink->heartbeat_ms());
  }
  return stale;
}

bool App::Healthy(std::chrono::milliseconds max_age) const { return Stale(max_age).empty(); }

std::vector<std::string> App::FailingSources() const {
  std::vector<std::string> failing;
  for (const auto& poller : parts_->pollers) {
    if (!poller->failing()) continue;
    // A cluster node answers for the sources it polls now.
    if (parts_->cluster && !poller->running()) continue;
    failing.push_back(fmt::format("{} ({} failed fetches in a row)", poller->name(),
                                  poller->stats().consecutive_failures.load()));
  }
  return failing;
}

std::vector<SourceView> App::Sources() const {
  const Parts& p = *parts_;
  std::vector<SourceView> out;
  for (size_t i = 0; i < p.pollers.size(); ++i) {
    const Poller& poller = *p.pollers[i];
    SourceView v;
    v.name = poller.name();
    v.network = v.name.substr(0, v.name.find(':'));
    v.posts = poller.stats().posts.load();
    v.consecutive_failures = poller.stats().consecutive_failures.load();
    v.failing = poller.failing();
    if (p.source_lags[i]) v.lag_seconds = static_cast<double>(p.source_lags[i]()) / 1000.0;
    // The budget names the sources that share it: "x:airline,x:brand".
    for (const RateBudgetRegistry::Entry& e : p.budgets.budgets()) {
      const std::string names = "," + e.budget->name() + ",";
      if (names.find("," + v.name + ",") == std::string::npos) continue;
      const SharedRateBudget::Snapshot snap = e.budget->Read();
      v.budget = e.budget->name();
      v.budget_remaining = snap.remaining;
      v.budget_limit = snap.limit;
      v.budget_reset = snap.reset;
    }
    // A source logs under its own name, its poller under "source:" and the name: the newer.
    v.last_problem = log::LastProblem(v.name);
    if (auto poller_problem = log::LastProblem("source:" + v.name);
        poller_problem && (!v.last_problem || poller_problem->at > v.last_problem->at)) {
      v.last_problem = std::move(poller_problem);
    }
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::map<std::string, double>> App::SurgeBaselinesPerHour() const {
  EARSHOT_ASSIGN_OR_RETURN(std::vector<SurgeKeyRecord> keys, parts_->store->LoadSurgeKeys());
  const double windows_per_hour =
      3600.0 / std::max<double>(1.0, std::chrono::duration<double>(
                                         parts_->config.escalation.surge_window)
                                         .count());
  std::map<std::string, double> out;
  constexpr std::string_view kBrand = "|brand:";
  for (const SurgeKeyRecord& k : keys) {
    // "rule:lost-baggage|brand:acmeair"; hashtag keys would count the same posts twice.
    const size_t at = k.key.find(kBrand);
    if (!k.key.starts_with("rule:") || at == std::string::npos) continue;
    const std::string brand = k.key.substr(at + kBrand.size());
    if (brand.empty()) continue;
    out[brand] += k.mean * windows_per_hour;
  }
  return out;
}

std::vector<SinkView> App::Sinks() const {
  const Parts& p = *parts_;
  const uint64_t newest = p.newest_seq.load();
  std::vector<SinkView> out;
  for (const auto& sink : p.sinks) {
    SinkView v;
    v.name = sink->name();
    v.delivered = sink->delivered();
    v.skipped = sink->skipped();
    v.retries = sink->retries();
    v.dead_lettered = sink->dead_lettered();
    v.backlog = newest > sink->cursor() ? newest - sink->cursor() : 0;
    v.last_problem = log::LastProblem("sink:" + v.name);
    out.push_back(std::move(v));
  }
  return out;
}

std::string App::StatusLine() const {
  const Parts& p = *parts_;
  return fmt::format("{} source(s), {} sink(s)", p.pollers.size(), p.sinks.size());
}

}  // namespace earshot

namespace earshot {
namespace {

void WriteHistogram(PrometheusText* t, std::string_view name, const MetricLabels& labels,
                    const LatencyHistogram& h) {
  const LatencyHistogram::Snapshot s = h.Read();
  t->Histogram(name, labels, s.bounds, s.cumulative, s.sum_seconds, s.count);
}

}  // namespace

std::string App::RenderMetrics() const {
  const Parts& p = *parts_;
  PrometheusText t;
  // Sources: what each fetched and how the network treated it.
  struct SourceCounter {
    const char* name;
    const char* help;
    std::atomic<int64_t> SourceCounters::*field;
  };
  static constexpr SourceCounter kSourceCounters[] = {
      {"earshot_source_requests_total", "HTTP requests made to the network.",
       &SourceCounters::requests},
      {"earshot_posts_parsed_total", "Posts parsed from the network's pages.",
       &SourceCounters::posts},
      {"earshot_posts_dropped_total", "Items skipped because they could not be parsed.",
       &SourceCounters::bad_items},
      {"earshot_source_rate_limited_total", "HTTP 429 answers.", &SourceCounters::rate_limited},
      {"earshot_source_auth_errors_total", "HTTP 401/403 answers (token rejected).",
       &SourceCounters::auth_errors},
      {"earshot_source_server_errors_total", "HTTP 5xx answers.", &SourceCounters::server_errors},
      {"earshot_source_transport_errors_total", "Timeouts and connection failures.",
       &SourceCounters::transport_errors},
      {"earshot_source_malformed_pages_total", "Truncated or malformed pages.",
       &SourceCounters::malformed_pages},
  };
  for (const SourceCounter& c : kSourceCounters) {
    t.Family(c.name, "counter", c.help);
    for (size_t i = 0; i < p.pollers.size(); ++i) {
      const std::atomic<int64_t>& counter = p.source_stats[i]->*c.field;
      t.Sample(c.name, {{"source", p.pollers[i]->name()}}, static_cast<double>(counter.load()));
    }
  }
  t.Family("earshot_items_skipped_total", "counter",
           "Items skipped, by reason (missing_field, wrong_type, malformed_item); the rest of "
           "their page is delivered and the cursor moves past them.");
  for (size_t i = 0; i < p.pollers.size(); ++i) {
    const SkippedItems* skipped = &p.source_stats[i]->skipped;
    for (size_t r = 0; r < kSkipReasonNames.size(); ++r) {
      t.Sample("earshot_items_skipped_total",
               {{"source", p.pollers[i]->name()}, {"reason", kSkipReasonNames[r]}},
               static_cast<double>(skipped->by_reason[r].load()));
    }
  }
  t.Family("earshot_source_lag_seconds", "gauge",
           "How far a stream source is behind its network's head: now minus the time the "
           "newest event it consumed was stamped with (Jetstream). Only for streams.");
  for (size_t i = 0; i < p.pollers.size(); ++i) {
    if (const std::function<int64_t()>& lag = p.source_lags[i]) {
      t.Sample("earshot_source_lag_seconds", {{"source", p.pollers[i]->name()}},
               static_cast<double>(lag()) / 1000.0);
    }
  }
  t.Family("earshot_source_consecutive_failures", "gauge",
           "Fetches in a row that failed (HTTP errors, malformed pages, dropped streams).");
  t.Family("earshot_source_failing", "gauge",
           "1 while a source's last fetches all failed (see /readyz), else 0.");
  for (const auto& poller : p.pollers) {
    t.Sample("earshot_source_consecutive_failures", {{"source", poller->name()}},
             static_cast<double>(poller->stats().consecutive_failures.load()));
    t.Sample("earshot_source_failing", {{"source", poller->name()}}, poller->failing() ? 1 : 0);
  }
  WriteRateBudgetMetrics(&t, p.budgets, RealClock().Now());
  t.Family("earshot_posts_fetched_total", "counter", "Posts run through the detectors.");
  for (const auto& poller : p.pollers) {
    t.Sample("earshot_posts_fetched_total", {{"source", poller->name()}},
             static_cast<double>(poller->stats().posts.load()));
  }
  t.Family("earshot_posts_filtered_total", "counter",
           "Posts of a firehose that named no brand, handle, hashtag or rule word: let by "
           "unscored (counted in earshot_posts_fetched_total too).");
  for (const auto& poller : p.pollers) {
    t.Sample("earshot_posts_filtered_total", {{"source", poller->name()}},
             static_cast<double>(poller->stats().posts_filtered.load()));
  }
  t.Family("earshot_source_rechecks_total", "counter",
           "Posts of open incidents asked for again, to find deletions (recheck_every).");
  for (const auto& poller : p.pollers) {
    t.Sample("earshot_source_rechecks_total", {{"source", poller->name()}},
             static_cast<double>(poller->stats().rechecks.load()));
  }
  t.Family("earshot_posts_truncated_total", "counter",
           "Posts whose text was cut to the 16 KiB limit (the size it had is in the escalation).");
  for (const auto& poller : p.pollers) {
    t.Sample("earshot_posts_truncated_total", {{"source", poller->name()}},
             static_cast<double>(poller->stats().posts_truncated.load()));
  }
  t.Family("earshot_rule_matches_total", "counter", "Posts matched, per rule.");
  std::map<std::string, int64_t> matches;
  for (const auto& poller : p.pollers) {
    for (const auto& [rule, n] : poller->stats().RuleMatches()) matches[rule] += n;
  }
  for (const auto& [rule, n] : matches) {
    t.Sample("earshot_rule_matches_total", {{"rule", rule}}, static_cast<double>(n));
  }
  t.Family("earshot_detect_seconds", "histogram", "Time to run rules and sentiment on one post.");
  for (const auto& poller : p.pollers) {
    WriteHistogram(&t, "earshot_detect_seconds", {{"source", poller->name()}},
                   poller->stats().detect_latency);
  }
  t.Family("earshot_handoff_seconds", "histogram",
           "Time a batch waited for room in the escalator's queue (backpressure).");
  for (const auto& poller : p.pollers) {
    WriteHistogram(&t, "earshot_handoff_seconds", {{"source", poller->name()}},
                   poller->stats().handoff_latency);
  }
  t.Family("earshot_queue_depth", "gauge", "Items waiting in an internal queue.");
  t.Sample("earshot_queue_depth", {{"queue", "batches"}}, static_cast<double>(p.batches.size()));

  t.Family("earshot_escalations_total", "counter", "Escalations published, by severity.");
  for (Severity s :
       {Severity::kInfo, Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    t.Sample("earshot_escalations_total", {{"severity", SeverityName(s)}},
             static_cast<double>(p.escalations_by_severity[static_cast<size_t>(s)].load()));
  }
  t.Family("earshot_notifications_total", "counter", "Escalations published, by kind.");
  for (auto k : {Escalation::Kind::kOpen, Escalation::Kind::kUpdate, Escalation::Kind::kResolve,
                 Escalation::Kind::kAcknowledge}) {
    t.Sample("earshot_notifications_total", {{"kind", KindName(k)}},
             static_cast<double>(p.escalations_by_kind[static_cast<size_t>(k)].load()));
  }
  AppendComponentMetrics(&t);
  AppendClusterMetrics(&t);
  t.Family("earshot_reloads_total", "counter",
           "Reloads (SIGHUP) by result; failed when any file (earshot.yaml, rules, lexicon, "
           "silences) did not load.");
  t.Sample("earshot_reloads_total", {{"result", "ok"}}, static_cast<double>(p.reloads_ok.load()));
  t.Sample("earshot_reloads_total", {{"result", "failed"}},
           static_cast<double>(p.reloads_failed.load()));
  t.Family("earshot_config_last_reload_successful", "gauge",
           "1 when the last reload (or the start) loaded every file, 0 when it failed.");
  t.Sample("earshot_config_last_reload_successful", {}, p.last_reload_ok.load() ? 1 : 0);
  t.Family("earshot_config_last_reload_success_timestamp_seconds", "gauge",
           "Unix time of the last successful reload, or of the start.");
  t.Sample("earshot_config_last_reload_success_timestamp_seconds", {},
           static_cast<double>(p.last_reload_success_ms.load()) / 1000.0);
  // The build a fleet runs, joined onto other series with `* on(instance) group_left(version)`.
  t.Family("earshot_build_info", "gauge",
           "A metric with a constant '1' value labeled by the version and revision earshot was "
           "built from.");
  t.Sample("earshot_build_info", {{"version", BuildVersion()}, {"revision", BuildRevision()}}, 1);
  WriteProcessMetrics(&t);
  return t.text();
}

}  // namespace earshot

namespace earshot {

namespace {

// First responses per brand and severity: how fast support answered, and how often too late.
void AppendResponseMetrics(PrometheusText* t, const ResponseMetrics& metrics) {
  const auto series = metrics.Read();
  const std::vector<double> bounds(ResponseMetrics::kBounds.begin(),
                                   ResponseMetrics::kBounds.end());
  t->Family("earshot_first_response_seconds", "histogram",
            "Time from a complaint incident's opening to the first staff reply in its thread.");
  for (const auto& [key, s] : series) {
    if (s.count == 0) continue;
    std::vector<uint64_t> cumulative;
    uint64_t running = 0;
    for (size_t i = 0; i < bounds.size(); ++i) cumulative.push_back(running += s.buckets[i]);
    t->Histogram("earshot_first_response_seconds",
                 {{"brand", key.first}, {"severity", SeverityName(key.second)}}, bounds, cumulative,
                 s.sum_seconds, s.count);
  }
  t->Family("earshot_response_target_breaches_total", "counter",
            "Complaint incidents still unanswered when their severity's response target passed.");
  for (const auto& [key, s] : series) {
    if (s.breaches == 0) continue;
    t->Sample("earshot_response_target_breaches_total",
              {{"brand", key.first}, {"severity", SeverityName(key.second)}},
              static_cast<double>(s.breaches));
  }
}

}  // namespace

void App::AppendComponentMetrics(PrometheusText* t) const {
  const Parts& p = *parts_;
  t->Family("earshot_incidents_open", "gauge", "Incidents open or acknowledged.");
  // The escalator's count as of its last commit, kept for other threads: a scrape takes no
  // store lock. Until its first step has loaded the incidents, the store's count stands in.
  // A cluster node that does not lead has no escalator: its replica's count stands in.
  const std::shared_ptr<Escalator> escalator = p.CurrentEscalator();
  std::optional<size_t> open;
  if (escalator) open = escalator->committed_active_incidents();
  if (open) {
    t->Sample("earshot_incidents_open", {}, static_cast<double>(*open));
  } else if (auto active = p.store->LoadActiveIncidents(); active.ok()) {
    t->Sample("earshot_incidents_open", {}, static_cast<double>(active->size()));
  }
  if (escalator) AppendResponseMetrics(t, escalator->response_metrics());
  t->Family("earshot_file_silences", "gauge",
            "Entries of the silences file loaded (active or pending), as of the last reload.");
  size_t file_silences = 0;
  {
    MutexLock lock(p.file_silences_mu);
    file_silences = p.file_silences.size();
  }
  t->Sample("earshot_file_silences", {}, static_cast<double>(file_silences));
  t->Family("earshot_bus_published_total", "counter", "Escalations published on the bus.");
  t->Sample("earshot_bus_published_total", {}, static_cast<double>(p.publisher->published()));

  const uint64_t newest = p.newest_seq.load();
  struct SinkCounter {
    const char* name;
    const char* type;
    const char* help;
    uint64_t (SinkRunner::*read)() const;
  };
  static constexpr SinkCounter kSinkCounters[] = {
      {"earshot_sink_delivered_total", "counter", "Escalations delivered.", &SinkRunner::delivered},
      {"earshot_sink_skipped_total", "counter",
       "Escalations the routes send to other receivers, passed over by this sink.",
       &SinkRunner::skipped},
      {"earshot_sink_failures_total", "counter", "Failed delivery attempts (retried).",
       &SinkRunner::retries},
      {"earshot_sink_dead_letters_total", "counter", "Escalations given up on.",
       &SinkRunner::dead_lettered},
      {"earshot_sink_escalations_cut_total", "counter",
       "Escalations larger than the sink's max_escalation_bytes, cut to fit before delivery.",
       &SinkRunner::cut},
  };
  for (const SinkCounter& c : kSinkCounters) {
    t->Family(c.name, c.type, c.help);
    for (const auto& sink : p.sinks) {
      t->Sample(c.name, {{"sink", sink->name()}}, static_cast<double>(((*sink).*c.read)()));
    }
  }
  t->Family("earshot_sink_backlog", "gauge", "Escalations in the outbox not yet delivered.");
  for (const auto& sink : p.sinks) {
    const uint64_t cursor = sink->cursor();
    t->Sample("earshot_sink_backlog", {{"sink", sink->name()}},
              static_cast<double>(newest > cursor ? newest - cursor : 0));
  }
}

}  // namespace earshot
