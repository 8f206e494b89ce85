#include "sinks/registry.h"

#include <fmt/format.h>

#include <cstdlib>

#include "daemon/base/check.h"
#include "daemon/base/duration.h"
#include "daemon/base/suggest.h"
#include "sinks/console_sink.h"
#include "sinks/email_sink.h"
#include "sinks/escalation_fit.h"
#include "daemon/model/escalation_json.h"
#include "sinks/exec_sink.h"
#include "sinks/file_sink.h"
#include "sinks/pagerduty_sink.h"
#include "sinks/slack_sink.h"
#include "sinks/webhook_sink.h"

namespace earshot {
namespace {

// "1/s", "30/m", "5/10s": a count per period.
Status ParseRateLimit(const std::string& text, DeliveryPolicy* policy) {
  const size_t slash = text.find('/');
  const std::string bad = fmt::format(
      "option 'rate_limit': '{}' is not a rate; write e.g. 1/s, 30/m or 5/10s", text);
  if (slash == std::string::npos || slash == 0) return Status::InvalidArgument(bad);
  const std::string count = text.substr(0, slash);
  if (count.size() > 9 || count.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(bad);
  }
  std::string period = text.substr(slash + 1);
  if (!period.empty() && !std::isdigit(static_cast<unsigned char>(period[0]))) {
    period = "1" + period;
  }
  Result<Duration> d = ParseDuration(period);
  if (!d.ok() || d->count() <= 0 || std::stoi(count) <= 0) return Status::InvalidArgument(bad);
  policy->rate_limit = std::stoi(count);
  policy->rate_period = *d;
  return Status::Ok();
}

}  // namespace

const OptionSpec& SinkRegistry::DeliveryOptions() {
  static const OptionSpec* spec = new OptionSpec{
      ConfigOption("retry_initial", OptionKind::kDuration,
                   "first wait after a failed attempt; doubles up to retry_max")
          .Default("1s"),
      ConfigOption("retry_max", OptionKind::kDuration,
                   "longest wait between attempts (a Retry-After may ask for more)")
          .Default("5m"),
      ConfigOption("max_age", OptionKind::kDuration,
                   "an escalation still undelivered this long after it was raised is dead-lettered")
          .Default("24h"),
      ConfigOption("rate_limit", OptionKind::kString,
                   "at most this many deliveries per period, e.g. 1/s or 30/m; none by default"),
      ConfigOption("max_escalation_bytes", OptionKind::kInt,
                   "an escalation larger than this as JSON is cut to fit (post texts shortened, "
                   "oldest posts dropped with a count); 4096 to 67108864")
          .Default("1048576"),
  };
  return *spec;
}

void SinkRegistry::Register(std::unique_ptr<SinkFactory> factory) {
  std::string type(factory->type());
  EARSHOT_CHECK(!factories_.count(type)) << "sink type registered twice: " << type;
  factories_.emplace(std::move(type), std::move(factory));
}

const SinkFactory* SinkRegistry::Find(std::string_view type) const {
  auto it = factories_.find(type);
  return it == factories_.end() ? nullptr : it->second.get();
}

std::vector<std::string> SinkRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& [type, factory] : factories_) out.push_back(type);
  return out;
}

Result<ConfiguredSink> SinkRegistry::Create(const SinkConfig& config) const {
  const SinkFactory* factory = Find(config.type);
  if (factory == nullptr) {
    const std::vector<std::string> known = types();
    return Status::InvalidArgument(fmt::format("unknown type '{}'{}; known: {}", config.type,
                                               DidYouMean(config.type, known),
                                               fmt::join(known, ", ")));
  }
  OptionSpec spec = factory->options();
  const OptionSpec& shared = DeliveryOptions();
  spec.insert(spec.end(), shared.begin(), shared.end());
  const char* creds = std::getenv("CREDENTIALS_DIRECTORY");
  EARSHOT_ASSIGN_OR_RETURN(SinkOptions options,
                           CheckSinkOptions(config, spec, creds ? creds : ""));

  ConfiguredSink out;
  out.policy.retry_initial = options.Duration("retry_initial");
  out.policy.retry_max = options.Duration("retry_max");
  out.policy.max_age = options.Duration("max_age");
  if (out.policy.retry_initial.count() <= 0 || out.policy.retry_max < out.policy.retry_initial) {
    return Status::InvalidArgument(
        "options 'retry_initial' and 'retry_max': need 0 < retry_initial <= retry_max");
  }
  const int64_t max_bytes = options.Int("max_escalation_bytes");
  if (max_bytes < static_cast<int64_t>(kMinMaxEscalationBytes) ||
      max_bytes > static_cast<int64_t>(kMaxEscalationLineBytes)) {
    return Status::InvalidArgument(fmt::format(
        "option 'max_escalation_bytes': {} is out of range; write a size from {} to {} bytes",
        max_bytes, kMinMaxEscalationBytes, kMaxEscalationLineBytes));
  }
  out.policy.max_escalation_bytes = static_cast<size_t>(max_bytes);
  if (options.Has("rate_limit")) {
    EARSHOT_RETURN_IF_ERROR(ParseRateLimit(options.String("rate_limit"), &out.policy));
  }
  EARSHOT_ASSIGN_OR_RETURN(out.sink, factory->Create(options));
  return out;
}

void RegisterBuiltinSinks(SinkRegistry& registry) {
  registry.Register(NewConsoleSinkFactory());
  registry.Register(NewFileSinkFactory());
  registry.Register(NewWebhookSinkFactory());
  registry.Register(NewSlackSinkFactory());
  registry.Register(NewPagerDutySinkFactory());
  registry.Register(NewEmailSinkFactory());
  registry.Register(NewExecSinkFactory());
}

}  // namespace earshot
