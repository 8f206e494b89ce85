#include "daemon/sources/bluesky/jetstream_factory.h"

#include <fmt/format.h>

#include "daemon/sources/bluesky/jetstream_source.h"

namespace earshot {
namespace {

// Bluesky's public instances (docs.bsky.app, "Jetstream"), tried in this order.
constexpr const char* kPublicInstances =
    "wss://jetstream1.us-east.bsky.network, wss://jetstream2.us-east.bsky.network, "
    "wss://jetstream1.us-west.bsky.network, wss://jetstream2.us-west.bsky.network";

class JetstreamSourceFactory final : public SourceFactory {
 public:
  std::string_view type() const override { return "jetstream"; }

  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption("instances", OptionKind::kList,
                     "Jetstream URLs to fail over between, in order; Bluesky's four public ones")
            .Default(kPublicInstances),
        ConfigOption("idle_timeout", OptionKind::kDuration,
                     "no message for this long is a stall: reconnect")
            .Default("30s"),
        ConfigOption("rewind", OptionKind::kDuration,
                     "how far before its cursor a stream resumes on another instance")
            .Default("5s"),
        ConfigOption("profiles_url", OptionKind::kString,
                     "where matched posts' authors are looked up (getProfiles, no credential)")
            .Default("https://public.api.bsky.app"),
        ConfigOption("resolve_within", OptionKind::kDuration,
                     "the longest a matched post waits for its author's handle and followers")
            .Default("2s"),
    };
    return *spec;
  }

  void Check(const SourceCheck& check, SourceSettings* s) const override {
    const std::vector<std::string>& urls = s->options.List("instances");
    if (urls.empty()) {
      check.ErrorAt("instances", fmt::format("source '{}': name at least one Jetstream URL "
                                             "(wss://jetstream2.us-east.bsky.network)",
                                             s->name));
    }
    for (const std::string& url : urls) {
      if (!url.starts_with("wss://") && !url.starts_with("ws://")) {
        check.ErrorAt("instances", fmt::format("source '{}': '{}' is not a WebSocket URL: write "
                                               "wss://host (without /subscribe)",
                                               s->name, url));
      }
    }
    const std::string& profiles = s->options.String("profiles_url");
    if (!profiles.starts_with("https://") && !profiles.starts_with("http://")) {
      check.ErrorAt("profiles_url",
                    fmt::format("source '{}': profiles_url must be an http(s) URL, such as "
                                "https://public.api.bsky.app",
                                s->name));
    }
    if (s->options.Duration("idle_timeout") <= std::chrono::milliseconds(0)) {
      check.ErrorAt("idle_timeout",
                    fmt::format("source '{}': idle_timeout must be more than 0", s->name));
    }
  }

  const NetworkQuota& quota() const override {
    // Jetstream counts nothing: a subscriber only has to keep up.
    static constexpr NetworkQuota kQuota{"Jetstream", "none", 0, std::chrono::seconds(0),
                                         "every subscriber (no quota)"};
    return kQuota;
  }

  bool SecretRequired(const SourceSettings& /*s*/) const override { return false; }

  std::string BudgetKey(const SourceSettings& s) const override { return "jetstream|" + s.name; }

  int64_t RequestsPerPoll(const SourceSettings& /*s*/) const override { return 0; }

  Result<BuiltSource> Create(const SourceSettings& s, const SourceEnv& env) const override {
    JetstreamSourceConfig cfg;
    FillShared(s, env, &cfg);
    cfg.instances = s.options.List("instances");
    cfg.idle_timeout = s.options.Duration("idle_timeout");
    cfg.rewind = s.options.Duration("rewind");
    cfg.profiles_url = s.options.String("profiles_url");
    while (cfg.profiles_url.ends_with('/')) cfg.profiles_url.pop_back();
    cfg.resolve_within = s.options.Duration("resolve_within");
    cfg.user_agent = env.user_agent;
    auto built = BuildWithStats<JetstreamSource>(std::move(cfg), *env.clock);
    if (built.ok()) {
      const auto* stats = static_cast<const JetstreamSourceStats*>(built->counters);
      built->lag_ms = [stats] {
        return stats->LagMsNow(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
      };
    }
    return built;
  }
};

}  // namespace

std::unique_ptr<SourceFactory> NewJetstreamSourceFactory() {
  return std::make_unique<JetstreamSourceFactory>();
}

}  // namespace earshot
