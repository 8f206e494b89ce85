#include "daemon/app/source_factory.h"

#include <fmt/format.h>

#include "daemon/sources/bluesky/bluesky_source.h"
#include "daemon/sources/mastodon/mastodon_source.h"
#include "daemon/sources/mastodon/mastodon_stream_source.h"
#include "daemon/sources/reddit/reddit_source.h"
#include "daemon/sources/x/x_source.h"

namespace earshot {
namespace {

// Every network's stats struct names these counters alike.
template <class Stats>
SourceCounters CountersOf(const Stats& s) {
  return {&s.requests,    &s.posts,         &s.bad_items,        &s.rate_limited,
          &s.auth_errors, &s.server_errors, &s.transport_errors, &s.malformed_pages,
          &s.skipped};
}

// Creates the source, then reads its stats through the concrete type it is.
template <class Concrete, class Config>
Result<BuiltSource> Make(Config config) {
  auto source = Concrete::Create(std::move(config), RealClock());
  if (!source.ok()) return source.status();
  BuiltSource built;
  built.counters = CountersOf(static_cast<const Concrete&>(**source).stats());
  built.source = *std::move(source);
  return built;
}

}  // namespace

Result<BuiltSource> BuildSource(const SourceSettings& s, const std::string& user_agent,
                                RateBudgetRegistry* budgets) {
  std::shared_ptr<SharedRateBudget> budget = budgets ? budgets->For(s) : nullptr;
  if (s.type == "mastodon") {
    MastodonSourceConfig cfg;
    cfg.name = s.name;
    cfg.base_url = s.base_url;
    cfg.kind = s.mentions ? MastodonSourceConfig::Kind::kMentions
                          : MastodonSourceConfig::Kind::kHashtag;
    cfg.tag = s.hashtag;
    cfg.token = s.secret;
    cfg.token_file = {s.secret_path, s.secret_key};
    cfg.rate_budget = budget;
    cfg.poll_interval = s.poll_interval;
    if (s.limit > 0) cfg.limit = s.limit;
    cfg.user_agent = user_agent;
    cfg.local_domain = s.local_domain;
    if (s.mode == "stream") {
      MastodonStreamSourceConfig stream;
      stream.mastodon = std::move(cfg);
      stream.user_agent = user_agent;
      auto source = MastodonStreamSource::Create(std::move(stream), RealClock());
      if (!source.ok()) return source.status();
      // The stream's own counters under the shared names; a stream makes no polling requests.
      const auto& st = static_cast<const MastodonStreamSource&>(**source).stats();
      BuiltSource built;
      built.counters.requests = &st.gap_fill_requests;
      built.counters.posts = &st.posts;
      built.counters.bad_items = &st.bad_events;
      built.counters.rate_limited = &st.rate_limited;
      built.counters.auth_errors = &st.auth_errors;
      built.counters.server_errors = &st.http_errors;
      built.counters.transport_errors = &st.disconnects;
      built.counters.skipped = &st.skipped;
      built.source = *std::move(source);
      return built;
    }
    return Make<MastodonSource>(std::move(cfg));
  }
  if (s.type == "x") {
    XSourceConfig cfg;
    cfg.name = s.name;
    if (!s.base_url.empty()) cfg.base_url = s.base_url;
    cfg.query = s.query;
    cfg.mentions_of = s.mentions_of;
    cfg.user_id = s.user_id;
    cfg.bearer_token = s.secret;
    cfg.rate_budget = budget;
    cfg.poll_interval = s.poll_interval;
    if (s.limit > 0) cfg.max_results = s.limit;
    return Make<XSource>(std::move(cfg));
  }
  if (s.type == "bluesky") {
    BlueskySourceConfig cfg;
    cfg.name = s.name;
    if (!s.base_url.empty()) cfg.service_url = s.base_url;
    cfg.query = s.query;
    cfg.mentions = s.mentions;
    cfg.identifier = s.identifier;
    cfg.app_password = s.secret;
    cfg.rate_budget = budget;
    cfg.poll_interval = s.poll_interval;
    if (s.limit > 0) cfg.limit = s.limit;
    return Make<BlueskySource>(std::move(cfg));
  }
  if (s.type == "reddit") {
    RedditSourceConfig cfg;
    cfg.name = s.name;
    cfg.kind = s.listing == "search"     ? RedditSourceConfig::Kind::kSearch
               : s.listing == "comments" ? RedditSourceConfig::Kind::kComments
                                         : RedditSourceConfig::Kind::kNew;
    cfg.subreddit = s.subreddit;
    cfg.query = s.query;
    cfg.client_id = s.client_id;
    cfg.client_secret = s.secret;
    cfg.rate_budget = budget;
    // Reddit's API rules ask for "<platform>:<app ID>:<version> (by /u/<username>)".
    cfg.user_agent = fmt::format("linux:earshot:{} (by /u/{})", EARSHOT_VERSION, s.reddit_user);
    // base_url (a proxy, or a test's fake) serves both the OAuth token and the listings.
    if (!s.base_url.empty()) cfg.api_url = cfg.auth_url = s.base_url;
    cfg.poll_interval = s.poll_interval;
    if (s.limit > 0) cfg.limit = s.limit;
    return Make<RedditSource>(std::move(cfg));
  }
  return Status::InvalidArgument(fmt::format("unknown source type '{}'", s.type));
}

}  // namespace earshot
