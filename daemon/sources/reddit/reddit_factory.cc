#include "daemon/sources/reddit/reddit_factory.h"

#include <fmt/format.h>

#include "daemon/sources/reddit/reddit_source.h"

namespace earshot {
namespace {

using std::chrono::minutes;

class RedditSourceFactory final : public SourceFactory {
 public:
  std::string_view type() const override { return "reddit"; }

  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption("base_url", OptionKind::kString,
                     "one host for the OAuth token and the listings (a proxy); Reddit's own by "
                     "default"),
        ConfigOption("listing", OptionKind::kChoice,
                     "new (posts), comments (new comments) or search")
            .Default("new")
            .Choices({"new", "comments", "search"}),
        ConfigOption("subreddit", OptionKind::kString,
                     "for new and comments: the subreddit; a leading 'r/' is dropped"),
        ConfigOption("query", OptionKind::kString, "for search: Reddit's search syntax"),
        ConfigOption("client_id", OptionKind::kString, "the script app's id").Required(),
        ConfigOption("reddit_user", OptionKind::kString,
                     "the account named in the User-Agent, as Reddit's API rules ask")
            .Required(),
        ConfigOption("client_secret", OptionKind::kString, "the script app's secret")
            .Required()
            .Secret(),
    };
    return *spec;
  }

  void Check(const SourceCheck& check, SourceSettings* s) const override {
    const std::string& listing = s->options.String("listing");
    std::string subreddit = s->options.String("subreddit");
    if (listing == "search" && s->options.String("query").empty()) {
      check.Error(fmt::format("source '{}': listing: search needs query:", s->name));
    }
    if (listing != "search" && subreddit.empty()) {
      check.Error(fmt::format("source '{}': listing: {} needs subreddit:", s->name, listing));
    }
    if (subreddit.rfind("r/", 0) == 0) s->options.Set("subreddit", subreddit.substr(2));
  }

  const NetworkQuota& quota() const override {
    static constexpr NetworkQuota kQuota{"Reddit", "OAuth client", 100, minutes(1)};
    return kQuota;
  }

  // API host + OAuth client id: Reddit counts 100 queries per minute per client id.
  std::string BudgetKey(const SourceSettings& s) const override {
    return "reddit|" + BudgetHost(s, "https://oauth.reddit.com") + "|" +
           BudgetHash(s.options.String("client_id"));
  }

  Result<BuiltSource> Create(const SourceSettings& s, const SourceEnv& env) const override {
    RedditSourceConfig cfg;
    FillShared(s, env, &cfg);
    const std::string& listing = s.options.String("listing");
    cfg.kind = listing == "search"     ? RedditSourceConfig::Kind::kSearch
               : listing == "comments" ? RedditSourceConfig::Kind::kComments
                                       : RedditSourceConfig::Kind::kNew;
    cfg.subreddit = s.options.String("subreddit");
    cfg.query = s.options.String("query");
    cfg.client_id = s.options.String("client_id");
    cfg.client_secret = s.secret;
    // Reddit's API rules ask for "<platform>:<app ID>:<version> (by /u/<username>)".
    cfg.user_agent =
        fmt::format("linux:earshot:{} (by /u/{})", env.version, s.options.String("reddit_user"));
    // base_url (a proxy, or a test's fake) serves both the OAuth token and the listings.
    if (const std::string& url = s.options.String("base_url"); !url.empty()) {
      cfg.api_url = cfg.auth_url = url;
    }
    if (s.limit > 0) cfg.limit = s.limit;
    return BuildWithStats<RedditSource>(std::move(cfg), *env.clock);
  }
};

}  // namespace

std::unique_ptr<SourceFactory> NewRedditSourceFactory() {
  return std::make_unique<RedditSourceFactory>();
}

}  // namespace earshot
