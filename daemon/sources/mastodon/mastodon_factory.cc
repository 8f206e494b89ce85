#include "daemon/sources/mastodon/mastodon_factory.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "daemon/sources/mastodon/mastodon_source.h"
#include "daemon/sources/mastodon/mastodon_stream_source.h"

namespace earshot {
namespace {

using std::chrono::minutes;

class MastodonSourceFactory final : public SourceFactory {
 public:
  std::string_view type() const override { return "mastodon"; }

  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption("base_url", OptionKind::kString, "the instance, https://mastodon.social")
            .Required(),
        ConfigOption("hashtag", OptionKind::kString, "the tag to read; a leading '#' is dropped"),
        ConfigOption("mentions", OptionKind::kBool, "read the token account's mentions instead")
            .Default("false"),
        ConfigOption("timeline", OptionKind::kChoice,
                     "read a public timeline instead: public (federated: every public post the "
                     "instance knows of) or local (its own accounts' posts only)")
            .Choices({"public", "local"}),
        ConfigOption("local_domain", OptionKind::kString,
                     "appended to local accounts' handles; the host of base_url by default"),
        ConfigOption("recheck_every", OptionKind::kDuration,
                     "how often the posts of open incidents are re-checked for deletion; 0s: "
                     "never")
            .Default("10m"),
        ConfigOption("mode", OptionKind::kChoice,
                     "poll (REST paging) or stream (SSE, gaps filled by REST)")
            .Default("poll")
            .Choices({"poll", "stream"}),
        ConfigOption(
            "token", OptionKind::kString,
            "the access token; needed for mentions, sent with hashtags and timelines when given")
            .Secret(),
    };
    return *spec;
  }

  void Check(const SourceCheck& check, SourceSettings* s) const override {
    const std::string& hashtag = s->options.String("hashtag");
    const bool mentions = s->options.Bool("mentions");
    const std::string& timeline = s->options.String("timeline");
    // Exactly one of the three: a source reads one stream of posts, under one cursor.
    std::vector<std::string> chosen;
    if (!hashtag.empty()) chosen.push_back("hashtag");
    if (mentions) chosen.push_back("mentions");
    if (!timeline.empty()) chosen.push_back("timeline");
    if (chosen.size() > 1) {
      check.Error(fmt::format(
          "source '{}': choose one of hashtag: TAG, mentions: true or timeline: public|local, "
          "not {}; one source reads one of them, so give each its own source",
          s->name, fmt::join(chosen, " and ")));
    } else if (chosen.empty()) {
      check.Error(fmt::format(
          "source '{}': say what to read: hashtag: TAG, mentions: true or timeline: public|local",
          s->name));
    }
    if (!hashtag.empty() && hashtag[0] == '#') s->options.Set("hashtag", hashtag.substr(1));
    if (s->limit < 0 || s->limit > 40) {
      check.ErrorAt(
          "limit", fmt::format("source '{}': limit must be 1..40 (Mastodon's page size)", s->name));
    }
  }

  // Hashtag and public timelines are public; the mentions are the token's account's. (An
  // instance may show its timelines to signed-in users only: the token is sent when given.)
  bool SecretRequired(const SourceSettings& s) const override { return s.options.Bool("mentions"); }

  const NetworkQuota& quota() const override {
    // 300 requests per 5 minutes per account; without a token, per IP address.
    static constexpr NetworkQuota kQuota{"Mastodon", "access token", 300, minutes(5),
                                         "address (no token)"};
    return kQuota;
  }

  // Instance host + access token: every source of one token (or, without one, of one
  // instance) spends one quota.
  std::string BudgetKey(const SourceSettings& s) const override {
    return "mastodon|" + BudgetHost(s, "") + "|" + BudgetHash(s.secret);
  }

  // A stream polls nothing: its gap fills follow reconnects only.
  int64_t RequestsPerPoll(const SourceSettings& s) const override {
    return s.options.String("mode") == "stream" ? 0 : 1;
  }

  Result<BuiltSource> Create(const SourceSettings& s, const SourceEnv& env) const override {
    MastodonSourceConfig cfg;
    FillShared(s, env, &cfg);
    cfg.base_url = s.options.String("base_url");
    cfg.kind = KindOf(s.options);
    cfg.tag = s.options.String("hashtag");
    cfg.token = s.secret;
    cfg.token_file = {s.secret_path, s.secret_key};
    if (s.limit > 0) cfg.limit = s.limit;
    cfg.user_agent = env.user_agent;
    cfg.local_domain = s.options.String("local_domain");
    Result<BuiltSource> built = Build(std::move(cfg), s.options.String("mode") == "stream", env);
    if (built.ok()) built->recheck_every = s.options.Duration("recheck_every");
    return built;
  }

 private:
  // Check has made sure exactly one of hashtag, mentions and timeline is set.
  static MastodonSourceConfig::Kind KindOf(const SourceOptions& o) {
    using Kind = MastodonSourceConfig::Kind;
    if (o.Bool("mentions")) return Kind::kMentions;
    if (o.String("timeline") == "public") return Kind::kPublic;
    if (o.String("timeline") == "local") return Kind::kLocal;
    return Kind::kHashtag;
  }

  static Result<BuiltSource> Build(MastodonSourceConfig cfg, bool stream_mode,
                                   const SourceEnv& env) {
    if (stream_mode) {
      MastodonStreamSourceConfig stream;
      stream.mastodon = std::move(cfg);
      stream.user_agent = env.user_agent;
      return BuildWithStats<MastodonStreamSource>(std::move(stream), *env.clock);
    }
    return BuildWithStats<MastodonSource>(std::move(cfg), *env.clock);
  }
};

}  // namespace

std::unique_ptr<SourceFactory> NewMastodonSourceFactory() {
  return std::make_unique<MastodonSourceFactory>();
}

}  // namespace earshot
