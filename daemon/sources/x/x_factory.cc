#include "daemon/sources/x/x_factory.h"

#include <fmt/format.h>

#include "daemon/sources/x/x_source.h"
#include "daemon/sources/x/x_stream_source.h"

namespace earshot {
namespace {

using std::chrono::minutes;

// X usernames: 1 to 15 letters, digits or '_'.
bool IsXUsername(const std::string& name) {
  return !name.empty() && name.size() <= 15 &&
         name.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
             "0123456789_") == std::string::npos;
}

class XSourceFactory final : public SourceFactory {
 public:
  std::string_view type() const override { return "x"; }

  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption("base_url", OptionKind::kString, "the API host; https://api.x.com"),
        ConfigOption("query", OptionKind::kString, "a recent search in X's query syntax"),
        ConfigOption("mentions_of", OptionKind::kString,
                     "the username whose mention timeline to read; a leading '@' is dropped"),
        ConfigOption("user_id", OptionKind::kString,
                     "that account's numeric id; looked up from mentions_of when left out"),
        ConfigOption("mode", OptionKind::kChoice,
                     "poll (recent search or mentions, paged) or stream (the filtered stream "
                     "with query as its rule, gaps filled by recent search)")
            .Default("poll")
            .Choices({"poll", "stream"}),
        ConfigOption("bearer_token", OptionKind::kString, "the app-only bearer token")
            .Required()
            .Secret(),
    };
    return *spec;
  }

  void Check(const SourceCheck& check, SourceSettings* s) const override {
    std::string mentions_of = s->options.String("mentions_of");
    if (!mentions_of.empty() && mentions_of[0] == '@') {
      mentions_of.erase(0, 1);
      s->options.Set("mentions_of", mentions_of);
    }
    const std::string& query = s->options.String("query");
    const std::string& user_id = s->options.String("user_id");
    if (!query.empty() && !mentions_of.empty()) {
      check.Error(
          fmt::format("source '{}': choose query: (recent search) or mentions_of: "
                      "USERNAME (the account's mention timeline), not both",
                      s->name));
    } else if (query.empty() && mentions_of.empty()) {
      check.Error(fmt::format(
          "source '{}': say what to read: query: SEARCH or mentions_of: USERNAME", s->name));
    }
    if (!user_id.empty() && mentions_of.empty()) {
      check.ErrorAt("user_id", fmt::format("source '{}': user_id belongs with mentions_of: "
                                           "USERNAME (the account it is the id of)",
                                           s->name));
    } else if (!user_id.empty() && (user_id.size() > 20 ||
                                    user_id.find_first_not_of("0123456789") != std::string::npos)) {
      check.ErrorAt("user_id",
                    fmt::format("source '{}': user_id '{}' is not a numeric X user id; leave it "
                                "out to look it up from mentions_of",
                                s->name, user_id.substr(0, 40)));
    }
    if (!mentions_of.empty() && !IsXUsername(mentions_of)) {
      check.ErrorAt("mentions_of",
                    fmt::format("source '{}': mentions_of '{}' is not an X username (1 to 15 "
                                "letters, digits or '_')",
                                s->name, mentions_of.substr(0, 40)));
    }
    if (s->options.String("mode") == "stream" && query.empty()) {
      check.ErrorAt("mode", fmt::format("source '{}': mode: stream needs query: (it becomes the "
                                        "filtered stream's rule); mentions_of is read with "
                                        "mode: poll",
                                        s->name));
    }
    const int min_limit = mentions_of.empty() ? 10 : 5;
    if (s->limit != 0 && (s->limit < min_limit || s->limit > 100)) {
      check.ErrorAt(
          "limit", fmt::format("source '{}': limit must be {}..100 (X's page size for {})", s->name,
                               min_limit, mentions_of.empty() ? "recent search" : "mentions"));
    }
  }

  const NetworkQuota& quota() const override {
    static constexpr NetworkQuota kQuota{"X", "bearer token", 450, minutes(15)};
    return kQuota;
  }

  // Per endpoint and per app: recent search and the user mention timeline are counted apart
  // (each 450 per 15 minutes per app), so they get one budget each.
  std::string BudgetKey(const SourceSettings& s) const override {
    const std::string endpoint = s.options.String("mentions_of").empty() ? "/2/tweets/search/recent"
                                                                         : "/2/users/:id/mentions";
    return "x|" + BudgetHost(s, "https://api.x.com") + "|" + endpoint + "|" + BudgetHash(s.secret);
  }

  // A stream polls nothing: its gap fills follow reconnects only.
  int64_t RequestsPerPoll(const SourceSettings& s) const override {
    return s.options.String("mode") == "stream" ? 0 : 1;
  }

  Result<BuiltSource> Create(const SourceSettings& s, const SourceEnv& env) const override {
    XSourceConfig cfg;
    FillShared(s, env, &cfg);
    if (const std::string& url = s.options.String("base_url"); !url.empty()) cfg.base_url = url;
    cfg.query = s.options.String("query");
    cfg.mentions_of = s.options.String("mentions_of");
    cfg.user_id = s.options.String("user_id");
    cfg.bearer_token = s.secret;
    if (s.limit > 0) cfg.max_results = s.limit;
    if (s.options.String("mode") == "stream") {
      XStreamSourceConfig stream;
      stream.x = std::move(cfg);
      stream.user_agent = env.user_agent;
      return BuildWithStats<XStreamSource>(std::move(stream), *env.clock);
    }
    return BuildWithStats<XSource>(std::move(cfg), *env.clock);
  }
};

}  // namespace

std::unique_ptr<SourceFactory> NewXSourceFactory() { return std::make_unique<XSourceFactory>(); }

}  // namespace earshot
