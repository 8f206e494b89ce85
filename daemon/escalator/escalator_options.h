// EscalatorOptions: the `escalation:` section of earshot.yaml, as the escalator reads it. Plain
// data, copied into the Escalator at construction. Defaults follow Alertmanager where the idea
// is the same (group_interval, repeat_interval) and earshot's spine everywhere else.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "daemon/base/severity.h"

namespace earshot {

class RoutingTree;
struct ResponsePolicy;

// When an incident's notifications go out: Alertmanager's three timers. The `escalation:`
// section gives the defaults; a route of the `routes:` tree may set its own (routes.h).
struct NotifyTiming {
  // Wait this long after an incident opens before its first page, so that posts arriving
  // together page once (0 pages at once).
  std::chrono::seconds group_wait{0};
  // At most one update per incident per group_interval (0 = no limit).
  std::chrono::seconds group_interval{0};
  // The default timing (NotifyTiming): an incident whose first matching route sets none of
  // its own uses these. They differ from Alertmanager's (30s, 5m, 4h) on purpose: see
  // docs/escalation.md, "Timing".
  std::chrono::seconds repeat_interval{3600};
};

struct EscalatorOptions {
  // The default timing (NotifyTiming): an incident whose first matching route sets none of
  // its own uses these. They differ from Alertmanager's (30s, 5m, 4h) on purpose: see
  // docs/escalation.md, "Timing".
  std::chrono::seconds repeat_interval{3600};
  // Reach tiers: an author with at least this many followers raises severity one / two steps.
  int64_t followers_raise_one = 10000, followers_raise_two = 100000;
  // A sentiment compound at or below this raises severity one step.
  double sentiment_raise = -0.75;
  // A complaint probability (the complaint scorer's, 0..1) at or above this raises a low or
  // medium severity one step (never to critical: sure is not urgent). With sentiment_raise it
  // raises at most one step: a furious post and a sure complaint are mostly the same post seen
  // twice, and counting it twice would page it two steps up. Above 1 turns it off.
  double complaint_raise = 0.9;
  // An open incident with no new post for this long resolves itself ("quiet").
  std::chrono::seconds resolve_after_quiet{86400};

  std::chrono::seconds group_wait{0};
  std::chrono::seconds group_interval{0};
  NotifyTiming timing() const { return {group_wait, group_interval, repeat_interval}; }
  // The `routes:` tree, when there is one: an incident takes the timing of the first route its
  // labels match (RoutingTree::TimingFor). nullptr: every incident uses the values above.
  std::shared_ptr<const RoutingTree> routes;

  // Momentum (momentum.h): an incident is raised one step, once, when its posts have gathered
  // in total at least this many replies, boosts or likes (each post at its highest counts
  // seen), or when this many distinct authors complain in it or in its thread. 0 turns that
  // measure off.
  int64_t momentum_replies_raise_one = 30;
  int64_t momentum_boosts_raise_one = 50;
  int64_t momentum_likes_raise_one = 200;
  int64_t momentum_authors_raise_one = 3;

  // New brand hashtags: a complaint carrying a hashtag that contains one of `brands` (each
  // normalized as BrandKey: lowercase letters and digits) and that earshot has never seen is
  // remembered in the store; once `new_hashtag_min_posts` complaints carried it, it opens its
  // own incident (category "new-hashtag", labels brand and hashtag) at `new_hashtag_severity`,
  // once ever. Hashtags in `known_hashtags` ('#' and case do not matter) never do, nor, when
  // `new_hashtag_known_from_rules`, the rule packs' own (#AcmeAirSucks), which the app passes
  // to Escalator::SetRuleHashtags at start and after every reload.
  bool new_hashtag_enabled = true;
  Severity new_hashtag_severity = Severity::kMedium;
  int64_t new_hashtag_min_posts = 1;
  bool new_hashtag_known_from_rules = true;
  std::vector<std::string> brands;
  std::vector<std::string> known_hashtags;

  // Authors (handles, lowercase) whose complaints are at least `vip_severity`: VIPs, press.
  std::vector<std::string> vip_authors;
  Severity vip_severity = Severity::kHigh;
  // Accounts of the company's own staff: their reply in a thread resolves its incidents.
  std::vector<std::string> staff_authors;
  // Response targets per severity and their business calendar (`response:`, response_policy.h):
  // an unanswered complaint past its target is told once, and the routes' unanswered levels
  // fire by it (response_watch.h). nullptr: no targets (the levels with a fixed `after` still
  // fire).
  std::shared_ptr<const ResponsePolicy> response;

  // Surges (daemon/escalator/surge.h): complaints per (rule, brand) and per hashtag in a
  // sliding `surge_window`, against an EWMA baseline of past windows. A surge needs at least
  // `surge_min_count` posts from `surge_min_distinct_authors` different authors, and a count
  // above mean + surge_factor x deviation. It is its own incident (category "surge") at
  // `surge_severity`, and while it is open it inhibits per-post pages for its brand.
  bool surge_enabled = true;
  std::chrono::seconds surge_window{600};
  int64_t surge_min_count = 20;
  double surge_factor = 3.0;
  int64_t surge_min_distinct_authors = 10;
  double surge_ewma_alpha = 0.3;
  Severity surge_severity = Severity::kHigh;
  // An open surge for a brand holds back (records, never sends) new pages for that brand.
  bool surge_inhibits = true;

  // A source whose poller vouched for a fetch (PostBatch::fetch_ok) once and then silent (no successful fetch) for this long is an incident
  // (category "source-silent", labels {source: NAME}, `source_silent_severity`); it resolves
  // when the source fetches again. 0 disables.
  std::chrono::seconds source_silent_after{1800};
  Severity source_silent_severity = Severity::kMedium;

  // How many of an incident's newest posts a page carries.
  size_t posts_per_escalation = 5;
  // How long a seen post id is remembered (a re-read older than this could page again).
  std::chrono::seconds seen_retention{7 * 86400};
};

}  // namespace earshot
