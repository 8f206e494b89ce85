#include "daemon/sources/bluesky/bluesky_factory.h"

#include <fmt/format.h>

#include "daemon/base/ascii.h"
#include "daemon/sources/bluesky/bluesky_source.h"

namespace earshot {
namespace {

using std::chrono::minutes;

class BlueskySourceFactory final : public SourceFactory {
 public:
  std::string_view type() const override { return "bluesky"; }

  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption("base_url", OptionKind::kString, "the account's PDS; https://bsky.social"),
        ConfigOption("query", OptionKind::kString, "a post search (searchPosts)"),
        ConfigOption("mentions", OptionKind::kBool,
                     "read the account's mentions, replies and quotes instead")
            .Default("false"),
        ConfigOption("identifier", OptionKind::kString, "the account's handle or email").Required(),
        ConfigOption("app_password", OptionKind::kString, "an app password of that account")
            .Required()
            .Secret(),
    };
    return *spec;
  }

  void Check(const SourceCheck& check, SourceSettings* s) const override {
    const bool query = !s->options.String("query").empty();
    const bool mentions = s->options.Bool("mentions");
    if (query && mentions) {
      check.Error(
          fmt::format("source '{}': choose query: (post search) or mentions: true (the "
                      "account's notifications), not both",
                      s->name));
    } else if (!query && !mentions) {
      check.Error(
          fmt::format("source '{}': say what to read: query: SEARCH or mentions: true", s->name));
    }
  }

  const NetworkQuota& quota() const override {
    // The PDS counts per IP, so sources of several accounts on one host may still meet 429s
    // together; each account's sources pace together.
    static constexpr NetworkQuota kQuota{"Bluesky", "account", 3000, minutes(5)};
    return kQuota;
  }

  // Service host + account identifier (handles are case-insensitive).
  std::string BudgetKey(const SourceSettings& s) const override {
    std::string who = s.options.String("identifier");
    AsciiLowerInPlace(who);
    return "bluesky|" + BudgetHost(s, "https://bsky.social") + "|" + BudgetHash(who);
  }

  // A poll that finds posts also asks for their authors' profiles.
  int64_t RequestsPerPoll(const SourceSettings& /*s*/) const override { return 2; }

  Result<BuiltSource> Create(const SourceSettings& s, const SourceEnv& env) const override {
    BlueskySourceConfig cfg;
    FillShared(s, env, &cfg);
    if (const std::string& url = s.options.String("base_url"); !url.empty()) {
      cfg.service_url = url;
    }
    cfg.query = s.options.String("query");
    cfg.mentions = s.options.Bool("mentions");
    cfg.identifier = s.options.String("identifier");
    cfg.app_password = s.secret;
    if (s.limit > 0) cfg.limit = s.limit;
    return BuildWithStats<BlueskySource>(std::move(cfg), *env.clock);
  }
};

}  // namespace

std::unique_ptr<SourceFactory> NewBlueskySourceFactory() {
  return std::make_unique<BlueskySourceFactory>();
}

}  // namespace earshot
