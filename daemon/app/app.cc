#include "daemon/app/app.h"

#include <fmt/format.h>

#include <zmq.hpp>

#include "daemon/app/detector_holder.h"
#include "daemon/app/poller.h"
#include "daemon/base/bounded_queue.h"
#include "daemon/base/log.h"
#include "daemon/bus/publisher.h"
#include "daemon/escalator/escalator.h"
#include "daemon/net/curl_http_client.h"
#include "daemon/sources/mastodon/mastodon_source.h"
#include "daemon/state/state_store.h"
#include "detectors/detector.h"
#include "detectors/lexicon.h"
#include "detectors/rule_loader.h"
#include "detectors/sentiment.h"
#include "sinks/escalation_json.h"
#include "sinks/registry.h"
#include "sinks/runner.h"

namespace earshot {
namespace {

constexpr const char* kComponent = "app";
// Batches waiting for the escalator. Small on purpose: a full queue slows the pollers
// (backpressure), and every batch in it is uncommitted work that a crash re-fetches.
constexpr size_t kBatchQueueCapacity = 64;

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string UserAgent() {
  return fmt::format("earshot/{} (+https://github.com/earshot/earshot)", EARSHOT_VERSION);
}

EscalatorOptions ToEscalatorOptions(const EscalationSettings& s) {
  EscalatorOptions o;
  o.repeat_interval = s.repeat_interval;
  o.followers_raise_one = s.followers_raise_one;
  o.followers_raise_two = s.followers_raise_two;
  o.sentiment_raise = s.sentiment_raise;
  o.resolve_after_quiet = s.resolve_after_quiet;
  return o;
}

Result<std::unique_ptr<Source>> MakeSource(const SourceSettings& s) {
  MastodonSourceConfig cfg;
  cfg.name = s.name;
  cfg.base_url = s.base_url;
  cfg.kind = s.mentions ? MastodonSourceConfig::Kind::kMentions
                        : MastodonSourceConfig::Kind::kHashtag;
  cfg.tag = s.hashtag;
  cfg.token = s.token;
  cfg.poll_interval = s.poll_interval;
  cfg.limit = s.limit;
  cfg.user_agent = UserAgent();
  return MastodonSource::Create(std::move(cfg), RealClock());
}

}  // namespace

Result<std::shared_ptr<const Detector>> BuildDetector(const AppConfig& config,
                                                      Diagnostics* diags) {
  auto lexicon = Lexicon::Load(config.lexicon_dir, config.lexicon_overlays);
  if (!lexicon.ok()) {
    diags->Error(config.lexicon_dir.string(), 0, 0, lexicon.status().message());
    return lexicon.status();
  }
  auto sentiment = std::make_shared<const SentimentAnalyzer>(*std::move(lexicon));
  RuleLoadOptions options;
  options.brands = config.brands;
  auto rules = LoadRules(config.rule_files, options, diags);
  if (!rules.ok()) return rules.status();
  return std::shared_ptr<const Detector>(
      std::make_shared<const Detector>(*std::move(rules), std::move(sentiment)));
}

struct App::Parts {
  AppConfig config;
  std::unique_ptr<StateStore> store;
  zmq::context_t zmq_context{1};
  std::unique_ptr<bus::Publisher> publisher;
  std::vector<std::unique_ptr<SinkRunner>> sinks;
  std::unique_ptr<DetectorHolder> detectors;
  BoundedQueue<PostBatch> batches{kBatchQueueCapacity};
  std::unique_ptr<Escalator> escalator;
  std::vector<std::unique_ptr<Poller>> pollers;
  bool started = false;
  bool stopped = false;
};

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

App::~App() { Stop(); }

Result<std::unique_ptr<App>> App::Create(const AppConfig& config, Diagnostics* diags) {
  auto parts = std::make_unique<Parts>();
  parts->config = config;

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

  bus::PublisherOptions bus_options;
  bus_options.external_endpoint = config.bus_endpoint;
  EARSHOT_ASSIGN_OR_RETURN(parts->publisher,
                           bus::Publisher::Create(parts->zmq_context, bus_options));

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
    parts->sinks.push_back(std::make_unique<SinkRunner>(
        s.name, *std::move(sink), *parts->store, parts->zmq_context, SinkRunnerOptions{}));
  }

