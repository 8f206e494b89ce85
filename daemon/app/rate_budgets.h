// RateBudgets: one shared rate budget per network credential, so the sources of one earshot.yaml
// that spend the same quota pace together instead of each as if it had the whole quota (two X
// queries under one bearer token, a Mastodon hashtag and mentions under one token).
//
// What counts as one credential is the network's to say (SourceFactory::BudgetKey, beside its
// documented quota in each network's *_factory.cc; docs/sources.md "Rate budgets" lists them).
// The key holds a hash of the secret, never the secret, and is never printed: budgets are
// named for metrics by their network and the names of the sources sharing them.
//
// CheckRateBudgets is `earshot check`'s estimate of the requests each credential needs against
// the network's documented quota (docs/sources.md "Rate budgets").
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/app/app_config.h"
#include "daemon/app/prometheus_text.h"
#include "daemon/config/diagnostics.h"
#include "daemon/sources/rate_budget.h"
#include "daemon/sources/source_factory.h"

namespace earshot {

// The network's documented quota for one credential; nullptr for an unknown network type.
const NetworkQuota* QuotaOf(const SourceSettings& s);

// Which quota a source spends (see the header comment). Contains no secret in clear.
std::string RateBudgetKey(const SourceSettings& s);

// The source's name in logs and metrics: "x:airline".
std::string SourceDisplayName(const SourceSettings& s);

// The estimate: requests per quota window one source needs when caught up, i.e. one poll every
// poll_interval times the requests of one poll (one page; a Bluesky poll that finds posts also
// asks for their authors' profiles, so two). A Mastodon stream polls nothing (its gap fills
// follow reconnects only): zero. Pages of a backlog come on top; the shared budget paces them.
int64_t RequestsPerWindow(const SourceSettings& s);

// Warns, at the first source of each credential, when its sources together need more requests
// per window than the network allows, and names the poll_interval that would fit.
void CheckRateBudgets(const AppConfig& config, Diagnostics* diags);

// Hands out the shared budgets while the App builds its sources. Not thread-safe (used while
// building); the budgets it returns are.
class RateBudgetRegistry {
 public:
  // The budget of the source's credential, created on first use. The source's display name
  // joins the budget's name ("x:airline,x:brand").
  std::shared_ptr<SharedRateBudget> For(const SourceSettings& s);

  struct Entry {
    std::string network;  // "x"
    std::shared_ptr<SharedRateBudget> budget;
  };
  // In order of first use.
  const std::vector<Entry>& budgets() const { return entries_; }

 private:
  std::map<std::string, size_t> by_key_;  // RateBudgetKey -> index in entries_
  std::vector<Entry> entries_;
};

// /metrics, per budget: earshot_rate_budget_remaining, _limit and _reset_seconds (until the
// window resets, 0 once passed), as the network last reported them, labelled
// {network="x", budget="x:airline,x:brand"}: the sources sharing it, never the credential. A
// budget no response has filled yet has no samples.
void WriteRateBudgetMetrics(PrometheusText* t, const RateBudgetRegistry& budgets, SystemTime now);

}  // namespace earshot