  // Runs on the escalator's thread after each commit. A failed publish loses nothing: the
  // escalation is in the outbox, and the sinks catch up from there when they see the gap.
  Escalator::Publish publish = [p = parts->publisher.get()](const Escalation& e) {
    if (Status s = p->Publish(EscalationToJson(e)); !s.ok()) {
      log::Warn(kComponent, "bus: {}; sinks will catch up from the outbox", s.message());
    }
  };
  parts->escalator = std::make_unique<Escalator>(
      *parts->store, ToEscalatorOptions(config.escalation), RealClock(), std::move(publish));

  for (const SourceSettings& s : config.sources) {
    auto source = MakeSource(s);
    if (!source.ok()) {
      diags->Error(s.file, s.line, s.column,
                   fmt::format("source '{}': {}", s.name, source.status().message()));
      continue;
    }
    auto cursor = parts->store->LoadCursor((*source)->name());
    if (!cursor.ok()) return cursor.status();
    if (cursor->has_value()) {
      EARSHOT_RETURN_IF_ERROR((*source)->Restore(**cursor));
      log::Info(kComponent, "source {} resumes after {}", (*source)->name(), **cursor);
    }
    auto http = CurlHttpClient::Create({.user_agent = UserAgent()});
    if (!http.ok()) return http.status();
    parts->pollers.push_back(std::make_unique<Poller>(*std::move(source), *std::move(http),
                                                      *parts->detectors, parts->batches));
  }
  if (diags->has_errors()) {
    return Status::InvalidArgument(fmt::format("{} configuration error(s)", diags->error_count()));
  }
  return std::unique_ptr<App>(new App(std::move(parts)));
}

Status App::Start() {
  Parts& p = *parts_;
  for (auto& sink : p.sinks) sink->Start();
  p.escalator->Start(p.batches);
  for (auto& poller : p.pollers) poller->Start();
  p.started = true;
  log::Info(kComponent, "running: {}", StatusLine());
  return Status::Ok();
}

Status App::Reload(const AppConfig& config, Diagnostics* diags) {
  EARSHOT_ASSIGN_OR_RETURN(std::shared_ptr<const Detector> next, BuildDetector(config, diags));
  parts_->detectors->Swap(std::move(next));
  log::Info(kComponent, "reloaded rules from {} file(s)", config.rule_files.size());
  return Status::Ok();
}

void App::Stop() {
  Parts& p = *parts_;
  if (!p.started || p.stopped) return;
  p.stopped = true;
  log::Info(kComponent, "stopping");
  // Every step runs whatever happened before it: a stuck source must not keep the sinks from
  // their grace period, nor the store from closing cleanly.
  for (auto& poller : p.pollers) poller->RequestStop();
  for (auto& poller : p.pollers) poller->Join();
  // The escalator drains what the pollers handed over, then commits and exits.
  p.batches.Close();
  p.escalator->RequestStop();
  p.escalator->Join();
  const auto deadline = std::chrono::steady_clock::now() + p.config.shutdown_grace;
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
  for (const auto& poller : p.pollers) check(poller->name(), poller->heartbeat_ms());
  check("escalator", p.escalator->heartbeat_ms());
  for (const auto& sink : p.sinks) check(fmt::format("sink:{}", sink->name()), sink->heartbeat_ms());
  return stale;
}

bool App::Healthy(std::chrono::milliseconds max_age) const { return Stale(max_age).empty(); }

std::string App::StatusLine() const {
  const Parts& p = *parts_;
  return fmt::format("{} source(s), {} sink(s)", p.pollers.size(), p.sinks.size());
}

}  // namespace earshot
